"""Events: coffee mornings and parent feedback groups (booklet tips 1 and 5)."""

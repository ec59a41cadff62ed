"""The practitioners' weekly digest."""

"""The programme coordinator's tools in the chat (users listed in ADMIN_USER_IDS)."""

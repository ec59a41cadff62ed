"""Practitioner tools (minimal for now: joining by invite happens in /start; /invite)."""

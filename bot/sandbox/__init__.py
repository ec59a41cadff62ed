"""Offline sandbox tooling: a fake Telegram Bot API the real bot can talk to."""

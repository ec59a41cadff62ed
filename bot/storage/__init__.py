"""SQLite storage: the connection, its migrations, and the one repository that holds all SQL."""

from bot.storage.database import Database
from bot.storage.db import open_database
from bot.storage.repo import Repository

__all__ = ["Database", "Repository", "open_database"]

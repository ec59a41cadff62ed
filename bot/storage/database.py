"""A lazily opened database shared by persistence and handlers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from bot.storage.db import open_database
from bot.storage.repo import Repository


class Database:
    """Owns the one aiosqlite connection; opened on first use, closed at shutdown."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._repo: Repository | None = None
        self._lock: asyncio.Lock | None = None

    async def open(self) -> Repository:
        """Open and migrate the database if needed; return the repository."""
        if self._repo is not None:
            return self._repo
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._repo is None:
                self._conn = await open_database(self.path)
                self._repo = Repository(self._conn)
        return self._repo

    @property
    def repo(self) -> Repository:
        """Return the repository of an open database."""
        if self._repo is None:
            raise RuntimeError("database is not open")
        return self._repo

    async def close(self) -> None:
        """Checkpoint the WAL and close the connection (its worker thread ends)."""
        if self._conn is not None:
            try:
                await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self._conn.close()
        self._conn = None
        self._repo = None

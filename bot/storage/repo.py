"""The repository: every SQL statement the bot runs lives here."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.models import Aim, Child, Group, Invite, Parent, Practitioner, Setting


def hash_token(token: str) -> str:
    """Hash an invite token for storage (the raw token is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _ts(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


class Repository:
    """Typed access to the database; one instance per connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # Coroutines sharing one connection share its transaction: serialise writes.
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run several statements atomically (BEGIN IMMEDIATE … COMMIT)."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._lock, self.conn.execute(sql, tuple(params)) as cur:
            return int(cur.lastrowid or 0)

    # -- settings, groups, invites ------------------------------------------------------

    async def create_setting(self, name: str, now: datetime) -> tuple[Setting, Group]:
        """Create a setting with its first group (named after the setting)."""
        async with self.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO settings (name, created_at) VALUES (?, ?)", (name, _ts(now))
            )
            setting_id = int(cur.lastrowid or 0)
            cur = await conn.execute(
                "INSERT INTO groups (setting_id, name, created_at) VALUES (?, ?, ?)",
                (setting_id, name, _ts(now)),
            )
            group_id = int(cur.lastrowid or 0)
        return Setting(setting_id, name), Group(group_id, setting_id, name)

    async def get_setting(self, setting_id: int) -> Setting | None:
        """Return a setting by id."""
        row = await self._one("SELECT id, name FROM settings WHERE id = ?", (setting_id,))
        return Setting(row["id"], row["name"]) if row else None

    async def find_setting(self, name: str) -> Setting | None:
        """Return the first setting with exactly this name."""
        row = await self._one(
            "SELECT id, name FROM settings WHERE name = ? ORDER BY id LIMIT 1", (name,)
        )
        return Setting(row["id"], row["name"]) if row else None

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        row = await self._one("SELECT id, setting_id, name FROM groups WHERE id = ?", (group_id,))
        return Group(row["id"], row["setting_id"], row["name"]) if row else None

    async def groups_of_setting(self, setting_id: int) -> list[Group]:
        """Return a setting's groups, oldest first."""
        rows = await self._all(
            "SELECT id, setting_id, name FROM groups WHERE setting_id = ? ORDER BY id",
            (setting_id,),
        )
        return [Group(r["id"], r["setting_id"], r["name"]) for r in rows]

    async def create_invite(
        self,
        kind: str,
        setting_id: int,
        group_id: int | None,
        now: datetime,
        valid_for: timedelta,
        created_by: int | None = None,
    ) -> str:
        """Create an invite and return its raw token (only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        await self._write(
            "INSERT INTO invites (token_hash, kind, setting_id, group_id, created_by,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                hash_token(token),
                kind,
                setting_id,
                group_id,
                created_by,
                _ts(now),
                _ts(now + valid_for),
            ),
        )
        return token

    async def resolve_invite(self, token: str, now: datetime) -> Invite | None:
        """Return the invite for a raw token when it is valid now."""
        row = await self._one(
            "SELECT kind, setting_id, group_id, expires_at FROM invites"
            " WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            (hash_token(token), _ts(now)),
        )
        if row is None:
            return None
        return Invite(
            row["kind"],
            row["setting_id"],
            row["group_id"],
            datetime.fromisoformat(row["expires_at"]),
        )

    # -- practitioners -------------------------------------------------------------------

    async def add_practitioner(
        self, user_id: int, chat_id: int, setting_id: int, name: str, locale: str, now: datetime
    ) -> Practitioner:
        """Register (or move) a practitioner to a setting."""
        await self._write(
            "INSERT INTO practitioners (user_id, chat_id, setting_id, name, locale, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " chat_id = excluded.chat_id, setting_id = excluded.setting_id,"
            " name = excluded.name",
            (user_id, chat_id, setting_id, name, locale, _ts(now)),
        )
        found = await self.get_practitioner(user_id)
        assert found is not None
        return found

    async def get_practitioner(self, user_id: int) -> Practitioner | None:
        """Return the practitioner with this Telegram user id."""
        row = await self._one(
            "SELECT user_id, chat_id, setting_id, name, locale, is_lead FROM practitioners"
            " WHERE user_id = ?",
            (user_id,),
        )
        return self._practitioner(row) if row else None

    async def practitioners_of_setting(self, setting_id: int) -> list[Practitioner]:
        """Return every practitioner of a setting."""
        rows = await self._all(
            "SELECT user_id, chat_id, setting_id, name, locale, is_lead FROM practitioners"
            " WHERE setting_id = ? ORDER BY created_at, user_id",
            (setting_id,),
        )
        return [self._practitioner(r) for r in rows]

    @staticmethod
    def _practitioner(row: aiosqlite.Row) -> Practitioner:
        return Practitioner(
            row["user_id"],
            row["chat_id"],
            row["setting_id"],
            row["name"],
            row["locale"],
            bool(row["is_lead"]),
        )

    # -- parents and children -----------------------------------------------------------

    async def add_parent(
        self,
        user_id: int,
        chat_id: int,
        group_id: int,
        name: str,
        locale: str,
        timezone: str,
        now: datetime,
    ) -> Parent:
        """Record a parent who has just given consent (re-consent updates the group)."""
        await self._write(
            "INSERT INTO parents (user_id, chat_id, group_id, name, locale, timezone,"
            " consent_at, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " group_id = excluded.group_id, name = excluded.name,"
            " consent_at = excluded.consent_at, last_seen_at = excluded.last_seen_at",
            (user_id, chat_id, group_id, name, locale, timezone, _ts(now), _ts(now), _ts(now)),
        )
        found = await self.get_parent(user_id)
        assert found is not None
        return found

    async def get_parent(self, user_id: int) -> Parent | None:
        """Return the consented parent with this Telegram user id."""
        row = await self._one(
            "SELECT user_id, chat_id, group_id, name, locale, timezone FROM parents"
            " WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Parent(
            row["user_id"],
            row["chat_id"],
            row["group_id"],
            row["name"],
            row["locale"],
            row["timezone"],
        )

    async def touch_parent(self, user_id: int, now: datetime) -> None:
        """Note that a parent was active now."""
        await self._write(
            "UPDATE parents SET last_seen_at = ? WHERE user_id = ?", (_ts(now), user_id)
        )

    async def save_child(
        self, parent: Parent, first_name: str, age: str | None, relationship: str, now: datetime
    ) -> Child:
        """Create a child linked to this carer, or update the carer's current child."""
        existing = await self.child_of(parent.user_id)
        async with self.transaction() as conn:
            if existing is None:
                cur = await conn.execute(
                    "INSERT INTO children (group_id, first_name, age, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (parent.group_id, first_name, age, _ts(now)),
                )
                child_id = int(cur.lastrowid or 0)
                await conn.execute(
                    "INSERT INTO carers (parent_id, child_id, relationship) VALUES (?, ?, ?)",
                    (parent.user_id, child_id, relationship),
                )
            else:
                child_id = existing.id
                await conn.execute(
                    "UPDATE children SET first_name = ?, age = ? WHERE id = ?",
                    (first_name, age, child_id),
                )
                await conn.execute(
                    "UPDATE carers SET relationship = ? WHERE parent_id = ? AND child_id = ?",
                    (relationship, parent.user_id, child_id),
                )
        return Child(child_id, parent.group_id, first_name, age, relationship)

    async def child_of(self, parent_id: int) -> Child | None:
        """Return the child this carer most recently described."""
        row = await self._one(
            "SELECT c.id, c.group_id, c.first_name, c.age, k.relationship FROM carers k"
            " JOIN children c ON c.id = k.child_id WHERE k.parent_id = ?"
            " ORDER BY c.id DESC LIMIT 1",
            (parent_id,),
        )
        if row is None:
            return None
        return Child(row["id"], row["group_id"], row["first_name"], row["age"], row["relationship"])

    # -- aims ------------------------------------------------------------------------------

    async def save_aim(
        self,
        child: Child,
        parent_id: int,
        *,
        theme: str | None,
        activity_id: str | None,
        text: str,
        own_words: bool,
        signs: tuple[str, ...],
        story: str | None,
        follow_up_on: date,
        now: datetime,
    ) -> Aim:
        """Store a newly agreed aim; an earlier active aim for the child is marked replaced."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE aims SET status = 'replaced' WHERE child_id = ? AND status = 'active'",
                (child.id,),
            )
            cur = await conn.execute(
                "INSERT INTO aims (child_id, parent_id, theme, activity_id, text, own_words,"
                " signs, story, follow_up_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    child.id,
                    parent_id,
                    theme,
                    activity_id,
                    text,
                    int(own_words),
                    json.dumps(list(signs), ensure_ascii=False),
                    story,
                    follow_up_on.isoformat(),
                    _ts(now),
                ),
            )
            aim_id = int(cur.lastrowid or 0)
        return Aim(
            aim_id,
            child.id,
            parent_id,
            theme,
            activity_id,
            text,
            own_words,
            signs,
            story,
            follow_up_on,
            now,
        )

    async def active_aim(self, child_id: int) -> Aim | None:
        """Return the child's current aim."""
        row = await self._one(
            "SELECT * FROM aims WHERE child_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1",
            (child_id,),
        )
        if row is None:
            return None
        return Aim(
            row["id"],
            row["child_id"],
            row["parent_id"],
            row["theme"],
            row["activity_id"],
            row["text"],
            bool(row["own_words"]),
            tuple(json.loads(row["signs"])),
            row["story"],
            date.fromisoformat(row["follow_up_on"]),
            datetime.fromisoformat(row["created_at"]),
        )

    # -- safeguarding ------------------------------------------------------------------------

    async def record_alert(
        self,
        user_id: int,
        setting_id: int | None,
        category: str,
        immediate: bool,
        notified: int,
        now: datetime,
    ) -> int:
        """Record that a safeguarding alert was raised (the message text is not stored)."""
        return await self._write(
            "INSERT INTO safeguarding_alerts (user_id, setting_id, category, immediate, notified,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, setting_id, category, int(immediate), notified, _ts(now)),
        )

    # -- persistence (conversation states and chat data) ------------------------------------

    async def load_conversations(self, name: str) -> dict[str, str]:
        """Return every stored state of one conversation handler, keyed by JSON key."""
        rows = await self._all("SELECT key, state FROM conversations WHERE name = ?", (name,))
        return {r["key"]: r["state"] for r in rows}

    async def save_conversation(self, name: str, key: str, state: str | None) -> None:
        """Store (or, for None, delete) one conversation's state."""
        if state is None:
            await self._write("DELETE FROM conversations WHERE name = ? AND key = ?", (name, key))
        else:
            await self._write(
                "INSERT INTO conversations (name, key, state) VALUES (?, ?, ?)"
                " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                (name, key, state),
            )

    async def load_chat_data(self) -> dict[int, str]:
        """Return every stored chat's data as JSON text."""
        rows = await self._all("SELECT chat_id, data FROM chat_data")
        return {int(r["chat_id"]): r["data"] for r in rows}

    async def save_chat_data(self, chat_id: int, data: str | None) -> None:
        """Store (or, for None, delete) one chat's data."""
        if data is None:
            await self._write("DELETE FROM chat_data WHERE chat_id = ?", (chat_id,))
        else:
            await self._write(
                "INSERT INTO chat_data (chat_id, data) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data",
                (chat_id, data),
            )

    async def table_names(self) -> list[str]:
        """Return the names of every table (for data-protection checks)."""
        rows = await self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [r["name"] for r in rows]

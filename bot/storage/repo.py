"""The repository: every SQL statement the bot runs lives here."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import aiosqlite

from bot.storage.models import (
    Aim,
    AimLine,
    Alert,
    CarerInvite,
    CheckIn,
    Child,
    ChildRecord,
    DigestData,
    DigestItem,
    DigestSchedule,
    Erasure,
    Event,
    EventCount,
    ExportRow,
    FamilyDraft,
    Group,
    Invite,
    OpenInvite,
    OutboxRow,
    Parent,
    Practitioner,
    RelayLink,
    Schedule,
    Setting,
    SettingOverview,
    StoryEvent,
    TipSent,
)

# The columns Repository._practitioner reads, for every query that returns practitioners.
_PRACTITIONER_SELECT = (
    "SELECT user_id, chat_id, setting_id, name, locale, is_lead FROM practitioners"
)


def hash_token(token: str) -> str:
    """Hash an invite token for storage (the raw token is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _ts(when: datetime) -> str:
    # Always UTC: the outbox compares these strings, and mixed offsets would not sort.
    if when.tzinfo is None:
        raise ValueError("naive datetime: every stored time must be aware")
    return when.astimezone(UTC).isoformat(timespec="seconds")


class Repository:
    """Typed access to the database; one instance per connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # Coroutines sharing one connection share its transaction: serialise writes.
        self._lock = asyncio.Lock()
        # Who may have a family draft (a superset: every draft is written here). Most texts
        # come from users without one, and are passed on without a round trip to the database.
        self._draft_users: set[int] | None = None

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

    # One round trip to the database thread each (aiosqlite's helpers run, fetch and drop the
    # cursor in that thread), instead of three (execute, fetch, close): a guided step makes
    # several of these, and each trip costs the event loop a thread hand-off.

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def _all_locked(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> None:
        async with self._lock:
            await self.conn.execute_fetchall(sql, tuple(params))

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT; return the new row's id."""
        async with self._lock:
            row = await self.conn.execute_insert(sql, tuple(params))
        return int(row[0]) if row else 0

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
        # Hex, so never '_': a carer link is 'c_' + its own token, and a nursery link must
        # never look like one. 128 random bits in 32 characters, which keeps the consent
        # button's callback data (prefix, language, token) within Telegram's 64 bytes.
        token = secrets.token_hex(16)
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
            " name = excluded.name, is_lead = CASE WHEN setting_id = excluded.setting_id"
            " THEN is_lead ELSE 0 END",
            (user_id, chat_id, setting_id, name, locale, _ts(now)),
        )
        found = await self.get_practitioner(user_id)
        assert found is not None
        return found

    async def get_practitioner(self, user_id: int) -> Practitioner | None:
        """Return the practitioner with this Telegram user id."""
        row = await self._one(
            _PRACTITIONER_SELECT + " WHERE user_id = ?",
            (user_id,),
        )
        return self._practitioner(row) if row else None

    async def practitioners_of_setting(self, setting_id: int) -> list[Practitioner]:
        """Return every practitioner of a setting."""
        rows = await self._all(
            _PRACTITIONER_SELECT + " WHERE setting_id = ? ORDER BY created_at, user_id",
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
            " consent_at, created_at, last_seen_at, share_story)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
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
            "SELECT user_id, chat_id, group_id, name, locale, timezone, status, paused_until,"
            " share_story FROM parents WHERE user_id = ?",
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
            row["status"],
            datetime.fromisoformat(row["paused_until"]) if row["paused_until"] else None,
            bool(row["share_story"]),
        )

    async def set_parent_status(self, user_id: int, status: str) -> None:
        """Mark a parent active, stopped (said STOP) or unreachable (blocked the bot)."""
        await self._write("UPDATE parents SET status = ? WHERE user_id = ?", (status, user_id))

    async def set_paused_until(self, user_id: int, until: datetime | None) -> None:
        """Pause a parent's scheduled messages until a time (None resumes)."""
        await self._write(
            "UPDATE parents SET paused_until = ? WHERE user_id = ?",
            (_ts(until) if until else None, user_id),
        )

    async def set_timezone(self, user_id: int, timezone: str) -> None:
        """Change a parent's time zone (an IANA name, already validated)."""
        await self._write("UPDATE parents SET timezone = ? WHERE user_id = ?", (timezone, user_id))

    async def setting_of_group(self, group_id: int) -> Setting | None:
        """Return the setting a group belongs to."""
        row = await self._one(
            "SELECT s.id, s.name FROM groups g JOIN settings s ON s.id = g.setting_id"
            " WHERE g.id = ?",
            (group_id,),
        )
        return Setting(row["id"], row["name"]) if row else None

    async def user_locale(self, user_id: int) -> str | None:
        """The language a parent or practitioner chose (None for strangers)."""
        row = await self._one(
            "SELECT locale FROM parents WHERE user_id = ?"
            " UNION ALL SELECT locale FROM practitioners WHERE user_id = ? LIMIT 1",
            (user_id, user_id),
        )
        return str(row["locale"]) if row else None

    async def set_user_locale(self, user_id: int, locale: str) -> None:
        """Change the language of a parent and/or practitioner."""
        async with self.transaction() as conn:
            await conn.execute("UPDATE parents SET locale = ? WHERE user_id = ?", (locale, user_id))
            await conn.execute(
                "UPDATE practitioners SET locale = ? WHERE user_id = ?", (locale, user_id)
            )

    async def touch_parent(self, user_id: int, now: datetime) -> None:
        """Note that a parent was active now (which also cancels a retention warning)."""
        await self._write(
            "UPDATE parents SET last_seen_at = ?, retention_warned_at = NULL WHERE user_id = ?",
            (_ts(now), user_id),
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
        """Store a newly agreed aim; this carer's earlier active aim for the child is marked
        replaced (each carer of a child keeps their own aim)."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE aims SET status = 'replaced'"
                " WHERE child_id = ? AND parent_id = ? AND status = 'active'",
                (child.id, parent_id),
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
        return self._aim(row) if row else None

    async def aim_by_id(self, aim_id: int) -> Aim | None:
        """Return an aim by id (whatever its status)."""
        row = await self._one("SELECT * FROM aims WHERE id = ?", (aim_id,))
        return self._aim(row) if row else None

    async def set_aim_status(self, aim_id: int, status: str) -> None:
        """Mark an aim kept (active), replaced or reached."""
        await self._write("UPDATE aims SET status = ? WHERE id = ?", (status, aim_id))

    async def set_follow_up(self, aim_id: int, day: date) -> None:
        """Move an aim's follow-up date."""
        await self._write(
            "UPDATE aims SET follow_up_on = ? WHERE id = ?", (day.isoformat(), aim_id)
        )

    @staticmethod
    def _aim(row: aiosqlite.Row) -> Aim:
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
            row["status"],
        )

    # -- home-ideas schedule ------------------------------------------------------------------

    async def save_schedule(
        self, parent_id: int, weekdays: tuple[int, ...], at: time, moment: str, now: datetime
    ) -> Schedule:
        """Set (or replace) when a parent gets home ideas."""
        await self._write(
            "INSERT INTO schedules (parent_id, weekdays, local_time, moment, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (parent_id) DO UPDATE SET"
            " weekdays = excluded.weekdays, local_time = excluded.local_time,"
            " moment = excluded.moment",
            (parent_id, json.dumps(sorted(weekdays)), at.strftime("%H:%M"), moment, _ts(now)),
        )
        return Schedule(parent_id, tuple(sorted(weekdays)), at, moment)

    async def get_schedule(self, parent_id: int) -> Schedule | None:
        """Return a parent's home-ideas schedule."""
        row = await self._one(
            "SELECT parent_id, weekdays, local_time, moment FROM schedules WHERE parent_id = ?",
            (parent_id,),
        )
        if row is None:
            return None
        return Schedule(
            row["parent_id"],
            tuple(json.loads(row["weekdays"])),
            time.fromisoformat(row["local_time"]),
            row["moment"],
        )

    # -- the outbox ----------------------------------------------------------------------------

    async def enqueue(
        self,
        key: str,
        parent_id: int,
        chat_id: int,
        kind: str,
        ref: int | None,
        due_at: datetime,
    ) -> bool:
        """Schedule a message; False when one with this key is already pending or done.

        A cancelled row with the same key comes back (re-planning after STOP, a block or a
        new schedule); a sent, skipped or failed one never does, so nothing is sent twice.
        """
        async with (
            self._lock,
            self.conn.execute(
                "INSERT INTO outbox (key, parent_id, chat_id, kind, ref, due_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " status = 'pending', due_at = excluded.due_at, attempts = 0,"
                " last_error = NULL WHERE outbox.status = 'cancelled'",
                (key, parent_id, chat_id, kind, ref, _ts(due_at)),
            ) as cur,
        ):
            return cur.rowcount == 1

    async def cancel_pending(self, parent_id: int, kinds: tuple[str, ...] = ()) -> int:
        """Cancel a parent's pending messages (of some kinds, or all); return how many."""
        sql = "UPDATE outbox SET status = 'cancelled' WHERE parent_id = ? AND status = 'pending'"
        params: list[Any] = [parent_id]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        async with self._lock, self.conn.execute(sql, params) as cur:
            return cur.rowcount

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Atomically mark up to `limit` due pending rows as being sent, and return them."""
        rows = await self._all_locked(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN"
            " (SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ?"
            "  ORDER BY due_at, id LIMIT ?)"
            " RETURNING id, key, parent_id, chat_id, kind, ref, due_at, attempts",
            (_ts(now), limit),
        )
        claimed = [
            OutboxRow(
                r["id"],
                r["key"],
                r["parent_id"],
                r["chat_id"],
                r["kind"],
                r["ref"],
                datetime.fromisoformat(r["due_at"]),
                r["attempts"],
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda row: (row.due_at, row.id))

    async def finish(self, outcomes: list[tuple[int, str, str | None]], now: datetime) -> None:
        """Record many sends at once: (row id, 'sent' | 'skipped' | 'failed', note)."""
        if not outcomes:
            return
        async with self._lock:
            await self.conn.executemany(
                "UPDATE outbox SET status = ?, last_error = ?,"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                [(status, note, status, _ts(now), row_id) for row_id, status, note in outcomes],
            )

    async def retry_later(self, row_id: int, due_at: datetime, error: str) -> None:
        """Put a claimed row back for another attempt at `due_at`."""
        await self._write(
            "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ? WHERE id = ?",
            (_ts(due_at), error, row_id),
        )

    async def release_in_flight(self) -> int:
        """After a crash: rows claimed but never marked go back to pending (may duplicate)."""
        async with (
            self._lock,
            self.conn.execute(
                "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
            ) as cur,
        ):
            return cur.rowcount

    async def outbox_of(self, parent_id: int) -> list[aiosqlite.Row]:
        """Every outbox row of a parent (for tests, /mydata and admins)."""
        return await self._all(
            "SELECT key, kind, ref, due_at, status, attempts, last_error FROM outbox"
            " WHERE parent_id = ? ORDER BY due_at, id",
            (parent_id,),
        )

    async def failed_messages(self, limit: int = 50) -> list[aiosqlite.Row]:
        """Messages that could not be delivered after every retry (for admins)."""
        return await self._all(
            "SELECT id, key, kind, due_at, attempts, last_error FROM outbox"
            " WHERE status = 'failed' ORDER BY due_at DESC LIMIT ?",
            (limit,),
        )

    async def next_due(self) -> datetime | None:
        """When the next pending message falls due."""
        row = await self._one("SELECT MIN(due_at) AS due FROM outbox WHERE status = 'pending'")
        return datetime.fromisoformat(row["due"]) if row and row["due"] else None

    # -- home ideas sent -----------------------------------------------------------------------

    async def tips_in_cycle(self, parent_id: int) -> tuple[int, set[str]]:
        """The parent's current cycle number and the ideas already sent in it."""
        rows = await self._all(
            "SELECT tip_id, cycle FROM tips_sent WHERE parent_id = ?"
            " AND cycle = (SELECT COALESCE(MAX(cycle), 0) FROM tips_sent WHERE parent_id = ?)",
            (parent_id, parent_id),
        )
        cycle = int(rows[0]["cycle"]) if rows else 0
        return cycle, {r["tip_id"] for r in rows}

    async def record_tip(
        self, sent_id: int, parent_id: int, tip_id: str, cycle: int, now: datetime
    ) -> None:
        """Remember that an idea was sent (its id is the outbox row's, used by its buttons)."""
        await self._write(
            "INSERT INTO tips_sent (id, parent_id, tip_id, cycle, sent_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (sent_id, parent_id, tip_id, cycle, _ts(now)),
        )

    async def tip_sent(self, sent_id: int, parent_id: int) -> TipSent | None:
        """A sent idea, only if it belongs to this parent."""
        row = await self._one(
            "SELECT id, parent_id, tip_id, response, awaiting_note FROM tips_sent"
            " WHERE id = ? AND parent_id = ?",
            (sent_id, parent_id),
        )
        return self._tip(row) if row else None

    async def answer_tip(self, sent_id: int, response: str, awaiting_note: bool) -> None:
        """Record 'we tried it' (then wait for what they noticed) or 'not this week'."""
        async with self.transaction() as conn:
            tip = await (
                await conn.execute("SELECT parent_id FROM tips_sent WHERE id = ?", (sent_id,))
            ).fetchone()
            if tip is not None and awaiting_note:
                await conn.execute(
                    "UPDATE tips_sent SET awaiting_note = 0 WHERE parent_id = ?", (tip[0],)
                )
            await conn.execute(
                "UPDATE tips_sent SET response = ?, awaiting_note = ? WHERE id = ?",
                (response, int(awaiting_note), sent_id),
            )

    async def tip_awaiting_note(self, parent_id: int) -> TipSent | None:
        """The idea whose 'what did you notice?' is still open."""
        row = await self._one(
            "SELECT id, parent_id, tip_id, response, awaiting_note FROM tips_sent"
            " WHERE parent_id = ? AND awaiting_note = 1 ORDER BY id DESC LIMIT 1",
            (parent_id,),
        )
        return self._tip(row) if row else None

    async def save_tip_note(self, sent_id: int, noticed: str, now: datetime | None = None) -> None:
        """Keep what the parent noticed when they tried an idea (and when, for digests)."""
        await self._write(
            "UPDATE tips_sent SET noticed = ?, awaiting_note = 0, noticed_at = ? WHERE id = ?",
            (noticed, _ts(now) if now else None, sent_id),
        )

    @staticmethod
    def _tip(row: aiosqlite.Row) -> TipSent:
        return TipSent(
            row["id"], row["parent_id"], row["tip_id"], row["response"], bool(row["awaiting_note"])
        )

    # -- check-ins -----------------------------------------------------------------------------

    async def record_checkin(
        self, checkin_id: int, aim_id: int, parent_id: int, now: datetime
    ) -> None:
        """Remember that a check-in was sent (its id is the outbox row's, used by buttons)."""
        await self._write(
            "INSERT INTO checkins (id, aim_id, parent_id, sent_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (checkin_id, aim_id, parent_id, _ts(now)),
        )

    async def checkin(self, checkin_id: int, parent_id: int) -> CheckIn | None:
        """A check-in, only if it belongs to this parent."""
        row = await self._one(
            "SELECT * FROM checkins WHERE id = ? AND parent_id = ?", (checkin_id, parent_id)
        )
        return self._checkin(row) if row else None

    async def open_checkin(self, parent_id: int, since: datetime) -> CheckIn | None:
        """The parent's latest check-in, sent after `since`, with no reply and no outcome."""
        row = await self._one(
            "SELECT * FROM checkins WHERE parent_id = ? AND outcome IS NULL AND reply IS NULL"
            " AND sent_at >= ? ORDER BY id DESC LIMIT 1",
            (parent_id, _ts(since)),
        )
        return self._checkin(row) if row else None

    async def latest_checkin_for_aim(self, aim_id: int) -> CheckIn | None:
        """The latest check-in about an aim."""
        row = await self._one(
            "SELECT * FROM checkins WHERE aim_id = ? ORDER BY id DESC LIMIT 1", (aim_id,)
        )
        return self._checkin(row) if row else None

    async def checkin_reply(self, checkin_id: int, reply: str, now: datetime) -> None:
        """Keep the parent's words about the sessions."""
        await self._write(
            "UPDATE checkins SET reply = ?, answered_at = ? WHERE id = ?",
            (reply, _ts(now), checkin_id),
        )

    async def checkin_outcome(self, checkin_id: int, outcome: str, now: datetime) -> None:
        """Keep the aim, set a new one, or celebrate reaching it."""
        await self._write(
            "UPDATE checkins SET outcome = ?, answered_at = COALESCE(answered_at, ?) WHERE id = ?",
            (outcome, _ts(now), checkin_id),
        )

    async def checkin_reminded(self, checkin_id: int, now: datetime) -> None:
        """Note that the one gentle reminder was sent."""
        await self._write(
            "UPDATE checkins SET reminded_at = ? WHERE id = ?", (_ts(now), checkin_id)
        )

    @staticmethod
    def _checkin(row: aiosqlite.Row) -> CheckIn:
        return CheckIn(
            row["id"],
            row["aim_id"],
            row["parent_id"],
            row["reply"],
            row["outcome"],
            row["reminded_at"] is not None,
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
        message: str | None = None,
    ) -> int:
        """Record a safeguarding alert; the parent's message is kept only until the alert is
        acknowledged or escalated (it is needed to re-send it)."""
        return await self._insert(
            "INSERT INTO safeguarding_alerts (user_id, setting_id, category, immediate, notified,"
            " created_at, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, setting_id, category, int(immediate), notified, _ts(now), message),
        )

    async def set_alert_notified(self, alert_id: int, notified: int) -> None:
        """Record how many practitioners received an alert."""
        await self._write(
            "UPDATE safeguarding_alerts SET notified = ? WHERE id = ?", (notified, alert_id)
        )

    async def record_alert_delivery(self, alert_id: int, chat_id: int, message_id: int) -> None:
        """Remember a practitioner's copy of an alert (to take its button away once handled)."""
        await self._write(
            "INSERT OR IGNORE INTO alert_deliveries (alert_id, chat_id, message_id)"
            " VALUES (?, ?, ?)",
            (alert_id, chat_id, message_id),
        )

    async def alert_deliveries(self, alert_id: int) -> list[tuple[int, int]]:
        """Every (chat id, message id) an alert was delivered to."""
        rows = await self._all(
            "SELECT chat_id, message_id FROM alert_deliveries WHERE alert_id = ?", (alert_id,)
        )
        return [(int(r["chat_id"]), int(r["message_id"])) for r in rows]

    async def get_alert(self, alert_id: int) -> Alert | None:
        """One safeguarding alert."""
        row = await self._one("SELECT * FROM safeguarding_alerts WHERE id = ?", (alert_id,))
        return self._alert(row) if row else None

    async def alerts_of_user(self, user_id: int) -> list[Alert]:
        """The alerts a parent's messages raised (for /mydata)."""
        rows = await self._all(
            "SELECT * FROM safeguarding_alerts WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [self._alert(r) for r in rows]

    async def acknowledge_alert(self, alert_id: int, practitioner_id: int, now: datetime) -> bool:
        """Acknowledge an alert for a practitioner of its own setting; False when it is not
        theirs or was already acknowledged. The parent's message is no longer kept."""
        async with (
            self._lock,
            self.conn.execute(
                "UPDATE safeguarding_alerts SET acknowledged_by = ?, acknowledged_at = ?,"
                " message = NULL WHERE id = ? AND acknowledged_at IS NULL AND setting_id = ("
                " SELECT setting_id FROM practitioners WHERE user_id = ?)",
                (practitioner_id, _ts(now), alert_id, practitioner_id),
            ) as cur,
        ):
            return cur.rowcount == 1

    async def alerts_to_escalate(self, raised_before: datetime) -> list[Alert]:
        """Alerts nobody acknowledged that were raised before a time and not yet re-sent."""
        rows = await self._all(
            "SELECT * FROM safeguarding_alerts WHERE acknowledged_at IS NULL"
            " AND escalated_at IS NULL AND setting_id IS NOT NULL AND created_at <= ?"
            " ORDER BY id",
            (_ts(raised_before),),
        )
        return [self._alert(r) for r in rows]

    async def mark_escalated(self, alert_id: int, now: datetime) -> None:
        """Record that an alert was re-sent to the whole setting (its text is then let go)."""
        await self._write(
            "UPDATE safeguarding_alerts SET escalated_at = ?, message = NULL WHERE id = ?",
            (_ts(now), alert_id),
        )

    async def alert_recipients(
        self, setting_id: int, *, everyone: bool = False
    ) -> list[Practitioner]:
        """Who receives a setting's safeguarding alerts: its lead, or every practitioner when
        no lead is set (or when escalating)."""
        practitioners = await self.practitioners_of_setting(setting_id)
        leads = [p for p in practitioners if p.is_lead]
        return practitioners if everyone or not leads else leads

    @staticmethod
    def _alert(row: aiosqlite.Row) -> Alert:
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return Alert(
            row["id"],
            row["user_id"],
            row["setting_id"],
            row["category"],
            bool(row["immediate"]),
            row["message"],
            datetime.fromisoformat(row["created_at"]),
            row["acknowledged_by"],
            when(row["acknowledged_at"]),
            when(row["escalated_at"]),
        )

    # -- privacy: the story-sharing choice, /mydata, /forget, retention -----------------------

    async def set_share_story(self, user_id: int, share: bool) -> None:
        """Record whether the parent's own words may go to the practitioners with the aim."""
        await self._write(
            "UPDATE parents SET share_story = ? WHERE user_id = ?", (int(share), user_id)
        )

    async def personal_data(self, user_id: int, chat_id: int) -> dict[str, Any]:
        """Everything stored about one parent and their child(ren), as plain JSON-ready data."""

        async def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
            return [dict(r) for r in await self._all(sql, params)]

        parent = await rows(
            "SELECT user_id, chat_id, name, locale, timezone, status, paused_until, share_story,"
            " consent_at, created_at, last_seen_at, retention_warned_at,"
            " (SELECT g.name FROM groups g WHERE g.id = parents.group_id) AS group_name,"
            " (SELECT s.name FROM groups g JOIN settings s ON s.id = g.setting_id"
            "  WHERE g.id = parents.group_id) AS setting_name"
            " FROM parents WHERE user_id = ?",
            user_id,
        )
        conversation_key = json.dumps([chat_id, user_id])
        return {
            "parent": parent[0] if parent else None,
            "children": await rows(
                "SELECT c.id, c.first_name, c.age, k.relationship, c.created_at FROM carers k"
                " JOIN children c ON c.id = k.child_id WHERE k.parent_id = ? ORDER BY c.id",
                user_id,
            ),
            "aims": await rows(
                "SELECT id, child_id, theme, activity_id, text, own_words, signs, story,"
                " follow_up_on, status, created_at FROM aims WHERE parent_id = ? ORDER BY id",
                user_id,
            ),
            "checkins": await rows(
                "SELECT id, aim_id, sent_at, reminded_at, reply, outcome, answered_at"
                " FROM checkins WHERE parent_id = ? ORDER BY id",
                user_id,
            ),
            "home_ideas_sent": await rows(
                "SELECT tip_id, sent_at, response, noticed FROM tips_sent"
                " WHERE parent_id = ? ORDER BY id",
                user_id,
            ),
            "schedule": await rows(
                "SELECT weekdays, local_time, moment, created_at FROM schedules"
                " WHERE parent_id = ?",
                user_id,
            ),
            "scheduled_messages": await rows(
                "SELECT kind, due_at, status, sent_at FROM outbox WHERE parent_id = ?"
                " ORDER BY due_at, id",
                user_id,
            ),
            "songs_from_home": await rows(
                "SELECT text, created_at FROM songs WHERE parent_id = ? ORDER BY id", user_id
            ),
            "event_answers": await rows(
                "SELECT e.kind, e.starts_at, e.place, r.answer, r.answered_at FROM event_rsvps r"
                " JOIN events e ON e.id = r.event_id WHERE r.parent_id = ? ORDER BY e.starts_at",
                user_id,
            ),
            "safeguarding_alerts": await rows(
                "SELECT category, created_at, acknowledged_at IS NOT NULL AS acknowledged"
                " FROM safeguarding_alerts WHERE user_id = ? ORDER BY id",
                user_id,
            ),
            "conversation_in_progress": {
                "steps": await rows(
                    "SELECT name, state FROM conversations WHERE key = ?", conversation_key
                ),
                "draft": [
                    json.loads(r["data"])
                    for r in await self._all(
                        "SELECT data FROM chat_data WHERE chat_id = ?", (chat_id,)
                    )
                ],
            },
        }

    async def erase_parent(self, user_id: int, chat_id: int, now: datetime) -> Erasure:
        """Erase everything about a parent (and each child no other carer shares) from every
        table, then checkpoint the WAL so that no deleted text lingers in the files.

        A safeguarding alert keeps its category and dates for the setting's record, but no
        longer says who raised it or what they wrote."""
        async with self.transaction() as conn:
            cur = await conn.execute("SELECT COUNT(*) FROM parents WHERE user_id = ?", (user_id,))
            found = bool((await cur.fetchone() or (0,))[0])
            cur = await conn.execute(
                "SELECT k.child_id, (SELECT COUNT(*) FROM carers o WHERE o.child_id = k.child_id"
                " AND o.parent_id != k.parent_id) AS others FROM carers k WHERE k.parent_id = ?",
                (user_id,),
            )
            children = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
            cur = await conn.execute("SELECT COUNT(*) FROM aims WHERE parent_id = ?", (user_id,))
            aims = int((await cur.fetchone() or (0,))[0])
            for table in (
                "checkins",
                "tips_sent",
                "outbox",
                "schedules",
                "event_rsvps",
                "aims",
                "carers",
            ):
                await conn.execute(f"DELETE FROM {table} WHERE parent_id = ?", (user_id,))  # noqa: S608 - fixed names
            await conn.execute(
                "DELETE FROM family_drafts WHERE user_id = ? OR parent_id = ?", (user_id, user_id)
            )
            await conn.execute(
                "UPDATE carer_invites SET used_by = NULL WHERE used_by = ?", (user_id,)
            )
            sole = [child_id for child_id, others in children if others == 0]
            await conn.executemany(
                "DELETE FROM children WHERE id = ?", [(child_id,) for child_id in sole]
            )
            await conn.execute(
                "UPDATE safeguarding_alerts SET user_id = NULL, message = NULL,"
                " parent_erased_at = ? WHERE user_id = ?",
                (_ts(now), user_id),
            )
            await conn.execute(
                "DELETE FROM conversations WHERE key = ?", (json.dumps([chat_id, user_id]),)
            )
            await conn.execute("DELETE FROM chat_data WHERE chat_id = ?", (chat_id,))
            await conn.execute(
                "DELETE FROM invites WHERE created_by = ? AND kind != 'practitioner'", (user_id,)
            )
            await conn.execute("DELETE FROM parents WHERE user_id = ?", (user_id,))
        await self.checkpoint()
        return Erasure(found, bool(sole), len(children) - len(sole), aims)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (erased pages included)."""
        async with self._lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def parents_to_warn(self, silent_since: datetime) -> list[Parent]:
        """Parents silent since a time who have not yet been warned of their erasure."""
        rows = await self._all(
            "SELECT user_id FROM parents WHERE last_seen_at <= ? AND retention_warned_at IS NULL",
            (_ts(silent_since),),
        )
        found = [await self.get_parent(int(r["user_id"])) for r in rows]
        return [p for p in found if p is not None]

    async def mark_retention_warned(self, user_id: int, now: datetime) -> None:
        """Record that a parent was warned of their coming erasure."""
        await self._write(
            "UPDATE parents SET retention_warned_at = ? WHERE user_id = ?", (_ts(now), user_id)
        )

    async def parents_to_erase(
        self, silent_since: datetime, warned_before: datetime
    ) -> list[Parent]:
        """Parents silent since a time who were warned long enough ago."""
        rows = await self._all(
            "SELECT user_id FROM parents WHERE last_seen_at <= ?"
            " AND retention_warned_at IS NOT NULL AND retention_warned_at <= ?",
            (_ts(silent_since), _ts(warned_before)),
        )
        found = [await self.get_parent(int(r["user_id"])) for r in rows]
        return [p for p in found if p is not None]

    async def expire_words(self, written_before: datetime) -> int:
        """Let go of parents' own words (story quotes, check-in replies, noticed signs) older
        than a time; the aims themselves are kept. Return how many were let go."""
        cutoff = _ts(written_before)
        total = 0
        async with self.transaction() as conn:
            for sql in (
                "UPDATE aims SET story = NULL WHERE story IS NOT NULL AND created_at <= ?",
                "UPDATE checkins SET reply = NULL WHERE reply IS NOT NULL AND answered_at <= ?",
                "UPDATE tips_sent SET noticed = NULL WHERE noticed IS NOT NULL AND sent_at <= ?",
            ):
                cur = await conn.execute(sql, (cutoff,))
                total += cur.rowcount
        if total:
            await self.checkpoint()
        return total

    # -- family: notes, songs from home, several carers per child ---------------------------

    async def record_links(
        self,
        chat_id: int,
        message_ids: Iterable[int],
        holder: str,
        practitioner_id: int,
        parent_id: int,
    ) -> None:
        """Remember which practitioner and parent the messages sent to a chat are about."""
        rows = [(chat_id, mid, holder, practitioner_id, parent_id) for mid in message_ids]
        if not rows:
            return
        async with self._lock:
            await self.conn.executemany(
                "INSERT INTO relay_links (chat_id, message_id, holder, practitioner_id,"
                " parent_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE"
                " SET holder = excluded.holder, practitioner_id = excluded.practitioner_id,"
                " parent_id = excluded.parent_id",
                rows,
            )

    async def relay_link(self, chat_id: int, message_id: int) -> RelayLink | None:
        """The practitioner and parent a message in a chat is about, if it was recorded."""
        row = await self._one(
            "SELECT chat_id, message_id, holder, practitioner_id, parent_id FROM relay_links"
            " WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        if row is None:
            return None
        return RelayLink(
            row["chat_id"],
            row["message_id"],
            row["holder"],
            row["practitioner_id"],
            row["parent_id"],
        )

    async def _drafts(self) -> set[int]:
        if self._draft_users is None:
            rows = await self._all("SELECT user_id FROM family_drafts")
            self._draft_users = {int(r["user_id"]) for r in rows}
        return self._draft_users

    async def set_draft(
        self, user_id: int, kind: str, parent_id: int, practitioner_id: int | None, now: datetime
    ) -> None:
        """Note what this user's next text is for (replacing any earlier draft)."""
        (await self._drafts()).add(user_id)
        await self._write(
            "INSERT INTO family_drafts (user_id, kind, parent_id, practitioner_id, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
            " parent_id = excluded.parent_id, practitioner_id = excluded.practitioner_id,"
            " created_at = excluded.created_at",
            (user_id, kind, parent_id, practitioner_id, _ts(now)),
        )

    async def get_draft(self, user_id: int) -> FamilyDraft | None:
        """What this user's next text is for, if anything."""
        if user_id not in await self._drafts():
            return None
        row = await self._one(
            "SELECT user_id, kind, parent_id, practitioner_id, created_at FROM family_drafts"
            " WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            self._drafts_discard(user_id)
            return None
        return FamilyDraft(
            row["user_id"],
            row["kind"],
            row["parent_id"],
            row["practitioner_id"],
            datetime.fromisoformat(row["created_at"]),
        )

    def _drafts_discard(self, user_id: int) -> None:
        if self._draft_users is not None:
            self._draft_users.discard(user_id)

    async def clear_draft(self, user_id: int) -> bool:
        """Forget a user's draft; True if there was one."""
        if user_id not in await self._drafts():
            return False
        self._drafts_discard(user_id)
        async with (
            self._lock,
            self.conn.execute("DELETE FROM family_drafts WHERE user_id = ?", (user_id,)) as cur,
        ):
            return cur.rowcount > 0

    async def save_song(
        self, parent_id: int, child_id: int | None, text: str, now: datetime
    ) -> int:
        """Keep a song or rhyme from home."""
        return await self._insert(
            "INSERT INTO songs (parent_id, child_id, text, created_at) VALUES (?, ?, ?, ?)",
            (parent_id, child_id, text, _ts(now)),
        )

    async def songs_of_child(self, child_id: int) -> list[str]:
        """Songs from home for a child, oldest first."""
        rows = await self._all("SELECT text FROM songs WHERE child_id = ? ORDER BY id", (child_id,))
        return [str(r["text"]) for r in rows]

    async def create_carer_invite(
        self, child_id: int, created_by: int, now: datetime, valid_for: timedelta
    ) -> str:
        """Create a single-use carer link for a child; return its raw token."""
        token = secrets.token_urlsafe(24)
        await self._write(
            "INSERT INTO carer_invites (token_hash, child_id, created_by, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?)",
            (hash_token(token), child_id, created_by, _ts(now), _ts(now + valid_for)),
        )
        return token

    _CARER_INVITE = (
        "SELECT i.child_id, c.first_name, c.group_id, i.created_by, p.name, i.expires_at"
        " FROM carer_invites i JOIN children c ON c.id = i.child_id"
        " JOIN parents p ON p.user_id = i.created_by WHERE i.token_hash = ?"
    )

    @staticmethod
    def _carer_invite(row: aiosqlite.Row) -> CarerInvite:
        return CarerInvite(row[0], row[1], row[2], row[3], row[4], datetime.fromisoformat(row[5]))

    async def carer_invite(self, token: str, now: datetime) -> CarerInvite | None:
        """The carer link for a raw token, when it is unused and not expired."""
        row = await self._one(
            self._CARER_INVITE + " AND i.used_at IS NULL AND i.expires_at > ?",
            (hash_token(token), _ts(now)),
        )
        return self._carer_invite(row) if row else None

    async def claim_carer_invite(
        self, token: str, user_id: int, now: datetime
    ) -> CarerInvite | None:
        """Use up a carer link (atomically, once); None when used, expired or unknown."""
        async with self.transaction() as conn:
            row = await (
                await conn.execute(
                    self._CARER_INVITE + " AND i.used_at IS NULL AND i.expires_at > ?",
                    (hash_token(token), _ts(now)),
                )
            ).fetchone()
            if row is None:
                return None
            await conn.execute(
                "UPDATE carer_invites SET used_by = ?, used_at = ? WHERE token_hash = ?",
                (user_id, _ts(now), hash_token(token)),
            )
        return self._carer_invite(row)

    async def join_child(self, parent_id: int, child_id: int, relationship: str) -> None:
        """Make a parent a carer of an existing child (or change their relationship)."""
        await self._write(
            "INSERT INTO carers (parent_id, child_id, relationship) VALUES (?, ?, ?)"
            " ON CONFLICT (parent_id, child_id) DO UPDATE SET relationship = excluded.relationship",
            (parent_id, child_id, relationship),
        )

    async def active_aim_of(self, child_id: int, parent_id: int) -> Aim | None:
        """The current aim this carer agreed for the child (not another carer's)."""
        row = await self._one(
            "SELECT * FROM aims WHERE child_id = ? AND parent_id = ? AND status = 'active'"
            " ORDER BY id DESC LIMIT 1",
            (child_id, parent_id),
        )
        return self._aim(row) if row else None

    async def carers_of_child(self, child_id: int) -> list[tuple[int, str]]:
        """Every carer of a child: (parent user id, relationship), first joined first."""
        rows = await self._all(
            "SELECT parent_id, relationship FROM carers WHERE child_id = ? ORDER BY rowid",
            (child_id,),
        )
        return [(int(r["parent_id"]), str(r["relationship"])) for r in rows]

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

    # -- events and RSVPs (issue 4, item 5) --------------------------------------------------

    _EVENT_COLUMNS = "id, setting_id, group_id, kind, starts_at, place, cancelled_at"

    @staticmethod
    def _event(row: aiosqlite.Row) -> Event:
        return Event(
            row["id"],
            row["setting_id"],
            row["group_id"],
            row["kind"],
            datetime.fromisoformat(row["starts_at"]),
            row["place"],
            row["cancelled_at"] is not None,
        )

    async def create_event(
        self,
        group: Group,
        kind: str,
        starts_at: datetime,
        place: str,
        created_by: int | None,
        now: datetime,
    ) -> Event:
        """Schedule a coffee morning or feedback group for a group."""
        event_id = await self._insert(
            "INSERT INTO events (setting_id, group_id, kind, starts_at, place, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group.setting_id, group.id, kind, _ts(starts_at), place, created_by, _ts(now)),
        )
        return Event(event_id, group.setting_id, group.id, kind, starts_at, place)

    async def get_event(self, event_id: int) -> Event | None:
        """Return an event by id."""
        row = await self._one(
            f"SELECT {self._EVENT_COLUMNS} FROM events WHERE id = ?",  # noqa: S608 - constant
            (event_id,),
        )
        return self._event(row) if row else None

    async def next_event_of_group(
        self, group_id: int, after: datetime, before: datetime
    ) -> Event | None:
        """The group's first event (not cancelled) starting in [after, before)."""
        row = await self._one(
            f"SELECT {self._EVENT_COLUMNS} FROM events WHERE group_id = ?"  # noqa: S608
            " AND cancelled_at IS NULL AND starts_at >= ? AND starts_at < ?"
            " ORDER BY starts_at, id LIMIT 1",
            (group_id, _ts(after), _ts(before)),
        )
        return self._event(row) if row else None

    async def events_of_group(self, group_id: int, after: datetime) -> list[Event]:
        """A group's events (not cancelled) starting after `after`, soonest first."""
        rows = await self._all(
            f"SELECT {self._EVENT_COLUMNS} FROM events WHERE group_id = ?"  # noqa: S608
            " AND cancelled_at IS NULL AND starts_at > ? ORDER BY starts_at, id",
            (group_id, _ts(after)),
        )
        return [self._event(r) for r in rows]

    async def upcoming_events(self, setting_id: int, now: datetime) -> list[EventCount]:
        """A setting's events still to come, with yes/no answers and parents invited."""
        rows = await self._all(
            "SELECT e.id, e.setting_id, e.group_id, e.kind, e.starts_at, e.place,"
            " e.cancelled_at, g.name AS group_name,"
            " (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id"
            "  AND r.answer = 'yes') AS yes,"
            " (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id"
            "  AND r.answer = 'no') AS no,"
            " (SELECT COUNT(*) FROM parents p WHERE p.group_id = e.group_id"
            "  AND p.status = 'active') AS invited"
            " FROM events e JOIN groups g ON g.id = e.group_id"
            " WHERE e.setting_id = ? AND e.cancelled_at IS NULL AND e.starts_at >= ?"
            " ORDER BY e.starts_at, e.id",
            (setting_id, _ts(now)),
        )
        return [
            EventCount(self._event(r), r["group_name"], r["yes"], r["no"], r["invited"])
            for r in rows
        ]

    async def active_parents_of_group(self, group_id: int) -> list[Parent]:
        """Every parent of a group who has not stopped messages or blocked the bot."""
        rows = await self._all(
            "SELECT user_id, chat_id, group_id, name, locale, timezone, status, paused_until"
            " FROM parents WHERE group_id = ? AND status = 'active' ORDER BY user_id",
            (group_id,),
        )
        return [
            Parent(
                r["user_id"],
                r["chat_id"],
                r["group_id"],
                r["name"],
                r["locale"],
                r["timezone"],
                r["status"],
                datetime.fromisoformat(r["paused_until"]) if r["paused_until"] else None,
            )
            for r in rows
        ]

    async def save_rsvp(self, event_id: int, parent_id: int, answer: str, now: datetime) -> None:
        """Record (or change) a parent's answer to an invitation: 'yes' or 'no'."""
        await self._write(
            "INSERT INTO event_rsvps (event_id, parent_id, answer, answered_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (event_id, parent_id) DO UPDATE SET"
            " answer = excluded.answer, answered_at = excluded.answered_at",
            (event_id, parent_id, answer, _ts(now)),
        )

    async def rsvp_of(self, event_id: int, parent_id: int) -> str | None:
        """A parent's answer to an invitation, if any."""
        row = await self._one(
            "SELECT answer FROM event_rsvps WHERE event_id = ? AND parent_id = ?",
            (event_id, parent_id),
        )
        return str(row["answer"]) if row else None

    # -- practitioners' weekly digest (issue 4, item 7) -------------------------------------

    @staticmethod
    def _digest(row: aiosqlite.Row) -> DigestSchedule:
        return DigestSchedule(
            row["practitioner_id"],
            row["weekday"],
            time.fromisoformat(row["local_time"]),
            row["timezone"],
            bool(row["enabled"]),
            datetime.fromisoformat(row["next_due_at"]) if row["next_due_at"] else None,
            datetime.fromisoformat(row["last_sent_at"]) if row["last_sent_at"] else None,
        )

    async def ensure_digests(self, weekday: int, at: time, timezone: str) -> int:
        """Give every practitioner without one the default digest schedule (to be planned)."""
        async with (
            self._lock,
            self.conn.execute(
                "INSERT INTO digests (practitioner_id, weekday, local_time, timezone)"
                " SELECT p.user_id, ?, ?, ? FROM practitioners p WHERE NOT EXISTS"
                " (SELECT 1 FROM digests d WHERE d.practitioner_id = p.user_id)",
                (weekday, at.strftime("%H:%M"), timezone),
            ) as cur,
        ):
            return cur.rowcount

    async def get_digest(self, practitioner_id: int) -> DigestSchedule | None:
        """A practitioner's digest schedule."""
        row = await self._one("SELECT * FROM digests WHERE practitioner_id = ?", (practitioner_id,))
        return self._digest(row) if row else None

    async def save_digest(
        self,
        practitioner_id: int,
        weekday: int,
        at: time,
        timezone: str,
        enabled: bool,
        next_due_at: datetime | None,
    ) -> None:
        """Set (or replace) when a practitioner's digest comes; keeps when it last came."""
        await self._write(
            "INSERT INTO digests (practitioner_id, weekday, local_time, timezone, enabled,"
            " next_due_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (practitioner_id) DO UPDATE"
            " SET weekday = excluded.weekday, local_time = excluded.local_time,"
            " timezone = excluded.timezone, enabled = excluded.enabled,"
            " next_due_at = excluded.next_due_at",
            (
                practitioner_id,
                weekday,
                at.strftime("%H:%M"),
                timezone,
                int(enabled),
                _ts(next_due_at) if next_due_at else None,
            ),
        )

    async def digests_to_plan(self) -> list[DigestSchedule]:
        """Enabled digests with no next time yet (new practitioners)."""
        rows = await self._all("SELECT * FROM digests WHERE enabled = 1 AND next_due_at IS NULL")
        return [self._digest(r) for r in rows]

    async def due_digests(self, now: datetime) -> list[DigestSchedule]:
        """Enabled digests whose time has come."""
        rows = await self._all(
            "SELECT * FROM digests WHERE enabled = 1 AND next_due_at <= ?"
            " ORDER BY next_due_at, practitioner_id",
            (_ts(now),),
        )
        return [self._digest(r) for r in rows]

    async def claim_digest(
        self, practitioner_id: int, due: datetime, next_due: datetime, now: datetime
    ) -> bool:
        """Move a due digest on to its next time, only if still due at `due` (no doubles)."""
        async with (
            self._lock,
            self.conn.execute(
                "UPDATE digests SET next_due_at = ?, last_sent_at = ?"
                " WHERE practitioner_id = ? AND enabled = 1 AND next_due_at = ?",
                (_ts(next_due), _ts(now), practitioner_id, _ts(due)),
            ) as cur,
        ):
            return cur.rowcount == 1

    async def unclaim_digest(
        self, practitioner_id: int, retry_at: datetime, last_sent: datetime | None
    ) -> None:
        """A digest could not be delivered: try again at `retry_at`, covering the same days."""
        await self._write(
            "UPDATE digests SET next_due_at = ?, last_sent_at = ? WHERE practitioner_id = ?",
            (_ts(retry_at), _ts(last_sent) if last_sent else None, practitioner_id),
        )

    async def digest_data(
        self, setting: Setting, since: datetime, until: datetime, silent_before: datetime
    ) -> DigestData:
        """What happened in a setting in [since, until): new aims, check-in replies, signs
        noticed; and the active parents last heard from before `silent_before`."""
        window = (setting.id, _ts(since), _ts(until))
        aims = await self._all(
            "SELECT c.first_name AS child, p.name AS carer, a.text, a.created_at AS at"
            " FROM aims a JOIN children c ON c.id = a.child_id"
            " JOIN parents p ON p.user_id = a.parent_id JOIN groups g ON g.id = c.group_id"
            " WHERE g.setting_id = ? AND a.created_at >= ? AND a.created_at < ?"
            " ORDER BY a.created_at, a.id",
            window,
        )
        replies = await self._all(
            "SELECT c.first_name AS child, p.name AS carer, k.reply AS text,"
            " k.answered_at AS at FROM checkins k JOIN aims a ON a.id = k.aim_id"
            " JOIN children c ON c.id = a.child_id JOIN parents p ON p.user_id = k.parent_id"
            " JOIN groups g ON g.id = c.group_id WHERE g.setting_id = ? AND k.reply IS NOT NULL"
            " AND k.answered_at >= ? AND k.answered_at < ? ORDER BY k.answered_at, k.id",
            window,
        )
        signs = await self._all(
            "SELECT COALESCE((SELECT c.first_name FROM carers k JOIN children c"
            "  ON c.id = k.child_id WHERE k.parent_id = p.user_id ORDER BY c.id DESC LIMIT 1),"
            "  '') AS child, p.name AS carer, t.noticed AS text, t.noticed_at AS at"
            " FROM tips_sent t JOIN parents p ON p.user_id = t.parent_id"
            " JOIN groups g ON g.id = p.group_id WHERE g.setting_id = ?"
            " AND t.noticed IS NOT NULL AND t.noticed_at >= ? AND t.noticed_at < ?"
            " ORDER BY t.noticed_at, t.id",
            window,
        )
        silent = await self._all(
            "SELECT p.name FROM parents p JOIN groups g ON g.id = p.group_id"
            " WHERE g.setting_id = ? AND p.status = 'active' AND p.last_seen_at < ?"
            " ORDER BY p.last_seen_at, p.user_id",
            (setting.id, _ts(silent_before)),
        )

        def items(rows: list[aiosqlite.Row]) -> tuple[DigestItem, ...]:
            return tuple(
                DigestItem(r["child"], r["carer"], r["text"], datetime.fromisoformat(r["at"]))
                for r in rows
            )

        return DigestData(
            setting.name,
            since,
            items(aims),
            items(replies),
            items(signs),
            tuple(r["name"] for r in silent),
        )

    async def table_names(self) -> list[str]:
        """Return the names of every table (for data-protection checks)."""
        rows = await self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [r["name"] for r in rows]

    # -- practitioners and settings (issue 4): groups, invites, leads, overviews ------------

    async def create_group(self, setting_id: int, name: str, now: datetime) -> Group | None:
        """Add a group to a setting; None when the setting already has one of that name."""
        async with self.transaction() as conn:
            cur = await conn.execute("SELECT name FROM groups WHERE setting_id = ?", (setting_id,))
            # casefold, not SQLite's lower(): that only knows ASCII ("Zoë", "ŁĄKA").
            if any(r["name"].casefold() == name.casefold() for r in await cur.fetchall()):
                return None
            cur = await conn.execute(
                "INSERT INTO groups (setting_id, name, created_at) VALUES (?, ?, ?)",
                (setting_id, name, _ts(now)),
            )
            group_id = int(cur.lastrowid or 0)
        return Group(group_id, setting_id, name)

    async def group_named(self, setting_id: int, name: str) -> Group | None:
        """The setting's group with this name (case-insensitive)."""
        wanted = " ".join(name.split()).casefold()
        groups = await self.groups_of_setting(setting_id)
        return next((g for g in groups if g.name.casefold() == wanted), None)

    async def group_of_practitioner(self, user_id: int, group_id: int) -> Group | None:
        """A group, only if it belongs to this practitioner's setting."""
        row = await self._one(
            "SELECT g.id, g.setting_id, g.name FROM groups g"
            " JOIN practitioners p ON p.setting_id = g.setting_id"
            " WHERE g.id = ? AND p.user_id = ?",
            (group_id, user_id),
        )
        return Group(row["id"], row["setting_id"], row["name"]) if row else None

    async def open_invites(self, setting_id: int, kind: str, now: datetime) -> list[OpenInvite]:
        """A setting's invites of one kind that still work, newest first."""
        rows = await self._all(
            "SELECT substr(i.token_hash, 1, 16) AS ref, i.kind, i.setting_id, i.group_id,"
            " g.name AS group_name, i.created_by, i.created_at, i.expires_at FROM invites i"
            " LEFT JOIN groups g ON g.id = i.group_id"
            " WHERE i.setting_id = ? AND i.kind = ? AND i.revoked_at IS NULL"
            " AND i.expires_at > ? ORDER BY i.created_at DESC, i.rowid DESC",
            (setting_id, kind, _ts(now)),
        )
        return [
            OpenInvite(
                r["ref"],
                r["kind"],
                r["setting_id"],
                r["group_id"],
                r["group_name"],
                r["created_by"],
                datetime.fromisoformat(r["created_at"]),
                datetime.fromisoformat(r["expires_at"]),
            )
            for r in rows
        ]

    async def revoke_invite_ref(self, ref: str, setting_id: int, kind: str, now: datetime) -> bool:
        """Revoke one open invite by its ref, only within this setting and kind."""
        async with (
            self._lock,
            self.conn.execute(
                "UPDATE invites SET revoked_at = ? WHERE substr(token_hash, 1, 16) = ?"
                " AND length(?) = 16 AND setting_id = ? AND kind = ? AND revoked_at IS NULL",
                (_ts(now), ref, ref, setting_id, kind),
            ) as cur,
        ):
            return cur.rowcount > 0

    async def revoke_token(self, token: str, now: datetime) -> Invite | None:
        """Revoke the invite with this raw token; return it (None if unknown or revoked)."""
        async with (
            self._lock,
            self.conn.execute(
                "UPDATE invites SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"
                " RETURNING kind, setting_id, group_id, expires_at",
                (_ts(now), hash_token(token)),
            ) as cur,
        ):
            row = await cur.fetchone()
        if row is None:
            return None
        return Invite(
            row["kind"],
            row["setting_id"],
            row["group_id"],
            datetime.fromisoformat(row["expires_at"]),
        )

    async def revoke_setting_invites(
        self, setting_id: int, now: datetime, kind: str | None = None
    ) -> int:
        """Revoke every open invite of a setting (of one kind, or all); return how many."""
        sql = "UPDATE invites SET revoked_at = ? WHERE setting_id = ? AND revoked_at IS NULL"
        params: list[Any] = [_ts(now), setting_id]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        async with self._lock, self.conn.execute(sql, params) as cur:
            return cur.rowcount

    async def set_lead(self, setting_id: int, user_id: int) -> bool:
        """Make this practitioner the setting's one safeguarding lead (False if they are not a
        practitioner of that setting; nothing changes then)."""
        async with self.transaction() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM practitioners WHERE user_id = ? AND setting_id = ?",
                (user_id, setting_id),
            )
            if await cur.fetchone() is None:
                return False
            await conn.execute(
                "UPDATE practitioners SET is_lead = 0 WHERE setting_id = ? AND is_lead = 1",
                (setting_id,),
            )
            await conn.execute("UPDATE practitioners SET is_lead = 1 WHERE user_id = ?", (user_id,))
        return True

    async def lead_of(self, setting_id: int) -> Practitioner | None:
        """The setting's safeguarding lead, if one is set."""
        row = await self._one(
            _PRACTITIONER_SELECT + " WHERE setting_id = ? AND is_lead = 1",
            (setting_id,),
        )
        return self._practitioner(row) if row else None

    async def settings_overview(self, now: datetime) -> list[SettingOverview]:
        """Every setting with its groups, practitioners and number of open invites."""
        settings = await self._all("SELECT id, name FROM settings ORDER BY id")
        groups = await self._all("SELECT id, setting_id, name FROM groups ORDER BY id")
        people = await self._all(_PRACTITIONER_SELECT + " ORDER BY created_at, user_id")
        counts = await self._all(
            "SELECT setting_id, COUNT(*) AS n FROM invites WHERE revoked_at IS NULL"
            " AND expires_at > ? GROUP BY setting_id",
            (_ts(now),),
        )
        open_by_setting = {int(r["setting_id"]): int(r["n"]) for r in counts}
        return [
            SettingOverview(
                Setting(s["id"], s["name"]),
                tuple(
                    Group(g["id"], g["setting_id"], g["name"])
                    for g in groups
                    if g["setting_id"] == s["id"]
                ),
                tuple(self._practitioner(p) for p in people if p["setting_id"] == s["id"]),
                open_by_setting.get(int(s["id"]), 0),
            )
            for s in settings
        ]

    async def current_aims(self, setting_id: int) -> list[AimLine]:
        """The active aims of a setting's children, with each one's latest news."""
        rows = await self._all(
            "SELECT a.id AS aim_id, c.id AS child_id, c.first_name, c.age, g.name AS grp,"
            " p.name AS carer, k.relationship, a.text, a.created_at, a.follow_up_on,"
            " (SELECT reply FROM checkins WHERE aim_id = a.id AND reply IS NOT NULL"
            "  ORDER BY answered_at DESC, id DESC LIMIT 1) AS ci_reply,"
            " (SELECT answered_at FROM checkins WHERE aim_id = a.id AND reply IS NOT NULL"
            "  ORDER BY answered_at DESC, id DESC LIMIT 1) AS ci_at,"
            " (SELECT noticed FROM tips_sent t JOIN carers kk ON kk.parent_id = t.parent_id"
            "  WHERE kk.child_id = c.id AND t.noticed IS NOT NULL"
            "  ORDER BY t.sent_at DESC, t.id DESC LIMIT 1) AS tip_noticed,"
            " (SELECT sent_at FROM tips_sent t JOIN carers kk ON kk.parent_id = t.parent_id"
            "  WHERE kk.child_id = c.id AND t.noticed IS NOT NULL"
            "  ORDER BY t.sent_at DESC, t.id DESC LIMIT 1) AS tip_at"
            " FROM aims a JOIN children c ON c.id = a.child_id"
            " JOIN groups g ON g.id = c.group_id"
            " JOIN parents p ON p.user_id = a.parent_id"
            " LEFT JOIN carers k ON k.parent_id = a.parent_id AND k.child_id = c.id"
            " WHERE g.setting_id = ? AND a.status = 'active'"
            " ORDER BY g.id, lower(c.first_name), a.id",
            (setting_id,),
        )
        lines = []
        for r in rows:
            news, news_at = None, None
            candidates = [
                (datetime.fromisoformat(at), text)
                for at, text in ((r["ci_at"], r["ci_reply"]), (r["tip_at"], r["tip_noticed"]))
                if at is not None and text is not None
            ]
            if candidates:
                news_at, news = max(candidates, key=lambda pair: pair[0])
            lines.append(
                AimLine(
                    r["aim_id"],
                    r["child_id"],
                    r["first_name"],
                    r["age"],
                    r["grp"],
                    r["carer"],
                    r["relationship"],
                    r["text"],
                    datetime.fromisoformat(r["created_at"]),
                    date.fromisoformat(r["follow_up_on"]),
                    news,
                    news_at,
                )
            )
        return lines

    async def children_named(self, setting_id: int, name: str) -> list[ChildRecord]:
        """The setting's children with this first name (case-insensitive)."""
        rows = await self._all(
            "SELECT c.id, c.first_name, c.age, g.name AS grp FROM children c"
            " JOIN groups g ON g.id = c.group_id WHERE g.setting_id = ? ORDER BY c.id",
            (setting_id,),
        )
        wanted = name.casefold()
        return [
            ChildRecord(r["id"], r["first_name"], r["age"], r["grp"])
            for r in rows
            if r["first_name"].casefold() == wanted
        ]

    async def child_story(self, setting_id: int, child_id: int) -> list[StoryEvent]:
        """A child's aims, check-in answers and home ideas tried, oldest first (only when the
        child belongs to this setting)."""
        aims = await self._all(
            "SELECT a.created_at AS at, p.name AS carer, a.text, a.status FROM aims a"
            " JOIN parents p ON p.user_id = a.parent_id"
            " JOIN children c ON c.id = a.child_id JOIN groups g ON g.id = c.group_id"
            " WHERE c.id = ? AND g.setting_id = ?",
            (child_id, setting_id),
        )
        checkins = await self._all(
            "SELECT COALESCE(ci.answered_at, ci.sent_at) AS at, p.name AS carer, a.text,"
            " ci.reply, ci.outcome FROM checkins ci JOIN aims a ON a.id = ci.aim_id"
            " JOIN parents p ON p.user_id = ci.parent_id"
            " JOIN children c ON c.id = a.child_id JOIN groups g ON g.id = c.group_id"
            " WHERE c.id = ? AND g.setting_id = ?"
            " AND (ci.reply IS NOT NULL OR ci.outcome IS NOT NULL)",
            (child_id, setting_id),
        )
        tips = await self._all(
            "SELECT t.sent_at AS at, p.name AS carer, t.tip_id, t.noticed FROM tips_sent t"
            " JOIN carers k ON k.parent_id = t.parent_id"
            " JOIN children c ON c.id = k.child_id JOIN groups g ON g.id = c.group_id"
            " JOIN parents p ON p.user_id = t.parent_id"
            " WHERE c.id = ? AND g.setting_id = ? AND t.response = 'tried'",
            (child_id, setting_id),
        )
        events = [
            StoryEvent(datetime.fromisoformat(r["at"]), "aim", r["carer"], r["text"], r["status"])
            for r in aims
        ]
        events += [
            StoryEvent(
                datetime.fromisoformat(r["at"]),
                "checkin",
                r["carer"],
                r["reply"] or "",
                r["outcome"],
            )
            for r in checkins
        ]
        events += [
            StoryEvent(
                datetime.fromisoformat(r["at"]), "tip", r["carer"], r["tip_id"], r["noticed"]
            )
            for r in tips
        ]
        return sorted(events, key=lambda e: e.at)

    async def export_rows(self, setting_id: int) -> list[ExportRow]:
        """Every aim of a setting's children and every check-in sent about them."""
        aims = await self._all(
            "SELECT g.name AS grp, c.first_name, p.name AS carer, k.relationship,"
            " a.created_at AS at, a.text, a.status, a.follow_up_on, a.theme FROM aims a"
            " JOIN children c ON c.id = a.child_id JOIN groups g ON g.id = c.group_id"
            " JOIN parents p ON p.user_id = a.parent_id"
            " LEFT JOIN carers k ON k.parent_id = a.parent_id AND k.child_id = c.id"
            " WHERE g.setting_id = ? ORDER BY a.created_at, a.id",
            (setting_id,),
        )
        checkins = await self._all(
            "SELECT g.name AS grp, c.first_name, p.name AS carer, k.relationship,"
            " COALESCE(ci.answered_at, ci.sent_at) AS at, a.text, a.status, a.follow_up_on,"
            " a.theme, ci.reply, ci.outcome FROM checkins ci JOIN aims a ON a.id = ci.aim_id"
            " JOIN children c ON c.id = a.child_id JOIN groups g ON g.id = c.group_id"
            " JOIN parents p ON p.user_id = ci.parent_id"
            " LEFT JOIN carers k ON k.parent_id = ci.parent_id AND k.child_id = c.id"
            " WHERE g.setting_id = ? ORDER BY ci.sent_at, ci.id",
            (setting_id,),
        )
        rows = [
            ExportRow(
                "aim",
                r["grp"],
                r["first_name"],
                r["carer"],
                r["relationship"],
                datetime.fromisoformat(r["at"]),
                r["text"],
                r["status"],
                date.fromisoformat(r["follow_up_on"]),
                r["theme"],
                None,
                None,
            )
            for r in aims
        ]
        rows += [
            ExportRow(
                "checkin",
                r["grp"],
                r["first_name"],
                r["carer"],
                r["relationship"],
                datetime.fromisoformat(r["at"]),
                r["text"],
                r["status"],
                date.fromisoformat(r["follow_up_on"]),
                r["theme"],
                r["reply"],
                r["outcome"],
            )
            for r in checkins
        ]
        return sorted(rows, key=lambda row: row.at)

    async def setting_by_ref(self, ref: str) -> Setting | None:
        """A setting named by its id or by its exact name (an id wins)."""
        ref = " ".join(ref.split())
        if ref.isdigit():
            found = await self.get_setting(int(ref))
            if found is not None:
                return found
        return await self.find_setting(ref) if ref else None

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
    CarerInvite,
    CheckIn,
    Child,
    FamilyDraft,
    Group,
    Invite,
    OutboxRow,
    Parent,
    Practitioner,
    RelayLink,
    Schedule,
    Setting,
    TipSent,
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

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _all_locked(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock, self.conn.execute(sql, tuple(params)) as cur:
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
            "SELECT user_id, chat_id, group_id, name, locale, timezone, status, paused_until"
            " FROM parents WHERE user_id = ?",
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

    async def save_tip_note(self, sent_id: int, noticed: str) -> None:
        """Keep what the parent noticed when they tried an idea."""
        await self._write(
            "UPDATE tips_sent SET noticed = ?, awaiting_note = 0 WHERE id = ?", (noticed, sent_id)
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
    ) -> int:
        """Record that a safeguarding alert was raised (the message text is not stored)."""
        return await self._write(
            "INSERT INTO safeguarding_alerts (user_id, setting_id, category, immediate, notified,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, setting_id, category, int(immediate), notified, _ts(now)),
        )

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
        return await self._write(
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

    async def table_names(self) -> list[str]:
        """Return the names of every table (for data-protection checks)."""
        rows = await self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [r["name"] for r in rows]

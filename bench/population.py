"""Build a database of many parents with aims, schedules and pending outbox rows (bulk SQL:
a benchmark fixture, not application code)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import open_database

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
FIRST_USER = 100_000


def _ts(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


async def populate(path: Path, parents: int, due: int, in_conversation: int = 0) -> None:
    """`parents` parents (chats FIRST_USER...), each with a child, an aim, a schedule and one
    pending tip; the first `due` tips are due at NOW, the rest a week later."""
    conn = await open_database(path)
    try:
        await conn.execute("BEGIN")
        await conn.execute(
            "INSERT INTO settings (id, name, created_at) VALUES (1, 'Bench', ?)", (_ts(NOW),)
        )
        await conn.execute(
            "INSERT INTO groups (id, setting_id, name, created_at) VALUES (1, 1, 'Bench', ?)",
            (_ts(NOW),),
        )
        ids = range(FIRST_USER, FIRST_USER + parents)
        await conn.executemany(
            "INSERT INTO parents (user_id, chat_id, group_id, name, locale, timezone, consent_at,"
            " created_at, last_seen_at) VALUES (?, ?, 1, 'Parent', 'en', 'Europe/London', ?, ?, ?)",
            [(i, i, _ts(NOW), _ts(NOW), _ts(NOW)) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO children (id, group_id, first_name, age, created_at)"
            " VALUES (?, 1, 'Max', '4', ?)",
            [(i, _ts(NOW)) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO carers (parent_id, child_id, relationship) VALUES (?, ?, 'mum')",
            [(i, i) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO aims (child_id, parent_id, theme, activity_id, text, own_words, signs,"
            " story, follow_up_on, created_at) VALUES (?, ?, 'sharing_turns', 'conductor_game',"
            " 'Max will lead, then pass the lead on.', 0, ?, NULL, '2026-12-15', ?)",
            [(i, i, json.dumps(["a", "b", "c"]), _ts(NOW)) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO schedules (parent_id, weekdays, local_time, moment, created_at)"
            " VALUES (?, '[2]', '18:30', 'bath', ?)",
            [(i, _ts(NOW)) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO outbox (key, parent_id, chat_id, kind, due_at) VALUES (?, ?, ?, 'tip', ?)",
            [
                (f"tip:{i}:bench", i, i, _ts(NOW if n < due else NOW + timedelta(days=7)))
                for n, i in enumerate(ids)
            ],
        )
        await conn.executemany(
            "INSERT INTO conversations (name, key, state) VALUES ('parent', ?, '10')",
            [(json.dumps([i, i]),) for i in list(ids)[:in_conversation]],
        )
        await conn.execute("COMMIT")
    finally:
        await conn.close()

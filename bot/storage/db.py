"""Open the SQLite database with the right pragmas and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

# Each entry moves the schema from version i to i+1 (PRAGMA user_version). Never edit a
# released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE groups (
        id INTEGER PRIMARY KEY,
        setting_id INTEGER NOT NULL REFERENCES settings(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX groups_setting ON groups(setting_id);
    CREATE TABLE practitioners (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        setting_id INTEGER NOT NULL REFERENCES settings(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        locale TEXT NOT NULL,
        is_lead INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX practitioners_setting ON practitioners(setting_id);
    CREATE TABLE invites (
        token_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('practitioner', 'parent')),
        setting_id INTEGER NOT NULL REFERENCES settings(id) ON DELETE CASCADE,
        group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
        created_by INTEGER,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE parents (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        group_id INTEGER NOT NULL REFERENCES groups(id),
        name TEXT NOT NULL,
        locale TEXT NOT NULL,
        timezone TEXT NOT NULL,
        consent_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE INDEX parents_group ON parents(group_id);
    CREATE TABLE children (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES groups(id),
        first_name TEXT NOT NULL,
        age TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE carers (
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        child_id INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
        relationship TEXT NOT NULL,
        PRIMARY KEY (parent_id, child_id)
    );
    CREATE INDEX carers_child ON carers(child_id);
    CREATE TABLE aims (
        id INTEGER PRIMARY KEY,
        child_id INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        theme TEXT,
        activity_id TEXT,
        text TEXT NOT NULL,
        own_words INTEGER NOT NULL,
        signs TEXT NOT NULL,
        story TEXT,
        follow_up_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        created_at TEXT NOT NULL
    );
    CREATE INDEX aims_child ON aims(child_id);
    CREATE INDEX aims_parent ON aims(parent_id);
    CREATE TABLE safeguarding_alerts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        setting_id INTEGER REFERENCES settings(id) ON DELETE SET NULL,
        category TEXT NOT NULL,
        immediate INTEGER NOT NULL,
        notified INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX safeguarding_alerts_user ON safeguarding_alerts(user_id);
    CREATE TABLE conversations (
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (name, key)
    );
    CREATE TABLE chat_data (
        chat_id INTEGER PRIMARY KEY,
        data TEXT NOT NULL
    );
    """,
    # 2: between sessions: the outbox, home-tips schedules, tips sent, check-ins, parent status.
    """
    ALTER TABLE parents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'stopped', 'unreachable'));
    ALTER TABLE parents ADD COLUMN paused_until TEXT;
    CREATE TABLE schedules (
        parent_id INTEGER PRIMARY KEY REFERENCES parents(user_id) ON DELETE CASCADE,
        weekdays TEXT NOT NULL,
        local_time TEXT NOT NULL,
        moment TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        ref INTEGER,
        due_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT
    );
    CREATE INDEX outbox_due ON outbox(status, due_at);
    CREATE INDEX outbox_parent ON outbox(parent_id, status);
    CREATE TABLE tips_sent (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        tip_id TEXT NOT NULL,
        cycle INTEGER NOT NULL,
        sent_at TEXT NOT NULL,
        response TEXT CHECK (response IN ('tried', 'not_this_week')),
        awaiting_note INTEGER NOT NULL DEFAULT 0,
        noticed TEXT
    );
    CREATE INDEX tips_sent_parent ON tips_sent(parent_id, cycle);
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        aim_id INTEGER NOT NULL REFERENCES aims(id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        sent_at TEXT NOT NULL,
        reminded_at TEXT,
        reply TEXT,
        outcome TEXT CHECK (outcome IN ('keep', 'new', 'reached')),
        answered_at TEXT
    );
    CREATE INDEX checkins_parent ON checkins(parent_id);
    """,
    # 3: trust: the story-sharing choice, retention warnings, safeguarding acknowledgements.
    # Alerts outlive a parent's erasure (the setting's safeguarding record) but not their
    # identity: user_id becomes nullable, and the alert text is kept only until escalated.
    """
    ALTER TABLE parents ADD COLUMN share_story INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE parents ADD COLUMN retention_warned_at TEXT;
    CREATE TABLE safeguarding_alerts_v3 (
        id INTEGER PRIMARY KEY,
        user_id INTEGER,
        setting_id INTEGER REFERENCES settings(id) ON DELETE SET NULL,
        category TEXT NOT NULL,
        immediate INTEGER NOT NULL,
        notified INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        message TEXT,
        acknowledged_by INTEGER,
        acknowledged_at TEXT,
        escalated_at TEXT,
        parent_erased_at TEXT
    );
    INSERT INTO safeguarding_alerts_v3 (id, user_id, setting_id, category, immediate, notified,
        created_at)
        SELECT id, user_id, setting_id, category, immediate, notified, created_at
        FROM safeguarding_alerts;
    DROP TABLE safeguarding_alerts;
    ALTER TABLE safeguarding_alerts_v3 RENAME TO safeguarding_alerts;
    CREATE INDEX safeguarding_alerts_user ON safeguarding_alerts(user_id);
    CREATE INDEX safeguarding_alerts_open ON safeguarding_alerts(acknowledged_at, escalated_at);
    CREATE TABLE alert_deliveries (
        alert_id INTEGER NOT NULL REFERENCES safeguarding_alerts(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (alert_id, chat_id, message_id)
    );
    """,
    # 4: practitioners and settings: at most one safeguarding lead per setting; invites and
    # children looked up by setting and group.
    """
    UPDATE practitioners SET is_lead = 0 WHERE is_lead = 1 AND user_id NOT IN
        (SELECT MIN(user_id) FROM practitioners WHERE is_lead = 1 GROUP BY setting_id);
    CREATE UNIQUE INDEX practitioners_one_lead ON practitioners(setting_id) WHERE is_lead = 1;
    CREATE INDEX invites_setting ON invites(setting_id, kind);
    CREATE INDEX children_group ON children(group_id);
    CREATE INDEX checkins_aim ON checkins(aim_id);
    """,
    # 5: events (coffee mornings, parent feedback groups), their RSVPs, and practitioners'
    # weekly digests; when a parent said what they noticed.
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        setting_id INTEGER NOT NULL REFERENCES settings(id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('coffee_morning', 'feedback_group')),
        starts_at TEXT NOT NULL,
        place TEXT NOT NULL,
        created_by INTEGER,
        created_at TEXT NOT NULL,
        cancelled_at TEXT
    );
    CREATE INDEX events_group ON events(group_id, starts_at);
    CREATE TABLE event_rsvps (
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        answer TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
        answered_at TEXT NOT NULL,
        PRIMARY KEY (event_id, parent_id)
    );
    CREATE INDEX event_rsvps_parent ON event_rsvps(parent_id);
    CREATE TABLE digests (
        practitioner_id INTEGER PRIMARY KEY
            REFERENCES practitioners(user_id) ON DELETE CASCADE,
        weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        local_time TEXT NOT NULL,
        timezone TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        next_due_at TEXT,
        last_sent_at TEXT
    );
    CREATE INDEX digests_due ON digests(enabled, next_due_at);
    ALTER TABLE tips_sent ADD COLUMN noticed_at TEXT;
    """,
    # 6: family: notes between practitioners and parents, songs from home, carer links.
    # Carer links get their own table rather than a new kind in `invites`: SQLite cannot
    # change a CHECK without rebuilding the table (and `invites` is changed elsewhere), and
    # a carer link differs in kind: single use, tied to one child (erased with the child).
    """
    CREATE TABLE relay_links (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        holder TEXT NOT NULL CHECK (holder IN ('practitioner', 'parent')),
        practitioner_id INTEGER NOT NULL REFERENCES practitioners(user_id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX relay_links_parent ON relay_links(parent_id);
    CREATE INDEX relay_links_practitioner ON relay_links(practitioner_id);
    CREATE TABLE family_drafts (
        user_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'reply', 'song', 'relationship')),
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        practitioner_id INTEGER REFERENCES practitioners(user_id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
    );
    CREATE INDEX family_drafts_parent ON family_drafts(parent_id);
    CREATE TABLE songs (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        child_id INTEGER REFERENCES children(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX songs_parent ON songs(parent_id);
    CREATE INDEX songs_child ON songs(child_id);
    CREATE TABLE carer_invites (
        token_hash TEXT PRIMARY KEY,
        child_id INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
        created_by INTEGER NOT NULL REFERENCES parents(user_id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_by INTEGER,
        used_at TEXT
    );
    CREATE INDEX carer_invites_child ON carer_invites(child_id);
    CREATE INDEX carer_invites_creator ON carer_invites(created_by);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


async def _configure(conn: aiosqlite.Connection) -> None:
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA busy_timeout=5000",
        "PRAGMA foreign_keys=ON",
        # Deleted personal data is overwritten, not left in free pages.
        "PRAGMA secure_delete=ON",
    ):
        await conn.execute(pragma)


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply every pending migration in one transaction each; return the schema version."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {version} is newer than this code ({SCHEMA_VERSION})"
        )
    for index in range(version, SCHEMA_VERSION):
        await conn.executescript(
            f"BEGIN IMMEDIATE;\n{MIGRATIONS[index]}\nPRAGMA user_version={index + 1};\nCOMMIT;"
        )
    return SCHEMA_VERSION


async def open_database(path: Path | str) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database; the caller must close it."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await _configure(conn)
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn

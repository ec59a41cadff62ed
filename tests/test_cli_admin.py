"""`imm-bot admin`: invite-practitioner, list, revoke, revoke-invites, set-lead."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main, overview_lines, token_of
from bot.storage import open_database
from bot.storage.models import Group, Practitioner, Setting, SettingOverview
from bot.storage.repo import Repository, hash_token

LINK = re.compile(r"https://t\.me/sunflower_imm_bot\?start=([\w-]+)")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "admin.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("BOT_USERNAME", "sunflower_imm_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["admin", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _join(db: Path, user_id: int, name: str, setting_id: int) -> None:
    async def go() -> None:
        conn = await open_database(db)
        try:
            await Repository(conn).add_practitioner(
                user_id, user_id, setting_id, name, "en", datetime.now(UTC)
            )
        finally:
            await conn.close()

    asyncio.run(go())


def test_invite_practitioner_by_id_or_name_and_revoke_by_link(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _err = _run(capsys, "create-setting", "Sunflower Nursery")
    assert status == 0
    first = LINK.search(out)
    assert first is not None
    for ref in ("1", "Sunflower Nursery"):
        status, out, _err = _run(capsys, "invite-practitioner", ref)
        assert status == 0 and "Practitioner invite link for 'Sunflower Nursery'" in out
        assert LINK.search(out) is not None
    status, _out, err = _run(capsys, "invite-practitioner", "Moon Nursery")
    assert status == 2 and "no setting with id or name 'Moon Nursery'" in err

    status, out, _err = _run(capsys, "revoke", first.group(0))
    assert status == 0 and "revoked the practitioner invite of 'Sunflower Nursery'" in out
    assert first.group(1) not in out  # the token is echoed only by its first characters
    status, out, _err = _run(capsys, "revoke", first.group(1), "not-a-token")
    assert status == 1 and out.count("no open invite") == 2
    with sqlite3.connect(db) as conn:
        revoked = conn.execute(
            "SELECT revoked_at IS NOT NULL FROM invites WHERE token_hash = ?",
            (hash_token(first.group(1)),),
        ).fetchone()
        open_count = conn.execute("SELECT COUNT(*) FROM invites WHERE revoked_at IS NULL")
        assert revoked == (1,) and open_count.fetchone() == (2,)


def test_list_set_lead_and_revoke_invites(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "create-setting", "Sunflower Nursery")
    _run(capsys, "create-setting", "Rainbow Centre")
    _join(db, 1001, "Pat", 1)
    _join(db, 1002, "Sam", 1)
    status, out, _err = _run(capsys, "set-lead", "Sunflower Nursery", "1002")
    assert status == 0 and "User 1002 is now the safeguarding lead" in out
    status, out, _err = _run(capsys, "set-lead", "1", "1001")
    assert status == 0
    status, _out, err = _run(capsys, "set-lead", "2", "1001")
    assert status == 2 and "not a practitioner of 'Rainbow Centre'" in err

    status, out, _err = _run(capsys, "list")
    assert status == 0
    assert "[1] Sunflower Nursery" in out and "[2] Rainbow Centre" in out
    assert "practitioner 1001: Pat  * safeguarding lead" in out
    assert "practitioner 1002: Sam\n" in out
    assert "open invites: 1" in out
    with sqlite3.connect(db) as conn:
        hashes = [r[0] for r in conn.execute("SELECT token_hash FROM invites")]
        leads = conn.execute("SELECT user_id FROM practitioners WHERE is_lead = 1").fetchall()
    assert leads == [(1001,)]
    assert not LINK.search(out) and not any(h[:16] in out for h in hashes)

    status, out, _err = _run(capsys, "revoke-invites", "Rainbow Centre", "--kind", "parent")
    assert status == 0 and "Revoked 0 open invite(s)" in out
    status, out, _err = _run(capsys, "revoke-invites", "Rainbow Centre")
    assert status == 0 and "Revoked 1 open invite(s) of 'Rainbow Centre'" in out
    assert "open invites: 0" in _run(capsys, "list")[1]


def test_one_lead_per_setting_is_enforced_by_the_database(db: Path) -> None:
    async def go() -> None:
        conn = await open_database(db)
        try:
            repo = Repository(conn)
            now = datetime.now(UTC)
            a, _ = await repo.create_setting("A", now)
            b, _ = await repo.create_setting("B", now)
            await repo.add_practitioner(1, 1, a.id, "One", "en", now)
            await repo.add_practitioner(2, 2, a.id, "Two", "en", now)
            assert await repo.lead_of(a.id) is None
            assert await repo.set_lead(a.id, 1) and await repo.set_lead(a.id, 2)
            lead = await repo.lead_of(a.id)
            assert lead is not None and lead.user_id == 2
            with pytest.raises(sqlite3.IntegrityError):
                await conn.execute("UPDATE practitioners SET is_lead = 1 WHERE user_id = 1")
            # A lead who moves to another setting (a new invite) is not its lead.
            await repo.add_practitioner(2, 2, b.id, "Two", "en", now)
            assert await repo.lead_of(a.id) is None and await repo.lead_of(b.id) is None
            assert not await repo.set_lead(b.id, 1)
        finally:
            await conn.close()

    asyncio.run(go())


def test_overview_lines_and_token_of() -> None:
    setting = Setting(3, "Sunflower Nursery")
    lines = overview_lines(
        [
            SettingOverview(
                setting,
                (Group(5, 3, "Sunflower Nursery"), Group(6, 3, "Tuesday Sunflowers")),
                (Practitioner(1, 1, 3, "Pat", "en", True),),
                2,
            )
        ]
    )
    assert lines == [
        "[3] Sunflower Nursery",
        "  groups: [5] Sunflower Nursery, [6] Tuesday Sunflowers",
        "  practitioner 1: Pat  * safeguarding lead",
        "  open invites: 2",
    ]
    assert overview_lines([])[0].startswith("No settings yet")
    assert token_of("https://t.me/x_bot?start=abc-DEF_1") == "abc-DEF_1"
    assert token_of("  abc-DEF_1 ") == "abc-DEF_1"

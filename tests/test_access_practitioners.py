"""Access rules, end to end: a practitioner sees and acts only on their own setting; parents
and practitioners cannot reach what is not theirs, by command arguments or forged buttons.
Every refusal is polite and leaves the database exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from bot.sandbox.fakeapi import FakeUser
from conversations.practitioner.logic import INVITE_GROUP, REVOKE
from tests.support.harness import Harness, running_bot
from tests.test_e2e_practitioners import seed_story

TABLES = (
    "settings",
    "groups",
    "practitioners",
    "invites",
    "parents",
    "children",
    "carers",
    "aims",
    "checkins",
    "tips_sent",
    "outbox",
)
NOT_PRACTITIONER = "Sorry, that command is only for practitioners."
NOT_ADMIN = "Sorry, that command is only for programme coordinators."
NOT_AVAILABLE = "Sorry, that is not available to you any more."


def snapshot(h: Harness) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table that holds roles, links or people's words."""
    with sqlite3.connect(h.settings.database_path) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}  # noqa: S608 - fixed names


class World:
    """Two settings: A (Sunflower Nursery, Pat) and B (Rainbow Centre, Bea, child Zara)."""

    def __init__(self, h: Harness, pat_a: FakeUser, bea: FakeUser, b_group: int) -> None:
        self.h, self.pat_a, self.bea, self.b_group = h, pat_a, bea, b_group


@asynccontextmanager
async def two_settings(tmp_path: Path, **extra: str) -> AsyncIterator[World]:
    async with running_bot(tmp_path, **extra) as h:
        pat_a = await h.practitioner(1001, "Pat")  # setting 1, group 1
        await seed_story(h, group_id=1, parent_id=2001, child="Max")
        now = h.clock.now()
        setting_b, group_b = await h.repo.create_setting("Rainbow Centre", now)
        token = await h.repo.create_invite(
            "practitioner", setting_b.id, None, now, timedelta(days=30)
        )
        bea = h.fake.user(1002, "Bea")
        await bea.say(f"/start {token}")
        await seed_story(h, group_id=group_b.id, parent_id=2002, child="Zara")
        await h.parent_token(bea)  # an open parent link of B
        await h.settle()
        pat_a.read_all()
        yield World(h, pat_a, bea, group_b.id)


async def test_practitioner_of_a_cannot_view_export_or_invite_into_b(tmp_path: Path) -> None:
    async with two_settings(tmp_path) as w:
        h, pat = w.h, w.pat_a
        before = snapshot(h)

        [story] = await pat.say("/child Zara")
        assert "can't find a child called Zara in your setting" in story.plain_text
        [aims] = await pat.say("/aims")
        assert "Max" in aims.plain_text
        assert "Zara" not in aims.plain_text and "Rainbow" not in aims.plain_text
        [document] = await pat.say("/export")
        assert document.document is not None
        exported = document.document.content.decode("utf-8-sig")
        assert "Max" in exported and "Zara" not in exported and "Rainbow" not in exported

        # Into B's group by the command's argument: B's group name is unknown in A.
        [refused] = await pat.say("/invite Rainbow Centre")
        assert "can't find a group called Rainbow Centre" in refused.plain_text
        assert refused.kind == "text"

        # Forged buttons: B's group, B's parent link, and nonsense.
        [b_invite] = await w.h.repo.open_invites(2, "parent", h.clock.now())
        for data in (
            f"{INVITE_GROUP}{w.b_group}",
            f"{REVOKE}{b_invite.ref}",
            f"{INVITE_GROUP}999",
            f"{INVITE_GROUP}x",
            f"{REVOKE}{'0' * 16}",
            f"{REVOKE}%",
        ):
            pat.press_data(data, aims.message_id)
            await h.settle()
            assert pat.answers[-1].answered and pat.answers[-1].text == NOT_AVAILABLE, data
        assert pat.unread == []  # no photo, no link, no edited list
        assert snapshot(h) == before
        assert await h.repo.open_invites(2, "parent", h.clock.now()) == [b_invite]


async def test_revoke_lists_only_the_own_settings_links(tmp_path: Path) -> None:
    async with two_settings(tmp_path) as w:
        await w.h.parent_token(w.pat_a)
        [listing] = await w.pat_a.say("/revoke")
        assert "1 open parent link" in listing.plain_text
        [own] = await w.h.repo.open_invites(1, "parent", w.h.clock.now())
        assert [b.callback_data for row in listing.buttons for b in row] == [REVOKE + own.ref]


async def test_a_parent_cannot_reach_practitioner_or_admin_commands(tmp_path: Path) -> None:
    async with two_settings(tmp_path, ADMIN_USER_IDS="9001") as w:
        h = w.h
        token = await h.parent_token(w.pat_a)
        parent = await h.onboard(w.pat_a, user_id=2500, child="Ada")
        parent.read_all()
        before = snapshot(h)
        for command in (
            "/aims",
            "/child Max",
            "/export",
            "/newgroup Parents Only",
            "/invite",
            "/revoke",
        ):
            [reply] = await parent.say(command)
            assert reply.plain_text.startswith(NOT_PRACTITIONER), command
        for command in (
            "/newsetting Mine",
            "/invitepractitioner 1",
            "/settings",
            "/setlead 1 2500",
            "/revokeinvites 1",
        ):
            [reply] = await parent.say(command)
            assert reply.plain_text == NOT_ADMIN, command
        [menu] = await parent.say("/admin")
        assert menu.plain_text.startswith(NOT_ADMIN) and "2500" in menu.plain_text
        own_invite = (await h.repo.open_invites(1, "parent", h.clock.now()))[0]
        for data in (f"{INVITE_GROUP}1", f"{REVOKE}{own_invite.ref}"):
            parent.press_data(data, parent.last.message_id)
            await h.settle()
            assert parent.answers[-1].text == NOT_AVAILABLE
        assert parent.unread == []
        assert snapshot(h) == before
        assert await h.repo.resolve_invite(token, h.clock.now()) is not None
        assert await h.repo.get_practitioner(2500) is None


async def test_a_practitioner_is_not_a_coordinator(tmp_path: Path) -> None:
    async with two_settings(tmp_path, ADMIN_USER_IDS="9001") as w:
        before = snapshot(w.h)
        for command in (
            "/newsetting Pat's Own",
            "/invitepractitioner 2",
            "/settings",
            "/setlead 1 1001",
            "/revokeinvites 2",
        ):
            [reply] = await w.pat_a.say(command)
            assert reply.plain_text == NOT_ADMIN, command
        assert snapshot(w.h) == before
        assert await w.h.repo.lead_of(1) is None


async def test_roles_never_come_from_what_a_user_types(tmp_path: Path) -> None:
    async with two_settings(tmp_path) as w:
        h = w.h
        stranger = h.fake.user(7777, "Eve")
        before = snapshot(h)
        for attempt in ("/start practitioner", "/start 1", "/start " + "A" * 32, "/aims"):
            await stranger.say(attempt)
        [b_invite] = await h.repo.open_invites(2, "parent", h.clock.now())
        # The public ref of an invite (a hash prefix, shown in callback data) is not a token.
        await stranger.say(f"/start {b_invite.ref}")
        assert snapshot(h) == before
        assert await h.repo.get_practitioner(7777) is None
        assert await h.repo.get_parent(7777) is None

"""End to end: a practitioner's tools (groups, links with QR codes, revoking, /aims, /child,
/export) and the coordinator's chat commands, against the fake Bot API."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import zxingcpp

from bot.sandbox.fakeapi import FakeUser, SentMessage
from bot.storage.models import Child, Parent
from tests.support.harness import Harness, running_bot
from tests.support.png import SIGNATURE, decode_grey

LINK = re.compile(r"https://t\.me/\w+\?start=([\w-]+)")


def decode_qr(png: bytes) -> str:
    """The text of the QR code in a PNG."""
    image = decode_grey(png)
    found = zxingcpp.read_barcode(memoryview(image.pixels).cast("B", (image.height, image.width)))
    assert found is not None, "no QR code in the image"
    return str(found.text)


def link_of(message: SentMessage) -> str:
    found = LINK.search(message.plain_text)
    assert found is not None, message.plain_text
    return found.group(0)


async def seed_story(
    h: Harness, group_id: int, parent_id: int = 2002, child: str = "Max"
) -> tuple[Parent, Child]:
    """A carer with a child, an aim, a check-in reply and a home idea tried and noticed."""
    now = h.clock.now()
    parent = await h.repo.add_parent(parent_id, parent_id, group_id, "Amara", "en", "UTC", now)
    kid = await h.repo.save_child(parent, child, "4", "mum", now)
    aim = await h.repo.save_aim(
        kid,
        parent_id,
        theme="sharing_turns",
        activity_id=None,
        text=f"{child} will lead an activity, then hand over.",
        own_words=False,
        signs=(f"{child} lets another child choose first.",),
        story=None,
        follow_up_on=date(2026, 12, 12),
        now=now,
    )
    h.clock.advance(timedelta(days=7))
    await h.repo.record_tip(501, parent_id, "en-general-1", 0, h.clock.now())
    await h.repo.answer_tip(501, "tried", awaiting_note=True)
    await h.repo.save_tip_note(501, "He let his sister have the spoon first!")
    h.clock.advance(timedelta(days=14))
    await h.repo.record_checkin(601, aim.id, parent_id, h.clock.now())
    await h.repo.checkin_reply(601, "=He led the band and then passed the baton.", h.clock.now())
    return parent, kid


async def test_newgroup_invite_buttons_and_qr_code_decodes_to_the_link(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        [created] = await pat.say("/newgroup   Tuesday   Sunflowers ")
        assert "Tuesday Sunflowers" in created.plain_text and "2 groups" in created.plain_text
        [again] = await pat.say("/newgroup tuesday sunflowers")
        assert "already has a group" in again.plain_text
        [usage] = await pat.say("/newgroup")
        assert "/newgroup Tuesday Sunflowers" in usage.plain_text

        [choose] = await pat.say("/invite")
        assert choose.button_labels == ["Sunflower Nursery", "Tuesday Sunflowers"]
        pat.press("Tuesday Sunflowers")
        [photo] = await pat.wait_messages(1)
        assert photo.kind == "photo" and photo.photo is not None
        png = photo.photo.content
        assert png.startswith(SIGNATURE)
        link = link_of(photo)
        assert decode_qr(png) == link
        assert "Tuesday Sunflowers" in photo.plain_text and "30 days" in photo.plain_text

        # The link is for that group: a parent who opens it joins Tuesday Sunflowers.
        parent = h.fake.user(2002, "Amara")
        parent.send(f"/start {LINK.search(link).group(1)}")  # type: ignore[union-attr]
        await parent.wait_messages(1)
        parent.press("Yes, that's fine")
        await parent.wait_messages(1)
        joined = await h.repo.get_parent(2002)
        group = await h.repo.group_named(1, "Tuesday Sunflowers")
        assert joined is not None and group is not None and joined.group_id == group.id

        # By name, as an argument; an unknown name lists the groups.
        [by_name] = await pat.say("/invite tuesday SUNFLOWERS")
        assert by_name.kind == "photo" and decode_qr(by_name.photo.content) == link_of(by_name)  # type: ignore[union-attr]
        [unknown] = await pat.say("/invite Moonbeams")
        assert "can't find a group called Moonbeams" in unknown.plain_text
        assert "Sunflower Nursery, Tuesday Sunflowers" in unknown.plain_text


async def test_one_group_gives_the_link_at_once_and_harness_still_reads_it(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        assert pat.messages[-1].kind == "photo"
        invite = await h.repo.resolve_invite(token, h.clock.now())
        assert invite is not None and invite.kind == "parent"
        with sqlite3.connect(h.settings.database_path) as conn:
            stored = [r[0] for r in conn.execute("SELECT token_hash FROM invites")]
        assert token not in stored and len(token) >= 32  # long, random, stored hashed


async def test_revoke_lists_open_links_and_a_revoked_link_stops_working(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        first = await h.parent_token(pat)
        h.clock.advance(timedelta(hours=1))
        second = await h.parent_token(pat)
        [listing] = await pat.say("/revoke")
        assert "2 open parent links" in listing.plain_text
        assert len(listing.button_labels) == 2
        assert all("Sunflower Nursery" in label for label in listing.button_labels)
        pressed = listing.buttons[0][0].callback_data or ""
        pat.press(listing.button_labels[0])  # newest first: the second link
        await h.settle()
        assert pat.answers[-1].text == "Done: that link no longer works."
        assert "1 open parent link" in pat.messages[-1].plain_text
        assert len(pat.messages[-1].button_labels) == 1
        assert await h.repo.resolve_invite(second, h.clock.now()) is None
        assert await h.repo.resolve_invite(first, h.clock.now()) is not None

        # A second press on the stale button changes nothing.
        pat.press_data(pressed, listing.message_id)
        await h.settle()
        assert pat.answers[-1].text == "Sorry, that is not available to you any more."
        assert await h.repo.resolve_invite(first, h.clock.now()) is not None

        parent = h.fake.user(2002, "Amara")
        [refused] = await parent.say(f"/start {second}")
        assert "expired or is no longer active" in refused.plain_text
        assert await h.repo.get_parent(2002) is None


async def test_parent_links_expire_after_invite_days(tmp_path: Path) -> None:
    async with running_bot(tmp_path, INVITE_DAYS="2") as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        assert "2 days" in pat.messages[-1].plain_text
        h.clock.advance(timedelta(days=2, minutes=1))
        parent = h.fake.user(2002, "Amara")
        [refused] = await parent.say(f"/start {token}")
        assert "expired or is no longer active" in refused.plain_text
        [listing] = await pat.say("/revoke")
        assert "no open parent links" in listing.plain_text


async def test_aims_child_story_and_export(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        [empty] = await pat.say("/aims")
        assert "No current aims" in empty.plain_text
        [nothing] = await pat.say("/export")
        assert "no aims to export" in nothing.plain_text
        await seed_story(h, group_id=1)

        [overview] = await pat.say("/aims")
        text = overview.plain_text
        assert "1 current aim · Sunflower Nursery" in text
        assert "Max (age 4) · Amara (mum)" in text
        assert "Aim: Max will lead an activity, then hand over." in text
        assert "Since Saturday 21 November · follow-up Saturday 12 December" in text
        # The latest news is the check-in reply (after the idea they noticed).
        assert "Last news (Saturday 12 December): “=He led the band" in text

        [story] = await pat.say("/child max")
        lines = story.plain_text
        assert lines.index("Aim agreed with Amara") < lines.index("Tried at home with Amara")
        assert lines.index("Tried at home") < lines.index("Check-in, Amara")
        assert "Noticed: “He let his sister have the spoon first!”" in lines
        assert "(current)" in lines
        [missing] = await pat.say("/child Zed")
        assert "can't find a child called Zed" in missing.plain_text

        [document] = await pat.say("/export")
        assert document.kind == "document" and document.document is not None
        assert document.document.filename == "imm-sunflower-nursery-2026-12-12.csv"
        raw = document.document.content
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:4] == ["Record", "Date", "Group", "Child"]
        assert [r[0] for r in rows[1:]] == ["aim", "check-in"]
        assert rows[2][10] == "'=He led the band and then passed the baton."  # no formula
        assert "1 aim · 1 check-in" in document.plain_text

        # Names match whatever the case, accents included.
        await seed_story(h, group_id=1, parent_id=2003, child="Zoë")
        [accented] = await pat.say("/child ZOË")
        assert accented.plain_text.startswith("📖 Zoë (age 4)")


async def test_long_aims_list_is_split_under_telegrams_limit(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        for n in range(40):
            await seed_story(h, group_id=1, parent_id=3000 + n, child=f"Child{n:02d}" + "x" * 30)
        pat.send("/aims")
        await h.settle()
        replies = pat.read_all()
        assert len(replies) >= 2
        assert all(len(m.plain_text) <= 4096 for m in replies)
        joined = "\n".join(m.plain_text for m in replies)
        assert all(f"Child{n:02d}" in joined for n in range(40))


async def _admin(h: Harness, user_id: int = 9001) -> FakeUser:
    return h.fake.user(user_id, "Cora")


async def test_coordinator_in_the_chat(tmp_path: Path) -> None:
    async with running_bot(tmp_path, ADMIN_USER_IDS="9001, 9002") as h:
        cora = await _admin(h)
        [menu] = await cora.say("/admin")
        assert "/newsetting NAME" in menu.plain_text
        [help_text] = await cora.say("/help")
        assert "/admin" in help_text.plain_text

        [created] = await cora.say("/newsetting Rainbow Centre")
        assert "Created the setting Rainbow Centre" in created.plain_text
        token = LINK.search(created.plain_text).group(1)  # type: ignore[union-attr]
        pat = h.fake.user(1001, "Pat")
        [welcome] = await pat.say(f"/start {token}")
        assert "practitioner at Rainbow Centre" in welcome.plain_text

        [another] = await cora.say("/invitepractitioner Rainbow Centre")
        token2 = LINK.search(another.plain_text).group(1)  # type: ignore[union-attr]
        sam = h.fake.user(1002, "Sam")
        await sam.say(f"/start {token2}")

        [listing] = await cora.say("/settings")
        assert "Rainbow Centre · id 1" in listing.plain_text
        assert (
            "Pat (id 1001)" in listing.plain_text and "No safeguarding lead" in listing.plain_text
        )
        assert token not in listing.plain_text and token2 not in listing.plain_text

        [lead] = await cora.say("/setlead 1 1002")
        assert "Sam is now the safeguarding lead at Rainbow Centre" in lead.plain_text
        [moved] = await cora.say("/setlead Rainbow Centre 1001")
        assert "Pat is now the safeguarding lead" in moved.plain_text
        now_lead = await h.repo.lead_of(1)
        assert now_lead is not None and now_lead.user_id == 1001
        assert [p.is_lead for p in await h.repo.practitioners_of_setting(1)] == [True, False]
        [stranger] = await cora.say("/setlead 1 4242")
        assert "User 4242 is not a practitioner at Rainbow Centre" in stranger.plain_text
        [listing] = await cora.say("/settings")
        assert "Pat (id 1001) ★ safeguarding lead" in listing.plain_text

        [revoked] = await cora.say("/revokeinvites 1")
        assert "Revoked 2 open links" in revoked.plain_text
        [unknown] = await cora.say("/invitepractitioner Nowhere")
        assert "can't find a setting Nowhere" in unknown.plain_text


async def test_aims_and_child_after_real_conversations(tmp_path: Path) -> None:
    """The parent agrees an aim, tries a home idea, answers the check-in: /aims and /child
    show it all (the sample in docs/practitioners.md comes from this flow)."""
    async with running_bot(tmp_path) as h:
        pat, _parent = await real_story(h)
        [overview] = await pat.say("/aims")
        text = overview.plain_text
        assert "Max (age 4) · Amara (mum)" in text
        assert "Aim: Max will lead an activity" in text
        assert "Since Saturday 21 November · follow-up Saturday 2 January" in text
        assert "Last news (Saturday 12 December): “He let another child go first" in text
        pat.send("/child Max")
        await h.settle()
        story = "\n".join(m.plain_text for m in pat.read_all())
        assert "Tried at home with Amara" in story
        assert "Noticed: “He passed me the spoon and giggled”" in story
        assert "Check-in, Amara: “He let another child go first with the drum!”" in story
        assert "(keeping this aim)" in story


async def real_story(h: Harness) -> tuple[FakeUser, FakeUser]:
    """An aim agreed, a home idea tried and noticed, a check-in answered: all through the bot."""
    from tests.test_e2e_between import agree_aim, choose_tips, run_due

    pat, parent = await agree_aim(h)
    await choose_tips(parent, "🛁 Bath time", ["Tue"])
    h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    await h.tick()
    parent.read_all()
    parent.press("We tried it 👍")
    await parent.wait_messages(1)
    parent.send("He passed me the spoon and giggled")
    await parent.wait_messages(1)
    await run_due(h, datetime(2026, 12, 12, 12, tzinfo=UTC))
    parent.read_all()
    parent.send("He let another child go first with the drum!")
    [thanks] = await parent.wait_messages(1)
    parent.press("Keep this aim", message_id=thanks.message_id)
    await parent.wait_messages(1)
    await h.settle()
    pat.read_all()
    return pat, parent

"""Trust, end to end: the privacy notice, sharing choice, /mydata, /forget, retention,
safeguarding acknowledgement and escalation, and bad input of every kind."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.sandbox.fakeapi import FakeUser, SentMessage
from tests.support.harness import JOE_PICTURE, Harness, running_bot

# Words nobody else uses, so that a scan of the database files can look for them.
STORY = (
    "Zanzibarella hums the marmalade song all day but she freezes and hides behind me "
    "when the music group starts, she is so shy."
)
CHILD = "Quillon"


async def agree_aim(h: Harness, parent: FakeUser, story: str = STORY) -> None:
    """From the opening question to the agreed aim (the practitioner is told)."""
    parent.send(story)
    await parent.wait_messages(1)
    parent.send(JOE_PICTURE)
    await parent.wait_messages(2)
    await h.agree_from_activity(parent)


async def drain(h: Harness, user: FakeUser) -> list[SentMessage]:
    """Wait for the bot, then read everything it sent this user."""
    await h.settle()
    return await user.wait_messages(len(user.unread)) if user.unread else []


async def set_lead(h: Harness, user_id: int) -> None:
    await h.repo.conn.execute("UPDATE practitioners SET is_lead = 1 WHERE user_id = ?", (user_id,))


# -- consent and the sharing choice -------------------------------------------------------


async def test_notice_says_what_who_how_long_and_how_to_delete(tmp_path: Path) -> None:
    async with running_bot(tmp_path, RETENTION_DAYS="365", STORY_RETENTION_DAYS="90") as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        parent = h.fake.user(2002, "Amara")
        parent.send(f"/start {token}")
        [notice] = await parent.wait_messages(1)
        text = notice.plain_text
        for needle in ("What I keep", "Who sees it", "Sunflower Nursery", "12 months", "90 days"):
            assert needle in text
        for command in ("/privacy", "/mydata", "/forget"):
            assert command in text
        assert await h.repo.get_parent(2002) is None
        parent.press("Yes, that's fine")
        [question] = await parent.wait_messages(1)
        assert "own words" in question.plain_text
        assert question.button_labels == ["Yes, share my words", "Just the aim, please"]
        parent.send("why?")  # text where a button is expected: kindly redirected
        [nudge] = await parent.wait_messages(1)
        assert "tap one of the buttons" in nudge.plain_text
        parent.press("Just the aim, please")
        [ask] = await parent.wait_messages(1)
        assert "first name" in ask.plain_text
        stored = await h.repo.get_parent(2002)
        assert stored is not None and stored.share_story is False


async def test_privacy_command_shows_the_notice_and_changes_the_choice(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat, share=False)
        parent.send("/privacy")
        [notice] = await parent.wait_messages(1)
        assert "Who sees it" in notice.plain_text
        assert "only the aim" in notice.plain_text
        parent.press("Share my words too")
        [done] = await parent.wait_messages(1)
        assert "own words" in done.plain_text
        stored = await h.repo.get_parent(2002)
        assert stored is not None and stored.share_story is True
        # The same (now used) button again changes nothing and says so.
        parent.press_data("pv:share:yes", notice.message_id)
        await h.settle()
        stranger = h.fake.user(4004, "Stranger")
        stranger.send("/privacy")
        [plain] = await stranger.wait_messages(1)
        assert "What I keep" in plain.plain_text and plain.button_labels == []


async def test_words_stay_private_when_the_parent_shares_only_the_aim(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat, child=CHILD, share=False)
        await agree_aim(h, parent)
        summary = parent.last.plain_text
        assert "I've shared the aim with the practitioners at Sunflower Nursery." in summary
        assert "own words" not in summary
        [relayed] = await pat.wait_messages(1)
        assert "Aim:" in relayed.plain_text
        assert "In the parent's words" not in relayed.plain_text
        assert "marmalade" not in relayed.plain_text
        child = await h.repo.child_of(2002)
        assert child is not None
        aim = await h.repo.active_aim(child.id)
        assert aim is not None and aim.story is None


async def test_words_shared_when_the_parent_says_yes(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat, child=CHILD, share=True)
        await agree_aim(h, parent)
        [relayed] = await pat.wait_messages(1)
        assert "In the parent's words" in relayed.plain_text
        assert "marmalade" in relayed.plain_text


# -- /mydata --------------------------------------------------------------------------------


async def test_mydata_sends_a_readable_message_and_a_json_document(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat, child=CHILD)
        await agree_aim(h, parent)
        parent.send("/mydata")
        await h.settle()
        replies = parent.unread
        texts = "\n".join(m.plain_text for m in replies if m.kind == "text")
        assert "Everything I keep about you" in texts
        assert CHILD in texts and "Sunflower Nursery" in texts and "Aim" in texts
        assert "marmalade" in texts  # the words shared with the aim
        [document] = [m for m in replies if m.kind == "document"]
        assert document.document is not None
        assert document.document.filename == "my-data.json"
        data = json.loads(document.document.content)
        assert data["parent"]["user_id"] == 2002
        assert [c["first_name"] for c in data["children"]] == [CHILD]
        assert len(data["aims"]) == 1 and "marmalade" in data["aims"][0]["story"]
        assert all(len(m.plain_text) <= 4096 for m in replies)
        stranger = h.fake.user(4004, "Stranger")
        stranger.send("/mydata")
        [nothing] = await stranger.wait_messages(1)
        assert "don't have anything" in nothing.plain_text


# -- /forget --------------------------------------------------------------------------------


def _rows_mentioning(db: Path, needles: list[str], ids: list[int]) -> list[str]:
    """Every table row holding one of the ids or texts (by a fresh connection)."""
    found = []
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - table names
                for cell in row:
                    if (isinstance(cell, int) and cell in ids) or (
                        isinstance(cell, str)
                        and (any(n in cell for n in needles) or any(str(i) in cell for i in ids))
                    ):
                        found.append(f"{table}: {row}")
    finally:
        conn.close()
    return found


async def test_forget_erases_every_table_and_the_raw_files(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        other = await h.onboard(pat, user_id=3003, name="Bea", child="Otto")
        await agree_aim(h, other, "Otto loves the drum but he bites other children sometimes.")
        await pat.wait_messages(1)
        parent = await h.onboard(pat, user_id=2002, name="Amara", child=CHILD)
        await agree_aim(h, parent)
        assert await h.repo.outbox_of(2002)  # the check-in is planned
        parent.send("He hit me and I am scared of him at home")  # an alert (kept, anonymised)
        await drain(h, parent)
        parent.send("/newaim")  # and a conversation in progress
        await drain(h, parent)
        parent.send("Zanzibarella half a story in progress")
        await drain(h, parent)
        await h.restart()  # everything persisted to the file
        before = _rows_mentioning(db, ["Zanzibarella", CHILD, "Amara"], [2002])
        assert before, "the test must see the data before it is erased"
        parent.send("/forget")
        [question] = await parent.wait_messages(1)
        assert "cannot be undone" in question.plain_text
        parent.press("Yes, delete everything")
        [done] = await parent.wait_messages(1)
        assert "deleted" in done.plain_text
        assert "can't call back" in done.plain_text  # delivered messages are named honestly
        parent.press_data("pv:forget:yes", question.message_id)  # a double tap
        [again] = await parent.wait_messages(1)
        assert "don't have anything stored" in again.plain_text
        assert await h.repo.get_parent(2002) is None
        # The other family is untouched.
        assert await h.repo.get_parent(3003) is not None
        otto = await h.repo.child_of(3003)
        assert otto is not None and await h.repo.active_aim(otto.id) is not None
        alerts = await h.repo.conn.execute_fetchall("SELECT * FROM safeguarding_alerts")
        assert len(alerts) == 1 and alerts[0]["user_id"] is None
        assert alerts[0]["message"] is None and alerts[0]["parent_erased_at"] is not None
    # After a graceful stop (persistence flushed): no row anywhere holds the parent.
    assert _rows_mentioning(db, ["Zanzibarella", CHILD, "Amara"], [2002]) == []
    files = [tmp_path / name for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    for needle in ("Zanzibarella", "marmalade", CHILD, "Amara"):
        assert needle.encode() not in raw, needle
    assert b"Otto" in raw  # the scan does see text that is still stored


async def test_forget_asks_first_and_no_keeps_everything(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send("/forget")
        await parent.wait_messages(1)
        parent.press("No, keep it")
        [kept] = await parent.wait_messages(1)
        assert "nothing has been deleted" in kept.plain_text
        assert await h.repo.get_parent(2002) is not None
        # The story question is still open: the conversation carries on.
        parent.send("Max is shy in groups and hides behind me.")
        [reflection] = await parent.wait_messages(1)
        assert "Max" in reflection.plain_text
        pat.send("/forget")
        [managed] = await pat.wait_messages(1)
        assert "programme coordinator" in managed.plain_text


async def test_forget_in_the_middle_of_a_conversation_ends_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send("/forget")
        await parent.wait_messages(1)
        parent.press("Yes, delete everything")
        await parent.wait_messages(1)
        parent.send("Max is shy in groups and hides behind me.")
        [reply] = await parent.wait_messages(1)
        assert "open the link your nursery gave you" in reply.plain_text


async def test_forget_keeps_a_child_another_carer_still_uses(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        mum = await h.onboard(pat, user_id=2002, name="Amara", child=CHILD)
        await agree_aim(h, mum)
        await pat.wait_messages(1)
        child = await h.repo.child_of(2002)
        assert child is not None
        dad = await h.onboard(pat, user_id=3003, name="Ben", child="Someone")
        own = await h.repo.child_of(3003)
        assert own is not None
        # Ben is also a carer of Quillon (as /addcarer would record).
        await h.repo.conn.execute(
            "INSERT INTO carers (parent_id, child_id, relationship) VALUES (3003, ?, 'dad')",
            (child.id,),
        )
        mum.send("/forget")
        await mum.wait_messages(1)
        mum.press("Yes, delete everything")
        [done] = await mum.wait_messages(1)
        assert "another carer" in done.plain_text
        rows = await h.repo.conn.execute_fetchall(
            "SELECT first_name FROM children WHERE id = ?", (child.id,)
        )
        assert [r[0] for r in rows] == [CHILD]
        assert await h.repo.active_aim(child.id) is None  # Amara's aim went with her
        dad.send("/forget")
        await dad.wait_messages(1)
        dad.press("Yes, delete everything")
        await dad.wait_messages(1)
        left = await h.repo.conn.execute_fetchall("SELECT COUNT(*) FROM children")
        assert left[0][0] == 0


# -- retention ------------------------------------------------------------------------------


async def test_silent_parent_is_warned_once_then_erased(tmp_path: Path) -> None:
    env = {"RETENTION_DAYS": "60", "RETENTION_WARNING_DAYS": "14", "STORY_RETENTION_DAYS": "30"}
    async with running_bot(tmp_path, **env) as h:
        pat = await h.practitioner()
        quiet = await h.onboard(pat, user_id=2002, child=CHILD)
        await agree_aim(h, quiet)
        await pat.wait_messages(1)
        back = await h.onboard(pat, user_id=3003, name="Bea", child="Otto")
        assert (await h.housekeeping()).warned == 0
        # 31 days on: the words expire, the aim stays.
        h.clock.advance(timedelta(days=31))
        report = await h.housekeeping()
        assert report.words_expired >= 1
        child = await h.repo.child_of(2002)
        assert child is not None
        aim = await h.repo.active_aim(child.id)
        assert aim is not None and aim.story is None and aim.text
        # 46 days of silence: one warning each (through the outbox, in the daytime).
        h.clock.advance(timedelta(days=15))
        assert (await h.housekeeping()).warned == 2
        await h.run_until(h.clock.now() + timedelta(hours=24), step=timedelta(hours=1))
        warnings = [m for m in quiet.unread if "in 14 days I'll delete" in m.plain_text]
        assert len(warnings) == 1
        back.send("Please keep it, thank you!")  # any message keeps the data
        await h.settle()
        assert (await h.housekeeping()).warned == 0  # never warned twice
        h.clock.advance(timedelta(days=14))
        report = await h.housekeeping()
        assert report.erased == 1
        assert await h.repo.get_parent(2002) is None
        assert await h.repo.get_parent(3003) is not None


# -- safeguarding alerts: lead, acknowledgement, escalation -----------------------------------


async def test_alert_goes_to_the_lead_then_to_everyone_if_nobody_acknowledges(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, ALERT_ESCALATION_HOURS="2") as h:
        lead = await h.practitioner(1001, "Pat")
        setting = await h.repo.get_practitioner(1001)
        assert setting is not None
        token = await h.repo.create_invite(
            "practitioner", setting.setting_id, None, h.clock.now(), timedelta(days=1)
        )
        colleague = h.fake.user(1002, "Cal")
        colleague.send(f"/start {token}")
        await colleague.wait_messages(1)
        await set_lead(h, 1001)
        parent = await h.onboard(lead)
        parent.send("My partner hits me and I'm scared to go home")
        [reply] = await parent.wait_messages(1)
        assert "999" in reply.plain_text
        await h.settle()
        [alert] = lead.unread
        assert "Safeguarding alert" in alert.plain_text
        assert "scared to go home" in alert.plain_text
        assert alert.button_labels == ["✅ I'm dealing with this"]
        assert colleague.unread == []  # only the lead, at first
        parent.send("Sorry, you misunderstood me")  # does not withdraw the alert
        await h.settle()
        h.clock.advance(timedelta(hours=1))
        assert (await h.housekeeping()).escalated == 0
        h.clock.advance(timedelta(hours=1, minutes=1))
        assert (await h.housekeeping()).escalated == 1
        assert (await h.housekeeping()).escalated == 0  # once
        [again] = colleague.unread
        assert "Not yet acknowledged" in again.plain_text
        assert "scared to go home" in again.plain_text
        colleague.press("✅ I'm dealing with this")
        await h.settle()
        assert "Acknowledged by Cal" in lead.last.plain_text
        assert lead.messages[-2].button_labels == [] or alert.button_labels == []
        rows = await h.repo.conn.execute_fetchall(
            "SELECT acknowledged_by, escalated_at, message FROM safeguarding_alerts"
        )
        assert rows[0][0] == 1002 and rows[0][1] is not None and rows[0][2] is None
        lead.press_data(f"sg:ack:{rows and 1}", alert.message_id)
        await h.settle()
        assert "already acknowledged" in lead.answers[-1].text


async def test_another_setting_cannot_acknowledge_an_alert(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner(1001, "Pat")
        parent = await h.onboard(pat)
        parent.send("I want to end my life")
        await h.settle()
        alert = pat.last
        assert "Safeguarding alert" in alert.plain_text
        now = h.clock.now()
        other, _group = await h.repo.create_setting("Bluebell Nursery", now)
        token = await h.repo.create_invite("practitioner", other.id, None, now, timedelta(days=1))
        outsider = h.fake.user(1009, "Olly")
        outsider.send(f"/start {token}")
        await outsider.wait_messages(1)
        outsider.press_data("sg:ack:1", outsider.last.message_id)  # forged
        parent.press_data("sg:ack:1", parent.last.message_id)  # a parent, forged
        await h.settle()
        rows = await h.repo.conn.execute_fetchall("SELECT acknowledged_by FROM safeguarding_alerts")
        assert rows[0][0] is None
        assert "no longer active" in outsider.answers[-1].text
        pat.press("✅ I'm dealing with this")
        await h.settle()
        rows = await h.repo.conn.execute_fetchall("SELECT acknowledged_by FROM safeguarding_alerts")
        assert rows[0][0] == 1001


# -- bad input ------------------------------------------------------------------------------


async def test_groups_and_channels_are_left_politely(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        someone = h.fake.user(5005, "Gus")
        group = h.fake.group(-100123, "Parents chat")
        group.add_bot(someone)
        await h.settle()
        assert "one to one" in group.last.plain_text
        assert group.chat.bot_status == "left"
        h.fake.channel_post(-100999, "Hello channel")
        await h.settle()
        assert h.fake.chats[-100999].bot_status == "left"


async def test_edits_are_answered_and_still_checked_for_safety(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        sent = parent.send("Max is shy in groups.")
        [_reflection] = await parent.wait_messages(1)
        parent.edit(sent["message"]["message_id"], "Max is shy in groups and loud at home.")
        [note] = await parent.wait_messages(1)
        assert "edited" in note.plain_text
        parent.edit(sent["message"]["message_id"], "His dad hits him when he is drunk")
        [signpost] = await parent.wait_messages(1)
        assert "999" in signpost.plain_text
        await h.settle()
        assert "Safeguarding alert" in pat.last.plain_text


async def test_voice_note_can_be_passed_on_to_the_practitioners(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send_voice()
        [offer] = await parent.wait_messages(1)
        assert "voice message" in offer.plain_text and "type a few words" in offer.plain_text
        parent.press("Send it to the practitioners")
        [done] = await parent.wait_messages(1)
        assert "passed it on" in done.plain_text
        copy, header = await pat.wait_messages(2)
        assert "From Amara" in header.plain_text
        assert copy.kind == "voice"
        parent.send_photo()
        await parent.wait_messages(1)
        parent.press("No, thanks")
        await h.settle()
        assert pat.unread == []
        # A forged button naming a message that is not the parent's own copies nothing.
        parent.press_data("fw:999999", parent.last.message_id)
        [sorry] = await parent.wait_messages(1)
        assert "couldn't pass it on" in sorry.plain_text
        assert pat.unread == []
        for send in (parent.send_sticker, parent.send_location, parent.send_contact):
            send()
            [reply] = await parent.wait_messages(1)
            assert "type a few words" in reply.plain_text


async def test_errors_are_reported_to_the_ops_chat_without_text(tmp_path: Path) -> None:
    async with running_bot(tmp_path, OPS_CHAT_ID="7007") as h:
        ops = h.fake.user(7007, "Ops")
        ops.send("/help")
        await ops.wait_messages(1)
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        h.fake.fail_next("sendMessage", 400, "Bad Request: something odd", chat_id=parent.id)
        parent.send("Max is shy and hides behind me in the music group.")
        await h.settle()
        [notice] = await ops.wait_messages(1)
        assert "BadRequest" in notice.plain_text and "message" in notice.plain_text
        assert "shy" not in notice.plain_text
        await h.fake.wait_for(lambda: "Sorry, something went wrong" in parent.last.plain_text)

"""End to end: notes between practitioners and parents, songs from home, several carers."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

from bot.sandbox.fakeapi import FakeUser, SentMessage
from conversations.family.logic import CARER_TOKEN_PREFIX
from tests.support.harness import JOE_PICTURE, JOE_STORY, Harness, running_bot

NOTE_BUTTON = "💬 Send a note to Amara"
DISCLOSURE = "My partner hits me and I'm scared."


async def agree_aim(h: Harness) -> tuple[FakeUser, FakeUser, SentMessage]:
    """A parent agrees an aim; returns (practitioner, parent, the relayed aim)."""
    pat, parent, _activity = await h.to_activity()
    await h.agree_from_activity(parent)
    [relayed] = pat.read_all()
    assert "New aim agreed" in relayed.plain_text
    return pat, parent, relayed


async def other_setting(h: Harness, user_id: int = 1900, name: str = "Quinn") -> FakeUser:
    """A practitioner of another setting, Rose Nursery."""
    now = h.clock.now()
    setting, _group = await h.repo.create_setting("Rose Nursery", now)
    token = await h.repo.create_invite("practitioner", setting.id, None, now, timedelta(days=3))
    user = h.fake.user(user_id, name)
    user.send(f"/start {token}")
    await user.wait_messages(1)
    return user


def carer_token(message: SentMessage) -> str:
    found = re.search(r"start=(c_[\w-]+)", message.plain_text)
    assert found is not None, message.plain_text
    return found.group(1)


async def test_note_by_telegram_reply_reaches_parent_who_answers_back(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, relayed = await agree_aim(h)
        assert relayed.button_labels == [NOTE_BUTTON]
        pat.send(
            "I really liked how you <b>noticed</b> Max & his drum.", reply_to=relayed.message_id
        )
        [sent] = await pat.wait_messages(1)
        assert "Sent to Amara" in sent.plain_text
        [note] = await parent.wait_messages(1)
        assert note.plain_text.startswith("💌 A note from Pat at Sunflower Nursery:")
        # The practitioner's words arrive as they typed them, escaped, never as markup.
        assert "I really liked how you <b>noticed</b> Max & his drum." in note.plain_text
        assert note.button_labels == ["↩️ Reply to Pat"]

        # The parent answers with a Telegram reply to the note: it goes back to Pat alone.
        parent.send("Thank you, that means a lot!", reply_to=note.message_id)
        [thanks] = await parent.wait_messages(1)
        assert "passed that on to Pat" in thanks.plain_text
        [answer] = await pat.wait_messages(1)
        assert "Amara (mum of Max) answered your note:" in answer.plain_text
        assert "“Thank you, that means a lot!”" in answer.plain_text
        assert answer.button_labels == [NOTE_BUTTON]

        # And Pat can answer the answer, which lands with the parent again.
        pat.send("See you on Tuesday!", reply_to=answer.message_id)
        await pat.wait_messages(1)
        [second] = await parent.wait_messages(1)
        assert "See you on Tuesday!" in second.plain_text


async def test_note_by_button_then_parent_answers_by_button(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, _relayed = await agree_aim(h)
        pat.press(NOTE_BUTTON)
        [prompt] = await pat.wait_messages(1)
        assert "A note to Amara" in prompt.plain_text
        assert "I really liked how you…" in prompt.plain_text
        assert "It was lovely to see Max…" in prompt.plain_text
        pat.send("It was lovely to see Max lead the band today.")
        [sent] = await pat.wait_messages(1)
        assert "Sent to Amara" in sent.plain_text
        [note] = await parent.wait_messages(1)
        assert "It was lovely to see Max lead the band today." in note.plain_text

        parent.press("↩️ Reply to Pat")
        [ask] = await parent.wait_messages(1)
        assert "What would you like to say to Pat?" in ask.plain_text
        parent.send("He talked about it all evening <3")
        await parent.wait_messages(1)
        [answer] = await pat.wait_messages(1)
        assert "He talked about it all evening <3" in answer.plain_text

        # The draft is used up: the next text is an ordinary message, not another answer.
        parent.send("hello again")
        [ordinary] = await parent.wait_messages(1)
        assert "passed that on" not in ordinary.plain_text
        await h.settle()
        assert pat.unread == []


async def test_cancel_leaves_the_note_unsent(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, _relayed = await agree_aim(h)
        pat.press(NOTE_BUTTON)
        await pat.wait_messages(1)
        [left] = await pat.say("/cancel")
        assert "I've left it" in left.plain_text
        [ordinary] = await pat.say("never mind")
        assert "Sent to" not in ordinary.plain_text
        await h.settle()
        assert parent.unread == []


async def test_a_note_button_is_only_for_the_practitioners_own_parents(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, relayed = await agree_aim(h)
        quinn = await other_setting(h)
        own = quinn.last.message_id
        # Forged data for a parent of Sunflower Nursery, on a message in Quinn's own chat.
        quinn.press_data(f"fam:note:{parent.id}", own)
        # And on a message id that is Pat's relayed aim (in Pat's chat, not Quinn's).
        quinn.press_data(f"fam:note:{parent.id}", relayed.message_id)
        await h.settle()
        answers = [a for a in quinn.answers if a.answered]
        assert len(answers) == 2
        assert all("no longer active" in (a.text or "") for a in answers)
        assert await h.repo.get_draft(quinn.id) is None
        quinn.send("I really liked how you came today")
        await h.settle()
        assert parent.unread == []

        # Pat's own button with another parent's id in its data is refused too.
        pat.press_data(f"fam:note:{quinn.id}", relayed.message_id)
        pat.press_data("fam:note:not-a-number", relayed.message_id)
        await h.settle()
        assert all("no longer active" in (a.text or "") for a in pat.answers if a.answered)
        assert await h.repo.get_draft(pat.id) is None


async def test_a_practitioner_moved_to_another_setting_can_no_longer_write(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, relayed = await agree_aim(h)
        now = h.clock.now()
        rose, _group = await h.repo.create_setting("Rose Nursery", now)
        await h.repo.add_practitioner(pat.id, pat.id, rose.id, "Pat", "en", now)
        pat.send("Still here!", reply_to=relayed.message_id)
        [refused] = await pat.wait_messages(1)
        assert "no longer active" in refused.plain_text
        pat.press(NOTE_BUTTON)
        await h.settle()
        assert "no longer active" in (pat.answers[-1].text or "")
        assert parent.unread == []


async def test_a_parent_cannot_forge_a_reply_to_another_settings_practitioner(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent, _relayed = await agree_aim(h)
        quinn = await other_setting(h)
        parent.press_data(f"fam:reply:{quinn.id}", parent.last.message_id)
        await h.settle()
        assert "no longer active" in (parent.answers[-1].text or "")
        assert await h.repo.get_draft(parent.id) is None
        assert quinn.unread == []


async def test_a_disclosure_written_as_an_answer_goes_to_safeguarding(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, relayed = await agree_aim(h)
        pat.send("I really liked how you sang with Max.", reply_to=relayed.message_id)
        await pat.wait_messages(1)
        [note] = await parent.wait_messages(1)
        parent.send(DISCLOSURE, reply_to=note.message_id)
        [reply] = await parent.wait_messages(1)
        assert "Thank you for telling me" in reply.plain_text
        [alert] = await pat.wait_messages(1)
        assert "Safeguarding alert" in alert.plain_text
        assert "answered your note" not in alert.plain_text

        # Pressing 'reply' first and then disclosing takes the same path.
        parent.press("↩️ Reply to Pat")
        await parent.wait_messages(1)
        parent.send(DISCLOSURE)
        [again] = await parent.wait_messages(1)
        assert "Thank you for telling me" in again.plain_text
        [alert2] = await pat.wait_messages(1)
        assert "Safeguarding alert" in alert2.plain_text
        assert await h.repo.get_draft(parent.id) is None


async def test_song_from_home_is_relayed_to_practitioners(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, _relayed = await agree_aim(h)
        [ask] = await parent.say("/song")
        assert "Is there a song or rhyme Max loves at home?" in ask.plain_text
        [thanks] = await parent.say("Twinkle <twinkle> & he claps on 'star'")
        assert "shared it with the practitioners at Sunflower Nursery" in thanks.plain_text
        [song] = await pat.wait_messages(1)
        assert song.plain_text.startswith("🎶 A song from home · Sunflower Nursery")
        assert "Child: Max · Carer: Amara (mum)" in song.plain_text
        assert "“Twinkle <twinkle> & he claps on 'star'”" in song.plain_text
        assert song.button_labels == [NOTE_BUTTON]
        child = await h.repo.child_of(parent.id)
        assert child is not None
        assert await h.repo.songs_of_child(child.id) == ["Twinkle <twinkle> & he claps on 'star'"]

        # /cancel leaves it; the next text is not taken as a song.
        await parent.say("/song")
        [left] = await parent.say("/cancel")
        assert "I've left it" in left.plain_text
        await parent.say("Baa baa black sheep")
        await h.settle()
        assert pat.unread == []
        assert len(await h.repo.songs_of_child(child.id)) == 1


async def test_song_in_the_middle_of_telling_the_story(tmp_path: Path) -> None:
    """/song works wherever the parent is; the aim conversation carries on after it."""
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        await parent.say("/song")
        await parent.say("Row row row your boat")
        [song] = await pat.wait_messages(1)
        assert "Row row row your boat" in song.plain_text
        [reflection] = await parent.say(JOE_STORY[1])
        assert "anxious" in reflection.plain_text
        assert "boat" not in reflection.plain_text


async def test_song_is_for_parents_only(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        [answer] = await pat.say("/song")
        assert "for parents and carers" in answer.plain_text
        [answer] = await pat.say("/addcarer")
        assert "for parents and carers" in answer.plain_text


async def test_second_carer_joins_the_same_child_in_their_own_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, amara, _relayed = await agree_aim(h)
        [link] = await amara.say("/addcarer")
        assert "It works once, for 7 days." in link.plain_text
        token = carer_token(link)

        tomas = h.fake.user(3003, "Tomás", language_code="es")
        [notice] = await tomas.say(f"/start {token}")
        assert "Amara" in notice.plain_text and "Max" in notice.plain_text
        assert "Sunflower Nursery" in notice.plain_text
        tomas.press(notice.buttons[0][0].text)  # 'yes', in Spanish
        share, question = await tomas.wait_messages(2)
        assert len(share.buttons) == 2  # the separate yes/no for sharing their words
        assert "Max" in question.plain_text
        [joined] = await tomas.say("papá")
        assert "/newaim" in joined.plain_text and "/song" in joined.plain_text

        amara_child = await h.repo.child_of(amara.id)
        tomas_child = await h.repo.child_of(tomas.id)
        assert amara_child is not None and tomas_child is not None
        assert tomas_child.id == amara_child.id
        assert tomas_child.relationship == "papá" and amara_child.relationship == "mum"
        assert await h.repo.carers_of_child(amara_child.id) == [
            (amara.id, "mum"),
            (tomas.id, "papá"),
        ]
        assert await h.repo.user_locale(tomas.id) == "es"
        assert await h.repo.user_locale(amara.id) == "en"

        # The practitioner can tell the carers apart.
        await tomas.say("/song")
        await tomas.say("Los pollitos dicen")
        [from_tomas] = await pat.wait_messages(1)
        assert "Carer: Tomás (papá)" in from_tomas.plain_text
        assert from_tomas.button_labels == ["💬 Send a note to Tomás"]
        await amara.say("/song")
        await amara.say("Wheels on the bus")
        [from_amara] = await pat.wait_messages(1)
        assert "Carer: Amara (mum)" in from_amara.plain_text

        # A note answering Tomás's song goes to Tomás only.
        amara.read_all()
        pat.send("Gracias, we'll sing it on Tuesday!", reply_to=from_tomas.message_id)
        await pat.wait_messages(1)
        [note] = await tomas.wait_messages(1)
        assert "Gracias, we'll sing it on Tuesday!" in note.plain_text
        await h.settle()
        assert amara.unread == []

        # Neither carer ever sees what the other told the bot.
        story_words = ("anxious", "meltdown", "independent", "screaming", "Wheels")
        for message in tomas.messages:
            assert not any(word in message.plain_text for word in story_words)
        for message in amara.messages:
            assert "pollitos" not in message.plain_text


async def test_carer_link_works_once_and_expires(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        amara = await h.onboard(pat)
        [link] = await amara.say("/addcarer")
        token = carer_token(link)

        [own] = await amara.say(f"/start {token}")
        assert "for another carer" in own.plain_text

        ben = h.fake.user(3004, "Ben")
        await ben.say(f"/start {token}")
        ben.press("Yes, that's fine")
        await ben.wait_messages(2)
        ben.press("Dad")
        [joined] = await ben.wait_messages(1)
        assert "part of Max's music sessions" in joined.plain_text

        cleo = h.fake.user(3005, "Cleo")
        [used] = await cleo.say(f"/start {token}")
        assert "already been used or has expired" in used.plain_text
        assert await h.repo.get_parent(cleo.id) is None

        # A second link, opened in time but accepted after it expired, is refused.
        [link2] = await amara.say("/addcarer")
        token2 = carer_token(link2)
        await cleo.say(f"/start {token2}")
        h.clock.advance(timedelta(days=7, minutes=1))
        cleo.press("Yes, that's fine")
        [late] = await cleo.wait_messages(1)
        assert "already been used or has expired" in late.plain_text
        assert await h.repo.get_parent(cleo.id) is None
        [expired] = await cleo.say(f"/start {token2}")
        assert "already been used or has expired" in expired.plain_text

        # Someone already following a child cannot take a carer link.
        [link3] = await amara.say("/addcarer")
        [already] = await ben.say(f"/start {carer_token(link3)}")
        assert "already connected to a child" in already.plain_text


async def test_carer_can_read_the_notice_in_another_language_first(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        amara = await h.onboard(pat)
        [link] = await amara.say("/addcarer")
        dana = h.fake.user(3006, "Dana")
        await dana.say(f"/start {carer_token(link)}")
        dana.press("Another language")
        await h.settle()
        dana.press("Polski")
        [notice] = await dana.wait_messages(1)
        assert "Amara" in notice.plain_text
        dana.press(notice.buttons[0][0].text)
        await dana.wait_messages(1)
        assert await h.repo.user_locale(dana.id) == "pl"
        child = await h.repo.child_of(dana.id)
        assert child is not None and child.first_name == "Max"


async def test_carer_keeps_their_own_story_private(tmp_path: Path) -> None:
    """The second carer tells their own story; the first carer's chat never shows it."""
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        amara = await h.onboard(pat)
        [link] = await amara.say("/addcarer")
        ben = h.fake.user(3004, "Ben")
        await ben.say(f"/start {carer_token(link)}")
        ben.press("Yes, that's fine")
        await ben.wait_messages(2)
        ben.press("Dad")
        await ben.wait_messages(1)
        [opening] = await ben.say("/newaim")
        assert "Tell me about Max" in opening.plain_text
        await ben.say(JOE_STORY[1])
        await ben.say(JOE_PICTURE, count=2)
        await h.settle()
        for message in amara.messages:
            assert "terms" not in message.plain_text and "meltdown" not in message.plain_text


async def test_no_note_reaches_a_parent_who_said_stop(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent, relayed = await agree_aim(h)
        await parent.say("STOP")
        pat.send("I really liked how you sang.", reply_to=relayed.message_id)
        [refused] = await pat.wait_messages(1)
        assert "stopped messages from me" in refused.plain_text
        await h.settle()
        assert parent.unread == []


async def test_two_claims_of_one_carer_link_at_once_only_one_wins(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        amara = await h.onboard(pat)
        child = await h.repo.child_of(amara.id)
        assert child is not None
        now = h.clock.now()
        token = await h.repo.create_carer_invite(child.id, amara.id, now, timedelta(days=7))
        first, second = await asyncio.gather(
            h.repo.claim_carer_invite(token, 5001, now),
            h.repo.claim_carer_invite(token, 5002, now),
        )
        assert [first is None, second is None].count(True) == 1
        assert await h.repo.carer_invite(token, now) is None
        late = await h.repo.create_carer_invite(child.id, amara.id, now, timedelta(days=7))
        assert await h.repo.claim_carer_invite(late, 5003, now + timedelta(days=8)) is None


async def test_each_carer_keeps_their_own_aim_and_check_in(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, amara, _relayed = await agree_aim(h)
        [link] = await amara.say("/addcarer")
        ben = h.fake.user(3004, "Ben")
        await ben.say(f"/start {carer_token(link)}")
        ben.press("Yes, that's fine")
        await ben.wait_messages(2)
        ben.press("Dad")
        await ben.wait_messages(1)
        await ben.say("/newaim")
        await ben.say("He is so shy, he never joins in with the other children.")
        await ben.say("He hides behind my legs and won't sing.", count=2)
        ben.press(ben.last.button_labels[0])
        await ben.wait_messages(1)
        ben.press("Not right now")
        await ben.wait_messages(1)
        ben.press("That's right")
        [follow] = await ben.wait_messages(1)
        ben.press(follow.button_labels[0])
        await ben.wait_messages(1)
        await h.settle()
        [relayed] = pat.read_all()
        assert "Carer: Ben (dad)" in relayed.plain_text

        child = await h.repo.child_of(ben.id)
        assert child is not None
        amara_aim = await h.repo.active_aim_of(child.id, amara.id)
        ben_aim = await h.repo.active_aim_of(child.id, ben.id)
        assert amara_aim is not None and ben_aim is not None
        assert amara_aim.id != ben_aim.id  # Ben's aim did not replace Amara's

        # Re-planning a carer's messages (after /resume) never schedules the other's aim.
        await amara.say("/resume")
        await ben.say("/resume")
        ben_checkins = [r for r in await h.repo.outbox_of(ben.id) if r["kind"] == "checkin"]
        amara_checkins = [r for r in await h.repo.outbox_of(amara.id) if r["kind"] == "checkin"]
        assert {r["ref"] for r in ben_checkins} == {ben_aim.id}
        assert {r["ref"] for r in amara_checkins} == {amara_aim.id}


async def test_a_nursery_link_can_never_be_read_as_a_carer_link(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        setting = await h.repo.get_practitioner(pat.id)
        assert setting is not None
        tokens = [
            await h.repo.create_invite(
                "parent", setting.setting_id, None, h.clock.now(), timedelta(days=1)
            )
            for _ in range(200)
        ]
        assert not any(token.startswith(CARER_TOKEN_PREFIX) for token in tokens)
        assert all("_" not in token and len(token) >= 32 for token in tokens)

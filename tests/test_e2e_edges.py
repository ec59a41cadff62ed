"""End to end: the awkward moments (fast replies, long essays, stickers, stale buttons)."""

from __future__ import annotations

from pathlib import Path

from conversations.common.text import utf16_len
from tests.support.harness import JOE_PICTURE, JOE_STORY, running_bot


async def test_reply_sent_while_the_bot_is_still_answering_is_not_lost(tmp_path: Path) -> None:
    """The parent's next message arrives while the reflection is still on its way."""
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        sent_picture = False

        async def answer_at_once(method: str, params: dict[str, object]) -> None:
            nonlocal sent_picture
            if method == "sendMessage" and not sent_picture:
                sent_picture = True
                parent.send(JOE_PICTURE)  # typed before the reflection reached the bot
                await h.fake.wait_for(h.fake.all_updates_fetched)

        h.fake.in_flight_hooks.append(answer_at_once)
        parent.send(JOE_STORY[1])
        replies = await parent.wait_messages(3)
        h.fake.in_flight_hooks.clear()
        assert "anxious" in replies[0].plain_text  # the reflection of the story alone
        assert "meltdown" not in replies[0].plain_text
        assert replies[2].button_labels[0] == "Let's try it"  # the picture got its answer


async def test_button_pressed_at_once_after_the_activity_appears(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent, _activity = await h.to_activity()
        parent.press("Let's try it")
        parent.press("Let's try it")  # double tap
        [home] = await parent.wait_messages(1)
        assert "at home" in home.plain_text
        await h.settle()
        assert parent.unread == []
        answers = [a for a in parent.answers if a.answered]
        assert any("already" in (a.text or "") for a in answers)


async def test_old_idea_buttons_act_on_their_own_idea(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent, first = await h.to_activity()
        parent.press("Another idea")
        [second] = await parent.wait_messages(1)
        parent.press("Let's try it", message_id=first.message_id)
        [home] = await parent.wait_messages(1)
        assert "at home" in home.plain_text
        first_id = (first.button("Let's try it").callback_data or "").rsplit(":", 1)[1]
        second_id = (second.button("Let's try it").callback_data or "").rsplit(":", 1)[1]
        assert first_id != second_id
        await h.settle()
        draft = h.app.chat_data[parent.id].aim
        assert draft is not None and draft.activity_id == first_id


async def test_long_essay_with_html_is_escaped_and_split_for_the_practitioner(
    tmp_path: Path,
) -> None:
    essay = (
        "Everything has to be on <b>Max's</b> terms & he gets so anxious when plans change. "
        + "He </i> screams <script>alert('x')</script> when I say no & won't take turns. " * 60
    )
    assert len(essay) > 4000
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send(essay)
        [reflection] = await parent.wait_messages(1)
        assert utf16_len(reflection.plain_text) <= 4096
        parent.send(essay)  # the picture: another essay
        await parent.wait_messages(2)
        for label in ("Let's try it", "Not right now", "That's right"):
            parent.press(label)
            await parent.wait_messages(1)
        parent.press(parent.last.button_labels[1])
        await parent.wait_messages(1)
        await h.settle()
        relayed = pat.read_all()
        assert relayed, "the practitioner got nothing"
        assert all(utf16_len(m.plain_text) <= 4096 for m in relayed)
        assert all(m.parse_mode == "HTML" for m in relayed)
        text = "\n".join(m.plain_text for m in relayed)
        assert "<script>" in text  # shown literally, not interpreted
        assert h.fake.stats.errors == 0  # Telegram accepted every message's HTML


async def test_stickers_voice_and_unknown_commands_get_kind_answers(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send_sticker()
        [sticker] = await parent.wait_messages(1)
        assert "written words" in sticker.plain_text
        parent.send_voice()
        [voice] = await parent.wait_messages(1)
        assert "type a few words" in voice.plain_text
        parent.send("/dance")
        [unknown] = await parent.wait_messages(1)
        assert "/help" in unknown.plain_text
        # The conversation is still where it was: the story is still welcome.
        parent.send(JOE_STORY[1])
        [reflection] = await parent.wait_messages(1)
        assert "anxious" in reflection.plain_text


async def test_text_where_a_button_is_expected_is_answered_kindly(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent, _activity = await h.to_activity()
        parent.send("yes that sounds good")
        [nudge] = await parent.wait_messages(1)
        assert "tap one of the buttons" in nudge.plain_text
        parent.press("Let's try it")
        [home] = await parent.wait_messages(1)
        assert "at home" in home.plain_text


async def test_stale_link_and_no_link(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        stranger = h.fake.user(777, "Kim")
        stranger.send("/start not-a-real-token")
        [expired] = await stranger.wait_messages(1)
        assert "expired" in expired.plain_text
        stranger.send("hello?")
        [hello] = await stranger.wait_messages(1)
        assert "link your nursery gave you" in hello.plain_text
        stranger.send("/newaim")
        [newaim] = await stranger.wait_messages(1)
        assert "link your nursery gave you" in newaim.plain_text
        stranger.send("/invite")
        [invite] = await stranger.wait_messages(1)
        assert "only for practitioners" in invite.plain_text

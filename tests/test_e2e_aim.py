"""End to end: the real Application against the fake Bot API over loopback HTTP.

Users type and press buttons; assertions read what the bot sent and what the database holds.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.support.harness import JOE_PICTURE, JOE_STORY, Harness, running_bot

# A quiet period long enough to gather JOE_STORY, typed as a burst, into one story: with
# GATHER_SECONDS=0 (the tests' default) there is none and each part is taken on its own.
BURST_QUIET = "0.3"


async def _tell_joe_story(h: Harness, parent_id: int = 2002) -> tuple[object, object]:
    # Sent as a burst: run the bot with GATHER_SECONDS=BURST_QUIET to gather it.
    pat = await h.practitioner()
    parent = await h.onboard(pat, user_id=parent_id)
    for part in JOE_STORY:
        parent.send(part)
    return pat, parent


async def test_joe_like_conversation_end_to_end(tmp_path: Path) -> None:
    """The model dialogue: quote 'anxious', a leading-and-following game, an aim in Max's
    name, a follow-up about three weeks out, and the aim reaches the practitioner."""
    async with running_bot(tmp_path, GATHER_SECONDS=BURST_QUIET) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        for part in JOE_STORY:  # typed in a burst: gathered into one story
            parent.send(part)
        [reflection] = await parent.wait_messages(1)
        await h.settle()
        assert parent.unread == []  # one reply to the whole burst
        assert "“anxious”" in reflection.plain_text or '"anxious"' in reflection.plain_text
        assert "Max" in reflection.plain_text
        assert "typing" in [a.action for a in parent.actions]

        parent.send(JOE_PICTURE)
        reframe, activity = await parent.wait_messages(2)
        assert "anxious" in reframe.plain_text and "Max" in reframe.plain_text
        assert "caring" in reframe.plain_text
        assert activity.button_labels == ["Let's try it", "Another idea", "Tell me more"]
        text = activity.plain_text.lower()
        assert "lead" in text or "conductor" in text or "turn" in text
        assert "why it helps" in text

        parent.press("Let's try it")
        [home] = await parent.wait_messages(1)
        assert "at home" in home.plain_text
        parent.press("Yes, we'll try it at home")
        [aim] = await parent.wait_messages(1)
        assert "Max will" in aim.plain_text
        assert aim.button_labels == ["That's right", "I'd put it differently"]
        parent.press("That's right")
        [follow] = await parent.wait_messages(1)
        labels = follow.button_labels
        assert [label.split(" ·")[0] for label in labels] == [
            "In 2 weeks",
            "In 3 weeks",
            "In 4 weeks",
        ]
        assert labels[1].endswith("✓")  # about three weeks is suggested
        parent.press(labels[1])
        [summary] = await parent.wait_messages(1)
        assert "Saturday, 12 December 2026" in summary.plain_text  # 21 Nov + 3 weeks

        relayed = "\n".join(m.plain_text for m in await pat.wait_messages(1))
        await h.settle()
        relayed += "\n".join(m.plain_text for m in pat.read_all())
        assert "New aim agreed" in relayed and "Sunflower Nursery" in relayed
        assert "Max (age 4)" in relayed and "Amara (mum)" in relayed
        assert "Max will" in relayed
        assert "Saturday, 12 December 2026" in relayed
        assert "anxious" in relayed  # the parent's own key sentence, quoted

        aim_row = await h.repo.active_aim(1)
        assert aim_row is not None
        assert aim_row.theme == "sharing_turns"
        assert aim_row.follow_up_on == date(2026, 12, 12)
        assert aim_row.text.startswith("Max will")


async def test_unclear_concern_asks_with_theme_buttons(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send("She's lovely really, just a bit of a puzzle lately.")
        await parent.wait_messages(1)
        parent.send("Hard to say, it depends on the day.")
        [question] = await parent.wait_messages(1)
        assert "which of these" in question.plain_text
        assert len(question.button_labels) == 8
        # No quiet period (GATHER_SECONDS=0): the replies came at once, with no "typing…".
        assert parent.actions == []
        parent.press(question.button_labels[0])
        _reframe, activity = await parent.wait_messages(2)
        assert activity.button_labels[0] == "Let's try it"
        assert pat.unread == []


async def test_another_idea_tell_me_more_and_own_words(tmp_path: Path) -> None:
    async with running_bot(tmp_path, GATHER_SECONDS=BURST_QUIET) as h:
        _pat, parent = await _tell_joe_story(h)
        await parent.wait_messages(1)
        parent.send(JOE_PICTURE)
        _reframe, first = await parent.wait_messages(2)
        parent.press("Another idea")
        [second] = await parent.wait_messages(1)
        assert second.plain_text != first.plain_text
        assert "another idea" in second.plain_text.lower()
        parent.press("Tell me more")
        [more] = await parent.wait_messages(1)
        assert more.button_labels[0] == "Let's try it"
        parent.press("Let's try it")
        await parent.wait_messages(1)
        parent.press("Not right now")
        await parent.wait_messages(1)
        parent.press("I'd put it differently")
        [prompt] = await parent.wait_messages(1)
        assert "How would you put it" in prompt.plain_text
        parent.send("Max will let a friend have a go on the drum <3 & smile")
        thanks, follow = await parent.wait_messages(2)
        assert "in your words" in thanks.plain_text
        parent.press(follow.button_labels[0])
        await parent.wait_messages(1)
        await h.settle()
        aim = await h.repo.active_aim(1)
        assert aim is not None and aim.own_words
        assert aim.text == "Max will let a friend have a go on the drum <3 & smile"


async def test_restart_mid_conversation_resumes_at_the_same_step(tmp_path: Path) -> None:
    async with running_bot(tmp_path, GATHER_SECONDS=BURST_QUIET) as h:
        _pat, parent = await _tell_joe_story(h)
        await parent.wait_messages(1)
        parent.send(JOE_PICTURE)
        await parent.wait_messages(2)
        await h.restart()
        parent.press("Let's try it")  # the button sent before the restart still works
        [home] = await parent.wait_messages(1)
        assert "at home" in home.plain_text


async def test_restart_while_telling_the_story_keeps_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path, GATHER_SECONDS=BURST_QUIET) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        await h.restart()
        for part in JOE_STORY:
            parent.send(part)
        [reflection] = await parent.wait_messages(1)
        assert "anxious" in reflection.plain_text


async def test_consent_refused_stores_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        parent = h.fake.user(4242, "Nadia")
        parent.send(f"/start {token}")
        [notice] = await parent.wait_messages(1)
        assert "Nothing is stored unless you say yes" in notice.plain_text
        parent.press("No, thank you")
        [reply] = await parent.wait_messages(1)
        assert "nothing about you has been stored" in reply.plain_text
        parent.send("hello again")
        await parent.wait_messages(1)
        await h.restart()  # flush persistence to disk
        await h.settle()
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - table names from sqlite_master
                flat = " ".join(str(v) for v in row)
                assert "4242" not in flat and "Nadia" not in flat, (table, row)


async def test_safeguarding_disclosure_mid_conversation_alerts_practitioner(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, GATHER_SECONDS=BURST_QUIET) as h:
        _pat, parent = await _tell_joe_story(h)
        pat = _pat
        await parent.wait_messages(1)
        parent.send("His dad hits him when he's drunk and I'm scared to go home.")
        [reply] = await parent.wait_messages(1)
        assert "999" in reply.plain_text
        assert "0808 800 5000" in reply.plain_text  # from the deployment's config file
        assert "Sunflower Nursery" in reply.plain_text
        alerts = await pat.wait_messages(1)
        alert_text = "\n".join(a.plain_text for a in alerts)
        assert "Safeguarding alert" in alert_text and "Amara" in alert_text
        assert "His dad hits him" in alert_text
        # The flow has stopped: a further message is not taken as the story's next step.
        parent.send("It's like he's a different child.")
        [after] = await parent.wait_messages(1)
        assert "/newaim" in after.plain_text


async def test_benign_look_alikes_do_not_alert(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send("He hits the drum so hard! I could murder a coffee after sessions.")
        [reply] = await parent.wait_messages(1)
        assert "999" not in reply.plain_text
        await h.settle()
        assert pat.unread == []


# How to reach each step from the story-sharing question: (step reached, action, replies).
WALK: list[tuple[str, str, str, int]] = [
    ("name", "press", "Yes, share my words", 1),
    ("age", "send", "Max", 1),
    ("relationship", "send", "4", 1),
    ("story", "press", "Dad", 1),
    ("picture", "send", JOE_STORY[1], 1),
    ("activity", "send", JOE_PICTURE, 2),
    ("home", "press", "Let's try it", 1),
    ("aim", "press", "Not right now", 1),
    ("words", "press", "I'd put it differently", 1),
]
STEPS = ["share"] + [step for step, *_rest in WALK]


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_works_at_every_step(tmp_path: Path, step: str) -> None:
    async with running_bot(tmp_path) as h:
        pat = await h.practitioner()
        token = await h.parent_token(pat)
        parent = h.fake.user(2002, "Amara")
        parent.send(f"/start {token}")
        await parent.wait_messages(1)
        parent.press("Yes, that's fine")
        await parent.wait_messages(1)
        for reached, how, what, replies in WALK[: STEPS.index(step)]:
            parent.send(what) if how == "send" else parent.press(what)
            await parent.wait_messages(replies)
            assert reached
        parent.send("/cancel")
        [reply] = await parent.wait_messages(1)
        assert "I've stopped here" in reply.plain_text
        parent.send("/cancel")
        [again] = await parent.wait_messages(1)
        assert "nothing to cancel" in again.plain_text
        await h.settle()
        assert pat.unread == []

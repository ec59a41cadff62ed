"""End to end: home ideas and check-ins between sessions, on an injected clock.

The dispatcher is ticked by the tests at the fake clock's time: weeks pass in milliseconds and
nothing sleeps while waiting for the scheduler.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.fakeapi import FakeUser
from bot.scheduler import Rendered
from bot.storage.models import OutboxRow, Parent
from conversations.home.planning import replan
from tests.support.harness import JOE_STORY, Harness, running_bot

LONDON = ZoneInfo("Europe/London")


async def agree_aim(h: Harness, home: bool = True) -> tuple[FakeUser, FakeUser]:
    """A parent agrees an aim (follow-up in three weeks); returns (practitioner, parent)."""
    pat, parent, _activity = await h.to_activity()
    await h.agree_from_activity(parent, home=home)
    pat.read_all()
    return pat, parent


async def choose_tips(parent: FakeUser, moment: str, days: list[str] | None = None) -> str:
    """Go through /tips (from the summary's button when there is one); return the saved text."""
    if parent.last.button_labels == ["Choose when home ideas arrive"]:
        parent.press("Choose when home ideas arrive")
    else:
        parent.send("/tips")
    [question] = await parent.wait_messages(1)
    assert "When would a short singing idea" in question.plain_text
    parent.press(moment)
    await parent.wait_messages(1)
    for day in days or []:
        parent.press(day)
        await parent.wait_messages(0)
    if days:
        await parent.api.wait_for(lambda: all(f"✓ {d}" in parent.last.button_labels for d in days))
        parent.press("Done")
        await parent.wait_messages(1)
    parent.press("That's right ✓")
    [saved] = await parent.wait_messages(1)
    return saved.plain_text


async def run_due(h: Harness, end: datetime) -> None:
    """Jump the clock from one due message to the next until `end`, ticking at each."""
    for _ in range(1000):
        due = await h.repo.next_due()
        if due is None or due > end:
            h.clock.set(end)
            await h.tick()
            return
        h.clock.set(max(due, h.clock.now()))
        await h.tick()
    raise AssertionError("the outbox never ran dry: a row keeps falling due")


async def sent_rows(h: Harness, parent_id: int, kind: str) -> list[dict[str, str]]:
    rows = await h.repo.outbox_of(parent_id)
    return [dict(r) for r in rows if r["kind"] == kind and r["status"] == "sent"]


@pytest.mark.parametrize(
    ("zone", "start", "change"),
    [
        ("Europe/London", datetime(2027, 3, 14, 10, tzinfo=UTC), date(2027, 3, 28)),
        ("Europe/London", datetime(2027, 10, 17, 10, tzinfo=UTC), date(2027, 10, 31)),
        ("America/New_York", datetime(2027, 2, 28, 15, tzinfo=UTC), date(2027, 3, 14)),
    ],
)
async def test_dst_change_weeks_send_one_idea_each_saturday_at_local_time(
    tmp_path: Path, zone: str, start: datetime, change: date
) -> None:
    async with running_bot(tmp_path) as h:
        h.clock.set(start)
        _pat, parent = await agree_aim(h)
        await h.repo.set_timezone(parent.id, zone)
        saved = await choose_tips(parent, "☀️ Weekend morning")
        assert "Saturday" in saved and "09:30" in saved
        await run_due(h, start + timedelta(days=29))
        tz = ZoneInfo(zone)
        rows = await sent_rows(h, parent.id, "tip")
        local = [datetime.fromisoformat(r["due_at"]).astimezone(tz) for r in rows]
        assert [m.time() for m in local] == [time(9, 30)] * 4
        assert [m.isoweekday() for m in local] == [6] * 4
        assert len({m.date() for m in local}) == 4
        assert min(local).date() < change < max(local).date()
        tips = [m for m in parent.read_all() if "An idea to try with Max" in m.plain_text]
        assert len(tips) == 4
        assert len({t.plain_text for t in tips}) == 4  # no idea repeated


async def test_quiet_hours_are_never_broken(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        parent.send("/tips")
        await parent.wait_messages(1)
        parent.press("🌙 Bedtime")
        await parent.wait_messages(1)
        parent.press("Tue")
        parent.press("Done")
        await parent.wait_messages(1)
        for _ in range(3):
            parent.press("+30 min")
            await h.settle()
        assert "20:15" in parent.last.plain_text  # 19:15 + 90 min would be 20:45
        assert any("late in the evening" in (a.text or "") for a in parent.answers)
        parent.press("Type a time")
        await parent.wait_messages(1)
        parent.send("23:00")
        note, confirm = await parent.wait_messages(2)
        assert "20:15" in note.plain_text and "20:15" in confirm.plain_text
        parent.press("That's right ✓")
        await parent.wait_messages(1)
        # A check-in that falls due at night waits for the morning.
        aim = await h.repo.active_aim(1)
        assert aim is not None
        night = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
        await h.repo.enqueue("checkin:night", parent.id, parent.id, "checkin", aim.id, night)
        await run_due(h, datetime(2026, 11, 25, 12, tzinfo=UTC))
        sent_hours = [
            datetime.fromisoformat(r["due_at"]).astimezone(LONDON).time()
            for r in await h.repo.outbox_of(parent.id)
            if r["status"] == "sent"
        ]
        assert sent_hours and all(time(7, 30) <= t < time(20, 30) for t in sent_hours)
        checkins = [m for m in parent.read_all() if "Time to catch up" in m.plain_text]
        assert len(checkins) == 1


async def test_pause_and_resume(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🥣 Breakfast", ["Mon"])
        parent.send("/pause")
        [question] = await parent.wait_messages(1)
        assert question.button_labels == ["1 week", "2 weeks", "4 weeks"]
        parent.press("2 weeks")
        [paused] = await parent.wait_messages(1)
        assert "no messages until" in paused.plain_text
        await run_due(h, h.clock.now() + timedelta(days=13))
        assert [m for m in parent.read_all() if "An idea" in m.plain_text] == []
        parent.send("/resume")
        [back] = await parent.wait_messages(1)
        assert "Welcome back" in back.plain_text
        await run_due(h, h.clock.now() + timedelta(days=8))
        assert len([m for m in parent.read_all() if "An idea" in m.plain_text]) == 1


async def test_stop_mid_conversation_stops_everything(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🥣 Breakfast", ["Mon", "Wed"])
        parent.send("/newaim")
        await parent.wait_messages(1)
        parent.send("Stop thank you")
        [stopped] = await parent.wait_messages(1)
        assert "stopped all messages" in stopped.plain_text and "/resume" in stopped.plain_text
        pending = [r for r in await h.repo.outbox_of(parent.id) if r["status"] == "pending"]
        assert pending == []
        await run_due(h, h.clock.now() + timedelta(weeks=6))
        assert parent.read_all() == []  # nothing, ever, to a stopped parent
        parent.send(JOE_STORY[1])  # the aim conversation was ended too
        [reply] = await parent.wait_messages(1)
        assert "/newaim" in reply.plain_text


async def test_stop_while_the_story_is_being_gathered(tmp_path: Path) -> None:
    async with running_bot(tmp_path, GATHER_SECONDS="0.3") as h:
        pat = await h.practitioner()
        parent = await h.onboard(pat)
        parent.send(JOE_STORY[1])
        parent.send("STOP")
        [stopped] = await parent.wait_messages(1)
        assert "stopped all messages" in stopped.plain_text
        await h.settle()
        assert parent.unread == []  # no reflection after STOP


async def test_restart_sends_what_fell_due_while_down(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])  # Tue 24 Nov, 18:30
        await h.restart()
        h.clock.set(datetime(2026, 11, 24, 19, 30, tzinfo=UTC))  # an hour late
        await h.tick()
        assert len([m for m in parent.read_all() if "An idea" in m.plain_text]) == 1
        await h.restart()
        h.clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))  # Tue 1 Dec's idea 17.5 h late
        await h.tick()
        assert [m for m in parent.read_all() if "An idea" in m.plain_text] == []
        statuses = {r["key"]: r["status"] for r in await h.repo.outbox_of(parent.id)}
        assert statuses[f"tip:{parent.id}:2026-12-01"] == "skipped"
        assert statuses[f"tip:{parent.id}:2026-12-08"] == "pending"  # planned again
        await h.restart()
        h.clock.set(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))  # the check-in is 8 days late
        await h.tick()
        assert len([m for m in parent.read_all() if "Time to catch up" in m.plain_text]) == 1


async def test_429_is_honoured_then_the_message_is_sent(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        h.fake.fail_next(
            "sendMessage",
            429,
            "Too Many Requests: retry after 7",
            retry_after=7,
            chat_id=parent.id,
        )
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        report = await h.tick()
        assert report.retried == 1 and report.sent == 0
        assert h.fake.stats.rate_limited == 1
        [row] = [r for r in await h.repo.outbox_of(parent.id) if r["kind"] == "tip"]
        assert row["status"] == "pending" and "429" in row["last_error"]
        assert datetime.fromisoformat(row["due_at"]) == h.clock.now() + timedelta(seconds=7)
        h.clock.advance(timedelta(seconds=6))
        assert (await h.tick()).sent == 0  # Telegram's wait is honoured
        h.clock.advance(timedelta(seconds=2))
        assert (await h.tick()).sent == 1
        assert len([m for m in parent.read_all() if "An idea" in m.plain_text]) == 1


async def test_blocked_parent_is_unreachable_and_nothing_is_sent(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        parent.block()
        await h.settle()
        stored = await h.repo.get_parent(parent.id)
        assert stored is not None and stored.status == "unreachable"
        assert [r for r in await h.repo.outbox_of(parent.id) if r["status"] == "pending"] == []
        parent.unblock()
        await h.settle()
        stored = await h.repo.get_parent(parent.id)
        assert stored is not None and stored.status == "active"
        assert [r for r in await h.repo.outbox_of(parent.id) if r["status"] == "pending"]


async def test_forbidden_while_sending_marks_the_parent_unreachable(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        h.fake.fail_next(
            "sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=parent.id
        )
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        report = await h.tick()
        assert report.cancelled == 1
        stored = await h.repo.get_parent(parent.id)
        assert stored is not None and stored.status == "unreachable"
        assert [r for r in await h.repo.outbox_of(parent.id) if r["status"] == "pending"] == []


async def test_transient_errors_retry_with_back_off_then_fail_visibly(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        h.fake.fail_next(
            "sendMessage", 400, "Bad Request: something odd", chat_id=parent.id, times=50
        )
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        for _ in range(5):
            await h.tick()
            h.clock.advance(timedelta(minutes=10))
        failed = await h.repo.failed_messages()
        assert len(failed) == 1 and failed[0]["attempts"] == 5
        assert "something odd" in failed[0]["last_error"].lower()


async def test_replanning_never_duplicates(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        stored = await h.repo.get_parent(parent.id)
        assert stored is not None
        for _ in range(3):
            await replan(h.repo, stored, h.clock.now(), h.services.quiet)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        rows = [r for r in await h.repo.outbox_of(parent.id) if r["status"] == "pending"]
        keys = [r["key"] for r in rows]
        assert len(keys) == len(set(keys))
        assert sorted(r["kind"] for r in rows) == ["checkin", "tip"]


async def test_tried_idea_reaches_the_practitioner(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        await h.tick()
        [tip] = parent.read_all()
        assert tip.button_labels == ["We tried it 👍", "Not this week"]
        assert "Why:" in tip.plain_text
        parent.press("We tried it 👍")
        [ask] = await parent.wait_messages(1)
        assert "What did you and Max notice" in ask.plain_text
        parent.send("He passed me the spoon and giggled <3")
        [thanks] = await parent.wait_messages(1)
        assert "passed that on" in thanks.plain_text
        [relayed] = await pat.wait_messages(1)
        assert "Home idea tried" in relayed.plain_text
        assert "He passed me the spoon and giggled <3" in relayed.plain_text
        parent.press("We tried it 👍", message_id=tip.message_id)  # a double tap
        await h.settle()
        assert any("already" in (a.text or "") for a in parent.answers)


async def test_not_this_week(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        await h.tick()
        parent.read_all()
        parent.press("Not this week")
        [reply] = await parent.wait_messages(1)
        assert "next week" in reply.plain_text
        await h.settle()
        assert pat.unread == []


@pytest.mark.parametrize("choice", ["Keep this aim", "Set a new aim", "We got there! 🎉"])
async def test_checkin_branches(tmp_path: Path, choice: str) -> None:
    async with running_bot(tmp_path) as h:
        pat, parent = await agree_aim(h, home=False)
        await run_due(h, datetime(2026, 12, 12, 12, tzinfo=UTC))
        [checkin] = parent.read_all()
        assert "Time to catch up about Max" in checkin.plain_text
        assert "Max will" in checkin.plain_text  # recalls the aim
        assert "small signs" in checkin.plain_text
        parent.send("He let another child go first with the drum!")
        [thanks] = await parent.wait_messages(1)
        assert "shared it with the practitioners" in thanks.plain_text
        [reply] = await pat.wait_messages(1)
        assert "He let another child go first with the drum!" in reply.plain_text
        parent.press(choice, message_id=thanks.message_id)
        [answer] = await parent.wait_messages(1)
        [told] = await pat.wait_messages(1)
        aim = await h.repo.aim_by_id(1)
        assert aim is not None
        if choice == "Keep this aim":
            assert "check in again" in answer.plain_text
            assert aim.status == "active" and aim.follow_up_on == date(2027, 1, 2)
            assert "keep this aim" in told.plain_text
            keys = [r["key"] for r in await h.repo.outbox_of(parent.id)]
            assert "checkin:1:2027-01-02" in keys
        elif choice == "Set a new aim":
            assert "Tell me about Max" in answer.plain_text
            assert "new aim" in told.plain_text
        else:
            assert "🎉" in answer.plain_text and aim.status == "reached"
            assert "got there" in told.plain_text


async def test_one_gentle_reminder_then_nothing_more(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h, home=False)
        await run_due(h, datetime(2026, 12, 12, 12, tzinfo=UTC))
        assert len(parent.read_all()) == 1
        await run_due(h, datetime(2027, 1, 31, 12, tzinfo=UTC))
        later = parent.read_all()
        assert len(later) == 1 and "gentle nudge" in later[0].plain_text
        assert later[0].button_labels[0] == "Keep this aim"


async def test_stop_after_a_message_was_claimed_is_still_honoured(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        _pat, parent = await agree_aim(h)
        await choose_tips(parent, "🛁 Bath time", ["Tue"])
        render = h.dispatcher.renderers["tip"]

        async def stop_while_rendering(row: OutboxRow, who: Parent) -> Rendered:
            await h.repo.set_parent_status(parent.id, "stopped")  # STOP arrives meanwhile
            return await render(row, who)

        h.dispatcher.renderers["tip"] = stop_while_rendering
        h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        report = await h.tick()
        assert report.sent == 0 and report.cancelled == 1
        assert [m for m in parent.read_all() if "An idea" in m.plain_text] == []

"""Pure scheduling logic: next occurrences across DST, quiet hours, STOP, the idea cycle."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from conversations.home.logic import is_stop
from conversations.home.timing import (
    QuietHours,
    allowed_time,
    local_at,
    next_occurrence,
    next_tip_choice,
    out_of_quiet_hours,
    parse_hhmm,
    shift,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
QUIET = QuietHours()


def _weekly(start: datetime, weekday: int, at: time, tz: ZoneInfo, weeks: int) -> list[datetime]:
    found, after = [], start
    for _ in range(weeks):
        after = next_occurrence(after, [weekday], at, tz)
        found.append(after)
    return found


@pytest.mark.parametrize(
    ("tz", "change_day"),
    [
        (LONDON, date(2027, 3, 28)),  # clocks go forward
        (LONDON, date(2027, 10, 31)),  # clocks go back
        (NEW_YORK, date(2027, 3, 14)),
        (NEW_YORK, date(2027, 11, 7)),
    ],
)
def test_weekly_idea_keeps_its_local_time_across_dst(tz: ZoneInfo, change_day: date) -> None:
    start = datetime.combine(change_day - timedelta(days=15), time(12), tzinfo=UTC)
    for at in (time(7, 45), time(18, 30)):
        found = _weekly(start, 7, at, tz, weeks=5)  # every Sunday (the change days are Sundays)
        local = [moment.astimezone(tz) for moment in found]
        assert [m.time() for m in local] == [at] * 5
        assert [m.isoweekday() for m in local] == [7] * 5
        assert len({m.date() for m in local}) == 5  # no double, no missed Sunday
        assert change_day in {m.date() for m in local}
        gaps = {b - a for a, b in pairwise(found)}
        assert gaps <= {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=6, hours=23)}


def test_time_in_the_spring_gap_moves_forward_and_ambiguous_time_happens_once() -> None:
    gap = local_at(date(2027, 3, 28), time(1, 30), LONDON)  # 01:00 -> 02:00 that night
    assert gap.astimezone(LONDON).time() == time(2, 30)
    twice = local_at(date(2027, 10, 31), time(1, 30), LONDON)  # 01:30 happens twice
    assert twice.fold == 0 and twice.utcoffset() == timedelta(hours=1)
    found = _weekly(datetime(2027, 10, 20, tzinfo=UTC), 7, time(1, 30), LONDON, weeks=2)
    assert found[0].astimezone(LONDON).date() == date(2027, 10, 24)
    assert found[1].astimezone(LONDON).date() == date(2027, 10, 31)


def test_several_days_a_week_in_order() -> None:
    start = datetime(2026, 11, 21, 12, tzinfo=UTC)  # Saturday
    found = _weekly(start, 2, time(18, 30), LONDON, weeks=1)
    assert found[0] == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    days = []
    after = start
    for _ in range(4):
        after = next_occurrence(after, [2, 4], time(18, 30), LONDON)
        days.append(after.astimezone(LONDON).strftime("%a %d"))
    assert days == ["Tue 24", "Thu 26", "Tue 01", "Thu 03"]


def test_next_occurrence_rejects_bad_weekdays() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        next_occurrence(datetime(2026, 1, 1, tzinfo=UTC), [], time(9), LONDON)
    with pytest.raises(ValueError, match="weekdays"):
        next_occurrence(datetime(2026, 1, 1, tzinfo=UTC), [0], time(9), LONDON)


def test_quiet_hours() -> None:
    assert QUIET.contains(time(20, 30)) and QUIET.contains(time(3)) and QUIET.contains(time(7, 29))
    assert not QUIET.contains(time(7, 30)) and not QUIET.contains(time(20, 29))
    assert allowed_time(time(21, 0), QUIET) == time(20, 15)
    assert allowed_time(time(5, 0), QUIET) == time(7, 30)
    assert allowed_time(time(19, 15), QUIET) == time(19, 15)
    late = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # 22:00 in London (GMT)
    assert out_of_quiet_hours(late, LONDON, QUIET) == datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    early = datetime(2027, 6, 1, 4, 0, tzinfo=UTC)  # 05:00 BST
    assert out_of_quiet_hours(early, LONDON, QUIET) == datetime(2027, 6, 1, 6, 30, tzinfo=UTC)
    fine = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert out_of_quiet_hours(fine, LONDON, QUIET) == fine


def test_daytime_quiet_window_also_works() -> None:
    nap = QuietHours(time(13), time(15))
    assert nap.contains(time(14)) and not nap.contains(time(15)) and not nap.contains(time(22))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:30", time(18, 30)),
        ("6.30pm", time(18, 30)),
        ("7pm", time(19)),
        ("0730", time(7, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        (" 9 ", time(9)),
        ("25:00", None),
        ("13pm", None),
        ("soon", None),
        ("18:3", None),
    ],
)
def test_parse_typed_times(typed: str, expected: time | None) -> None:
    assert parse_hhmm(typed) == expected


def test_shift_wraps_round_midnight() -> None:
    assert shift(time(23, 45), 30) == time(0, 15)
    assert shift(time(7, 45), -30) == time(7, 15)


def test_ideas_never_repeat_until_the_set_is_used_up() -> None:
    order = ["a", "b", "c"]
    sent: set[str] = set()
    picked = []
    for _ in range(3):
        tip, new_cycle = next_tip_choice(order, sent)
        assert not new_cycle
        sent.add(tip)
        picked.append(tip)
    assert picked == ["a", "b", "c"]
    assert next_tip_choice(order, sent) == ("a", True)


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "/stop",
        "Stop.",
        "stop thank you",
        "Stop please!",
        "please stop",
        "STOP MESSAGES",
        "  stop  ",
    ],
)
def test_stop_is_recognised(text: str) -> None:
    assert is_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "He won't stop crying at drop off",
        "stop and go games are his favourite",
        "the bus stop song",
        "we sing stop, go, stop at home and he loves it",
        "non-stop",
    ],
)
def test_stop_inside_a_story_is_not_a_stop(text: str) -> None:
    assert not is_stop(text)

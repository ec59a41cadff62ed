"""Pure event logic: reading typed dates and times, reminder times, texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conversations.events import logic
from conversations.home.timing import QuietHours

LONDON = ZoneInfo("Europe/London")
# Saturday 21 November 2026, 10:00 in London (UTC+0 in winter).
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def local(text: str, now: datetime = NOW, tz: ZoneInfo = LONDON) -> tuple[date, time] | None:
    found = logic.parse_when(text, now, tz)
    if found is None:
        return None
    moment = found.astimezone(tz)
    return moment.date(), moment.time()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/12 10:30", (date(2026, 12, 12), time(10, 30))),
        ("12/12/2026 10:30", (date(2026, 12, 12), time(10, 30))),
        ("12.12.26 9.15am", (date(2026, 12, 12), time(9, 15))),
        ("2026-12-12 10:30", (date(2026, 12, 12), time(10, 30))),
        ("Fri 10am", (date(2026, 11, 27), time(10, 0))),
        ("friday 10 am", (date(2026, 11, 27), time(10, 0))),
        ("Friday at 2.30pm", (date(2026, 11, 27), time(14, 30))),
        ("tomorrow 2pm", (date(2026, 11, 22), time(14, 0))),
        ("12 Dec 10:30", (date(2026, 12, 12), time(10, 30))),
        ("December 12th, 10:30", (date(2026, 12, 12), time(10, 30))),
        ("Sat 12 December 2026 10am", (date(2026, 12, 12), time(10, 0))),
        # A day without a year that has passed this year is next year's.
        ("3/1 10:00", (date(2027, 1, 3), time(10, 0))),
        # Today's weekday: today while its time is ahead, else next week.
        ("Sat 4pm", (date(2026, 11, 21), time(16, 0))),
        ("Sat 9am", (date(2026, 11, 28), time(9, 0))),
        ("10:30 12/12", (date(2026, 12, 12), time(10, 30))),
    ],
)
def test_parse_when_reads_common_ways_of_typing_a_date(
    text: str, expected: tuple[date, time]
) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "12/12", "10:30", "31/02 10:00", "someday 10am", "12/13 10:00", "Fri"]
)
def test_parse_when_refuses_what_it_cannot_read(text: str) -> None:
    assert logic.parse_when(text, NOW, LONDON) is None


def test_parse_when_uses_the_zone_and_daylight_saving() -> None:
    # 10:30 in London in June is 09:30 UTC; in December it is 10:30 UTC.
    assert logic.parse_when("2027-06-12 10:30", NOW, LONDON) == datetime(
        2027, 6, 12, 9, 30, tzinfo=UTC
    )
    assert logic.parse_when("12/12 10:30", NOW, LONDON) == datetime(
        2026, 12, 12, 10, 30, tzinfo=UTC
    )
    ny = ZoneInfo("America/New_York")
    assert logic.parse_when("12/12 10:30", NOW, ny) == datetime(2026, 12, 12, 15, 30, tzinfo=UTC)


def test_parse_when_reads_the_practitioners_language_too() -> None:
    found = logic.parse_when("piątek 10:00", NOW, LONDON, babel_locale="pl_PL")
    assert found == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_reminder_is_the_day_before_at_ten_local_and_never_in_quiet_hours() -> None:
    starts = datetime(2027, 3, 29, 9, 0, tzinfo=UTC)  # Monday after the clocks go forward
    due = logic.reminder_due(starts, LONDON, QuietHours())
    assert due.astimezone(LONDON).date() == date(2027, 3, 28)
    assert due.astimezone(LONDON).time() == time(10, 0)
    early = QuietHours(time(20, 30), time(11, 0))
    assert logic.reminder_due(starts, LONDON, early).astimezone(LONDON).time() == time(11, 0)


def test_clean_place() -> None:
    assert logic.clean_place("  the   community\nroom ") == "the community room"
    assert logic.clean_place("   ") is None
    assert logic.clean_place("x" * (logic.MAX_PLACE + 1)) is None


def test_invitation_escapes_what_practitioners_typed() -> None:
    view = logic.EventView(
        "coffee_morning",
        "Sun & Moon",
        "<Tuesday>",
        datetime(2026, 12, 12, 10, 30, tzinfo=UTC),
        "Hall <b>",
    )
    text = logic.invitation(view, LONDON)
    assert "Sun &amp; Moon" in text and "&lt;Tuesday&gt;" in text and "Hall &lt;b&gt;" in text
    assert "Saturday 12 December, 10:30" in text


def test_events_blocks_count_answers() -> None:
    view = logic.EventView(
        "feedback_group", "S", "Sunflowers", datetime(2026, 12, 12, 10, 30, tzinfo=UTC), "Hall"
    )
    [title, block] = logic.events_blocks([logic.EventLine(view, yes=2, no=1, invited=5)], LONDON)
    assert "Upcoming" in title
    assert "✅ 2 coming" in block and "❌ 1 can't make it" in block
    assert "2 not answered yet" in block
    assert "Parent feedback group" in block
    assert "No upcoming events" in logic.events_blocks([], LONDON)[0]


def test_catch_up_label() -> None:
    assert (
        logic.catch_up_label("coffee_morning", date(2026, 12, 11))
        == "At the coffee morning · Friday 11 December"
    )

"""Pure time logic for home ideas: next occurrences in the parent's zone, quiet hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_A_WEEK = 3


@dataclass(frozen=True)
class QuietHours:
    """A nightly window with no messages (local time), e.g. 20:30 to 07:30."""

    start: time = time(20, 30)
    end: time = time(7, 30)

    def contains(self, at: time) -> bool:
        """True when a local wall-clock time falls inside the quiet window."""
        if self.start > self.end:  # overnight, the usual case
            return at >= self.start or at < self.end
        return self.start <= at < self.end

    def latest_evening(self) -> time:
        """The last allowed time before the window opens (15 minutes before)."""
        return (datetime.combine(date(2000, 1, 1), self.start) - timedelta(minutes=15)).time()


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware local time for a wall-clock time on a day.

    On the spring-forward day a time in the gap does not exist: it moves forward by the gap.
    On the fall-back day a time that happens twice is taken once, the first time (fold=0).
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz)
    return back if back.replace(tzinfo=None) != naive else aware


def next_occurrence(after: datetime, weekdays: Iterable[int], at: time, tz: ZoneInfo) -> datetime:
    """The first time strictly after `after` (UTC) that is one of the ISO weekdays at the
    local time `at`, returned in UTC."""
    days = set(weekdays)
    if not days or not days <= set(range(1, 8)):
        raise ValueError(f"weekdays must be ISO weekdays 1-7, got {sorted(days)}")
    start = after.astimezone(tz).date()
    for offset in range(8):
        day = start + timedelta(days=offset)
        if day.isoweekday() in days:
            candidate = local_at(day, at, tz).astimezone(UTC)
            if candidate > after:
                return candidate
    raise AssertionError("unreachable: eight consecutive days hold every weekday")


def out_of_quiet_hours(when: datetime, tz: ZoneInfo, quiet: QuietHours) -> datetime:
    """`when` (UTC) if it is outside quiet hours locally, else the end of those quiet hours."""
    local = when.astimezone(tz)
    if not quiet.contains(local.timetz().replace(tzinfo=None)):
        return when
    day = local.date()
    if local.time() >= quiet.start and quiet.start > quiet.end:
        day += timedelta(days=1)
    return local_at(day, quiet.end, tz).astimezone(UTC)


def allowed_time(at: time, quiet: QuietHours) -> time:
    """A chosen time moved out of quiet hours: evening times to just before they start,
    early-morning times to when they end."""
    if not quiet.contains(at):
        return at
    if quiet.start > quiet.end and at >= quiet.start:
        return quiet.latest_evening()
    return quiet.end


def shift(at: time, minutes: int) -> time:
    """A wall-clock time moved by some minutes (wrapping round midnight)."""
    moved = datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)
    return moved.time()


def parse_hhmm(text: str) -> time | None:
    """Read a time typed as '18:30', '6.30pm', '7pm', '0730'; None when it is not one."""
    raw = text.strip().lower().replace(" ", "").replace(".", ":")
    suffix = ""
    for tag in ("am", "pm"):
        if raw.endswith(tag):
            suffix, raw = tag, raw[: -len(tag)]
    if raw.isdigit() and len(raw) in (3, 4):
        raw = f"{raw[:-2]}:{raw[-2:]}"
    elif raw.isdigit() and len(raw) <= 2:
        raw = f"{raw}:00"
    hours, sep, minutes = raw.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    if suffix:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def next_tip_choice(order: list[str], sent_in_cycle: set[str]) -> tuple[str, bool]:
    """The next idea in order not yet sent in this cycle; (first idea, True) to start a new
    cycle once every idea was sent, so nothing repeats until the set is used up."""
    if not order:
        raise ValueError("no ideas to choose from")
    for tip_id in order:
        if tip_id not in sent_in_cycle:
            return tip_id, False
    return order[0], True

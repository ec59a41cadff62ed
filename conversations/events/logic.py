"""Pure logic for events: reading a typed date and time, and every text, over plain data."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

from bot.i18n import N_, _, format_clock, format_day, ngettext
from conversations.common.text import esc
from conversations.home.timing import QuietHours, local_at, out_of_quiet_hours, parse_hhmm

# Event kinds (stored ids) and their names, translated when shown.
KINDS: dict[str, tuple[str, str]] = {
    "coffee_morning": ("☕", N_("Coffee morning")),
    "feedback_group": ("💬", N_("Parent feedback group")),
}
MAX_PLACE = 200
MAX_AHEAD = timedelta(days=366)
# The aim conversation offers the group's next event as the catch-up date within this.
CATCH_UP_WINDOW = timedelta(weeks=5)
# The reminder comes the day before, at this local time (moved out of quiet hours).
REMINDER_AT = time(10, 0)

_DAY_WORDS = {
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
}


def kind_name(kind: str) -> str:
    """The translated name of an event kind ('Coffee morning')."""
    return _(KINDS[kind][1]) if kind in KINDS else kind


def kind_label(kind: str) -> str:
    """An event kind with its emoji, for buttons and headings."""
    emoji, _name = KINDS.get(kind, ("📅", kind))
    return f"{emoji} {kind_name(kind)}"


def _fold(text: str) -> str:
    """Lower case without accents or trailing dots, for matching day and month names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(".,")


def _names(babel_locale: str) -> tuple[dict[str, int], dict[str, int]]:
    """Weekday names (to ISO weekday) and month names (to month), wide and abbreviated."""
    days: dict[str, int] = {}
    months: dict[str, int] = {}
    for loc in ("en_GB", babel_locale):
        for width in ("wide", "abbreviated"):
            for index, name in get_day_names(width, locale=loc).items():
                days[_fold(str(name))] = int(index) + 1
            for index, name in get_month_names(width, locale=loc).items():
                months[_fold(str(name))] = int(index)
    # Common short forms babel does not give.
    days.update({"tues": 2, "weds": 3, "thur": 4, "thurs": 4})
    months.update({"sept": 9})
    return days, months


def _next_date(today: date, month: int, day: int) -> date | None:
    """The next `day`/`month` on or after today (this year or next)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _numeric_date(token: str, today: date) -> date | None:
    """'2026-12-12', '12/12', '12/12/26', '12.12.2026' (day first, the UK way)."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", token)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        dmy = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?", token)
        if dmy is None:
            return None
        day, month = int(dmy[1]), int(dmy[2])
        if dmy[3] is None:
            return _next_date(today, month, day)
        year = int(dmy[3])
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def _split_time(words: list[str]) -> tuple[list[str], time | None]:
    """Take the time from the end (or the start) of the words: '10:30', '10am', '10 am'."""
    if len(words) >= 2 and words[-1] in ("am", "pm"):
        at = parse_hhmm(words[-2] + words[-1])
        if at is not None:
            return words[:-2], at
    if words:
        at = parse_hhmm(words[-1])
        if at is not None and (
            ":" in words[-1] or "." in words[-1] or words[-1][-2:] in ("am", "pm")
        ):
            return words[:-1], at
        at = parse_hhmm(words[0])
        if at is not None and (":" in words[0] or words[0][-2:] in ("am", "pm")):
            return words[1:], at
    return words, None


def parse_when(
    text: str, now: datetime, tz: ZoneInfo, babel_locale: str = "en_GB"
) -> datetime | None:
    """Read a typed date and time ('12/12 10:30', 'Fri 10am', '2026-12-12 10:30',
    'tomorrow 2pm', '12 Dec 10.30') in the zone `tz`; return it in UTC, or None.

    A day without a year is the next one to come; a weekday is the next one (today when its
    time is still ahead). The result may be in the past (the caller says so).
    """
    cleaned = re.sub(r"[,]", " ", text.strip().casefold())
    cleaned = re.sub(r"\b(at|on|the|from|@)\b", " ", cleaned)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    words = cleaned.split()
    words, at = _split_time(words)
    if at is None or not words:
        return None
    local_now = now.astimezone(tz)
    today = local_now.date()
    day_names, month_names = _names(babel_locale)
    day: date | None = None
    if len(words) == 1:
        word = _fold(words[0])
        if word in _DAY_WORDS:
            day = today + timedelta(days=_DAY_WORDS[word])
        elif word in day_names:
            ahead = (day_names[word] - today.isoweekday()) % 7
            day = today + timedelta(days=ahead)
            if ahead == 0 and local_at(day, at, tz) <= now:
                day += timedelta(days=7)
        else:
            day = _numeric_date(words[0], today)
    else:
        # '12 december', 'december 12', 'fri 12 dec', '12 dec 2026'
        folded = [_fold(w) for w in words if _fold(w) not in day_names]
        numbers = [int(w) for w in folded if w.isdigit()]
        months = [month_names[w] for w in folded if w in month_names]
        if len(months) == 1 and 1 <= len(numbers) <= 2 and len(folded) == len(numbers) + 1:
            small = [n for n in numbers if n <= 31]
            years = [n for n in numbers if n > 31]
            if len(small) == 1:
                try:
                    day = (
                        date(years[0], months[0], small[0])
                        if years
                        else _next_date(today, months[0], small[0])
                    )
                except ValueError:
                    day = None
    if day is None:
        return None
    return local_at(day, at, tz).astimezone(UTC)


def clean_place(text: str) -> str | None:
    """A place as typed (one line, trimmed), or None when empty or too long."""
    place = " ".join(text.split())
    return place if 0 < len(place) <= MAX_PLACE else None


def reminder_due(starts_at: datetime, tz: ZoneInfo, quiet: QuietHours) -> datetime:
    """When the reminder is due: the day before the event, at 10:00 the parent's time,
    out of quiet hours (UTC)."""
    day_before = starts_at.astimezone(tz).date() - timedelta(days=1)
    return out_of_quiet_hours(local_at(day_before, REMINDER_AT, tz).astimezone(UTC), tz, quiet)


def when_text(starts_at: datetime, tz: ZoneInfo) -> str:
    """'Friday 12 December, 10:30' in the reader's language and zone."""
    local = starts_at.astimezone(tz)
    return _("{day}, {time}").format(
        day=format_day(local.date()), time=format_clock(local.time().replace(tzinfo=None))
    )


@dataclass(frozen=True)
class EventView:
    """An event as one reader sees it."""

    kind: str
    setting: str
    group: str
    starts_at: datetime
    place: str


def _details(view: EventView, tz: ZoneInfo) -> str:
    return "\n".join(
        [
            f"📅 {esc(when_text(view.starts_at, tz))}",
            f"📍 {esc(view.place)}",
        ]
    )


def invitation(view: EventView, tz: ZoneInfo) -> str:
    """The invitation a parent receives."""
    heading = _("<b>{kind}</b> at {setting}, for the {group} group").format(
        kind=esc(kind_name(view.kind)), setting=esc(view.setting), group=esc(view.group)
    )
    if view.kind == "feedback_group":
        body = _(
            "We'd love to hear what you and your child are getting from the music sessions, "
            "and what you'd like from them. Your ideas shape what we do."
        )
    else:
        body = _(
            "Come and have a cup of tea with us and the other parents, and hear more about "
            "what the children do in the music sessions. Little ones are welcome."
        )
    return (
        f"{KINDS.get(view.kind, ('📅', ''))[0]} {heading}\n\n{body}\n\n{_details(view, tz)}\n\n"
        + _("Would you like to come?")
    )


def reminder(view: EventView, tz: ZoneInfo) -> str:
    """The reminder the day before."""
    return (
        _("A little reminder: the <b>{kind}</b> is tomorrow.").format(
            kind=esc(kind_name(view.kind))
        )
        + f"\n\n{_details(view, tz)}"
    )


def rsvp_thanks(answer: str) -> str:
    """What a parent sees after answering."""
    if answer == "yes":
        return _("Lovely, see you there! You can change your answer with the buttons.")
    return _("Thank you for letting us know. Maybe next time!")


def kind_question() -> str:
    """Step 1 of /event."""
    return _("What would you like to organise?")


def group_question() -> str:
    """Step 2 of /event, when the setting runs several groups."""
    return _("For which group?")


def when_question() -> str:
    """Step 3 of /event."""
    return _(
        "When is it? Type the day and time, for example “12/12 10:30”, “Fri 10am” "
        "or “2026-12-12 10:30”."
    )


def when_not_understood() -> str:
    """A date and time that could not be read."""
    return _("Sorry, I couldn't read that date and time. Try “12/12 10:30” or “Friday 10am”.")


def when_in_past() -> str:
    """A date and time already gone (or too far ahead)."""
    return _("That time has already passed (or is more than a year away). When is it?")


def place_question() -> str:
    """Step 4 of /event."""
    return _("Where is it? For example “the community room” or “Sunflower Nursery hall”.")


def place_not_understood() -> str:
    """An empty or too long place."""
    return _("Please type the place in one line (up to {n} characters).").format(n=MAX_PLACE)


def confirm_text(view: EventView, tz: ZoneInfo, parents: int) -> str:
    """Step 5 of /event: everything, and who will be invited."""
    return (
        f"<b>{esc(kind_label(view.kind))}</b> · {esc(view.group)}\n{_details(view, tz)}\n\n"
        + ngettext(
            "I'll invite the {n} parent in this group, and remind them the day before.",
            "I'll invite the {n} parents in this group, and remind them the day before.",
            parents,
        ).format(n=parents)
    )


def saved_text(parents: int) -> str:
    """After /event is confirmed."""
    return ngettext(
        "Done: the invitation is on its way to {n} parent. Send /events to see who's coming.",
        "Done: the invitation is on its way to {n} parents. Send /events to see who's coming.",
        parents,
    ).format(n=parents)


@dataclass(frozen=True)
class EventLine:
    """One upcoming event with its answers, for /events."""

    view: EventView
    yes: int
    no: int
    invited: int


def events_blocks(lines: list[EventLine], tz: ZoneInfo) -> list[str]:
    """/events: upcoming events with yes/no counts, one block each."""
    if not lines:
        return [_("No upcoming events. Send /event to plan a coffee morning.")]
    blocks = [_("<b>Upcoming events</b>")]
    for line in lines:
        waiting = max(line.invited - line.yes - line.no, 0)
        counts = " · ".join(
            [
                ngettext("✅ {n} coming", "✅ {n} coming", line.yes).format(n=line.yes),
                ngettext("❌ {n} can't make it", "❌ {n} can't make it", line.no).format(n=line.no),
                ngettext("{n} not answered yet", "{n} not answered yet", waiting).format(n=waiting),
            ]
        )
        blocks.append(
            f"<b>{esc(kind_label(line.view.kind))}</b> · {esc(line.view.group)}\n"
            f"{_details(line.view, tz)}\n{counts}"
        )
    return blocks


def catch_up_label(kind: str, day: date) -> str:
    """The aim conversation's extra follow-up button: 'At the coffee morning · Friday 12
    December'."""
    if kind == "feedback_group":
        text = _("At the parent feedback group · {day}")
    else:
        text = _("At the coffee morning · {day}")
    return text.format(day=format_day(day))

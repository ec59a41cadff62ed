"""Pure logic for the practitioners' weekly digest: when it is due, and its text."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import _, format_clock, format_day, ngettext, weekday_name
from bot.storage.models import DigestData, DigestItem
from conversations.common.text import esc, pack
from conversations.home.timing import next_occurrence

DEFAULT_WEEKDAY = 1  # Monday
DEFAULT_TIME = time(8, 0)
TIME_CHOICES: tuple[time, ...] = (
    time(7, 30),
    time(8, 0),
    time(9, 0),
    time(12, 30),
    time(16, 0),
    time(18, 0),
)
# A parent last heard from longer ago than this is listed as not heard from.
SILENT_AFTER = timedelta(weeks=3)
# What a digest covers when there was no digest before.
FIRST_WINDOW = timedelta(weeks=1)
MAX_QUOTE = 280
MAX_ITEMS = 40


def next_due(after: datetime, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The first digest time strictly after `after`: the ISO weekday at the local time,
    daylight saving included (UTC)."""
    return next_occurrence(after, (weekday,), at, tz)


def covered_since(last_sent: datetime | None, due: datetime) -> datetime:
    """The start of what a digest covers: the last digest, else a week before it is due."""
    return last_sent if last_sent is not None else due - FIRST_WINDOW


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > MAX_QUOTE:
        flat = flat[: MAX_QUOTE - 1].rstrip() + "…"
    return f"<i>“{esc(flat)}”</i>"


def _item(item: DigestItem) -> str:
    who = _("{child} ({carer})").format(child=esc(item.child), carer=esc(item.carer))
    if not item.child:
        who = esc(item.carer)
    return f"• <b>{who}</b>: {_quote(item.text)}"


def _section(title: str, items: tuple[DigestItem, ...]) -> list[str]:
    if not items:
        return []
    lines = [f"<b>{title}</b>"] + [_item(i) for i in items[:MAX_ITEMS]]
    extra = len(items) - MAX_ITEMS
    if extra > 0:
        lines.append(ngettext("…and {n} more", "…and {n} more", extra).format(n=extra))
    # One block per few lines, so that a long section still packs into several messages.
    return ["\n".join(lines[i : i + 8]) for i in range(0, len(lines), 8)]


def digest_blocks(data: DigestData, tz: ZoneInfo) -> list[str]:
    """The digest as HTML blocks (each well under Telegram's limit)."""
    since = data.since.astimezone(tz).date()
    blocks = [
        _("📬 <b>Your week at {setting}</b>\nSince {day}.").format(
            setting=esc(data.setting_name), day=format_day(since)
        )
    ]
    blocks += _section(
        ngettext("{n} new aim", "{n} new aims", len(data.aims)).format(n=len(data.aims)),
        data.aims,
    )
    blocks += _section(
        ngettext("{n} check-in reply", "{n} check-in replies", len(data.replies)).format(
            n=len(data.replies)
        ),
        data.replies,
    )
    blocks += _section(
        ngettext("{n} sign noticed at home", "{n} signs noticed at home", len(data.signs)).format(
            n=len(data.signs)
        ),
        data.signs,
    )
    if not (data.aims or data.replies or data.signs):
        blocks.append(_("A quiet week: no new aims, replies or signs noticed."))
    if data.quiet_parents:
        names = data.quiet_parents[:MAX_ITEMS]
        extra = len(data.quiet_parents) - len(names)
        text = ", ".join(esc(n) for n in names)
        if extra > 0:
            text += " " + ngettext("…and {n} more", "…and {n} more", extra).format(n=extra)
        blocks.append(
            _("<b>Not heard from for three weeks or more:</b> {names}").format(names=text)
            + "\n"
            + _("A friendly word at the door might help.")
        )
    return blocks


def digest_messages(data: DigestData, tz: ZoneInfo) -> list[str]:
    """The digest packed into as few messages as fit Telegram (≤ 4096 characters each)."""
    return pack(digest_blocks(data, tz))


def schedule_text(weekday: int, at: time, enabled: bool) -> str:
    """What /digest says about the current choice."""
    if not enabled:
        return _("Your weekly digest is off.")
    return _("Your weekly digest comes on {day} at {time}.").format(
        day=weekday_name(weekday, "wide"), time=format_clock(at)
    )


def choose_day_text() -> str:
    """/digest: pick a day (or turn it off)."""
    return _(
        "Once a week I can send you a short digest: new aims, check-in replies, signs "
        "noticed at home, and parents we haven't heard from. Which day suits you?"
    )


def choose_time_text(weekday: int) -> str:
    """/digest: pick a time on the chosen day."""
    return _("And at what time on {day}?").format(day=weekday_name(weekday, "wide"))


def saved_text(weekday: int, at: time, first: datetime, tz: ZoneInfo) -> str:
    """After choosing: when the next digest comes."""
    local = first.astimezone(tz)
    return (
        schedule_text(weekday, at, True)
        + " "
        + _("The next one: {day}, {time}.").format(
            day=format_day(local.date()), time=format_clock(local.time().replace(tzinfo=None))
        )
    )

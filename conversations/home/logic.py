"""Pure texts and choices for home ideas, pause, resume and STOP."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, format_clock, format_day, weekday_name
from conversations.common.text import esc
from conversations.listening.content import Content, HomeTip

# Family moments offered as buttons: code -> (label, local time, default weekdays or None).
MOMENTS: dict[str, tuple[str, time, tuple[int, ...] | None]] = {
    "bath": (N_("🛁 Bath time"), time(18, 30), None),
    "bed": (N_("🌙 Bedtime"), time(19, 15), None),
    "breakfast": (N_("🥣 Breakfast"), time(7, 45), None),
    "weekend": (N_("☀️ Weekend morning"), time(9, 30), (6,)),
}
PAUSE_WEEKS: tuple[int, ...] = (1, 2, 4)
# Time zones offered as buttons (a family may be abroad for a while); London first.
ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Warsaw",
    "Europe/Bucharest",
    "Europe/Madrid",
    "Asia/Dhaka",
    "Asia/Karachi",
    "Africa/Cairo",
    "Asia/Dubai",
)
# STOP in any case, with or without a slash, alone or in a short sentence ("stop thank you",
# "please stop"). Longer messages that merely contain "stop" ("he won't stop crying") are not it.
_STOP = re.compile(
    r"^\W*(?:please\s+)?/?stop\b(?:\s+(?:it|now|please|pls|thanks|thank\s+you|ta|"
    r"messages|messaging|sending|texting|all|everything|them|me|this))*\W*$",
    re.IGNORECASE,
)


def is_stop(text: str) -> bool:
    """True when a message asks to stop all messages."""
    return bool(_STOP.match(text.strip()))


def tip_order(content: Content, theme: str | None) -> list[str]:
    """The order ideas are sent in: the aim's theme first, then the general ones."""
    themed = [tip.id for tip in content.theme(theme).home_tips] if theme else []
    return themed + [tip.id for tip in content.home_tips]


def days_label(weekdays: tuple[int, ...]) -> str:
    """'Tue, Thu' in the current language."""
    return ", ".join(weekday_name(day) for day in sorted(weekdays))


def days_question() -> str:
    """Which days (a little and often)."""
    return _("Which days suit you? Pick up to 3: a little and often works best. Then tap Done.")


def moment_question(child: str) -> str:
    """When in the family's week the ideas should come."""
    return _(
        "When would a short singing idea for you and {child} fit best? I'll send one at that "
        "time on the days you choose."
    ).format(child=esc(child))


def schedule_summary(weekdays: tuple[int, ...], at: time, zone: str) -> str:
    """The schedule, for the parent to confirm or adjust."""
    return _("Home ideas on <b>{days}</b> at <b>{time}</b> ({zone}). Is that right?").format(
        days=esc(days_label(weekdays)), time=format_clock(at), zone=esc(zone)
    )


def schedule_saved(first: datetime, zone: str) -> str:
    """Confirmation with the first idea's date."""
    local = first.astimezone(ZoneInfo(zone))
    return _(
        "Lovely! Your first idea will arrive on {day} at {time}. You can change this any time "
        "with /tips, take a break with /pause, or send STOP to stop all messages."
    ).format(day=format_day(local.date()), time=format_clock(local.time()))


def quiet_note(at: time) -> str:
    """Said when a chosen time was moved out of quiet hours."""
    return _(
        "I don't send anything late in the evening or at night, so I've made it {time}."
    ).format(time=format_clock(at))


def tip_message(tip: HomeTip, child: str, content: Content) -> str:
    """A weekly home idea with its one-line why."""
    return (
        "🎵 "
        + _("<b>An idea to try with {child}</b>").format(child=esc(child))
        + f"\n\n{esc(content.fill(tip.text, child))}\n\n<i>"
        + _("Why: {why}").format(why=esc(content.fill(tip.why, child)))
        + "</i>"
    )


def ask_noticed(child: str) -> str:
    """After 'we tried it'."""
    return _("Lovely! What did you and {child} notice? Even something tiny counts.").format(
        child=esc(child)
    )


def not_this_week() -> str:
    """After 'not this week'."""
    return _("No problem at all: there's always next week. 💛")


def noticed_thanks(setting: str) -> str:
    """After the parent said what they noticed."""
    return _("Thank you! I've passed that on to the practitioners at {setting}.").format(
        setting=esc(setting)
    )


def pause_question() -> str:
    """/pause."""
    return _("How long would you like a break from home ideas and check-ins?")


def paused(until_day: str) -> str:
    """After choosing a pause."""
    return _(
        "Done: no messages until {day}. Send /resume whenever you'd like them back sooner."
    ).format(day=until_day)


def stopped() -> str:
    """STOP: everything scheduled is cancelled."""
    return _(
        "Done: I've stopped all messages and won't send you anything else. If you'd like home "
        "ideas and check-ins again, just send /resume."
    )


def resumed() -> str:
    """/resume."""
    return _("Welcome back! Home ideas and check-ins are on again.")

"""Thin handlers for /digest: choose the day and time of the weekly digest, or turn it off.

The buttons carry the choice; each press is checked against the presser being a
practitioner, and only ever changes the presser's own schedule.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.context import Ctx
from bot.i18n import _, format_clock, weekday_name
from conversations.common.keyboards import column, keyboard
from conversations.digest import logic

PREFIX = "dg:"


def _day_buttons() -> InlineKeyboardMarkup:
    days = [(weekday_name(day), f"{PREFIX}d:{day}") for day in range(1, 8)]
    return keyboard(days[:4], days[4:], [(_("Turn the digest off"), f"{PREFIX}off")])


def _time_buttons(weekday: int) -> InlineKeyboardMarkup:
    options = [
        (format_clock(at), f"{PREFIX}t:{weekday}:{at.strftime('%H%M')}")
        for at in logic.TIME_CHOICES
    ]
    return column(options, per_row=3)


async def digest(update: Update, context: Ctx) -> None:
    """/digest: the current choice, and day buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    repo = context.services.repo
    if await repo.get_practitioner(user.id) is None:
        await message.reply_text(_("Sorry, /digest is only for practitioners."))
        return
    current = await repo.get_digest(user.id)
    status = (
        logic.schedule_text(current.weekday, current.local_time, current.enabled)
        if current
        else logic.schedule_text(logic.DEFAULT_WEEKDAY, logic.DEFAULT_TIME, True)
    )
    await message.reply_text(f"{status}\n\n{logic.choose_day_text()}", reply_markup=_day_buttons())


async def choice(update: Update, context: Ctx) -> None:
    """A day (then a time), a time (saved), or off."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = context.services
    repo = svc.repo
    practitioner = await repo.get_practitioner(user.id)
    parts = query.data.removeprefix(PREFIX).split(":")
    if practitioner is None:
        await query.answer(_("That button is no longer active."))
        return
    current = await repo.get_digest(user.id)
    zone = current.timezone if current else svc.settings.default_timezone
    if parts == ["off"]:
        await query.answer()
        await repo.save_digest(
            user.id,
            current.weekday if current else logic.DEFAULT_WEEKDAY,
            current.local_time if current else logic.DEFAULT_TIME,
            zone,
            False,
            None,
        )
        await query.edit_message_text(
            logic.schedule_text(1, logic.DEFAULT_TIME, False)
            + " "
            + _("Send /digest to turn it on again.")
        )
        return
    if len(parts) == 2 and parts[0] == "d" and parts[1] in {str(d) for d in range(1, 8)}:
        await query.answer()
        weekday = int(parts[1])
        await query.edit_message_text(
            logic.choose_time_text(weekday), reply_markup=_time_buttons(weekday)
        )
        return
    at = _time(parts[2]) if len(parts) == 3 and parts[0] == "t" else None
    if at is None or at not in logic.TIME_CHOICES or parts[1] not in {str(d) for d in range(1, 8)}:
        await query.answer(_("That button is no longer active."))
        return
    await query.answer()
    weekday = int(parts[1])
    tz = ZoneInfo(zone)
    first = logic.next_due(svc.clock.now(), weekday, at, tz)
    await repo.save_digest(user.id, weekday, at, zone, True, first)
    await query.edit_message_text(logic.saved_text(weekday, at, first, tz))


def _time(raw: str) -> time | None:
    if len(raw) != 4 or not raw.isdigit():
        return None
    hours, minutes = int(raw[:2]), int(raw[2:])
    return time(hours, minutes) if hours < 24 and minutes < 60 else None

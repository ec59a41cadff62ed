"""Renders the 'close the loop' check-in and its one gentle reminder for the dispatcher."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup

from bot.context import Services
from bot.i18n import _
from bot.scheduler import Outgoing, Rendered, Renderer, Skip
from bot.storage.models import OutboxRow, Parent
from conversations.checkin import logic
from conversations.common.keyboards import keyboard
from conversations.home.planning import CHECKIN_REMINDER


def checkin_buttons(checkin_id: int) -> InlineKeyboardMarkup:
    """Keep this aim / set a new aim / we got there."""
    return keyboard(
        [(_("Keep this aim"), f"ci:keep:{checkin_id}")],
        [(_("Set a new aim"), f"ci:new:{checkin_id}")],
        [(_("We got there! 🎉"), f"ci:reached:{checkin_id}")],
    )


def checkin_renderer(services: Services) -> Renderer:
    """Build the renderer for 'checkin' rows (ref = the aim)."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        repo = services.repo
        aim = await repo.aim_by_id(row.ref or 0)
        child = await repo.child_of(parent.user_id)
        if aim is None or aim.status != "active" or child is None:
            return Skip("the aim is no longer current")

        async def on_sent() -> None:
            now = services.clock.now()
            await repo.record_checkin(row.id, aim.id, parent.user_id, now)
            due = now + timedelta(days=services.settings.checkin_reminder_days)
            await repo.enqueue(
                f"checkin_reminder:{row.id}",
                parent.user_id,
                parent.chat_id,
                CHECKIN_REMINDER,
                row.id,
                due,
            )

        text = logic.checkin_message(child.first_name, aim.text, aim.signs)
        return Outgoing(text, checkin_buttons(row.id), on_sent)

    return render


def reminder_renderer(services: Services) -> Renderer:
    """Build the renderer for the one reminder (ref = the check-in)."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        repo = services.repo
        checkin = await repo.checkin(row.ref or 0, parent.user_id)
        child = await repo.child_of(parent.user_id)
        if checkin is None or checkin.reply or checkin.outcome or child is None:
            return Skip("already answered")

        async def on_sent() -> None:
            await repo.checkin_reminded(checkin.id, services.clock.now())

        return Outgoing(
            logic.reminder_message(child.first_name), checkin_buttons(checkin.id), on_sent
        )

    return render

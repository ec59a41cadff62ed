"""Invitations and day-before reminders for events, through the durable outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.context import Services
from bot.i18n import _
from bot.scheduler import Outgoing, Rendered, Renderer, Skip
from bot.storage.models import Event, OutboxRow, Parent
from bot.storage.repo import Repository
from conversations.common.keyboards import keyboard
from conversations.events import logic
from conversations.home.timing import QuietHours

EVENT_INVITE = "event_invite"
EVENT_REMINDER = "event_reminder"
RSVP_PREFIX = "rsvp:"
NEWCOMER_DELAY = timedelta(hours=2)


def rsvp_buttons(event_id: int, chosen: str | None = None) -> InlineKeyboardMarkup:
    """'I'll come' / 'Can't make it' (the parent's current answer ticked)."""
    yes = _("I'll come")
    no = _("Can't make it")
    return keyboard(
        [
            (f"✓ {yes}" if chosen == "yes" else yes, f"{RSVP_PREFIX}yes:{event_id}"),
            (f"✓ {no}" if chosen == "no" else no, f"{RSVP_PREFIX}no:{event_id}"),
        ]
    )


async def invite_parents(
    repo: Repository, event: Event, parents: list[Parent], now: datetime, quiet: QuietHours
) -> int:
    """Queue an invitation now and a reminder the day before for each parent; return how
    many were invited."""
    invited = 0
    for parent in parents:
        if parent.group_id != event.group_id:
            continue
        if await repo.enqueue(
            f"{EVENT_INVITE}:{event.id}:{parent.user_id}",
            parent.user_id,
            parent.chat_id,
            EVENT_INVITE,
            event.id,
            now,
        ):
            invited += 1
        due = logic.reminder_due(event.starts_at, ZoneInfo(parent.timezone), quiet)
        if now < due < event.starts_at:
            await repo.enqueue(
                f"{EVENT_REMINDER}:{event.id}:{parent.user_id}",
                parent.user_id,
                parent.chat_id,
                EVENT_REMINDER,
                event.id,
                due,
            )
    return invited


async def invite_newcomer(
    repo: Repository, parent: Parent, now: datetime, quiet: QuietHours
) -> int:
    """A parent who joins a group after its events were planned is invited too, a little
    later (not in the middle of their first conversation)."""
    later = now + NEWCOMER_DELAY
    invited = 0
    for event in await repo.events_of_group(parent.group_id, later):
        invited += await invite_parents(repo, event, [parent], later, quiet)
    return invited


async def _view(
    services: Services, row: OutboxRow, parent: Parent
) -> tuple[Event, logic.EventView] | Skip:
    repo = services.repo
    event = await repo.get_event(row.ref or 0)
    if event is None or event.cancelled or event.starts_at <= services.clock.now():
        return Skip("the event is over or cancelled")
    if event.group_id != parent.group_id:
        return Skip("the parent has moved to another group")
    group = await repo.get_group(event.group_id)
    setting = await repo.get_setting(event.setting_id)
    view = logic.EventView(
        event.kind,
        setting.name if setting else "",
        group.name if group else "",
        event.starts_at,
        event.place,
    )
    return event, view


def invite_renderer(services: Services) -> Renderer:
    """Build the renderer for 'event_invite' rows (ref = the event)."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        found = await _view(services, row, parent)
        if isinstance(found, Skip):
            return found
        event, view = found
        chosen = await services.repo.rsvp_of(event.id, parent.user_id)
        return Outgoing(
            logic.invitation(view, ZoneInfo(parent.timezone)), rsvp_buttons(event.id, chosen)
        )

    return render


def reminder_renderer(services: Services) -> Renderer:
    """Build the renderer for 'event_reminder' rows (not sent to who said they can't come)."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        found = await _view(services, row, parent)
        if isinstance(found, Skip):
            return found
        event, view = found
        chosen = await services.repo.rsvp_of(event.id, parent.user_id)
        if chosen == "no":
            return Skip("the parent can't make it")
        return Outgoing(
            logic.reminder(view, ZoneInfo(parent.timezone)), rsvp_buttons(event.id, chosen)
        )

    return render

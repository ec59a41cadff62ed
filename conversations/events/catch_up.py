"""The aim conversation's extra catch-up choice: the group's next event within five weeks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.storage.models import Parent
from bot.storage.repo import Repository
from conversations.events import logic

EVENT_ARG = "e"


async def catch_up_choice(
    repo: Repository, parent: Parent, now: datetime
) -> tuple[str, str, date] | None:
    """(button label, callback argument, local day) for the parent's group's next event
    within the window, or None."""
    event = await repo.next_event_of_group(parent.group_id, now, now + logic.CATCH_UP_WINDOW)
    if event is None:
        return None
    day = event.starts_at.astimezone(ZoneInfo(parent.timezone)).date()
    return logic.catch_up_label(event.kind, day), f"{EVENT_ARG}{event.id}", day


async def catch_up_day(repo: Repository, parent: Parent, arg: str, now: datetime) -> date | None:
    """The day of the event a pressed catch-up button names, only if it is still the
    parent's group's event within the window (callback data is never trusted)."""
    raw = arg.removeprefix(EVENT_ARG)
    if not arg.startswith(EVENT_ARG) or not raw.isdigit():
        return None
    event = await repo.get_event(int(raw))
    if (
        event is None
        or event.cancelled
        or event.group_id != parent.group_id
        or not now <= event.starts_at < now + logic.CATCH_UP_WINDOW
    ):
        return None
    return event.starts_at.astimezone(ZoneInfo(parent.timezone)).date()

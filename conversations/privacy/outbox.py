"""The one retention warning, delivered through the outbox like every scheduled message."""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.scheduler import Outgoing, Rendered, Renderer
from bot.storage.models import OutboxRow, Parent
from conversations.privacy.logic import retention_warning

RETENTION_WARNING = "retention_warning"


def warning_renderer(services: Services) -> Renderer:
    """Build the renderer for 'retention_warning' rows."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        return Outgoing(retention_warning(services.settings.retention_warning_days))

    return render


async def enqueue_warning(services: Services, parent: Parent, now: datetime) -> None:
    """Plan the warning now (the dispatcher honours quiet hours and pauses)."""
    await services.repo.enqueue(
        f"{RETENTION_WARNING}:{parent.user_id}:{now.date().isoformat()}",
        parent.user_id,
        parent.chat_id,
        RETENTION_WARNING,
        None,
        now,
    )

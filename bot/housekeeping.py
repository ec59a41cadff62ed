"""Housekeeping: escalate unacknowledged safeguarding alerts, and keep data no longer than
promised (one warning, then erasure after a long silence; parents' own words expire sooner).

The work itself is injected (sending, erasing), so that this stays runtime plumbing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.storage.models import Alert, Parent
from bot.storage.repo import Repository

log = logging.getLogger(__name__)


@dataclass
class HousekeepingReport:
    """What one run did (for logs and tests)."""

    escalated: int = 0
    warned: int = 0
    erased: int = 0
    words_expired: int = 0


@dataclass
class Housekeeper:
    """Runs every minute; the retention part at most once an hour."""

    repo_of: Callable[[], Repository]
    clock: Clock
    settings: Settings
    escalate: Callable[[Alert], Awaitable[int]]
    warn: Callable[[Parent, datetime], Awaitable[None]]
    erase: Callable[[Parent], Awaitable[None]]
    retention_every: timedelta = timedelta(hours=1)
    _last_retention: datetime | None = None
    # The repeating job and a direct call (tests, admin) must never run at once.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def tick(self) -> HousekeepingReport:
        """Do whatever is due now."""
        async with self._lock:
            return await self._tick()

    async def _tick(self) -> HousekeepingReport:
        report = HousekeepingReport()
        repo = self.repo_of()
        now = self.clock.now()
        settings = self.settings
        raised_before = now - timedelta(hours=settings.alert_escalation_hours)
        for alert in await repo.alerts_to_escalate(raised_before):
            delivered = await self.escalate(alert)
            await repo.mark_escalated(alert.id, now)
            report.escalated += 1
            log.warning("safeguarding alert re-sent to the whole setting (%d)", delivered)
        if self._last_retention is not None and now - self._last_retention < self.retention_every:
            return report
        self._last_retention = now
        retention = timedelta(days=settings.retention_days)
        warning = timedelta(days=settings.retention_warning_days)
        for parent in await repo.parents_to_warn(now - (retention - warning)):
            await self.warn(parent, now)
            await repo.mark_retention_warned(parent.user_id, now)
            report.warned += 1
        for parent in await repo.parents_to_erase(now - retention, now - warning):
            await self.erase(parent)
            report.erased += 1
        report.words_expired = await repo.expire_words(
            now - timedelta(days=settings.story_retention_days)
        )
        if report.warned or report.erased or report.words_expired:
            log.info(
                "retention: %d warned, %d erased, %d parents' words let go",
                report.warned,
                report.erased,
                report.words_expired,
            )
        return report

"""The durable outbox's dispatcher: one repeating job sends every message that falls due.

Each scheduled message is a row in `outbox` (due time in UTC, a unique key, status and
attempts). A tick claims due rows in one statement, decides per row (send, defer, skip), sends
concurrently through the bot's rate limiter, and records the outcomes in one batch. A crash
between sending and recording leaves rows in 'sending'; on start they go back to 'pending',
so at most the messages in flight at the crash can be sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.i18n import use_locale
from bot.storage.models import OutboxRow, Parent
from bot.storage.repo import Repository
from conversations.home.timing import QuietHours, out_of_quiet_hours

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Kinds of message that are pointless once stale (a tip) and kinds that must arrive late
# rather than never (a check-in).
STALE_SKIPPABLE = frozenset({"tip"})


@dataclass(frozen=True)
class Outgoing:
    """A rendered message, and what to record once it is delivered."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    on_sent: Callable[[], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Skip:
    """Nothing to send for this row (e.g. the aim was replaced meanwhile)."""

    reason: str
    then: Callable[[], Awaitable[None]] | None = None


Rendered = Outgoing | Skip
Renderer = Callable[[OutboxRow, Parent], Awaitable[Rendered]]
# Called when a row is skipped or deferred for the parent's state (to plan the next tip).
Replanner = Callable[[OutboxRow, Parent], Awaitable[None]]
# Other durable schedules checked at every tick (e.g. practitioners' digests): given the
# time, send what is due and return how many messages went.
Periodic = Callable[[datetime], Awaitable[int]]


@dataclass
class TickReport:
    """What one tick did (for logs, tests and benchmarks)."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    periodic: int = 0


@dataclass
class Dispatcher:
    """Claims due outbox rows and delivers them, politely and durably."""

    repo_of: Callable[[], Repository]
    bot: Bot
    clock: Clock
    renderers: dict[str, Renderer]
    on_skipped: Replanner | None = None
    periodic: list[Periodic] = field(default_factory=list)
    quiet: QuietHours = field(default_factory=QuietHours)
    staleness: timedelta = timedelta(hours=12)
    batch_size: int = 500
    concurrency: int = 32
    per_chat_gap: timedelta = timedelta(seconds=1)
    _last_sent: dict[int, datetime] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def tick(self) -> TickReport:
        """Deliver everything due now (one batch); safe to call at any time."""
        async with self._lock:
            report = await self._tick()
            for check in self.periodic:
                try:
                    report.periodic += await check(self.clock.now())
                except Exception:  # one failing schedule must not stop the outbox
                    log.exception("a periodic schedule failed")
            return report

    async def _tick(self) -> TickReport:
        repo = self.repo_of()
        now = self.clock.now()
        report = TickReport()
        rows = await repo.claim_due(now, self.batch_size)
        report.claimed = len(rows)
        if not rows:
            return report
        if len(self._last_sent) > 4096:  # keep only chats that were sent to a moment ago
            self._last_sent = {
                chat: when
                for chat, when in self._last_sent.items()
                if now - when < self.per_chat_gap
            }
        outcomes: list[tuple[int, str, str | None]] = []
        sendable: list[tuple[OutboxRow, Parent]] = []
        seen_chats: set[int] = set()
        parents: dict[int, Parent | None] = {}
        for row in rows:
            if row.parent_id not in parents:
                parents[row.parent_id] = await repo.get_parent(row.parent_id)
            parent = parents[row.parent_id]
            if parent is None or parent.status != "active":
                outcomes.append((row.id, "cancelled", "parent not active"))
                report.cancelled += 1
                continue
            decision = await self._decide(repo, row, parent, now)
            if decision == "send":
                last = self._last_sent.get(row.chat_id)
                recent = last is not None and now - last < self.per_chat_gap
                if row.chat_id in seen_chats or recent:
                    # At most one message per chat per second: a later tick takes it.
                    await repo.retry_later(row.id, now + self.per_chat_gap, "spaced")
                    report.deferred += 1
                    continue
                seen_chats.add(row.chat_id)
                sendable.append((row, parent))
            elif decision == "skip":
                outcomes.append((row.id, "skipped", "stale"))
                report.skipped += 1
                if self.on_skipped is not None:
                    await self.on_skipped(row, parent)
            else:
                report.deferred += 1
        gate = asyncio.Semaphore(self.concurrency)

        async def deliver(row: OutboxRow, parent: Parent) -> tuple[int, str, str | None]:
            async with gate:
                return await self._deliver(repo, row, parent, report)

        results = await asyncio.gather(*(deliver(row, parent) for row, parent in sendable))
        outcomes.extend(r for r in results if r[1] != "pending")
        await repo.finish(outcomes, self.clock.now())
        return report

    async def _decide(self, repo: Repository, row: OutboxRow, parent: Parent, now: datetime) -> str:
        """'send', 'skip' (recorded as skipped) or 'deferred' (already put back)."""
        tz = ZoneInfo(parent.timezone)
        if parent.paused_until is not None and parent.paused_until > now:
            if row.kind in STALE_SKIPPABLE:
                return "skip"
            await repo.retry_later(row.id, parent.paused_until, "paused")
            return "deferred"
        late = now - row.due_at
        if row.kind in STALE_SKIPPABLE and late > self.staleness:
            return "skip"
        allowed = out_of_quiet_hours(now, tz, self.quiet)
        if allowed > now:
            if row.kind in STALE_SKIPPABLE and allowed - row.due_at > self.staleness:
                return "skip"
            await repo.retry_later(row.id, allowed, "quiet hours")
            return "deferred"
        return "send"

    async def _deliver(
        self, repo: Repository, row: OutboxRow, parent: Parent, report: TickReport
    ) -> tuple[int, str, str | None]:
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            log.error("no renderer for outbox kind %r", row.kind)
            report.failed += 1
            return row.id, "failed", f"unknown kind {row.kind}"
        try:
            with use_locale(parent.locale):
                rendered = await renderer(row, parent)
            if isinstance(rendered, Skip):
                if rendered.then is not None:
                    await rendered.then()
                report.skipped += 1
                return row.id, "skipped", rendered.reason
            current = await repo.get_parent(row.parent_id)
            if current is None or current.status != "active":
                # STOP (or a block) arrived after this row was claimed.
                report.cancelled += 1
                return row.id, "cancelled", "parent not active"
            await self.bot.send_message(
                row.chat_id,
                rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.markup,
            )
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await repo.retry_later(
                row.id, self.clock.now() + timedelta(seconds=seconds), "429 retry after"
            )
            report.retried += 1
            return row.id, "pending", None
        except Forbidden:
            await self._unreachable(repo, row.parent_id)
            report.cancelled += 1
            return row.id, "cancelled", "forbidden: blocked by the user"
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                await self._unreachable(repo, row.parent_id)
                report.cancelled += 1
                return row.id, "cancelled", "chat not found"
            return await self._retry_or_fail(repo, row, report, f"bad request: {exc.message}")
        except TelegramError as exc:
            return await self._retry_or_fail(repo, row, report, type(exc).__name__)
        except Exception as exc:  # a bug in a renderer: record it, never lose it silently
            log.exception("rendering an outbox row failed (kind=%s)", row.kind)
            report.failed += 1
            return row.id, "failed", f"error: {type(exc).__name__}"
        self._last_sent[row.chat_id] = self.clock.now()
        if rendered.on_sent is not None:
            await rendered.on_sent()
        report.sent += 1
        return row.id, "sent", None

    async def _retry_or_fail(
        self, repo: Repository, row: OutboxRow, report: TickReport, error: str
    ) -> tuple[int, str, str | None]:
        if row.attempts >= MAX_ATTEMPTS:
            log.warning(
                "outbox message %s failed after %d attempts: %s", row.id, row.attempts, error
            )
            report.failed += 1
            return row.id, "failed", error
        backoff = timedelta(seconds=30 * 2 ** (row.attempts - 1))
        await repo.retry_later(row.id, self.clock.now() + backoff, error)
        report.retried += 1
        return row.id, "pending", None

    async def _unreachable(self, repo: Repository, parent_id: int) -> None:
        await repo.set_parent_status(parent_id, "unreachable")
        await repo.cancel_pending(parent_id)

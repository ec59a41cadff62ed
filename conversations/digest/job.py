"""Sends practitioners' weekly digests when due; checked at every dispatcher tick.

Each practitioner has one row in `digests` (a default one is created for newcomers) with
the next time it is due (UTC) and when the last one was sent. A due digest is first moved on
to its next time (compare-and-set, so two ticks never both send it), then sent; a failed
send puts it back. A restart neither doubles a digest nor skips one: what is overdue is sent
at the first tick, once, covering everything since the last one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.context import Services
from bot.i18n import use_locale
from bot.scheduler import Periodic
from conversations.digest import logic
from conversations.home.timing import out_of_quiet_hours

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=10)
PLAN_EVERY = timedelta(minutes=1)


def digest_runner(services: Services, bot: Bot) -> Periodic:
    """Build the check that sends every due digest (returns how many went)."""

    planned_at: list[datetime] = []

    async def run(now: datetime) -> int:
        repo = services.repo
        if not planned_at or now - planned_at[0] >= PLAN_EVERY:
            # New practitioners get the default schedule (a write: not at every tick).
            planned_at[:] = [now]
            await repo.ensure_digests(
                logic.DEFAULT_WEEKDAY, logic.DEFAULT_TIME, services.settings.default_timezone
            )
        for new in await repo.digests_to_plan():
            tz = ZoneInfo(new.timezone)
            await repo.save_digest(
                new.practitioner_id,
                new.weekday,
                new.local_time,
                new.timezone,
                True,
                logic.next_due(now, new.weekday, new.local_time, tz),
            )
        sent = 0
        for due in await repo.due_digests(now):
            assert due.next_due_at is not None
            tz = ZoneInfo(due.timezone)
            if out_of_quiet_hours(now, tz, services.quiet) > now:
                continue  # overdue after a long stop: wait for the morning
            following = logic.next_due(now, due.weekday, due.local_time, tz)
            if not await repo.claim_digest(due.practitioner_id, due.next_due_at, following, now):
                continue
            practitioner = await repo.get_practitioner(due.practitioner_id)
            setting = await repo.get_setting(practitioner.setting_id) if practitioner else None
            if practitioner is None or setting is None:
                continue
            since = logic.covered_since(due.last_sent_at, due.next_due_at)
            data = await repo.digest_data(setting, since, now, now - logic.SILENT_AFTER)
            with use_locale(practitioner.locale):
                messages = logic.digest_messages(data, tz)
            try:
                for text in messages:
                    await bot.send_message(practitioner.chat_id, text, parse_mode=ParseMode.HTML)
            except Forbidden:
                log.warning("a practitioner has blocked the bot: digest not sent")
                continue
            except TelegramError as exc:
                log.warning("digest not delivered (%s): retrying later", type(exc).__name__)
                await repo.unclaim_digest(due.practitioner_id, now + RETRY_AFTER, due.last_sent_at)
                continue
            sent += 1
        return sent

    return run

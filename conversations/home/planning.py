"""Planning rows in the outbox: the next home idea and the check-in. Idempotent by key."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.storage.models import Aim, Parent, Schedule
from bot.storage.repo import Repository
from conversations.home.timing import QuietHours, local_at, next_occurrence, out_of_quiet_hours

CHECKIN_DEFAULT_TIME = time(10, 0)
TIP = "tip"
CHECKIN = "checkin"
CHECKIN_REMINDER = "checkin_reminder"


def tip_key(parent_id: int, due: datetime, tz: ZoneInfo) -> str:
    """One idea per parent per local day, whatever re-planning happens."""
    return f"tip:{parent_id}:{due.astimezone(tz).date().isoformat()}"


async def plan_next_tip(
    repo: Repository, parent: Parent, schedule: Schedule, after: datetime, quiet: QuietHours
) -> datetime:
    """Schedule the parent's next home idea strictly after `after` (or after a pause)."""
    tz = ZoneInfo(parent.timezone)
    start = max(after, parent.paused_until) if parent.paused_until else after
    due = next_occurrence(start, schedule.weekdays, schedule.local_time, tz)
    due = out_of_quiet_hours(due, tz, quiet)
    await repo.enqueue(
        tip_key(parent.user_id, due, tz), parent.user_id, parent.chat_id, TIP, None, due
    )
    return due


async def plan_checkin(
    repo: Repository, parent: Parent, aim: Aim, schedule: Schedule | None, quiet: QuietHours
) -> datetime:
    """Schedule the 'close the loop' check-in on the aim's follow-up day."""
    tz = ZoneInfo(parent.timezone)
    at = schedule.local_time if schedule is not None else CHECKIN_DEFAULT_TIME
    due = out_of_quiet_hours(local_at(aim.follow_up_on, at, tz), tz, quiet)
    key = f"checkin:{aim.id}:{aim.follow_up_on.isoformat()}"
    await repo.enqueue(key, parent.user_id, parent.chat_id, CHECKIN, aim.id, due)
    return due


async def replan(repo: Repository, parent: Parent, now: datetime, quiet: QuietHours) -> None:
    """Plan whatever a parent should next receive (after /resume, unblocking, a new schedule)."""
    schedule = await repo.get_schedule(parent.user_id)
    if schedule is not None:
        await plan_next_tip(repo, parent, schedule, now, quiet)
    child = await repo.child_of(parent.user_id)
    # Only this carer's own aim: another carer of the child has their own check-ins.
    aim = await repo.active_aim_of(child.id, parent.user_id) if child is not None else None
    if aim is not None:
        answered = await repo.latest_checkin_for_aim(aim.id)
        if answered is None or answered.outcome == "keep":
            await plan_checkin(repo, parent, aim, schedule, quiet)

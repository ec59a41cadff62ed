"""Renders a due home idea for the dispatcher, and plans the next one once it is sent."""

from __future__ import annotations

from bot.context import Services
from bot.i18n import _
from bot.scheduler import Outgoing, Rendered, Renderer, Replanner, Skip
from bot.storage.models import OutboxRow, Parent
from conversations.common.keyboards import keyboard
from conversations.home import logic
from conversations.home.planning import plan_next_tip
from conversations.home.timing import next_tip_choice
from conversations.listening import load_content
from conversations.listening.engine import content_locale


def tip_renderer(services: Services) -> Renderer:
    """Build the renderer for 'tip' rows."""

    async def render(row: OutboxRow, parent: Parent) -> Rendered:
        repo = services.repo
        schedule = await repo.get_schedule(parent.user_id)
        child = await repo.child_of(parent.user_id)
        if schedule is None or child is None:
            return Skip("no schedule or child")
        aim = await repo.active_aim(child.id)
        content = load_content(content_locale(parent.locale))
        order = logic.tip_order(content, aim.theme if aim else None)
        cycle, sent = await repo.tips_in_cycle(parent.user_id)
        tip_id, new_cycle = next_tip_choice(order, sent)
        tip = content.home_tip(tip_id)
        markup = keyboard(
            [
                (_("We tried it 👍"), f"tip:tried:{row.id}"),
                (_("Not this week"), f"tip:skip:{row.id}"),
            ]
        )

        async def on_sent() -> None:
            await repo.record_tip(
                row.id, parent.user_id, tip_id, cycle + int(new_cycle), services.clock.now()
            )
            await plan_next_tip(repo, parent, schedule, services.clock.now(), services.quiet)

        return Outgoing(logic.tip_message(tip, child.first_name, content), markup, on_sent)

    return render


def tip_replanner(services: Services) -> Replanner:
    """After a tip was skipped (stale, paused), plan the next one."""

    async def replan_tip(row: OutboxRow, parent: Parent) -> None:
        if row.kind != "tip":
            return
        schedule = await services.repo.get_schedule(parent.user_id)
        if schedule is not None:
            await plan_next_tip(
                services.repo, parent, schedule, services.clock.now(), services.quiet
            )

    return replan_tip

"""Thin handlers for the check-in: the parent's words, and keep / new aim / we got there."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler

from bot.context import AimDraft, Ctx
from bot.i18n import _
from bot.storage.models import CheckIn, Parent
from conversations.aim.logic import new_flow_id, opening_question
from conversations.checkin import logic
from conversations.checkin.outbox import checkin_buttons
from conversations.common.relay import send_to_practitioners
from conversations.home.planning import plan_checkin
from conversations.states import ParentState

# A reply counts as the answer to a check-in sent within this window.
REPLY_WINDOW = timedelta(days=14)


async def _pressed(update: Update, context: Ctx) -> tuple[Parent, CheckIn, str] | None:
    """The parent, their check-in and the action, after an ownership check in the database."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return None
    _prefix, action, ident = ([*query.data.split(":"), "", ""])[:3]
    repo = context.services.repo
    parent = await repo.get_parent(user.id)
    checkin = await repo.checkin(int(ident), user.id) if ident.isdigit() and parent else None
    if parent is None or checkin is None or action not in logic.OUTCOMES:
        await query.answer(_("That button is no longer active."))
        return None
    if checkin.outcome is not None:
        await query.answer(_("Thank you, I've already noted that."))
        return None
    await query.answer()
    return parent, checkin, action


async def _tell_practitioners(context: Ctx, parent: Parent, checkin: CheckIn, outcome: str) -> None:
    repo = context.services.repo
    setting = await repo.setting_of_group(parent.group_id)
    aim = await repo.aim_by_id(checkin.aim_id)
    child = await repo.child_of(parent.user_id)
    if setting is None or aim is None or child is None:
        return
    await send_to_practitioners(
        context.bot,
        repo,
        setting.id,
        lambda: [
            logic.practitioner_outcome(
                setting.name, child.first_name, parent.name, aim.text, outcome
            )
        ],
        about=parent,
    )


async def keep_or_reached(update: Update, context: Ctx) -> None:
    """'Keep this aim' (next check-in in a few weeks) or 'We got there' (celebrate)."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    parent, checkin, action = pressed
    svc = context.services
    repo = svc.repo
    aim = await repo.aim_by_id(checkin.aim_id)
    child = await repo.child_of(parent.user_id)
    if aim is None or child is None:
        return
    now = svc.clock.now()
    await repo.checkin_outcome(checkin.id, action, now)
    if action == "keep":
        next_day = now.date() + timedelta(weeks=svc.settings.follow_up_weeks)
        await repo.set_follow_up(aim.id, next_day)
        kept = await repo.aim_by_id(aim.id)
        assert kept is not None
        await plan_checkin(repo, parent, kept, await repo.get_schedule(parent.user_id), svc.quiet)
        text = logic.keep_text(next_day)
    else:
        await repo.set_aim_status(aim.id, "reached")
        text = logic.reached_text(child.first_name)
    await context.bot.send_message(parent.chat_id, text, parse_mode=ParseMode.HTML)
    await _tell_practitioners(context, parent, checkin, action)


async def new_aim(update: Update, context: Ctx) -> int | None:
    """'Set a new aim': straight into the aim conversation (an entry point of it)."""
    pressed = await _pressed(update, context)
    if pressed is None or context.chat_data is None:
        return None
    parent, checkin, action = pressed
    if action != "new":
        return None
    repo = context.services.repo
    await repo.checkin_outcome(checkin.id, "new", context.services.clock.now())
    child = await repo.child_of(parent.user_id)
    if child is None:
        return ConversationHandler.END
    await _tell_practitioners(context, parent, checkin, "new")
    context.chat_data.aim = AimDraft(flow=new_flow_id(), child=child.first_name)
    await context.bot.send_message(
        parent.chat_id, opening_question(child.first_name), parse_mode=ParseMode.HTML
    )
    return ParentState.STORY


async def take_reply(update: Update, context: Ctx, parent: Parent) -> bool:
    """If a check-in is waiting for the parent's words, keep them and relay them."""
    message = update.effective_message
    svc = context.services
    repo = svc.repo
    checkin = await repo.open_checkin(parent.user_id, svc.clock.now() - REPLY_WINDOW)
    if message is None or message.text is None or checkin is None:
        return False
    reply = message.text.strip()
    await repo.checkin_reply(checkin.id, reply, svc.clock.now())
    setting = await repo.setting_of_group(parent.group_id)
    aim = await repo.aim_by_id(checkin.aim_id)
    child = await repo.child_of(parent.user_id)
    if setting is not None and aim is not None and child is not None:
        await send_to_practitioners(
            context.bot,
            repo,
            setting.id,
            lambda: logic.practitioner_reply(
                setting.name, child.first_name, parent.name, aim.text, reply
            ),
            about=parent,
        )
    await message.reply_html(
        logic.reply_thanks(setting.name if setting else ""),
        reply_markup=checkin_buttons(checkin.id),
    )
    return True

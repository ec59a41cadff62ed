"""Thin handlers: choosing when home ideas come (/tips), answering them, pause/resume/STOP."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import ConversationHandler

from bot.context import Ctx, TipsDraft
from bot.i18n import _, format_full_day, format_weeks
from bot.storage.models import Parent
from conversations.checkin.logic import practitioner_noticed
from conversations.common.keyboards import column, drop_buttons, keyboard, set_buttons
from conversations.common.relay import send_to_practitioners
from conversations.home import logic
from conversations.home.planning import TIP, plan_next_tip, replan
from conversations.home.timing import MAX_DAYS_A_WEEK, allowed_time, parse_hhmm, shift
from conversations.listening import load_content
from conversations.listening.engine import content_locale
from conversations.states import TipsState

PREFIX = "tips:"
START = "tips:start"


async def _parent(update: Update, context: Ctx) -> Parent | None:
    user = update.effective_user
    return await context.services.repo.get_parent(user.id) if user is not None else None


def _moment_buttons() -> InlineKeyboardMarkup:
    options = [(_(label), f"{PREFIX}m:{code}") for code, (label, _t, _d) in logic.MOMENTS.items()]
    options.append((_("🕰 Another time"), f"{PREFIX}m:other"))
    return column(options, per_row=2)


def _day_buttons(chosen: list[int]) -> InlineKeyboardMarkup:
    from bot.i18n import weekday_name

    days = [
        (("✓ " if day in chosen else "") + weekday_name(day), f"{PREFIX}d:{day}")
        for day in range(1, 8)
    ]
    rows = [days[:4], days[4:], [(_("Done"), f"{PREFIX}d:done")]]
    return keyboard(*rows)


def _confirm_buttons() -> InlineKeyboardMarkup:
    return keyboard(
        [(_("−30 min"), f"{PREFIX}t:-30"), (_("+30 min"), f"{PREFIX}t:30")],
        [(_("Type a time"), f"{PREFIX}type"), (_("Time zone"), f"{PREFIX}zone")],
        [(_("That's right ✓"), f"{PREFIX}ok")],
    )


def _summary(draft: TipsDraft) -> str:
    return logic.schedule_summary(
        tuple(draft.weekdays), time.fromisoformat(draft.local_time), draft.zone
    )


async def start(update: Update, context: Ctx) -> int:
    """/tips (or the button after an aim): choose when home ideas arrive."""
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    parent = await _parent(update, context)
    if message is None or context.chat_data is None:
        return ConversationHandler.END
    child = await context.services.repo.child_of(parent.user_id) if parent else None
    if parent is None or child is None:
        await context.bot.send_message(
            message.chat.id,
            _("Home ideas start once we've agreed an aim together: send /newaim to begin."),
        )
        return ConversationHandler.END
    context.chat_data.tips = None
    await context.bot.send_message(
        message.chat.id,
        logic.moment_question(child.first_name),
        parse_mode=ParseMode.HTML,
        reply_markup=_moment_buttons(),
    )
    return TipsState.MOMENT


async def moment(update: Update, context: Ctx) -> int | None:
    """A family moment, or 'another time'."""
    query = update.callback_query
    parent = await _parent(update, context)
    if query is None or query.data is None or parent is None or context.chat_data is None:
        return None
    code = query.data.removeprefix(f"{PREFIX}m:")
    await query.answer()
    await drop_buttons(query)
    quiet = context.services.quiet
    if code == "other":
        context.chat_data.tips = TipsDraft("other", "18:00", parent.timezone)
        await context.bot.send_message(
            parent.chat_id, _("What time suits you? Type it like 18:30 or 6.30pm.")
        )
        return TipsState.TIME
    if code not in logic.MOMENTS:
        return None
    _label, at, days = logic.MOMENTS[code]
    draft = TipsDraft(code, allowed_time(at, quiet).strftime("%H:%M"), parent.timezone)
    context.chat_data.tips = draft
    if days is not None:
        draft.weekdays = list(days)
        await _confirm(context, parent.chat_id, draft)
        return TipsState.CONFIRM
    await context.bot.send_message(
        parent.chat_id, logic.days_question(), reply_markup=_day_buttons(draft.weekdays)
    )
    return TipsState.DAYS


async def typed_time(update: Update, context: Ctx) -> int | None:
    """A time typed by the parent."""
    message = update.effective_message
    data = context.chat_data
    if message is None or message.text is None or data is None or data.tips is None:
        return None
    at = parse_hhmm(message.text)
    if at is None:
        await message.reply_text(_("Sorry, I didn't catch that time. Try something like 18:30."))
        return None
    moved = allowed_time(at, context.services.quiet)
    data.tips.local_time = moved.strftime("%H:%M")
    if moved != at:
        await message.reply_text(logic.quiet_note(moved))
    if not data.tips.weekdays:
        await message.reply_text(logic.days_question(), reply_markup=_day_buttons([]))
        return TipsState.DAYS
    await _confirm(context, message.chat_id, data.tips)
    return TipsState.CONFIRM


async def day(update: Update, context: Ctx) -> int | None:
    """Toggle a weekday, or Done."""
    query = update.callback_query
    data = context.chat_data
    if query is None or query.data is None or data is None or data.tips is None:
        return None
    arg = query.data.removeprefix(f"{PREFIX}d:")
    draft = data.tips
    if arg == "done":
        if not draft.weekdays:
            await query.answer(_("Please pick at least one day."))
            return None
        await query.answer()
        await drop_buttons(query)
        assert query.message is not None
        await _confirm(context, query.message.chat.id, draft)
        return TipsState.CONFIRM
    if not arg.isdigit() or not 1 <= int(arg) <= 7:
        return None
    chosen = int(arg)
    if chosen in draft.weekdays:
        draft.weekdays.remove(chosen)
    elif len(draft.weekdays) >= MAX_DAYS_A_WEEK:
        await query.answer(_("Up to 3 days a week: a little and often works best."))
        return None
    else:
        draft.weekdays.append(chosen)
    await query.answer()
    await set_buttons(query, _day_buttons(draft.weekdays))
    return None


async def _confirm(context: Ctx, chat_id: int, draft: TipsDraft) -> None:
    await context.bot.send_message(
        chat_id, _summary(draft), parse_mode=ParseMode.HTML, reply_markup=_confirm_buttons()
    )


async def adjust(update: Update, context: Ctx) -> int | None:
    """−30 / +30 minutes, a time zone, or 'type a time'."""
    query = update.callback_query
    data = context.chat_data
    if query is None or query.data is None or data is None or data.tips is None:
        return None
    draft = data.tips
    arg = query.data.removeprefix(PREFIX)
    if arg == "type":
        await query.answer()
        assert query.message is not None
        await context.bot.send_message(
            query.message.chat.id, _("What time suits you? Type it like 18:30 or 6.30pm.")
        )
        return TipsState.TIME
    if arg == "zone":
        await query.answer()
        options = [
            (zone.split("/")[-1].replace("_", " "), f"{PREFIX}z:{i}")
            for i, zone in enumerate(logic.ZONES)
        ]
        await set_buttons(query, column(options, per_row=2))
        return None
    note: str | None = None
    before = (draft.local_time, draft.zone)
    if arg.startswith("z:"):
        index = arg.removeprefix("z:")
        if not index.isdigit() or int(index) >= len(logic.ZONES):
            return None
        draft.zone = logic.ZONES[int(index)]
    elif arg.startswith("t:"):
        minutes = int(arg.removeprefix("t:"))
        wanted = shift(time.fromisoformat(draft.local_time), minutes)
        moved = allowed_time(wanted, context.services.quiet)
        if moved != wanted:
            note = logic.quiet_note(moved)
        draft.local_time = moved.strftime("%H:%M")
    if note is not None:
        await query.answer(note, show_alert=True)
    else:
        await query.answer()
    if (draft.local_time, draft.zone) != before or arg.startswith("z:"):
        # Telegram refuses an edit that changes nothing (e.g. +30 min at the quiet-hours cap).
        await query.edit_message_text(
            _summary(draft), parse_mode=ParseMode.HTML, reply_markup=_confirm_buttons()
        )
    return None


async def save(update: Update, context: Ctx) -> int:
    """'That's right': save the schedule and plan the first idea."""
    query = update.callback_query
    data = context.chat_data
    parent = await _parent(update, context)
    if query is None or data is None or data.tips is None or parent is None:
        return ConversationHandler.END
    await query.answer()
    await drop_buttons(query)
    draft = data.tips
    svc = context.services
    repo = svc.repo
    now = svc.clock.now()
    if draft.zone != parent.timezone:
        await repo.set_timezone(parent.user_id, draft.zone)
        parent = await repo.get_parent(parent.user_id)
        assert parent is not None
    schedule = await repo.save_schedule(
        parent.user_id,
        tuple(draft.weekdays),
        time.fromisoformat(draft.local_time),
        draft.moment,
        now,
    )
    await repo.cancel_pending(parent.user_id, (TIP,))
    first = await plan_next_tip(repo, parent, schedule, now, svc.quiet)
    data.tips = None
    await context.bot.send_message(parent.chat_id, logic.schedule_saved(first, parent.timezone))
    return ConversationHandler.END


async def cancel(update: Update, context: Ctx) -> int:
    """/cancel while choosing: nothing changes."""
    if context.chat_data is not None:
        context.chat_data.tips = None
    message = update.effective_message
    if message is not None:
        await message.reply_text(_("No problem, nothing has changed."))
    return ConversationHandler.END


# -- answering an idea ------------------------------------------------------------------------


async def tip_button(update: Update, context: Ctx) -> None:
    """'We tried it' (then: what did you notice?) or 'Not this week'."""
    query = update.callback_query
    parent = await _parent(update, context)
    if query is None or query.data is None:
        return
    _prefix, action, sent = ([*query.data.split(":"), "", ""])[:3]
    repo = context.services.repo
    tip = await repo.tip_sent(int(sent), parent.user_id) if parent and sent.isdigit() else None
    if parent is None or tip is None or action not in {"tried", "skip"}:
        await query.answer(_("That button is no longer active."))
        return
    if tip.response is not None:
        await query.answer(_("Thank you, I've already noted that."))
        return
    await query.answer()
    child = await repo.child_of(parent.user_id)
    name = child.first_name if child else _("your child")
    if action == "tried":
        await repo.answer_tip(tip.id, "tried", awaiting_note=True)
        await context.bot.send_message(
            parent.chat_id, logic.ask_noticed(name), parse_mode=ParseMode.HTML
        )
    else:
        await repo.answer_tip(tip.id, "not_this_week", awaiting_note=False)
        await context.bot.send_message(parent.chat_id, logic.not_this_week())


async def take_note(update: Update, context: Ctx, parent: Parent) -> bool:
    """If the parent was asked what they noticed, keep their answer and relay it."""
    message = update.effective_message
    repo = context.services.repo
    tip = await repo.tip_awaiting_note(parent.user_id)
    if message is None or message.text is None or tip is None:
        return False
    noticed = message.text.strip()
    await repo.save_tip_note(tip.id, noticed, context.services.clock.now())
    setting = await repo.setting_of_group(parent.group_id)
    child = await repo.child_of(parent.user_id)
    content = load_content(content_locale(parent.locale))
    name = child.first_name if child else "?"
    idea = content.fill(content.home_tip(tip.tip_id).text, name)
    if setting is not None:
        await send_to_practitioners(
            context.bot,
            repo,
            setting.id,
            lambda: practitioner_noticed(setting.name, name, parent.name, idea, noticed),
            about=parent,
        )
    await message.reply_text(logic.noticed_thanks(setting.name if setting else ""))
    return True


# -- pause, resume, STOP, blocking ---------------------------------------------------------------


async def pause(update: Update, context: Ctx) -> None:
    """/pause: for how long?"""
    message = update.effective_message
    if message is None:
        return
    if await _parent(update, context) is None:
        await message.reply_text(_("There's nothing to pause yet."))
        return
    options = [(format_weeks(weeks), f"pause:{weeks}") for weeks in logic.PAUSE_WEEKS]
    await message.reply_text(logic.pause_question(), reply_markup=column(options, per_row=3))


async def pause_choice(update: Update, context: Ctx) -> None:
    """A pause length."""
    query = update.callback_query
    parent = await _parent(update, context)
    if query is None or query.data is None or parent is None:
        return
    weeks = query.data.removeprefix("pause:")
    if not weeks.isdigit() or int(weeks) not in logic.PAUSE_WEEKS:
        await query.answer(_("That button is no longer active."))
        return
    await query.answer()
    await drop_buttons(query)
    svc = context.services
    until = svc.clock.now() + timedelta(weeks=int(weeks))
    await svc.repo.set_paused_until(parent.user_id, until)
    await svc.repo.cancel_pending(parent.user_id, (TIP,))
    paused = await svc.repo.get_parent(parent.user_id)
    assert paused is not None
    schedule = await svc.repo.get_schedule(parent.user_id)
    if schedule is not None:
        await plan_next_tip(svc.repo, paused, schedule, until, svc.quiet)
    day = format_full_day(until.astimezone(ZoneInfo(parent.timezone)).date())
    await context.bot.send_message(parent.chat_id, logic.paused(day))


async def resume(update: Update, context: Ctx) -> None:
    """/resume after STOP or a pause."""
    message = update.effective_message
    parent = await _parent(update, context)
    if message is None:
        return
    if parent is None:
        await message.reply_text(_("To get started, please open the link your nursery gave you."))
        return
    svc = context.services
    await svc.repo.set_parent_status(parent.user_id, "active")
    await svc.repo.set_paused_until(parent.user_id, None)
    active = await svc.repo.get_parent(parent.user_id)
    assert active is not None
    await replan(svc.repo, active, svc.clock.now(), svc.quiet)
    await message.reply_text(logic.resumed())


async def stop(update: Update, context: Ctx) -> int:
    """STOP: cancel every scheduled message at once, whatever is in progress."""
    message = update.effective_message
    parent = await _parent(update, context)
    if context.chat_data is not None:
        context.chat_data.aim = None
        context.chat_data.tips = None
    if parent is not None:
        await context.services.repo.set_parent_status(parent.user_id, "stopped")
        await context.services.repo.cancel_pending(parent.user_id)
    if message is not None:
        await message.reply_text(logic.stopped())
    return ConversationHandler.END


async def membership(update: Update, context: Ctx) -> None:
    """The parent blocked (or unblocked) the bot in their private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    repo = context.services.repo
    parent = await repo.get_parent(change.from_user.id)
    if parent is None:
        return
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        await repo.set_parent_status(parent.user_id, "unreachable")
        await repo.cancel_pending(parent.user_id)
    elif status == ChatMemberStatus.MEMBER and parent.status == "unreachable":
        await repo.set_parent_status(parent.user_id, "active")
        active = await repo.get_parent(parent.user_id)
        assert active is not None
        await replan(repo, active, context.services.clock.now(), context.services.quiet)

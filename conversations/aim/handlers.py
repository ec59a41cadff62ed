"""Thin handlers for the aim conversation; the decisions and texts live in `logic`."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import ConversationHandler

from bot.context import AimDraft, ChatData, Ctx
from bot.i18n import _, bidi, current_locale
from bot.storage.models import Parent
from conversations.aim import logic
from conversations.common.keyboards import column, keyboard
from conversations.common.relay import send_to_practitioners
from conversations.common.safety import detect_any, on_disclosure
from conversations.common.text import esc
from conversations.events.catch_up import EVENT_ARG, catch_up_choice, catch_up_day
from conversations.home.handlers import stop as home_stop
from conversations.home.logic import is_stop
from conversations.home.planning import plan_checkin
from conversations.listening import THEME_IDS, analyse, load_content
from conversations.states import ParentState

log = logging.getLogger(__name__)

PREFIX = "aim:"
TIPS_START = "tips:start"
MAX_REDISPATCH = 3
_redispatch_depth: ContextVar[int] = ContextVar("aim_redispatch_depth", default=0)


def _checked(_text: str, _locale: str) -> bool:
    """Safeguarding hook for analyse(): every message of the story already passed the
    disclosure filter (TEXT_INPUT) before reaching these steps, so it is not run again here."""
    return False


def _data(flow: str, action: str, arg: str = "") -> str:
    return f"{PREFIX}{action}:{flow}" + (f":{arg}" if arg else "")


def _parse(data: str | None) -> tuple[str, str, str]:
    """Split 'aim:action:flow[:arg]' into (action, flow, arg)."""
    parts = (data or "").split(":", 3)
    while len(parts) < 4:
        parts.append("")
    return parts[1], parts[2], parts[3]


async def _child_name(context: Ctx, user_id: int) -> str:
    data = context.chat_data
    if data is not None and data.aim is not None and data.aim.child:
        return data.aim.child
    child = await context.services.repo.child_of(user_id)
    return child.first_name if child else _("your child")


# -- entry ----------------------------------------------------------------------------


async def new_aim(update: Update, context: Ctx) -> int:
    """/newaim: start thinking together about a (new) aim."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or context.chat_data is None:
        return ConversationHandler.END
    repo = context.services.repo
    if await repo.get_parent(user.id) is None:
        await message.reply_text(_("To get started, please open the link your nursery gave you."))
        return ConversationHandler.END
    child = await repo.child_of(user.id)
    if child is None:
        await message.reply_text(_("Let's start with your child. What is their first name?"))
        return ParentState.CHILD_NAME
    context.chat_data.aim = AimDraft(flow=logic.new_flow_id(), child=child.first_name)
    await message.reply_html(logic.opening_question(child.first_name))
    return ParentState.STORY


# -- gathering the story and the picture -------------------------------------------------


async def _gather(update: Update, context: Ctx, phase: str) -> AimDraft | None:
    """Add this message to the draft, wait for the burst to end, return the draft (or None
    when the conversation was cancelled or stopped meanwhile)."""
    message = update.effective_message
    data = context.chat_data
    if message is None or message.text is None or data is None or data.aim is None:
        return None
    draft = data.aim
    draft.phase = phase
    (draft.story if phase == "story" else draft.picture).append(message.text)
    gatherer = context.services.gatherer
    gatherer.bump(message.chat_id)
    if gatherer.quiet_seconds > 0:
        # "typing…" covers the quiet period; with none the reply comes at once and the
        # indicator would be one more Bot API call for nothing.
        await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    await gatherer.wait_quiet(message.chat_id)
    current = data.aim
    if current is None or current.flow != draft.flow:
        return None
    return current


async def while_gathering(update: Update, context: Ctx) -> None:
    """Any update that arrives while a story step runs (ConversationHandler.WAITING).

    While the quiet period is open, text joins the story, and /cancel or a disclosure stop
    the step at once. Once the step is replying, the update waits for it to finish and is
    then dispatched again, so that it reaches the state the step moved to.
    """
    chat = update.effective_chat
    message = update.effective_message
    data = context.chat_data
    if chat is None:
        return
    gatherer = context.services.gatherer
    await gatherer.started(chat.id)
    if gatherer.listening(chat.id) and message is not None and data is not None and data.aim:
        text = message.text or ""
        if text.strip().startswith("/cancel"):
            await cancel(update, context)
            return
        if text.strip().lower() == "/stop" or is_stop(text):
            await home_stop(update, context)
            return
        if message.text is not None and not text.startswith("/"):
            if detect_any(text) is not None:
                await on_disclosure(update, context)
                return
            draft = data.aim
            (draft.story if draft.phase == "story" else draft.picture).append(text)
            gatherer.bump(chat.id)
            return
    await gatherer.finished(chat.id)
    depth = _redispatch_depth.get()
    if depth >= MAX_REDISPATCH:  # never expected: the step has finished by now
        log.warning("an update stayed pending after its gathering step finished; dropped")
        return
    token = _redispatch_depth.set(depth + 1)
    try:
        await context.application.process_update(update)
    finally:
        _redispatch_depth.reset(token)


def cancelled_text() -> str:
    """What /cancel says."""
    return _(
        "No problem, I've stopped here and nothing from this conversation was shared. "
        "Whenever you're ready, send /newaim to start again."
    )


async def story(update: Update, context: Ctx) -> int:
    """Step 2: gather the story, then reflect it back and ask what it looks like."""
    assert update.effective_chat is not None
    async with context.services.gatherer.handling(update.effective_chat.id):
        return await _story(update, context)


async def _story(update: Update, context: Ctx) -> int:
    draft = await _gather(update, context, "story")
    message = update.effective_message
    if draft is None or message is None or update.effective_user is None:
        return ConversationHandler.END
    child = await _child_name(context, update.effective_user.id)
    result = analyse(" ".join(draft.story), current_locale(), child, safeguarding=_checked)
    draft.theme = result.theme
    draft.feeling = result.child_feeling
    await message.reply_html(bidi(esc(result.reflection)))
    return ParentState.PICTURE


async def picture(update: Update, context: Ctx) -> int:
    """Step 3: gather what it looks like, reframe, then propose an activity (or ask)."""
    assert update.effective_chat is not None
    async with context.services.gatherer.handling(update.effective_chat.id):
        return await _picture(update, context)


async def _picture(update: Update, context: Ctx) -> int:
    draft = await _gather(update, context, "picture")
    message = update.effective_message
    if draft is None or message is None or update.effective_user is None:
        return ConversationHandler.END
    child = await _child_name(context, update.effective_user.id)
    whole = " ".join(draft.story + draft.picture)
    result = analyse(whole, current_locale(), child, safeguarding=_checked)
    draft.theme = result.theme or draft.theme
    if draft.feeling is None:
        draft.feeling = result.child_feeling
    if draft.theme is None:
        content = load_content(current_locale())
        options = [(content.theme(t).label, _data(draft.flow, "theme", t)) for t in THEME_IDS]
        await message.reply_html(logic.theme_question(child), reply_markup=column(options, 2))
        return ParentState.THEME
    await _reframe_and_propose(context, message.chat_id, draft, child)
    return ParentState.ACTIVITY


async def _reframe_and_propose(context: Ctx, chat_id: int, draft: AimDraft, child: str) -> None:
    assert draft.theme is not None
    theme = load_content(current_locale()).theme(draft.theme)
    text = logic.reframe_for(theme, child, draft.feeling, draft.flow)
    await context.bot.send_message(chat_id, bidi(esc(text)), parse_mode=ParseMode.HTML)
    await _propose(context, chat_id, draft, child, first=True)


async def _propose(context: Ctx, chat_id: int, draft: AimDraft, child: str, first: bool) -> None:
    assert draft.theme is not None
    theme = load_content(current_locale()).theme(draft.theme)
    activity = logic.next_activity(theme, draft.tried)
    draft.activity_id = activity.id
    if activity.id not in draft.tried:
        draft.tried.append(activity.id)
    await context.bot.send_message(
        chat_id,
        logic.activity_message(activity, child, first),
        parse_mode=ParseMode.HTML,
        reply_markup=_activity_buttons(draft.flow, activity.id),
    )


def _activity_buttons(flow: str, activity_id: str) -> InlineKeyboardMarkup:
    # The activity id travels with "try" and "more", so that buttons left on an earlier
    # idea still act on that idea.
    return keyboard(
        [(_("Let's try it"), _data(flow, "try", activity_id))],
        [
            (_("Another idea"), _data(flow, "next")),
            (_("Tell me more"), _data(flow, "more", activity_id)),
        ],
    )


# -- button steps ---------------------------------------------------------------------------


async def _button(update: Update, context: Ctx) -> tuple[CallbackQuery, AimDraft, str] | None:
    """Answer the press; return (query, draft, arg) when it belongs to the current flow."""
    query = update.callback_query
    data = context.chat_data
    if query is None or query.message is None:
        return None
    _action, flow, arg = _parse(query.data)
    if data is None or data.aim is None or data.aim.flow != flow:
        await query.answer(_("That button is from an earlier conversation."))
        return None
    # Keyboards stay (one Bot API call less per step): a second tap on an old button
    # reaches a state that no longer expects it and gets a polite "already used".
    await query.answer()
    return query, data.aim, arg


async def choose_theme(update: Update, context: Ctx) -> int | None:
    """The parent picked the concern from the theme buttons."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, draft, arg = pressed
    if arg not in THEME_IDS:
        return None
    draft.theme = arg
    child = await _child_name(context, update.effective_user.id)
    assert query.message is not None
    await _reframe_and_propose(context, query.message.chat.id, draft, child)
    return ParentState.ACTIVITY


async def activity_try(update: Update, context: Ctx) -> int | None:
    """'Let's try it': offer a version at home (step 5)."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, draft, arg = pressed
    assert query.message is not None and draft.theme is not None
    child = await _child_name(context, update.effective_user.id)
    activity = logic.activity_by_id(load_content(current_locale()).theme(draft.theme), arg)
    draft.activity_id = activity.id
    await context.bot.send_message(
        query.message.chat.id,
        logic.home_offer(activity, child),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(
            [(_("Yes, we'll try it at home"), _data(draft.flow, "home", "y"))],
            [(_("Not right now"), _data(draft.flow, "home", "n"))],
        ),
    )
    return ParentState.HOME


async def activity_next(update: Update, context: Ctx) -> int | None:
    """'Another idea'."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, draft, _arg = pressed
    assert query.message is not None
    child = await _child_name(context, update.effective_user.id)
    await _propose(context, query.message.chat.id, draft, child, first=False)
    return ParentState.ACTIVITY


async def activity_more(update: Update, context: Ctx) -> int | None:
    """'Tell me more': the detail, with the choices again."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, draft, arg = pressed
    assert query.message is not None and draft.theme is not None
    child = await _child_name(context, update.effective_user.id)
    activity = logic.activity_by_id(load_content(current_locale()).theme(draft.theme), arg)
    draft.activity_id = activity.id
    await context.bot.send_message(
        query.message.chat.id,
        logic.activity_detail(activity, child),
        parse_mode=ParseMode.HTML,
        reply_markup=_activity_buttons(draft.flow, activity.id),
    )
    return ParentState.ACTIVITY


async def home_choice(update: Update, context: Ctx) -> int | None:
    """Home yes/no, then the aim proposal (step 6)."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, draft, arg = pressed
    assert query.message is not None and draft.theme is not None
    draft.home = arg == "y"
    child = await _child_name(context, update.effective_user.id)
    theme = load_content(current_locale()).theme(draft.theme)
    template = logic.aim_for(theme, draft.activity_id)
    draft.aim_text = logic.fill(template.text, child)
    draft.aim_signs = [logic.fill(sign, child) for sign in template.signs]
    await context.bot.send_message(
        query.message.chat.id,
        logic.aim_proposal(draft.aim_text, draft.aim_signs, child),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(
            [(_("That's right"), _data(draft.flow, "ok"))],
            [(_("I'd put it differently"), _data(draft.flow, "own"))],
        ),
    )
    return ParentState.AIM


async def _ask_follow_up(context: Ctx, chat_id: int, draft: AimDraft) -> int:
    today = context.services.clock.now().date()
    suggested = context.services.settings.follow_up_weeks
    options = [
        (logic.follow_up_label(weeks, day, weeks == suggested), _data(draft.flow, "fu", str(weeks)))
        for weeks, day in logic.follow_up_choices(today)
    ]
    # Piggy-back on the group's next coffee morning when there is one (private chat: the
    # chat id is the parent's user id).
    parent = await context.services.repo.get_parent(chat_id)
    event = (
        await catch_up_choice(context.services.repo, parent, context.services.clock.now())
        if parent
        else None
    )
    if event is not None:
        options.append((event[0], _data(draft.flow, "fu", event[1])))
    await context.bot.send_message(
        chat_id, logic.follow_up_question(), reply_markup=column(options)
    )
    return ParentState.FOLLOW_UP


async def aim_ok(update: Update, context: Ctx) -> int | None:
    """'That's right': on to the follow-up date."""
    pressed = await _button(update, context)
    if pressed is None:
        return None
    query, draft, _arg = pressed
    assert query.message is not None
    return await _ask_follow_up(context, query.message.chat.id, draft)


async def aim_own(update: Update, context: Ctx) -> int | None:
    """'I'd put it differently': ask for the parent's own words."""
    pressed = await _button(update, context)
    if pressed is None or update.effective_user is None:
        return None
    query, _draft, _arg = pressed
    assert query.message is not None
    child = await _child_name(context, update.effective_user.id)
    await context.bot.send_message(
        query.message.chat.id, logic.own_words_prompt(child), parse_mode=ParseMode.HTML
    )
    return ParentState.AIM_WORDS


async def aim_words(update: Update, context: Ctx) -> int | None:
    """The aim in the parent's own words."""
    message = update.effective_message
    data = context.chat_data
    if message is None or message.text is None or data is None or data.aim is None:
        return None
    text = logic.clean_own_aim(message.text)
    if text is None:
        await message.reply_text(
            _("Could you put it in a sentence or two (under {n} characters)?").format(
                n=logic.MAX_OWN_AIM
            )
        )
        return None
    data.aim.aim_text = text
    data.aim.own_words = True
    await message.reply_text(_("Thank you. That's our aim, in your words."))
    return await _ask_follow_up(context, message.chat_id, data.aim)


async def follow_up(update: Update, context: Ctx) -> int | None:
    """The catch-up date: save the aim, summarise, tell the practitioners (step 8)."""
    pressed = await _button(update, context)
    user = update.effective_user
    if pressed is None or user is None or context.chat_data is None:
        return None
    query, draft, arg = pressed
    assert query.message is not None
    is_weeks = arg.isdigit() and int(arg) in logic.FOLLOW_UP_WEEKS
    if not is_weeks and not arg.startswith(EVENT_ARG):
        return None
    svc = context.services
    repo = svc.repo
    parent = await repo.get_parent(user.id)
    child = await repo.child_of(user.id)
    if parent is None or child is None or draft.aim_text is None or draft.theme is None:
        context.chat_data.aim = None
        return ConversationHandler.END
    now = svc.clock.now()
    if is_weeks:
        day = dict(logic.follow_up_choices(now.date()))[int(arg)]
    else:
        at_event = await catch_up_day(repo, parent, arg, now)
        if at_event is None:
            await context.bot.send_message(
                query.message.chat.id,
                _("That event is no longer planned: please choose another catch-up date."),
            )
            return None
        day = at_event
    theme = load_content(current_locale()).theme(draft.theme)
    activity = logic.activity_by_id(theme, draft.activity_id)
    analysis = analyse(
        " ".join(draft.story), current_locale(), child.first_name, safeguarding=_checked
    )
    # The parent's own words go to the practitioners (and are kept) only if they said yes.
    quotes = (
        tuple(
            logic.key_sentences(
                " ".join(draft.story + draft.picture), analysis.feelings, theme.signals
            )
        )
        if parent.share_story
        else ()
    )
    aim = await repo.save_aim(
        child,
        parent.user_id,
        theme=draft.theme,
        activity_id=activity.id,
        text=draft.aim_text,
        own_words=draft.own_words,
        signs=tuple(draft.aim_signs),
        story="\n".join(quotes) or None,
        follow_up_on=day,
        now=now,
    )
    group = await repo.get_group(parent.group_id)
    setting = await repo.get_setting(group.setting_id) if group else None
    agreed = logic.AgreedAim(
        child=child.first_name,
        child_age=child.age,
        carer_name=parent.name,
        relationship=child.relationship,
        setting_name=setting.name if setting else "",
        aim_text=draft.aim_text,
        own_words=draft.own_words,
        signs=tuple(draft.aim_signs),
        activity_name=activity.name,
        home=draft.home,
        follow_up_on=day,
        story_quotes=quotes,
        parent_locale=current_locale(),
        theme=draft.theme,
        activity_id=activity.id,
    )
    context.chat_data.aim = None
    await plan_checkin(repo, parent, aim, await repo.get_schedule(parent.user_id), svc.quiet)
    tips_button = (
        keyboard([(_("Choose when home ideas arrive"), TIPS_START)]) if draft.home else None
    )
    await context.bot.send_message(
        query.message.chat.id,
        logic.parent_summary(agreed),
        parse_mode=ParseMode.HTML,
        reply_markup=tips_button,
    )
    if setting is not None:
        await notify_practitioners(context, setting.id, agreed, parent)
    return ConversationHandler.END


async def notify_practitioners(
    context: Ctx, setting_id: int, agreed: logic.AgreedAim, parent: Parent | None = None
) -> int:
    """Send the agreed aim to every practitioner of the setting; return how many got it."""
    return await send_to_practitioners(
        context.bot,
        context.services.repo,
        setting_id,
        lambda: logic.practitioner_blocks(agreed),
        about=parent,
    )


# -- anywhere in the flow ---------------------------------------------------------------------


async def cancel(update: Update, context: Ctx) -> int:
    """/cancel at any step."""
    if context.chat_data is not None:
        context.chat_data.aim = None
        context.chat_data.child_name = None
        context.chat_data.child_age = None
    message = update.effective_message
    if message is not None:
        await message.reply_text(cancelled_text())
    return ConversationHandler.END


async def use_buttons(update: Update, context: Ctx) -> None:
    """Text typed where the bot is waiting for a button: say so kindly, lose nothing."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Please tap one of the buttons above to carry on, or send /cancel to stop here.")
        )


def reset_chat(data: ChatData) -> None:
    """Clear a chat's draft (used when a flow must stop)."""
    data.aim = None

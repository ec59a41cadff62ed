"""Thin handlers: /event (plan a coffee morning or feedback group), /events, RSVP buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler

from bot.context import Ctx, EventDraft
from bot.i18n import LANGUAGES, _, current_locale
from bot.storage.models import Practitioner
from conversations.common.keyboards import column, drop_buttons, keyboard, set_buttons
from conversations.common.text import pack
from conversations.events import logic
from conversations.events.outbox import RSVP_PREFIX, invite_parents, rsvp_buttons
from conversations.states import EventState

PREFIX = "ev:"


async def _practitioner(update: Update, context: Ctx) -> Practitioner | None:
    user = update.effective_user
    return await context.services.repo.get_practitioner(user.id) if user is not None else None


def _zone(context: Ctx) -> ZoneInfo:
    """The setting's time zone (practitioners plan in the deployment's zone)."""
    return ZoneInfo(context.services.settings.default_timezone)


async def start(update: Update, context: Ctx) -> int:
    """/event: what kind of event?"""
    message = update.effective_message
    practitioner = await _practitioner(update, context)
    if message is None or context.chat_data is None:
        return ConversationHandler.END
    if practitioner is None:
        await message.reply_text(_("Sorry, /event is only for practitioners."))
        return ConversationHandler.END
    context.chat_data.event = EventDraft()
    options = [(logic.kind_label(kind), f"{PREFIX}k:{kind}") for kind in logic.KINDS]
    options.append((_("Cancel"), f"{PREFIX}no"))
    await message.reply_text(logic.kind_question(), reply_markup=column(options))
    return EventState.KIND


async def kind(update: Update, context: Ctx) -> int | None:
    """A kind was chosen: the group (when there are several), else the date and time."""
    query = update.callback_query
    practitioner = await _practitioner(update, context)
    data = context.chat_data
    if query is None or query.data is None or data is None or data.event is None:
        return None
    chosen = query.data.removeprefix(f"{PREFIX}k:")
    if practitioner is None or chosen not in logic.KINDS:
        await query.answer(_("That button is no longer active."))
        return None
    await query.answer()
    await drop_buttons(query)
    data.event.kind = chosen
    groups = await context.services.repo.groups_of_setting(practitioner.setting_id)
    if not groups:
        await context.bot.send_message(practitioner.chat_id, _("Your setting has no group yet."))
        data.event = None
        return ConversationHandler.END
    if len(groups) == 1:
        data.event.group_id = groups[0].id
        await context.bot.send_message(practitioner.chat_id, logic.when_question())
        return EventState.WHEN
    options = [(g.name, f"{PREFIX}g:{g.id}") for g in groups]
    await context.bot.send_message(
        practitioner.chat_id, logic.group_question(), reply_markup=column(options)
    )
    return EventState.GROUP


async def group(update: Update, context: Ctx) -> int | None:
    """A group was chosen (checked against the practitioner's own setting)."""
    query = update.callback_query
    practitioner = await _practitioner(update, context)
    data = context.chat_data
    if query is None or query.data is None or data is None or data.event is None:
        return None
    raw = query.data.removeprefix(f"{PREFIX}g:")
    found = await context.services.repo.get_group(int(raw)) if raw.isdigit() else None
    if practitioner is None or found is None or found.setting_id != practitioner.setting_id:
        await query.answer(_("That button is no longer active."))
        return None
    await query.answer()
    await drop_buttons(query)
    data.event.group_id = found.id
    await context.bot.send_message(practitioner.chat_id, logic.when_question())
    return EventState.WHEN


async def when(update: Update, context: Ctx) -> int | None:
    """The date and time, typed."""
    message = update.effective_message
    data = context.chat_data
    if message is None or message.text is None or data is None or data.event is None:
        return None
    now = context.services.clock.now()
    babel_locale = LANGUAGES.get(current_locale(), ("", "en_GB", False))[1]
    starts = logic.parse_when(message.text, now, _zone(context), babel_locale)
    if starts is None:
        await message.reply_text(logic.when_not_understood())
        return None
    if starts <= now or starts - now > logic.MAX_AHEAD:
        await message.reply_text(logic.when_in_past())
        return None
    data.event.starts_at = starts.isoformat()
    await message.reply_text(logic.place_question())
    return EventState.PLACE


async def place(update: Update, context: Ctx) -> int | None:
    """The place, typed: then confirm."""
    message = update.effective_message
    data = context.chat_data
    if message is None or message.text is None or data is None or data.event is None:
        return None
    cleaned = logic.clean_place(message.text)
    if cleaned is None:
        await message.reply_text(logic.place_not_understood())
        return None
    data.event.place = cleaned
    repo = context.services.repo
    found = await repo.get_group(data.event.group_id)
    parents = await repo.active_parents_of_group(data.event.group_id)
    view = logic.EventView(
        data.event.kind,
        "",
        found.name if found else "",
        datetime.fromisoformat(data.event.starts_at),
        cleaned,
    )
    await message.reply_html(
        logic.confirm_text(view, _zone(context), len(parents)),
        reply_markup=keyboard(
            [(_("Send the invitations ✓"), f"{PREFIX}ok")], [(_("Cancel"), f"{PREFIX}no")]
        ),
    )
    return EventState.CONFIRM


async def save(update: Update, context: Ctx) -> int | None:
    """Confirmed: store the event, queue the invitations and reminders."""
    query = update.callback_query
    practitioner = await _practitioner(update, context)
    data = context.chat_data
    if query is None or data is None or data.event is None:
        return ConversationHandler.END
    svc = context.services
    repo = svc.repo
    draft = data.event
    found = await repo.get_group(draft.group_id)
    if practitioner is None or found is None or found.setting_id != practitioner.setting_id:
        await query.answer(_("That button is no longer active."))
        data.event = None
        return ConversationHandler.END
    await query.answer()
    await drop_buttons(query)
    now = svc.clock.now()
    event = await repo.create_event(
        found,
        draft.kind,
        datetime.fromisoformat(draft.starts_at),
        draft.place,
        practitioner.user_id,
        now,
    )
    parents = await repo.active_parents_of_group(found.id)
    invited = await invite_parents(repo, event, parents, now, svc.quiet)
    data.event = None
    await context.bot.send_message(practitioner.chat_id, logic.saved_text(invited))
    return ConversationHandler.END


async def cancel(update: Update, context: Ctx) -> int:
    """/cancel or the Cancel button: nothing is sent."""
    if context.chat_data is not None:
        context.chat_data.event = None
    query = update.callback_query
    if query is not None:
        await query.answer()
        await drop_buttons(query)
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, _("No problem, nothing was sent."))
    return ConversationHandler.END


async def use_buttons(update: Update, context: Ctx) -> None:
    """Text where a button is expected."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Please tap one of the buttons above to carry on, or send /cancel to stop here.")
        )


async def events(update: Update, context: Ctx) -> None:
    """/events: upcoming events of the practitioner's setting, with who's coming."""
    message = update.effective_message
    practitioner = await _practitioner(update, context)
    if message is None:
        return
    if practitioner is None:
        await message.reply_text(_("Sorry, /events is only for practitioners."))
        return
    svc = context.services
    counts = await svc.repo.upcoming_events(practitioner.setting_id, svc.clock.now())
    lines = [
        logic.EventLine(
            logic.EventView(c.event.kind, "", c.group_name, c.event.starts_at, c.event.place),
            c.yes,
            c.no,
            c.invited,
        )
        for c in counts
    ]
    for text in pack(logic.events_blocks(lines, _zone(context))):
        await message.reply_text(text, parse_mode=ParseMode.HTML)


async def rsvp(update: Update, context: Ctx) -> None:
    """'I'll come' / 'Can't make it': only a parent of the event's group, before it starts."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    answer, _sep, raw = query.data.removeprefix(RSVP_PREFIX).partition(":")
    svc = context.services
    repo = svc.repo
    parent = await repo.get_parent(user.id)
    event = await repo.get_event(int(raw)) if raw.isdigit() else None
    if (
        parent is None
        or event is None
        or answer not in ("yes", "no")
        or event.group_id != parent.group_id
    ):
        await query.answer(_("Sorry, that invitation isn't one I can answer for you."))
        return
    if event.cancelled or event.starts_at <= svc.clock.now():
        await query.answer(_("That event has already taken place."))
        return
    await repo.save_rsvp(event.id, parent.user_id, answer, svc.clock.now())
    await query.answer(logic.rsvp_thanks(answer))
    current = query.message.reply_markup if isinstance(query.message, Message) else None
    wanted = rsvp_buttons(event.id, answer)
    if current != wanted:
        await set_buttons(query, wanted)

"""Handlers outside any flow: help, unknown commands, stray text, stale buttons, non-text."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import Ctx
from bot.i18n import _, use_locale
from conversations.checkin.handlers import take_reply
from conversations.common.keyboards import drop_buttons, keyboard
from conversations.common.text import esc
from conversations.home.handlers import membership as home_membership
from conversations.home.handlers import take_note
from conversations.practitioner.logic import practitioner_help

log = logging.getLogger(__name__)


async def help_command(update: Update, context: Ctx) -> None:
    """/help."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    repo = context.services.repo
    if await repo.get_practitioner(update.effective_user.id) is not None:
        text = practitioner_help()
    else:
        text = _(
            "/newaim: think together about an aim for your child's music sessions\n"
            "/tips: choose when home singing ideas arrive\n"
            "/song: tell the practitioners about a favourite song from home\n"
            "/addcarer: a link for another carer of your child\n"
            "/pause, /resume, /stop: fewer or no messages\n"
            "/language: change the language I use\n"
            "/privacy: what I keep and who sees it\n"
            "/mydata: everything I keep about you\n"
            "/forget: delete everything I keep about you\n"
            "/cancel: stop the conversation we're in\n"
            "/help: this message"
        )
    if update.effective_user.id in context.services.settings.admin_user_ids:
        text += "\n" + _("/admin: programme coordinator commands")
    await message.reply_text(text)


async def unknown_command(update: Update, context: Ctx) -> None:
    """A command the bot does not know."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Sorry, I don't know that command. Send /help to see what I can do.")
        )


async def nothing_to_cancel(update: Update, context: Ctx) -> None:
    """/cancel outside a conversation."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(_("There's nothing to cancel right now."))


async def stray_text(update: Update, context: Ctx) -> None:
    """Text outside any conversation."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    repo = context.services.repo
    parent = await repo.get_parent(update.effective_user.id)
    if parent is not None and (
        await take_note(update, context, parent) or await take_reply(update, context, parent)
    ):
        return
    if parent is not None:
        text = _(
            "Thank you for your message. If you'd like to think together about an aim for "
            "your child, send /newaim."
        )
    elif await repo.get_practitioner(update.effective_user.id) is not None:
        text = _("Send /help to see what I can do for you.")
    else:
        text = _("Hello! To get started, please open the link your nursery gave you.")
    await message.reply_text(text)


FORWARD_PREFIX = "fw:"
FORWARD_NO = "fw:no"


async def non_text(update: Update, context: Ctx) -> None:
    """Stickers, photos, voice notes and the like: the bot understands words. A parent may
    choose to pass a voice note, photo or video on to the practitioners."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    ask = _(
        "Thank you! I can only understand written words, so could you type a few words for "
        "me instead?"
    )
    media = message.voice or message.photo or message.video or message.video_note
    parent = await context.services.repo.get_parent(user.id) if media else None
    if parent is None:
        await message.reply_text(ask)
        return
    if message.voice or message.video_note:
        text = _(
            "Thank you for your voice message. I can't listen to it myself, but I can pass "
            "it on to the practitioners if you'd like. And could you type a few words about "
            "it for me?"
        )
    else:
        text = _(
            "Thank you! I can't look at pictures or videos myself, but I can pass this on "
            "to the practitioners if you'd like. And could you type a few words for me?"
        )
    await message.reply_text(
        text,
        reply_markup=keyboard(
            [(_("Send it to the practitioners"), f"{FORWARD_PREFIX}{message.message_id}")],
            [(_("No, thanks"), FORWARD_NO)],
        ),
    )


async def forward_choice(update: Update, context: Ctx) -> None:
    """Pass a parent's own voice note or photo on to their setting's practitioners.

    The message id in the button names a message in the presser's own chat, so a parent can
    only ever pass on what they sent themselves."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    repo = context.services.repo
    raw = query.data.removeprefix(FORWARD_PREFIX)
    parent = await repo.get_parent(user.id)
    if raw == "no" or parent is None or not raw.isdigit():
        await query.answer()
        await drop_buttons(query)
        return
    setting = await repo.setting_of_group(parent.group_id)
    child = await repo.child_of(parent.user_id)
    if setting is None or query.message.chat.id != parent.chat_id:
        await query.answer(_("That button has already been used or is no longer active."))
        return
    await query.answer()
    await drop_buttons(query)
    delivered = 0
    for practitioner in await repo.practitioners_of_setting(setting.id):
        with use_locale(practitioner.locale):
            header = _(
                "🎙 From {name} ({relationship} of {child}), passed on at the parent's request"
            ).format(
                name=esc(parent.name),
                relationship=esc(child.relationship if child else "?"),
                child=esc(child.first_name if child else "?"),
            )
        try:
            copy = await context.bot.copy_message(practitioner.chat_id, parent.chat_id, int(raw))
            await context.bot.send_message(
                practitioner.chat_id,
                header,
                parse_mode="HTML",
                reply_to_message_id=copy.message_id,
            )
            delivered += 1
        except TelegramError as exc:
            log.warning("could not pass a parent's message on: %s", type(exc).__name__)
    await context.bot.send_message(
        parent.chat_id,
        _("Done: I've passed it on to the practitioners at {setting}.").format(setting=setting.name)
        if delivered
        else _("Sorry, I couldn't pass it on just now. Please try again later."),
    )


async def edited(update: Update, context: Ctx) -> None:
    """An edited message: the bot already read the first version; say so, lose nothing."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _(
                "I noticed you edited a message. I had already read the first version, so if "
                "something important changed, please send it to me again as a new message."
            )
        )


async def membership(update: Update, context: Ctx) -> None:
    """The bot's own membership changed: private chats are the parents' (blocks and
    unblocks); from a group it explains itself and leaves, since its conversations are
    private."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == "private":
        await home_membership(update, context)
        return
    if change.new_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        await _leave(context, change.chat.id, change.chat.type)


async def in_group(update: Update, context: Ctx) -> None:
    """A command or message in a group or channel the bot is still in: explain, then leave."""
    chat = update.effective_chat
    if chat is not None:
        await _leave(context, chat.id, chat.type)


async def _leave(context: Ctx, chat_id: int, chat_type: str) -> None:
    try:
        if chat_type != "channel":
            await context.bot.send_message(
                chat_id,
                _(
                    "Hello! I only talk with parents and practitioners one to one, to keep "
                    "what they tell me private, so I'll leave this group. Please open a private "
                    "chat with me instead."
                ),
            )
        await context.bot.leave_chat(chat_id)
    except TelegramError as exc:
        log.warning("could not leave a group: %s", type(exc).__name__)


async def stale_button(update: Update, context: Ctx) -> None:
    """A button from an earlier step or conversation: answer politely, change nothing."""
    query = update.callback_query
    if query is not None:
        await query.answer(_("That button has already been used or is no longer active."))

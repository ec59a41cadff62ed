"""Handlers outside any flow: help, unknown commands, stray text, stale buttons, non-text."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.i18n import _
from conversations.checkin.handlers import take_reply
from conversations.home.handlers import take_note


async def help_command(update: Update, context: Ctx) -> None:
    """/help."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    repo = context.services.repo
    if await repo.get_practitioner(update.effective_user.id) is not None:
        text = _(
            "/invite: a link for the parents in your group\n"
            "/event: plan a coffee morning or parent feedback group\n"
            "/events: upcoming events and who's coming\n"
            "/digest: when your weekly digest comes\n"
            "/help: this message"
        )
    else:
        text = _(
            "/newaim: think together about an aim for your child's music sessions\n"
            "/cancel: stop the conversation we're in\n"
            "/help: this message"
        )
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


async def non_text(update: Update, context: Ctx) -> None:
    """Stickers, photos, voice notes and the like: the bot understands words."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _(
                "Thank you! I can only understand written words, so could you type a few "
                "words for me instead?"
            )
        )


async def stale_button(update: Update, context: Ctx) -> None:
    """A button from an earlier step or conversation: answer politely, change nothing."""
    query = update.callback_query
    if query is not None:
        await query.answer(_("That button has already been used or is no longer active."))

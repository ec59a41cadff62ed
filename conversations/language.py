"""/language: choose the language the bot speaks (stored only for people who agreed)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import Ctx
from bot.i18n import SUPPORTED_LOCALES, _, language_name, set_locale
from conversations.common.keyboards import column, drop_buttons

PREFIX = "lang:"


def language_buttons(prefix: str, suffix: str = "") -> InlineKeyboardMarkup:
    """One button per language, each in its own name and script."""
    options = [(language_name(code), f"{prefix}{code}{suffix}") for code in SUPPORTED_LOCALES]
    return column(options, per_row=2)


async def language_command(update: Update, context: Ctx) -> None:
    """/language."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Which language would you like me to use?"), reply_markup=language_buttons(PREFIX)
        )


async def language_choice(update: Update, context: Ctx) -> None:
    """A language button: remember it (for parents and practitioners) and say so in it."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    code = query.data.removeprefix(PREFIX)
    if code not in SUPPORTED_LOCALES:
        await query.answer(_("That button is no longer active."))
        return
    await query.answer()
    services = context.services
    if await services.repo.user_locale(user.id) is not None:
        await services.repo.set_user_locale(user.id, code)
        services.locales[user.id] = code
    set_locale(code)
    await drop_buttons(query)
    await context.bot.send_message(
        query.message.chat.id, _("From now on I'll write to you in English.")
    )

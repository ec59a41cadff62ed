"""Messages to a setting's practitioners, each in their own language, split to fit Telegram."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import use_locale
from bot.storage.models import Parent
from bot.storage.repo import Repository
from conversations.common.keyboards import keyboard
from conversations.common.text import pack
from conversations.family.logic import NOTE_PREFIX, note_button_label

log = logging.getLogger(__name__)


def note_keyboard(parent: Parent) -> InlineKeyboardMarkup:
    """The 'send a note' button under a message about a parent (in the current language)."""
    return keyboard([(note_button_label(parent.name), f"{NOTE_PREFIX}{parent.user_id}")])


async def send_chunks(
    bot: Bot,
    chat_id: int,
    chunks: list[str],
    markup: InlineKeyboardMarkup | None = None,
    sent: list[int] | None = None,
) -> list[int]:
    """Send HTML messages to one chat, the buttons under the last; return their ids.

    A TelegramError stops the sending and is left to the caller; pass ``sent`` to have the ids
    appended as the parts go, so that the caller still knows which parts arrived.
    """
    ids = [] if sent is None else sent
    for index, chunk in enumerate(chunks):
        message = await bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if index == len(chunks) - 1 else None,
        )
        ids.append(message.message_id)
    return ids


async def send_to_practitioners(
    bot: Bot,
    repo: Repository,
    setting_id: int,
    blocks: Callable[[], list[str]],
    *,
    about: Parent | None = None,
) -> int:
    """Send HTML blocks (rendered per practitioner's locale) to every practitioner of a
    setting; return how many received them.

    With `about`, the messages carry a 'send a note' button and are remembered as being about
    that parent, so that a practitioner can answer them (button or Telegram reply).
    """
    delivered = 0
    for practitioner in await repo.practitioners_of_setting(setting_id):
        with use_locale(practitioner.locale):
            chunks = pack(blocks())
            markup = note_keyboard(about) if about is not None else None
        sent: list[int] = []
        try:
            sent = await send_chunks(bot, practitioner.chat_id, chunks, markup)
            delivered += 1
        except TelegramError as exc:
            log.warning("message not delivered to a practitioner: %s", type(exc).__name__)
        if about is not None and sent:
            await repo.record_links(
                practitioner.chat_id, sent, "practitioner", practitioner.user_id, about.user_id
            )
    return delivered

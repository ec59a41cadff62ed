"""Messages to a setting's practitioners, each in their own language, split to fit Telegram."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import use_locale
from bot.storage.repo import Repository
from conversations.common.text import pack

log = logging.getLogger(__name__)


async def send_to_practitioners(
    bot: Bot, repo: Repository, setting_id: int, blocks: Callable[[], list[str]]
) -> int:
    """Send HTML blocks (rendered per practitioner's locale) to every practitioner of a
    setting; return how many received them."""
    delivered = 0
    for practitioner in await repo.practitioners_of_setting(setting_id):
        with use_locale(practitioner.locale):
            chunks = pack(blocks())
        try:
            for chunk in chunks:
                await bot.send_message(practitioner.chat_id, chunk, parse_mode=ParseMode.HTML)
            delivered += 1
        except TelegramError as exc:
            log.warning("message not delivered to a practitioner: %s", type(exc).__name__)
    return delivered

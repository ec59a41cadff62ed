"""Inline keyboards from rows of (label, callback data)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

Row = Sequence[tuple[str, str]]


def keyboard(*rows: Row) -> InlineKeyboardMarkup:
    """Build an inline keyboard; callback data must stay within Telegram's 64 bytes."""
    built: list[list[InlineKeyboardButton]] = []
    for row in rows:
        buttons = []
        for label, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback data too long: {data!r}")
            buttons.append(InlineKeyboardButton(label, callback_data=data))
        built.append(buttons)
    return InlineKeyboardMarkup(built)


def column(options: Sequence[tuple[str, str]], per_row: int = 1) -> InlineKeyboardMarkup:
    """Lay options out `per_row` to a row."""
    rows = [options[i : i + per_row] for i in range(0, len(options), per_row)]
    return keyboard(*rows)


async def drop_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the pressed message, if it still has any (a double tap or a
    stale press finds them gone, and Telegram refuses an edit that changes nothing)."""
    message = query.message
    if isinstance(message, Message) and message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def set_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """Replace the pressed message's buttons; a double tap that changes nothing is fine."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise

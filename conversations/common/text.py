"""Escaping and splitting text so every message fits Telegram (4,096 characters)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

TELEGRAM_LIMIT = 4096


def esc(text: str) -> str:
    """Escape user text for Telegram HTML (quotes too, so it is safe inside attributes)."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit` UTF-16 units, at paragraph, line,
    sentence or word boundaries where possible."""
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        window = rest[:limit]
        while utf16_len(window) > limit:
            window = window[:-1]
        cut = -1
        for pattern in ("\n\n", "\n", ". ", "! ", "? ", " "):
            pos = window.rfind(pattern)
            if pos > limit // 3:
                cut = pos + len(pattern)
                break
        if cut <= 0:
            cut = len(window)
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def quote_blocks(text: str, limit: int = 1500) -> list[str]:
    """Turn a parent's own words into escaped, italic HTML blocks that each fit a message."""
    return [f"<i>“{esc(piece)}”</i>" for piece in split_plain(text, limit)]


def pack(blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack HTML blocks (each balanced, each under the limit) into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not block:
            continue
        candidate = f"{current}\n\n{block}" if current else block
        if utf16_len(_visible(candidate)) <= limit and utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages


_TAG = re.compile(r"<[^>]+>")


def _visible(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def sentences(text: str) -> list[str]:
    """Split free text into sentences (keeps the parent's own punctuation)."""
    parts = re.split(r"(?<=[.!?…])\s+|\n+", text.strip())
    return [p.strip() for p in parts if p and p.strip()]

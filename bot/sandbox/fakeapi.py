"""An in-memory fake of the Telegram Bot API that a real python-telegram-bot bot can talk to.

It is used three ways: over loopback HTTP by the end-to-end tests (see
``tests/support/fake_server.py``), in-process through :meth:`FakeTelegram.transport` (an
``httpx.MockTransport``) by the terminal sandbox and the benchmarks, and directly through
:meth:`FakeTelegram.call`.

The bot side validates requests the way Telegram does (HTML/MarkdownV2 entity parsing, length
limits, callback-data size, blocked users, flood limits) so that bugs which would only show up
against the real servers show up here.  The user side (:class:`FakeUser`, :class:`FakeGroup`)
enqueues updates shaped like the real ones and offers waiting helpers that never sleep blindly.

Only the standard library and httpx are used here.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import inspect
import itertools
import json
import math
import mimetypes
import re
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

__all__ = [
    "ApiError",
    "Button",
    "Call",
    "CallbackAnswer",
    "ChatAction",
    "EntityParseError",
    "FakeChat",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "FormattedText",
    "RateLimits",
    "SentMessage",
    "Stats",
    "StoredFile",
    "UploadedFile",
    "parse_formatted",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "parse_request",
    "utf16_len",
]

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024

# Update types delivered when allowed_updates was never set (or set to an empty list).
DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Parameters that PTB sends as raw (not JSON-encoded) strings.  They must never be JSON-decoded:
# a message text of "42" or "true" arrives exactly like the number 42 or the boolean true would.
STRING_PARAMS: Final = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "game_short_name",
        "google_place_id",
        "google_place_type",
        "inline_message_id",
        "inline_query_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "performer",
        "phone_number",
        "photo",
        "provider_token",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)
# Parameters that hold a chat id: an integer, or a string such as "@channelusername".
CHAT_ID_PARAMS: Final = frozenset({"chat_id", "from_chat_id", "sender_chat_id"})

SEND_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendVoice", "copyMessage"}
)

_INLINE_BUTTON_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_IMAGE_MAGIC: Final = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


# ---------------------------------------------------------------------------------------------
# Small records
# ---------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API error response (status code, description and optional parameters)."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        """Return the JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class EntityParseError(ValueError):
    """Raised when formatted text (HTML/Markdown) cannot be parsed the way Telegram parses it."""


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived in a multipart/form-data request."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        """Return the size of the content in bytes."""
        return len(self.content)


@dataclass(frozen=True)
class StoredFile:
    """A file known to the fake server, addressable by file_id and downloadable by file_path."""

    file_id: str
    file_unique_id: str
    kind: str
    file: UploadedFile
    file_path: str


@dataclass(frozen=True)
class Button:
    """One keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class Call:
    """One request the bot made, with the outcome."""

    method: str
    params: JSONDict
    timestamp: float
    status: int = 0
    description: str | None = None


@dataclass(frozen=True)
class ChatAction:
    """A sendChatAction the bot made."""

    action: str
    timestamp: float


@dataclass
class CallbackAnswer:
    """A pressed inline button and the bot's answerCallbackQuery for it (if any yet)."""

    query_id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent, as recorded by the fake server (kept up to date on edits)."""

    message_id: int
    chat_id: int
    kind: str
    text: str | None
    parse_mode: str | None
    plain_text: str
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard_kind: str | None = None
    date: int = 0
    document: UploadedFile | None = None
    photo: UploadedFile | None = None
    voice: UploadedFile | None = None
    file_id: str | None = None
    caption: str | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JSONDict | None = None
    edited: bool = False
    deleted: bool = False
    edit_count: int = 0
    raw: JSONDict = field(default_factory=dict, repr=False)

    @property
    def button_labels(self) -> list[str]:
        """Return the labels of all buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button:
        """Return the button with exactly this label (AssertionError if there is none)."""
        for row in self.buttons:
            for button in row:
                if button.text == label:
                    return button
        raise AssertionError(f"no button {label!r} on message {self.summary()}")

    def summary(self) -> str:
        """Return a one-line human-readable description of the message."""
        flags = "".join([" (edited)" if self.edited else "", " (deleted)" if self.deleted else ""])
        body = self.plain_text if len(self.plain_text) <= 120 else self.plain_text[:117] + "..."
        media = f" [{self.kind}]" if self.kind != "text" else ""
        labels = f" buttons={self.button_labels}" if self.buttons else ""
        return f"chat {self.chat_id} #{self.message_id}{media}{flags}: {body!r}{labels}"


@dataclass
class Stats:
    """Counters about the traffic the fake server has seen."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    rate_limited: int = 0
    error_codes: Counter[int] = field(default_factory=Counter)
    updates_enqueued: int = 0
    updates_delivered: int = 0


@dataclass
class RateLimits:
    """Flood limits applied when ``enforce_limits`` is on (sliding windows on the clock)."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20


@dataclass
class FakeChat:
    """Server-side state of one chat."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    started: bool = False
    blocked: bool = False
    deactivated: bool = False
    bot_status: str = "member"
    members: dict[int, str] = field(default_factory=dict)
    messages: list[SentMessage] = field(default_factory=list)
    actions: list[ChatAction] = field(default_factory=list)
    incoming: dict[int, JSONDict] = field(default_factory=dict)
    reply_keyboard: list[list[Button]] | None = None
    reply_keyboard_one_time: bool = False
    menu_button: JSONDict | None = None
    next_message_id: int = 1

    def as_dict(self) -> JSONDict:
        """Return the Chat object Telegram would embed in messages and updates."""
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def new_message_id(self) -> int:
        """Allocate the next message id in this chat (shared by bot and user messages)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


# ---------------------------------------------------------------------------------------------
# Formatted text: HTML, MarkdownV2, Markdown
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormattedText:
    """Text after entity parsing: what the user sees, plus MessageEntity dicts (UTF-16)."""

    text: str
    entities: list[JSONDict]


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units (how Telegram counts)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def append(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, type_: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": type_, "offset": start, "length": length, **extra})

    def text_since(self, start: int) -> str:
        whole = "".join(self.parts)
        encoded = whole.encode("utf-16-le", "surrogatepass")
        return encoded[start * 2 :].decode("utf-16-le", "surrogatepass")

    def finish(self) -> FormattedText:
        text = "".join(self.parts)
        stripped_left = text.lstrip()
        lead = utf16_len(text) - utf16_len(stripped_left)
        final = stripped_left.rstrip()
        final_len = utf16_len(final)
        entities: list[JSONDict] = []
        for entity in self.entities:
            start = max(0, entity["offset"] - lead)
            end = min(entity["offset"] + entity["length"] - lead, final_len)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return FormattedText(final, entities)


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE: Final = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_HTML_START_TAG_RE: Final = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)"
    r"\s*>"
)
_HTML_ATTR_RE: Final = re.compile(
    r"([^\s=>/\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)
_HTML_TAG_NAME_RE: Final = re.compile(r"[^\s>]*")
_HTML_END_TAG_RE: Final = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


def _decode_html_entity(match: re.Match[str]) -> str | None:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _HTML_NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(value: str) -> str:
    # Like Telegram, attribute values are lenient: valid entities are decoded, a stray "&" stays.
    def replace(match: re.Match[str]) -> str:
        decoded = _decode_html_entity(match)
        return match.group(0) if decoded is None else decoded

    return _HTML_ENTITY_RE.sub(replace, value)


@dataclass
class _OpenTag:
    tag: str
    start: int
    byte_offset: int
    attrs: dict[str, str]
    language: str | None = None


def parse_html(text: str) -> FormattedText:
    """Parse Telegram-flavoured HTML the way the Bot API does; raise EntityParseError if bad."""
    out = _Builder()
    stack: list[_OpenTag] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _decode_html_entity(match) if match else None
            if match is None or decoded is None:
                snippet = text[i : i + 10].split()[0] if text[i:].split() else "&"
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(text, i)} does not start a '
                    f'supported entity (found "{snippet}"); escape it as "&amp;"'
                )
            out.append(decoded)
            i = match.end()
            continue
        if char != "<":
            out.append(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            end_match = _HTML_END_TAG_RE.match(text, i)
            if end_match is None:
                if ">" not in text[i:]:
                    raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
                raise EntityParseError(f"Invalid end tag at byte offset {offset}")
            tag = end_match.group(1).lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            if stack[-1].tag != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1].tag}>", '
                    f'found "</{tag}>"'
                )
            _close_html_tag(out, stack)
            i = end_match.end()
            continue
        name_match = _HTML_TAG_NAME_RE.match(text, i + 1)
        tag_name = name_match.group(0).lower() if name_match else ""
        if i + 1 + len(tag_name) >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if tag_name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag_name}" at byte offset {offset}')
        start_match = _HTML_START_TAG_RE.match(text, i)
        if start_match is None:
            if ">" not in text[i:]:
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            raise EntityParseError(
                f'Invalid attributes of tag "{tag_name}" at byte offset {offset}'
            )
        tag = start_match.group(1).lower()
        attrs: dict[str, str] = {}
        for attr in _HTML_ATTR_RE.finditer(start_match.group(2)):
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            attrs[attr.group(1).lower()] = _unescape_attribute(value)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if tag == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        stack.append(_OpenTag(tag, out.pos, offset, attrs))
        i = start_match.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.finish()


def _close_html_tag(out: _Builder, stack: list[_OpenTag]) -> None:
    opened = stack.pop()
    type_ = _HTML_TAGS[opened.tag]
    if type_ == "text_link":
        href = opened.attrs.get("href", "").strip()
        if href:
            out.entity("text_link", opened.start, url=href)
        return
    if type_ == "code":
        language = opened.attrs.get("class", "")
        if stack and stack[-1].tag == "pre" and language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
        out.entity("code", opened.start)
        return
    if type_ == "pre":
        if opened.language:
            out.entity("pre", opened.start, language=opened.language)
        else:
            out.entity("pre", opened.start)
        return
    if type_ == "blockquote":
        out.entity(
            "expandable_blockquote" if "expandable" in opened.attrs else "blockquote",
            opened.start,
        )
        return
    if type_ == "custom_emoji":
        out.entity("custom_emoji", opened.start, custom_emoji_id=opened.attrs["emoji-id"])
        return
    out.entity(type_, opened.start)


_MD2_RESERVED: Final = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenEntity:
    type: str
    start: int
    byte_offset: int
    language: str | None = None


def _md2_reserved_error(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _md2_is_end(top: _OpenEntity, text: str, i: int) -> bool:
    char = text[i]
    if top.type == "bold":
        return char == "*"
    if top.type == "italic":
        return char == "_" and not text.startswith("__", i)
    if top.type == "underline":
        return text.startswith("__", i)
    if top.type == "strikethrough":
        return char == "~"
    if top.type == "spoiler":
        return text.startswith("||", i)
    if top.type == "code":
        return char == "`"
    if top.type == "pre":
        return text.startswith("```", i)
    return char == "]"  # text_link, custom_emoji


def parse_markdown_v2(text: str) -> FormattedText:
    """Parse MarkdownV2 like the Bot API (close approximation); raise EntityParseError if bad."""
    out = _Builder()
    stack: list[_OpenEntity] = []
    quote_start: int | None = None
    quote_expandable = False
    i = 0
    n = len(text)
    while i < n:
        in_code = bool(stack) and stack[-1].type in ("code", "pre")
        if not in_code and (i == 0 or text[i - 1] == "\n"):
            if text[i] == ">" or text.startswith("**>", i):
                if quote_start is None:
                    quote_start = out.pos
                    quote_expandable = text[i] == "*"
                i += 1 if text[i] == ">" else 3
                continue
            if quote_start is not None:
                # The quote ended with the previous line; do not include its newline.
                out.pos -= 1
                out.entity(
                    "expandable_blockquote" if quote_expandable else "blockquote", quote_start
                )
                out.pos += 1
                quote_start = None
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        if (
            quote_start is not None
            and quote_expandable
            and not in_code
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
        ):
            i += 2  # end marker of an expandable block quote
            continue
        reserved = "`" if in_code else _MD2_RESERVED
        if char not in reserved:
            out.append(char)
            i += 1
            continue
        if stack and _md2_is_end(stack[-1], text, i):
            opened = stack.pop()
            if opened.type in ("text_link", "custom_emoji"):
                i += 1
                url: str | None = None
                if i < n and text[i] == "(":
                    j = i + 1
                    chunks: list[str] = []
                    while j < n and text[j] != ")":
                        if text[j] == "\\" and j + 1 < n and 0 < ord(text[j + 1]) <= 126:
                            chunks.append(text[j + 1])
                            j += 2
                            continue
                        chunks.append(text[j])
                        j += 1
                    if j >= n:
                        raise EntityParseError(
                            f"Can't find end of a url at byte offset {_byte_offset(text, i)}"
                        )
                    url = "".join(chunks)
                    i = j + 1
                if opened.type == "custom_emoji":
                    emoji_id = (url or "").partition("tg://emoji?id=")[2]
                    if not emoji_id:
                        raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                    out.entity("custom_emoji", opened.start, custom_emoji_id=emoji_id)
                else:
                    target = url if url is not None else out.text_since(opened.start)
                    # Without "(url)" the text itself must look like a URL, else no link.
                    if target and (url is not None or "." in target or "://" in target):
                        out.entity("text_link", opened.start, url=target)
                continue
            i += {"pre": 3, "underline": 2, "spoiler": 2}.get(opened.type, 1)
            if opened.type == "pre" and opened.language:
                out.entity("pre", opened.start, language=opened.language)
            else:
                out.entity(opened.type, opened.start)
            continue
        byte_offset = _byte_offset(text, i)
        language: str | None = None
        if char == "_":
            if text.startswith("__", i):
                type_, i = "underline", i + 2
            else:
                type_, i = "italic", i + 1
        elif char == "*":
            type_, i = "bold", i + 1
        elif char == "~":
            type_, i = "strikethrough", i + 1
        elif char == "|" and text.startswith("||", i):
            type_, i = "spoiler", i + 2
        elif char == "[":
            type_, i = "text_link", i + 1
        elif char == "!" and text.startswith("![", i):
            type_, i = "custom_emoji", i + 2
        elif char == "`" and not in_code:
            if text.startswith("```", i):
                type_, i = "pre", i + 3
                newline = text.find("\n", i)
                first_line = text[i:newline] if newline != -1 else ""
                if newline != -1 and first_line and not any(c.isspace() for c in first_line):
                    language = first_line
                    i = newline + 1
                elif newline != -1 and not first_line:
                    i = newline + 1
            else:
                type_, i = "code", i + 1
        else:
            raise _md2_reserved_error(char)
        stack.append(_OpenEntity(type_, out.pos, byte_offset, language))
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD2_NAMES[opened.type]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    if quote_start is not None:
        out.entity("expandable_blockquote" if quote_expandable else "blockquote", quote_start)
    return out.finish()


def parse_markdown(text: str) -> FormattedText:
    """Parse legacy Markdown (no nesting) like the Bot API; raise EntityParseError if bad."""
    out = _Builder()
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            i += 1
            continue
        unclosed = EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        )
        start = out.pos
        if char == "[":
            close = text.find("]", i + 1)
            if close == -1:
                raise unclosed
            label = text[i + 1 : close]
            if text.startswith("(", close + 1):
                end = text.find(")", close + 2)
                if end == -1:
                    raise unclosed
                url = text[close + 2 : end]
                out.append(label)
                if url:
                    out.entity("text_link", start, url=url)
                i = end + 1
            else:
                out.append(label)
                i = close + 1
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise unclosed
            body = text[i + 3 : end]
            language: str | None = None
            first, sep, rest = body.partition("\n")
            if sep and first and not any(c.isspace() for c in first):
                language, body = first, rest
            out.append(body)
            if language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            i = end + 3
            continue
        end = text.find(char, i + 1)
        if end == -1:
            raise unclosed
        out.append(text[i + 1 : end])
        out.entity({"*": "bold", "_": "italic", "`": "code"}[char], start)
        i = end + 1
    return out.finish()


def parse_formatted(text: str, parse_mode: str | None) -> FormattedText:
    """Parse text with the given parse_mode (None: plain); raise EntityParseError if bad."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return _plain(text)
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


def _plain(text: str) -> FormattedText:
    out = _Builder()
    out.append(text)
    return out.finish()


# ---------------------------------------------------------------------------------------------
# Request decoding
# ---------------------------------------------------------------------------------------------


def _reject_constant(value: str) -> Any:
    raise ValueError(value)


def _decode_value(name: str, raw: str) -> Any:
    if name in STRING_PARAMS:
        return raw
    if name in CHAT_ID_PARAMS:
        return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        return raw


def _percent_unquote_filename(filename: str) -> str:
    # httpx escapes '"', CR and LF in multipart filenames HTML5-style (%22, %0D, %0A).
    return filename.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def parse_request(content_type: str, body: bytes) -> JSONDict:
    """Decode a Bot API request body (form-urlencoded, multipart/form-data or JSON)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if media_type == "application/json":
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise ValueError("JSON request body must be an object")
        return decoded
    if media_type == "multipart/form-data":
        header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        if not message.is_multipart():
            raise ValueError("malformed multipart body")
        params: JSONDict = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                params[name] = UploadedFile(
                    filename=_percent_unquote_filename(filename),
                    content=content,
                    content_type=part.get_content_type(),
                )
            else:
                charset = part.get_content_charset() or "utf-8"
                params[name] = _decode_value(name, content.decode(charset, "replace"))
        return params
    # application/x-www-form-urlencoded (also used for query strings)
    pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {key: _decode_value(key, value) for key, value in pairs}


# ---------------------------------------------------------------------------------------------
# Helpers for parameters and markup
# ---------------------------------------------------------------------------------------------


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"{name} is invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _bad(f"{name} is invalid")


def _opt_int(params: JSONDict, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    return _as_int(value, name)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _as_json_object(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {what} JSON object") from None
    return value


def _valid_button_url(url: str) -> bool:
    if not url or any(c.isspace() for c in url):
        return False
    parts = urllib.parse.urlsplit(url if "://" in url or ":" in url else "http://" + url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        return bool(host) and host != "localhost" and not host.startswith("127.")
    return scheme in ("tg", "ton")


@dataclass
class _Markup:
    markup: JSONDict | None
    buttons: list[list[Button]]
    kind: str | None
    one_time: bool = False


def _parse_inline_keyboard(rows: Any) -> list[list[Button]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad(
            'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
            "InlineKeyboardMarkup must be an Array of Arrays"
        )
    buttons: list[list[Button]] = []
    total = 0
    for row in rows:
        parsed_row: list[Button] = []
        for raw in row:
            if not isinstance(raw, dict):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            label = raw.get("text")
            if not isinstance(label, str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not label.strip():
                raise _bad("BUTTON_TEXT_INVALID")
            if not any(key in raw for key in _INLINE_BUTTON_ACTIONS):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = raw.get("callback_data")
            if "callback_data" in raw and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise _bad("BUTTON_DATA_INVALID")
            url = raw.get("url")
            if "url" in raw and (not isinstance(url, str) or not _valid_button_url(url)):
                raise _bad("BUTTON_URL_INVALID")
            parsed_row.append(
                Button(
                    label,
                    data if isinstance(data, str) else None,
                    url if isinstance(url, str) else None,
                )
            )
            total += 1
        buttons.append(parsed_row)
    if total > MAX_INLINE_BUTTONS:
        raise _bad("reply markup is too long")
    return buttons


def _parse_reply_markup(value: Any, *, inline_only: bool = False) -> _Markup:
    if value is None:
        return _Markup(None, [], None)
    markup = _as_json_object(value, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        buttons = _parse_inline_keyboard(markup["inline_keyboard"])
        if not any(buttons):
            return _Markup(None, [], None)
        return _Markup(markup, buttons, "inline")
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'can\'t parse keyboard button: Field "keyboard" of the ReplyKeyboardMarkup '
                "must be an Array of Arrays"
            )
        keyboard: list[list[Button]] = []
        for row in rows:
            parsed_row: list[Button] = []
            for raw in row:
                label = (
                    raw
                    if isinstance(raw, str)
                    else raw.get("text")
                    if isinstance(raw, dict)
                    else None
                )
                if not isinstance(label, str) or not label:
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
                parsed_row.append(Button(label))
            keyboard.append(parsed_row)
        return _Markup(markup, keyboard, "reply", _as_bool(markup.get("one_time_keyboard")))
    if _as_bool(markup.get("remove_keyboard")):
        return _Markup(markup, [], "remove")
    if _as_bool(markup.get("force_reply")):
        return _Markup(markup, [], "force_reply")
    raise _bad("can't parse reply keyboard markup JSON object")


_COMMAND_RE: Final = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w@/])")
_URL_RE: Final = re.compile(r"(?<!\S)https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_MENTION_RE: Final = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")


def _detect_entities(text: str) -> list[JSONDict]:
    found: list[JSONDict] = []
    for regex, type_ in ((_COMMAND_RE, "bot_command"), (_URL_RE, "url"), (_MENTION_RE, "mention")):
        for match in regex.finditer(text):
            found.append(
                {
                    "type": type_,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return found


class _Signal:
    """Broadcast wake-up for waiters; callable synchronously, bound lazily to the running loop."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    def current(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if self._event is None or self._loop is not loop:
            self._event = asyncio.Event()
            self._loop = loop
        return self._event


@dataclass
class _InjectedFailure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


def _params_chat_id(params: JSONDict) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _prune(window: deque[float], cutoff: float) -> None:
    while window and window[0] <= cutoff:
        window.popleft()


# ---------------------------------------------------------------------------------------------
# The fake server
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
    """An in-memory Telegram Bot API server plus helpers that play the users."""

    def __init__(
        self,
        *,
        token: str = "123456:FAKE-TOKEN",  # noqa: S107 - a fake token
        bot_id: int = 123456,
        bot_username: str = "imm_sandbox_bot",
        enforce_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = "IMM Sandbox"
        self.enforce_limits = enforce_limits
        self.limits = RateLimits()
        self.clock = clock
        #: Wall-clock source for message dates (seconds since the epoch).
        self.now: Callable[[], float] = time.time
        #: Group privacy mode: the bot only sees commands, mentions and replies in groups.
        self.privacy_mode = True
        #: Reject photos whose bytes are not a recognisable image (as Telegram does).
        self.strict_media = True

        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.chats: dict[int, FakeChat] = {}
        self.stats = Stats()
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackAnswer] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.default_menu_button: JSONDict = {"type": "default"}
        self.internal_errors: list[BaseException] = []
        self.webhook_url = ""
        # Called as hook(method, params) after a successful call, before its response is sent.
        self.in_flight_hooks: list[Callable[[str, JSONDict], Awaitable[None] | None]] = []

        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._pending: list[JSONDict] = []
        self._next_update_id = 100_000
        self._allowed_updates: frozenset[str] | None = None
        self._max_offset = 0
        self._poll_generation = 0
        self._release_epoch = 0
        self._signal = _Signal()
        self._failures: list[_InjectedFailure] = []
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._group_windows: dict[int, deque[float]] = {}
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(4_000_000_000_000_000_001)

        self._methods: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("logOut", self._ok),
            ("close", self._ok),
            ("deleteWebhook", self._delete_webhook),
            ("setWebhook", self._set_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("sendDocument", self._send_document),
            ("sendPhoto", self._send_photo),
            ("sendVoice", self._send_voice),
            ("leaveChat", self._leave_chat),
            ("copyMessage", self._copy_message),
            ("getChat", self._get_chat),
            ("getChatMember", self._get_chat_member),
            ("getChatAdministrators", self._get_chat_administrators),
            ("getChatMemberCount", self._get_chat_member_count),
            ("setChatMenuButton", self._set_chat_menu_button),
            ("getChatMenuButton", self._get_chat_menu_button),
            ("setMyDescription", self._store_setting("description")),
            ("setMyShortDescription", self._store_setting("short_description")),
            ("setMyName", self._store_setting("name")),
            ("getFile", self._get_file),
        ):
            self._methods[name.lower()] = (name, handler)

    # ----------------------------------------------------------------- bot-facing entry points

    @property
    def bot_user(self) -> JSONDict:
        """Return the bot's User object as embedded in messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def parse_request(content_type: str, body: bytes) -> JSONDict:
        """Decode a Bot API request body into parameters (see module-level parse_request)."""
        return parse_request(content_type, body)

    async def call(self, method: str, params: JSONDict) -> tuple[int, JSONDict]:
        """Execute one Bot API method; return (HTTP status, JSON body)."""
        key = method.lower()
        canonical, handler = self._methods.get(key, (method, None))
        record = Call(canonical, params, self.clock())
        self.calls.append(record)
        self.stats.calls[canonical] += 1
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            self._raise_injected(canonical, params)
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
            for hook in list(self.in_flight_hooks):
                # Runs while the bot still awaits this call's response: lets a test make
                # a user act at exactly that moment (a race, made deterministic).
                outcome = hook(canonical, params)
                if inspect.isawaitable(outcome):
                    await outcome
            record.status = 200
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            record.status = error.status
            record.description = error.description
            self.stats.errors += 1
            self.stats.error_codes[error.status] += 1
            if error.status == 429:
                self.stats.rate_limited += 1
            return error.status, error.body()
        except asyncio.CancelledError:
            record.description = "cancelled: the client went away"
            raise
        except Exception as exc:  # a bug in the fake itself: surface it, don't hide it
            self.internal_errors.append(exc)
            record.status = 500
            record.description = f"Internal Server Error: {exc!r}"
            self.stats.errors += 1
            self.stats.error_codes[500] += 1
            return 500, {"ok": False, "error_code": 500, "description": record.description}
        finally:
            self._signal.notify()

    async def handle_http(
        self, http_method: str, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, str, bytes]:
        """Serve one HTTP request (API call or file download); return (status, type, body)."""
        file_match = re.search(r"/file/bot([^/]+)/(.+)$", path)
        if file_match and http_method.upper() == "GET":
            if file_match.group(1) != self.token:
                return _json_response(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            stored = next(
                (f for f in self.files.values() if f.file_path == file_match.group(2)), None
            )
            if stored is None:
                return _json_response(
                    404, {"ok": False, "error_code": 404, "description": "Not Found"}
                )
            return 200, stored.file.content_type, stored.file.content
        match = re.search(r"/bot([^/]+)/([^/]+)/?$", path)
        if match is None:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if match.group(1) != self.token:
            return _json_response(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        try:
            params = parse_request("application/x-www-form-urlencoded", query.encode())
            params.update(parse_request(content_type, body))
        except (ValueError, UnicodeDecodeError) as exc:
            error = _bad(f"can't parse request: {exc}")
            return _json_response(error.status, error.body())
        status, payload = await self.call(match.group(2), params)
        return _json_response(status, payload)

    def transport(self) -> httpx.AsyncBaseTransport:
        """Return an httpx transport that serves every request from this fake, in-process."""

        async def handler(request: httpx.Request) -> httpx.Response:
            body = await request.aread()
            status, content_type, payload = await self.handle_http(
                request.method,
                request.url.path,
                request.url.query.decode("ascii", "replace"),
                request.headers.get("content-type", ""),
                body,
            )
            return httpx.Response(status, content=payload, headers={"content-type": content_type})

        return httpx.MockTransport(handler)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` (optionally to `chat_id`) fail like this."""
        self._failures.append(
            _InjectedFailure(method.lower(), status, description, retry_after, chat_id, times)
        )

    def release_pollers(self) -> None:
        """Make every long-polling getUpdates return right away (used on server shutdown)."""
        self._release_epoch += 1
        self._signal.notify()

    # ---------------------------------------------------------------------- waiting helpers

    async def _wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._signal.current()
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                return predicate()
        return True

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109 - API mirrors wait_for(timeout=...)
        """Wait until predicate() is true (re-checked on every call/update); else TimeoutError."""
        if not await self._wait_until(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout}s\n{self.describe()}")

    def all_updates_fetched(self) -> bool:
        """Return True when the bot has confirmed (fetched past) every enqueued update."""
        return not self._pending

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - API mirrors wait_for(timeout=...)
        """Wait until every enqueued update has been handed to (and confirmed by) the bot."""
        await self.wait_for(self.all_updates_fetched, timeout)

    def describe(self, last: int = 10) -> str:
        """Return a readable dump of the latest bot messages, failed calls and queue state."""
        lines = [f"Last {min(last, len(self.sent))} of {len(self.sent)} bot messages:"]
        lines += [f"  {message.summary()}" for message in self.sent[-last:]]
        failed = [call for call in self.calls if call.status >= 400][-5:]
        if failed:
            lines.append("Last failed calls:")
            lines += [f"  {call.method} -> {call.status} {call.description}" for call in failed]
        recent = ", ".join(call.method for call in self.calls[-8:])
        lines.append(f"Pending updates: {len(self._pending)}; latest calls: {recent or '-'}")
        if self.internal_errors:
            lines.append(f"Internal errors in the fake: {self.internal_errors!r}")
        return "\n".join(lines)

    # ---------------------------------------------------------------------- user-side factory

    def user(
        self,
        user_id: int,
        first_name: str = "Sam",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """Return the fake user with this id (created on first use; no update is sent)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive")
        chat = FakeChat(
            id=user_id,
            type="private",
            first_name=first_name,
            last_name=last_name,
            username=username,
            started=False,
        )
        self.chats[user_id] = chat
        info: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            info["last_name"] = last_name
        if username is not None:
            info["username"] = username
        if language_code is not None:
            info["language_code"] = language_code
        created = FakeUser(self, chat, info)
        self._users[user_id] = created
        return created

    def group(self, chat_id: int, title: str) -> FakeGroup:
        """Return the fake group with this (negative) id; the bot is not in it until added."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        chat = FakeChat(id=chat_id, type="group", title=title, bot_status="left")
        self.chats[chat_id] = chat
        created = FakeGroup(self, chat)
        self._groups[chat_id] = created
        return created

    def channel_post(self, chat_id: int, text: str, *, title: str | None = None) -> JSONDict:
        """Enqueue a channel_post update in a channel where the bot is an administrator."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = FakeChat(
                id=chat_id, type="channel", title=title or f"Channel {chat_id}", started=True
            )
            chat.bot_status = "administrator"
            self.chats[chat_id] = chat
        message_id = chat.new_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "sender_chat": chat.as_dict(),
            "chat": chat.as_dict(),
            "date": self._date(),
            "text": text,
        }
        entities = _detect_entities(text)
        if entities:
            message["entities"] = entities
        chat.incoming[message_id] = message
        return self._enqueue({"channel_post": message})

    # ------------------------------------------------------------------------ update queue

    def _date(self) -> int:
        return int(self.now())

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        update: JSONDict = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        update_type = next(iter(payload))
        allowed = self._allowed_updates
        if allowed is None:
            deliver = update_type not in DEFAULT_EXCLUDED_UPDATES
        else:
            deliver = update_type in allowed
        if deliver:
            self._pending.append(update)
            self.stats.updates_enqueued += 1
        self._signal.notify()
        return update

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._max_offset = max(self._max_offset, offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = _opt_int(params, "offset")
        limit = _opt_int(params, "limit") or 100
        limit = max(1, min(limit, 100))
        raw_timeout = params.get("timeout") or 0
        try:
            timeout = max(0.0, float(raw_timeout))
        except (TypeError, ValueError):
            raise _bad("timeout is invalid") from None
        allowed = _as_json_object(params.get("allowed_updates"), "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        if offset is not None:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        epoch = self._release_epoch
        self._signal.notify()  # confirmation may satisfy all_updates_fetched() waiters
        if not self._pending and timeout > 0:
            await self._wait_until(
                lambda: (
                    bool(self._pending)
                    or self._poll_generation != generation
                    or self._release_epoch != epoch
                ),
                timeout,
            )
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
        batch = self._pending[:limit]
        self.stats.updates_delivered += len(batch)
        return batch

    # ------------------------------------------------------------------- failures & limits

    def _raise_injected(self, method: str, params: JSONDict) -> None:
        key = method.lower()
        chat_id = _params_chat_id(params)
        for failure in self._failures:
            if failure.method != key:
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise ApiError(failure.status, failure.description, retry_after=failure.retry_after)

    def _check_flood(self, chat: FakeChat) -> None:
        if not self.enforce_limits:
            return
        now = self.clock()
        waits: list[float] = []
        _prune(self._global_window, now - 1.0)
        if len(self._global_window) >= self.limits.global_per_second:
            waits.append(self._global_window[0] + 1.0 - now)
        chat_window = self._chat_windows.setdefault(chat.id, deque())
        _prune(chat_window, now - 1.0)
        if len(chat_window) >= self.limits.per_chat_per_second:
            waits.append(chat_window[0] + 1.0 - now)
        group_window: deque[float] | None = None
        if chat.type in ("group", "supergroup"):
            group_window = self._group_windows.setdefault(chat.id, deque())
            _prune(group_window, now - 60.0)
            if len(group_window) >= self.limits.per_group_per_minute:
                waits.append(group_window[0] + 60.0 - now)
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        self._global_window.append(now)
        chat_window.append(now)
        if group_window is not None:
            group_window.append(now)

    # ---------------------------------------------------------------------- chat helpers

    def _lookup_chat(self, raw: Any) -> FakeChat:
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat: FakeChat | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat = self.chats.get(raw)
        elif isinstance(raw, str):
            if re.fullmatch(r"-?\d+", raw):
                chat = self.chats.get(int(raw))
            elif raw.startswith("@"):
                name = raw[1:].lower()
                chat = next(
                    (
                        c
                        for c in self.chats.values()
                        if c.type != "private" and (c.username or "").lower() == name
                    ),
                    None,
                )
        if chat is None or (chat.type == "private" and not chat.started):
            raise _bad("chat not found")
        return chat

    def _writable_chat(self, params: JSONDict) -> FakeChat:
        chat = self._lookup_chat(params.get("chat_id"))
        if chat.type == "private":
            if chat.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        elif chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _formatted(self, params: JSONDict, key: str, limit: int) -> tuple[str, FormattedText]:
        raw = params.get(key)
        text = "" if raw is None else str(raw)
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and not isinstance(parse_mode, str):
            raise _bad("unsupported parse_mode")
        entities_key = "caption_entities" if key == "caption" else "entities"
        entities = _as_json_object(params.get(entities_key), "entities")
        try:
            if isinstance(entities, list) and entities:
                formatted = FormattedText(text, [dict(e) for e in entities if isinstance(e, dict)])
            else:
                formatted = parse_formatted(text, parse_mode)
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
        except ValueError:
            raise _bad("unsupported parse_mode") from None
        if utf16_len(formatted.text) > limit:
            what = "message is too long" if key == "text" else "message caption is too long"
            raise _bad(what)
        return text, formatted

    def _reply_to(self, chat: FakeChat, params: JSONDict) -> JSONDict | None:
        reply = _as_json_object(params.get("reply_parameters"), "reply parameters")
        message_id: int | None = None
        allow_missing = _as_bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
                raise _bad("cross-chat replies are not supported by the fake")
            message_id = _opt_int(reply, "message_id")
            allow_missing = _as_bool(reply.get("allow_sending_without_reply"))
        elif reply is not None:
            raise _bad("can't parse reply parameters JSON object")
        legacy = _opt_int(params, "reply_to_message_id")
        if message_id is None:
            message_id = legacy
        if message_id is None:
            return None
        target = self._existing_message(chat, message_id)
        if target is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return target

    def _existing_message(self, chat: FakeChat, message_id: int) -> JSONDict | None:
        if message_id in chat.incoming:
            incoming = chat.incoming[message_id]
            return {k: v for k, v in incoming.items() if k != "reply_to_message"}
        sent = self._bot_message(chat, message_id)
        if sent is not None and not sent.deleted:
            return {k: v for k, v in sent.raw.items() if k != "reply_to_message"}
        return None

    @staticmethod
    def _bot_message(chat: FakeChat, message_id: int) -> SentMessage | None:
        # Messages are appended in id order, so search from the end.
        for message in reversed(chat.messages):
            if message.message_id == message_id:
                return message
            if message.message_id < message_id:
                break
        return None

    def _base_message(self, chat: FakeChat, message_id: int) -> JSONDict:
        message: JSONDict = {"message_id": message_id}
        if chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = self.bot_user
        message["chat"] = chat.as_dict()
        message["date"] = self._date()
        return message

    def _record(
        self,
        chat: FakeChat,
        params: JSONDict,
        *,
        kind: str,
        body: JSONDict,
        raw_text: str | None,
        formatted: FormattedText,
        markup: _Markup,
        reply_to: JSONDict | None,
        media: StoredFile | None = None,
    ) -> SentMessage:
        self._check_flood(chat)
        message_id = chat.new_message_id()
        raw = self._base_message(chat, message_id)
        raw.update(body)
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        link_preview = _as_json_object(params.get("link_preview_options"), "link preview options")
        if kind == "text" and isinstance(link_preview, dict):
            raw["link_preview_options"] = link_preview
        if markup.kind == "inline":
            raw["reply_markup"] = markup.markup
        parse_mode = params.get("parse_mode")
        sent = SentMessage(
            message_id=message_id,
            chat_id=chat.id,
            kind=kind,
            text=raw_text if kind == "text" else None,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            plain_text=formatted.text,
            entities=formatted.entities,
            reply_markup=markup.markup,
            buttons=markup.buttons,
            keyboard_kind=markup.kind,
            date=raw["date"],
            document=media.file if media and kind == "document" else None,
            photo=media.file if media and kind == "photo" else None,
            voice=media.file if media and kind == "voice" else None,
            file_id=media.file_id if media else None,
            caption=raw_text if kind != "text" else None,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            link_preview_options=link_preview if isinstance(link_preview, dict) else None,
            raw=raw,
        )
        if markup.kind == "reply":
            chat.reply_keyboard = markup.buttons
            chat.reply_keyboard_one_time = markup.one_time
        elif markup.kind == "remove":
            chat.reply_keyboard = None
        chat.messages.append(sent)
        self.sent.append(sent)
        return sent

    # -------------------------------------------------------------------- files

    def register_file(self, kind: str, file: UploadedFile) -> StoredFile:
        """Store a file so it can be re-sent by file_id and downloaded via getFile."""
        number = next(self._file_counter)
        extension = mimetypes.guess_extension(file.content_type) or ""
        if "." in file.filename:
            extension = "." + file.filename.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"FAKE{kind.upper()}{number:08d}",
            file_unique_id=f"U{number:08d}",
            kind=kind,
            file=file,
            file_path=f"{kind}s/file_{number}{extension}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _media_param(self, params: JSONDict, name: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if value is None or value == "":
            raise _bad(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            if not value.content:
                raise _bad("file must be non-empty")
            if value.size > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if name == "photo" and self.strict_media and not _looks_like_image(value.content):
                raise _bad("IMAGE_PROCESS_FAILED")
            return self.register_file(name, value)
        if isinstance(value, str):
            stored = self.files.get(value)
            if stored is not None:
                if name != "document" and stored.kind != name:
                    raise _bad(f"can't use file of type {stored.kind} as {name}")
                return stored
            if value.startswith(("http://", "https://")):
                filename = urllib.parse.urlsplit(value).path.rsplit("/", 1)[-1] or name
                content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                return self.register_file(name, UploadedFile(filename, b"", content_type))
        raise _bad("wrong file identifier/HTTP URL specified")

    def _file_dict(self, stored: StoredFile) -> JSONDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file.size,
        }

    # ==================================================================== API methods

    def _ok(self, params: JSONDict) -> bool:
        return True

    def _store_setting(self, key: str) -> Callable[[JSONDict], bool]:
        def handler(params: JSONDict) -> bool:
            language = str(params.get("language_code") or "")
            self.bot_settings[f"{key}:{language}"] = params.get(key)
            return True

        return handler

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = ""
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = _as_json_object(params.get("scope"), "scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = _as_json_object(params.get("commands"), "commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("command description is empty or too long")
            clean.append({"command": name, "description": description})
        self.commands[self._scope_key(params)] = clean
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._writable_chat(params)
        if params.get("text") is None:
            raise _bad("message text is empty")
        raw_text, formatted = self._formatted(params, "text", MAX_TEXT_LENGTH)
        if not formatted.text:
            raise _bad("message text is empty")
        markup = _parse_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        body: JSONDict = {"text": formatted.text}
        if formatted.entities:
            body["entities"] = formatted.entities
        sent = self._record(
            chat,
            params,
            kind="text",
            body=body,
            raw_text=raw_text,
            formatted=formatted,
            markup=markup,
            reply_to=reply_to,
        )
        return sent.raw

    def _send_media(self, params: JSONDict, kind: str) -> JSONDict:
        chat = self._writable_chat(params)
        stored = self._media_param(params, kind)
        caption: str | None = None
        formatted = FormattedText("", [])
        if params.get("caption") is not None:
            caption, formatted = self._formatted(params, "caption", MAX_CAPTION_LENGTH)
        markup = _parse_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        file_info = self._file_dict(stored)
        body: JSONDict
        if kind == "photo":
            body = {
                "photo": [
                    {**file_info, "width": 90, "height": 90},
                    {**file_info, "width": 800, "height": 800},
                ]
            }
        elif kind == "voice":
            duration = _opt_int(params, "duration") or 1
            body = {
                "voice": {**file_info, "duration": duration, "mime_type": stored.file.content_type}
            }
        else:
            body = {
                "document": {
                    **file_info,
                    "file_name": stored.file.filename,
                    "mime_type": stored.file.content_type,
                }
            }
        if formatted.text:
            body["caption"] = formatted.text
            if formatted.entities:
                body["caption_entities"] = formatted.entities
        sent = self._record(
            chat,
            params,
            kind=kind,
            body=body,
            raw_text=caption,
            formatted=formatted,
            markup=markup,
            reply_to=reply_to,
            media=stored,
        )
        return sent.raw

    def _copy_message(self, params: JSONDict) -> JSONDict:
        # A copy of a user's message into another chat (no link to the original).
        chat = self._writable_chat(params)
        source = self._lookup_chat(params.get("from_chat_id"))
        message_id = _opt_int(params, "message_id")
        original = source.incoming.get(message_id or 0)
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        kind = next(
            (k for k in ("voice", "photo", "document", "video", "audio", "text") if k in original),
            "other",
        )
        body = {k: v for k, v in original.items() if k in {kind, "caption", "caption_entities"}}
        text = original.get("text") if kind == "text" else None
        sent = self._record(
            chat,
            params,
            kind=kind,
            body=body,
            raw_text=text,
            formatted=FormattedText(text or original.get("caption") or "", []),
            markup=_parse_reply_markup(params.get("reply_markup")),
            reply_to=self._reply_to(chat, params),
        )
        return {"message_id": sent.message_id}

    def _send_document(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "document")

    def _send_photo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "photo")

    def _send_voice(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "voice")

    def _message_to_edit(self, params: JSONDict) -> tuple[FakeChat, SentMessage]:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not supported by the fake")
        chat = self._writable_chat(params)
        message_id = _opt_int(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        sent = self._bot_message(chat, message_id)
        if sent is None or sent.deleted:
            if message_id in chat.incoming:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return chat, sent

    @staticmethod
    def _not_modified() -> ApiError:
        return _bad(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    def _apply_edit(self, sent: SentMessage, markup: _Markup) -> JSONDict:
        sent.edited = True
        sent.edit_count += 1
        sent.reply_markup = markup.markup
        sent.buttons = markup.buttons
        sent.keyboard_kind = markup.kind
        if markup.kind == "inline":
            sent.raw["reply_markup"] = markup.markup
        else:
            sent.raw.pop("reply_markup", None)
        sent.raw["edit_date"] = self._date()
        return sent.raw

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        _chat, sent = self._message_to_edit(params)
        if params.get("text") is None:
            raise _bad("message text is empty")
        raw_text, formatted = self._formatted(params, "text", MAX_TEXT_LENGTH)
        if not formatted.text:
            raise _bad("message text is empty")
        if sent.kind != "text":
            raise _bad("there is no text in the message to edit")
        markup = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        self._refuse_unchanged(sent, markup, formatted)
        sent.text = raw_text
        sent.parse_mode = (
            params.get("parse_mode") if isinstance(params.get("parse_mode"), str) else None
        )
        sent.plain_text = formatted.text
        sent.entities = formatted.entities
        sent.raw["text"] = formatted.text
        if formatted.entities:
            sent.raw["entities"] = formatted.entities
        else:
            sent.raw.pop("entities", None)
        return self._apply_edit(sent, markup)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict:
        _chat, sent = self._message_to_edit(params)
        if sent.kind == "text":
            raise _bad("there is no caption in the message to edit")
        caption, formatted = self._formatted(params, "caption", MAX_CAPTION_LENGTH)
        markup = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        self._refuse_unchanged(sent, markup, formatted)
        sent.caption = caption or None
        sent.plain_text = formatted.text
        sent.entities = formatted.entities
        sent.raw.pop("caption", None)
        sent.raw.pop("caption_entities", None)
        if formatted.text:
            sent.raw["caption"] = formatted.text
            if formatted.entities:
                sent.raw["caption_entities"] = formatted.entities
        return self._apply_edit(sent, markup)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        _chat, sent = self._message_to_edit(params)
        markup = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        self._refuse_unchanged(sent, markup)
        return self._apply_edit(sent, markup)

    def _refuse_unchanged(
        self, sent: SentMessage, markup: _Markup, formatted: FormattedText | None = None
    ) -> None:
        """Telegram refuses an edit that changes neither the text (or caption) nor the keyboard."""
        current_markup = sent.reply_markup if sent.keyboard_kind == "inline" else None
        same_text = formatted is None or (
            formatted.text == sent.plain_text and formatted.entities == sent.entities
        )
        if same_text and markup.markup == current_markup:
            raise self._not_modified()

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._writable_chat(params)
        message_id = _opt_int(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        if message_id in chat.incoming:
            del chat.incoming[message_id]
            return True
        sent = self._bot_message(chat, message_id)
        if sent is None or sent.deleted:
            raise _bad("message to delete not found")
        sent.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self.callback_queries.get(query_id)
        if query is None or query.answered:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.text = text if isinstance(text, str) else None
        query.show_alert = _as_bool(params.get("show_alert"))
        url = params.get("url")
        query.url = url if isinstance(url, str) else None
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat = self._writable_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat.actions.append(ChatAction(str(action), self.clock()))
        return True

    def _leave_chat(self, params: JSONDict) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        if chat.bot_status in ("left", "kicked"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        old = chat.bot_status
        chat.bot_status = "left"
        self._enqueue(
            {
                "my_chat_member": {
                    "chat": chat.as_dict(),
                    "from": self.bot_user,
                    "date": self._date(),
                    "old_chat_member": self._member_dict(self.bot_user, old),
                    "new_chat_member": self._member_dict(self.bot_user, "left"),
                }
            }
        )
        return True

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._lookup_chat(params.get("chat_id"))
        return {
            **chat.as_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    @staticmethod
    def _member_dict(user: JSONDict, status: str) -> JSONDict:
        member: JSONDict = {"user": user, "status": status}
        if status == "kicked":
            member["until_date"] = 0
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": False,
                    "can_restrict_members": False,
                    "can_promote_members": False,
                    "can_change_info": False,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        return member

    def _user_info(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return self.bot_user
        known = self._users.get(user_id)
        if known is not None:
            return dict(known.info)
        raise _bad("user not found")

    def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._lookup_chat(params.get("chat_id"))
        user_id = _opt_int(params, "user_id")
        if user_id is None:
            raise _bad("user_id is empty")
        info = self._user_info(user_id)
        if user_id == self.bot_id:
            status = "member" if chat.type == "private" else chat.bot_status
        elif chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_dict(info, status)

    def _get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        chat = self._lookup_chat(params.get("chat_id"))
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            self._member_dict(self._user_info(uid), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member_dict(self.bot_user, "administrator"))
        return admins

    def _get_chat_member_count(self, params: JSONDict) -> int:
        chat = self._lookup_chat(params.get("chat_id"))
        if chat.type == "private":
            return 2
        members = sum(1 for s in chat.members.values() if s not in ("left", "kicked"))
        return members + (1 if chat.bot_status in ("member", "administrator") else 0)

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        button = _as_json_object(params.get("menu_button"), "menu button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise _bad("can't parse menu button JSON object")
        if params.get("chat_id") is None:
            self.default_menu_button = button
        else:
            self._lookup_chat(params.get("chat_id")).menu_button = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        if params.get("chat_id") is None:
            return self.default_menu_button
        chat = self._lookup_chat(params.get("chat_id"))
        return chat.menu_button or self.default_menu_button

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        return {**self._file_dict(stored), "file_path": stored.file_path}


def _json_response(status: int, body: JSONDict) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8")


def _looks_like_image(content: bytes) -> bool:
    if content.startswith(_IMAGE_MAGIC):
        return True
    return content[:4] == b"RIFF" and content[8:12] == b"WEBP"


# ---------------------------------------------------------------------------------------------
# User side
# ---------------------------------------------------------------------------------------------


class _ChatView:
    """Read side shared by users and groups: the bot's messages in one chat and a read cursor."""

    def __init__(self, api: FakeTelegram, chat: FakeChat) -> None:
        self.api = api
        self.chat = chat
        self._cursor = 0

    @property
    def messages(self) -> list[SentMessage]:
        """Return every message the bot sent to this chat, in order (deleted ones included)."""
        return self.chat.messages

    @property
    def last(self) -> SentMessage:
        """Return the bot's most recent message in this chat (AssertionError if none)."""
        if not self.chat.messages:
            raise AssertionError(f"the bot has sent nothing to chat {self.chat.id}")
        return self.chat.messages[-1]

    @property
    def unread(self) -> list[SentMessage]:
        """Return the messages beyond the read cursor without moving it."""
        return self.chat.messages[self._cursor :]

    @property
    def actions(self) -> list[ChatAction]:
        """Return the chat actions (typing, ...) the bot sent to this chat."""
        return self.chat.actions

    def read_all(self) -> list[SentMessage]:
        """Return every unread message and move the cursor past them."""
        unread = self.chat.messages[self._cursor :]
        self._cursor = len(self.chat.messages)
        return unread

    async def wait_messages(self, count: int = 1, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109 - API mirrors wait_for(timeout=...)
        """Wait for `count` unread messages; return exactly those and advance the cursor."""
        target = self._cursor + count
        if not await self.api._wait_until(lambda: len(self.chat.messages) >= target, timeout):
            have = len(self.chat.messages) - self._cursor
            raise TimeoutError(
                f"expected {count} new message(s) in chat {self.chat.id} within {timeout}s, "
                f"got {have}\n{self.api.describe()}"
            )
        batch = self.chat.messages[self._cursor : target]
        self._cursor = target
        return batch

    def _find_button(self, label: str, message_id: int | None) -> tuple[SentMessage, Button]:
        candidates = [
            m
            for m in reversed(self.chat.messages)
            if not m.deleted
            and m.keyboard_kind == "inline"
            and (message_id is None or m.message_id == message_id)
        ]
        for exact in (True, False):
            for message in candidates:
                matches = [
                    b
                    for row in message.buttons
                    for b in row
                    if (b.text == label if exact else label in b.text)
                ]
                if len(matches) > 1 and not exact:
                    raise AssertionError(
                        f"label {label!r} is ambiguous on {message.summary()}: "
                        f"{[b.text for b in matches]}"
                    )
                if matches:
                    return message, matches[0]
        available = [f"#{m.message_id}: {m.button_labels}" for m in candidates] or ["(none)"]
        raise AssertionError(
            f"no inline button {label!r} in chat {self.chat.id}"
            + (f" on message #{message_id}" if message_id is not None else "")
            + "; available buttons: "
            + "; ".join(available)
        )


class FakeUser(_ChatView):
    """A Telegram user in a private chat with the bot."""

    def __init__(self, api: FakeTelegram, chat: FakeChat, info: JSONDict) -> None:
        super().__init__(api, chat)
        self.info = info

    @property
    def id(self) -> int:
        """Return the user id (also the private chat id)."""
        return self.chat.id

    @property
    def first_name(self) -> str:
        """Return the user's first name."""
        return str(self.info["first_name"])

    @property
    def answers(self) -> list[CallbackAnswer]:
        """Return this user's button presses with the bot's answers, oldest first."""
        return [q for q in self.api.callback_queries.values() if q.user_id == self.id]

    @property
    def blocked(self) -> bool:
        """Return whether the user currently blocks the bot."""
        return self.chat.blocked

    # ------------------------------------------------------------------ sending messages

    def _message(self, content: JSONDict, *, reply_to: int | None = None) -> JSONDict:
        if self.chat.blocked:
            self.unblock()  # pressing "Restart"/sending from the client unblocks the bot
        self.chat.started = True
        message_id = self.chat.new_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": dict(self.info),
            "chat": self.chat.as_dict(),
            "date": self.api._date(),
            **content,
        }
        if reply_to is not None:
            target = self.api._existing_message(self.chat, reply_to)
            if target is None:
                raise AssertionError(f"cannot reply to unknown message #{reply_to}")
            message["reply_to_message"] = target
        self.chat.incoming[message_id] = message
        return self.api._enqueue({"message": message})

    def send(self, text: str, *, reply_to: int | None = None) -> JSONDict:
        """Send a text message (commands get a bot_command entity); return the update."""
        if not text.strip():
            raise AssertionError("Telegram clients cannot send an empty message")
        content: JSONDict = {"text": text}
        entities = _detect_entities(text)
        if entities:
            content["entities"] = entities
        keyboard = self.chat.reply_keyboard
        if (
            keyboard is not None
            and self.chat.reply_keyboard_one_time
            and any(b.text == text for row in keyboard for b in row)
        ):
            self.chat.reply_keyboard = None
        return self._message(content, reply_to=reply_to)

    def start(self, payload: str | None = None) -> JSONDict:
        """Send /start (with an optional deep-link payload); return the update."""
        return self.send("/start" if payload is None else f"/start {payload}")

    def _file(self, kind: str, content: bytes, filename: str, mime: str) -> JSONDict:
        stored = self.api.register_file(kind, UploadedFile(filename, content, mime))
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
        }

    def _with_caption(self, content: JSONDict, caption: str | None) -> JSONDict:
        if caption:
            content["caption"] = caption
            entities = _detect_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return content

    def send_sticker(self, emoji: str = "👍") -> JSONDict:
        """Send a regular sticker; return the update."""
        info = self._file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "sticker.webp", "image/webp")
        sticker = {
            **info,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._message({"sticker": sticker})

    def send_voice(self, duration: int = 3, content: bytes = b"OggS fake voice") -> JSONDict:
        """Send a voice note; return the update."""
        info = self._file("voice", content, "voice.ogg", "audio/ogg")
        return self._message({"voice": {**info, "duration": duration, "mime_type": "audio/ogg"}})

    def send_photo(
        self, caption: str | None = None, content: bytes = b"\xff\xd8\xff fake"
    ) -> JSONDict:
        """Send a photo (two sizes), optionally captioned; return the update."""
        info = self._file("photo", content, "photo.jpg", "image/jpeg")
        sizes = [{**info, "width": 90, "height": 67}, {**info, "width": 1280, "height": 960}]
        return self._message(self._with_caption({"photo": sizes}, caption))

    def send_document(
        self,
        filename: str = "notes.pdf",
        content: bytes = b"%PDF-1.4 fake",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """Send a document; return the update."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        info = self._file("document", content, filename, mime)
        document = {**info, "file_name": filename, "mime_type": mime}
        return self._message(self._with_caption({"document": document}, caption))

    def send_location(self, latitude: float = 51.5074, longitude: float = -0.1278) -> JSONDict:
        """Send a location; return the update."""
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_contact(
        self, phone_number: str = "+447700900123", first_name: str | None = None
    ) -> JSONDict:
        """Send the user's own contact card; return the update."""
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
            "user_id": self.id,
        }
        return self._message({"contact": contact})

    def send_poll(
        self, question: str = "Which day?", options: Iterable[str] = ("Monday", "Friday")
    ) -> JSONDict:
        """Send a regular anonymous poll; return the update."""
        poll = {
            "id": str(next(self.api._query_counter)),
            "question": question,
            "options": [
                {"text": option, "voter_count": 0, "persistent_id": str(index)}
                for index, option in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._message({"poll": poll})

    def send_animation(self) -> JSONDict:
        """Send a GIF (Telegram sets both animation and document, like real clients)."""
        info = self._file("animation", b"GIF89a fake", "funny.mp4", "video/mp4")
        animation = {
            **info,
            "width": 320,
            "height": 240,
            "duration": 2,
            "file_name": "funny.mp4",
            "mime_type": "video/mp4",
        }
        document = {**info, "file_name": "funny.mp4", "mime_type": "video/mp4"}
        return self._message({"animation": animation, "document": document})

    def forward(self, text: str, *, from_name: str = "Alex", hidden: bool = False) -> JSONDict:
        """Forward someone else's text message to the bot; return the update."""
        origin: JSONDict
        if hidden:
            origin = {
                "type": "hidden_user",
                "sender_user_name": from_name,
                "date": self.api._date(),
            }
        else:
            origin = {
                "type": "user",
                "sender_user": {"id": 777_000_001, "is_bot": False, "first_name": from_name},
                "date": self.api._date(),
            }
        content: JSONDict = {"text": text, "forward_origin": origin}
        entities = _detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._message(content)

    def edit(self, message_id: int, new_text: str) -> JSONDict:
        """Edit one of the user's own text messages; return the edited_message update."""
        original = self.chat.incoming.get(message_id)
        if original is None or "text" not in original:
            raise AssertionError(f"user {self.id} has no text message #{message_id} to edit")
        edited: JSONDict = {**original, "text": new_text, "edit_date": self.api._date()}
        edited.pop("entities", None)
        entities = _detect_entities(new_text)
        if entities:
            edited["entities"] = entities
        self.chat.incoming[message_id] = edited
        return self.api._enqueue({"edited_message": edited})

    # ------------------------------------------------------------------ buttons

    def _callback(self, message: JSONDict, data: str) -> JSONDict:
        query_id = str(next(self.api._query_counter))
        self.api.callback_queries[query_id] = CallbackAnswer(
            query_id=query_id,
            user_id=self.id,
            chat_id=self.chat.id,
            message_id=message.get("message_id"),
            data=data,
        )
        return self.api._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(self.info),
                    "message": message,
                    "chat_instance": str(abs(self.chat.id) * 7919 + 17),
                    "data": data,
                }
            }
        )

    def press(self, label: str, *, message_id: int | None = None) -> JSONDict:
        """Press an inline button (exact label, else substring); a reply-keyboard tap sends text."""
        try:
            message, button = self._find_button(label, message_id)
        except AssertionError:
            keyboard = self.chat.reply_keyboard
            if message_id is None and keyboard is not None:
                tapped = [b.text for row in keyboard for b in row if b.text == label] or [
                    b.text for row in keyboard for b in row if label in b.text
                ]
                if len(tapped) == 1:
                    return self.send(tapped[0])
            raise
        if button.callback_data is None:
            raise AssertionError(
                f"button {button.text!r} on {message.summary()} has no callback_data "
                f"(url={button.url!r}); pressing it does not reach the bot"
            )
        return self._callback(dict(message.raw), button.callback_data)

    def press_data(self, data: str, message_id: int) -> JSONDict:
        """Send a callback_query with arbitrary (forged or stale) data for message_id."""
        sent = self.api._bot_message(self.chat, message_id)
        message: JSONDict
        if sent is not None and not sent.deleted:
            message = dict(sent.raw)
        else:
            message = {"chat": self.chat.as_dict(), "message_id": message_id, "date": 0}
        return self._callback(message, data)

    # ------------------------------------------------------------------ relationship

    def _membership_update(self, old: str, new: str) -> JSONDict:
        return self.api._enqueue(
            {
                "my_chat_member": {
                    "chat": self.chat.as_dict(),
                    "from": dict(self.info),
                    "date": self.api._date(),
                    "old_chat_member": FakeTelegram._member_dict(self.api.bot_user, old),
                    "new_chat_member": FakeTelegram._member_dict(self.api.bot_user, new),
                }
            }
        )

    def block(self) -> JSONDict:
        """Block the bot (its sends get 403; a later user message unblocks); member→kicked."""
        self.chat.blocked = True
        return self._membership_update("member", "kicked")

    def unblock(self) -> JSONDict:
        """Unblock the bot; enqueue my_chat_member kicked→member."""
        self.chat.blocked = False
        self.chat.started = True
        return self._membership_update("kicked", "member")

    def deactivate(self) -> None:
        """Delete the account: later sends get 403 "user is deactivated"."""
        self.chat.deactivated = True

    async def say(self, text: str, count: int = 1, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109 - API mirrors wait_for(timeout=...)
        """Mark everything read, send text, and wait for `count` replies."""
        self.read_all()
        self.send(text)
        return await self.wait_messages(count, timeout)


class FakeGroup(_ChatView):
    """A basic group chat."""

    @property
    def id(self) -> int:
        """Return the group chat id (negative)."""
        return self.chat.id

    def add_bot(self, by: FakeUser, *, service_message: bool = True) -> JSONDict:
        """Add the bot to the group (my_chat_member left→member); return that update."""
        if "creator" not in self.chat.members.values():
            self.chat.members[by.id] = "creator"
        else:
            self.chat.members.setdefault(by.id, "member")
        old = self.chat.bot_status
        self.chat.bot_status = "member"
        self.chat.started = True
        update = self.api._enqueue(
            {
                "my_chat_member": {
                    "chat": self.chat.as_dict(),
                    "from": dict(by.info),
                    "date": self.api._date(),
                    "old_chat_member": FakeTelegram._member_dict(self.api.bot_user, old),
                    "new_chat_member": FakeTelegram._member_dict(self.api.bot_user, "member"),
                }
            }
        )
        if service_message:
            message_id = self.chat.new_message_id()
            message: JSONDict = {
                "message_id": message_id,
                "from": dict(by.info),
                "chat": self.chat.as_dict(),
                "date": self.api._date(),
                "new_chat_members": [self.api.bot_user],
            }
            self.chat.incoming[message_id] = message
            self.api._enqueue({"message": message})
        return update

    def remove_bot(self, by: FakeUser) -> JSONDict:
        """Kick the bot from the group (my_chat_member member→kicked); return that update."""
        old = self.chat.bot_status
        self.chat.bot_status = "kicked"
        return self.api._enqueue(
            {
                "my_chat_member": {
                    "chat": self.chat.as_dict(),
                    "from": dict(by.info),
                    "date": self.api._date(),
                    "old_chat_member": FakeTelegram._member_dict(self.api.bot_user, old),
                    "new_chat_member": FakeTelegram._member_dict(self.api.bot_user, "kicked"),
                }
            }
        )

    def send(self, user: FakeUser, text: str, *, reply_to: int | None = None) -> JSONDict:
        """Post text as user; the bot only gets it if present and privacy mode lets it through."""
        if not text.strip():
            raise AssertionError("Telegram clients cannot send an empty message")
        self.chat.members.setdefault(user.id, "member")
        message_id = self.chat.new_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": dict(user.info),
            "chat": self.chat.as_dict(),
            "date": self.api._date(),
            "text": text,
        }
        entities = _detect_entities(text)
        if entities:
            message["entities"] = entities
        replied_to_bot = False
        if reply_to is not None:
            target = self.api._existing_message(self.chat, reply_to)
            if target is None:
                raise AssertionError(f"cannot reply to unknown message #{reply_to}")
            message["reply_to_message"] = target
            replied_to_bot = target.get("from", {}).get("id") == self.api.bot_id
        self.chat.incoming[message_id] = message
        update: JSONDict = {"message": message}
        bot_present = self.chat.bot_status in ("member", "administrator")
        visible = (
            not self.api.privacy_mode
            or self.chat.bot_status == "administrator"
            or text.startswith("/")
            or f"@{self.api.bot_username}".lower() in text.lower()
            or replied_to_bot
        )
        if bot_present and visible:
            return self.api._enqueue(update)
        return update

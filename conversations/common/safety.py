"""Safeguarding on every free-text message: the filter, the kind reply, the alert."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict

from telegram import Message, Update
from telegram.ext import ConversationHandler, filters

from bot.context import Ctx
from bot.i18n import _
from bot.signposting import Signposting
from conversations.common.alerts import deliver_alert
from conversations.common.text import esc
from conversations.home.logic import is_stop
from conversations.listening.safeguarding import Disclosure, detect_all

log = logging.getLogger(__name__)


def detect_any(text: str) -> Disclosure | None:
    """Detect a disclosure in any supported language (a parent may switch languages).

    Every locale's lexicon runs once on the text; the most serious hit across them wins.
    """
    return detect_all(text)


# Several handlers' filters ask about the same message: remember the answer by a digest of
# the text, so that nothing parents wrote is kept in memory.
_FLAGGED: OrderedDict[bytes, bool] = OrderedDict()
_FLAGGED_SIZE = 256


def is_flagged(text: str) -> bool:
    """Whether a text is a disclosure (cached by digest)."""
    key = hashlib.blake2b(text.encode(), digest_size=16).digest()
    hit = _FLAGGED.get(key)
    if hit is None:
        hit = detect_any(text) is not None
        _FLAGGED[key] = hit
        if len(_FLAGGED) > _FLAGGED_SIZE:
            _FLAGGED.popitem(last=False)
    return hit


def _text_of(message: Message) -> str:
    return message.text or message.caption or ""


class _DisclosureFilter(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = _text_of(message)
        return bool(text) and is_flagged(text)


class _StopFilter(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return message.text is not None and is_stop(message.text)


DISCLOSURE = _DisclosureFilter(name="DISCLOSURE")
# STOP (any case, with or without a slash, alone or in a short sentence): always honoured.
STOP = _StopFilter(name="STOP")
# Free text a flow may take as an answer: never a command, never a disclosure (which goes to
# the safeguarding handler first, whatever the state).
TEXT_INPUT = (
    filters.ChatType.PRIVATE
    & filters.UpdateType.MESSAGE
    & filters.TEXT
    & ~filters.COMMAND
    & ~DISCLOSURE
    & ~STOP
)


def signposting_text(sign: Signposting, immediate: bool, alerted_setting: str | None) -> str:
    """The kind, non-judgemental reply with signposting (emergency first when urgent)."""
    parts = [
        _(
            "Thank you for telling me. What you've shared matters, and you don't have to "
            "deal with it on your own."
        )
    ]
    emergency = f"🚨 <b>{esc(sign.emergency_note)}</b>"
    lines = "\n".join(f"• {esc(h.name)}: <b>{esc(h.contact)}</b>" for h in sign.helplines)
    if immediate:
        parts.append(emergency)
    parts.append(_("These services are there for you, free and confidential:") + "\n" + lines)
    if not immediate:
        parts.append(
            _("If anyone is in danger right now, call {number}.").format(
                number=f"<b>{esc(sign.emergency_number)}</b>"
            )
        )
    if alerted_setting:
        parts.append(
            _(
                "I've also let the team at {setting} know, so that someone can get in touch "
                "with you. I've paused our conversation for now; you can come back to it "
                "whenever you're ready with /newaim."
            ).format(setting=esc(alerted_setting))
        )
    return "\n\n".join(parts)


async def on_disclosure(update: Update, context: Ctx) -> int:
    """Stop the flow, reply with signposting and alert the setting's practitioners at once."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return ConversationHandler.END
    svc = context.services
    repo = svc.repo
    if await repo.get_practitioner(user.id) is not None:
        # Practitioners talk about their work; their words are not a parent's disclosure.
        return ConversationHandler.END
    text = _text_of(message)
    found = detect_any(text)
    if found is None:
        return ConversationHandler.END
    if context.chat_data is not None:
        context.chat_data.aim = None
    parent = await repo.get_parent(user.id)
    setting = await repo.setting_of_group(parent.group_id) if parent is not None else None
    now = svc.clock.now()
    alert_id = await repo.record_alert(
        user.id,
        setting.id if setting else None,
        found.category,
        found.immediate,
        0,
        now,
        message=text if setting else None,
    )
    notified = 0
    alert = await repo.get_alert(alert_id)
    if setting is not None and alert is not None:
        notified = await deliver_alert(context.bot, repo, alert, text, escalated=False)
        await repo.set_alert_notified(alert_id, notified)
    setting_name = setting.name if setting else None
    log.warning("safeguarding alert raised (category=%s, notified=%d)", found.category, notified)
    await message.reply_html(
        signposting_text(svc.signposting, found.immediate, setting_name if notified else None)
    )
    return ConversationHandler.END

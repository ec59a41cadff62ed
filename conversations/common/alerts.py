"""Safeguarding alerts to practitioners: to the lead at once, acknowledged with a button,
re-sent to the whole setting when nobody acknowledges in time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.context import Ctx
from bot.i18n import _, format_clock, use_locale
from bot.storage.models import Alert, Practitioner
from bot.storage.repo import Repository
from conversations.common.keyboards import keyboard
from conversations.common.relay import send_chunks
from conversations.common.text import esc, pack, quote_blocks

log = logging.getLogger(__name__)

ACK_PREFIX = "sg:ack:"


@dataclass(frozen=True)
class AlertDetails:
    """Who raised an alert and where (None when the parent has since been erased)."""

    setting: str
    parent_name: str | None
    user_id: int | None
    relationship: str
    child: str


def alert_blocks(
    details: AlertDetails, alert: Alert, text: str | None, *, escalated: bool
) -> list[str]:
    """The alert a practitioner receives, as HTML blocks (in the current language)."""
    lines = []
    if escalated:
        lines.append(
            "⏰ "
            + _(
                "<b>Not yet acknowledged</b>: re-sent to every practitioner of the setting. "
                "Please make sure someone follows this up."
            )
        )
    lines.append(
        "⚠️ " + _("<b>Safeguarding alert</b> · {setting}").format(setting=esc(details.setting))
    )
    if details.parent_name is not None and details.user_id is not None:
        lines += [
            _("From: {name}, {relationship} of {child}").format(
                name=esc(details.parent_name),
                relationship=esc(details.relationship),
                child=esc(details.child),
            ),
            _("Telegram: {link}").format(
                link=f'<a href="tg://user?id={details.user_id}">{esc(details.parent_name)}</a>'
            ),
        ]
    else:
        lines.append(_("From: a parent who has since deleted their data"))
    lines += [
        _("Concern: {category}").format(category=esc(alert.category)),
        _("Urgent: {answer}").format(answer=_("yes") if alert.immediate else _("not stated")),
    ]
    blocks = ["\n".join(lines)]
    if text:
        blocks.append(_("Their message:"))
        blocks.extend(quote_blocks(text))
    blocks.append(
        _(
            "The parent has been given emergency and helpline numbers. Please follow your "
            "setting's safeguarding procedure, and tap the button below when you have "
            "picked this up."
        )
    )
    return blocks


def ack_button(alert_id: int) -> InlineKeyboardMarkup:
    """The acknowledgement button under an alert."""
    return keyboard([("✅ " + _("I'm dealing with this"), f"{ACK_PREFIX}{alert_id}")])


async def details_of(repo: Repository, alert: Alert) -> AlertDetails:
    """Look up who raised an alert (what is left of them)."""
    setting = await repo.get_setting(alert.setting_id) if alert.setting_id else None
    parent = await repo.get_parent(alert.user_id) if alert.user_id is not None else None
    child = await repo.child_of(parent.user_id) if parent else None
    return AlertDetails(
        setting=setting.name if setting else "",
        parent_name=parent.name if parent else None,
        user_id=parent.user_id if parent else None,
        relationship=child.relationship if child else "?",
        child=child.first_name if child else "?",
    )


async def deliver_alert(
    bot: Bot, repo: Repository, alert: Alert, text: str | None, *, escalated: bool
) -> int:
    """Send an alert to its recipients (the lead, or everyone when there is no lead or it
    is escalated), each in their language, with the button on the last part; return how
    many practitioners received it."""
    if alert.setting_id is None:
        return 0
    details = await details_of(repo, alert)
    recipients = await repo.alert_recipients(alert.setting_id, everyone=escalated)
    delivered = 0
    for practitioner in recipients:
        if await _send(bot, repo, practitioner, alert, details, text, escalated=escalated):
            delivered += 1
    return delivered


async def _send(
    bot: Bot,
    repo: Repository,
    practitioner: Practitioner,
    alert: Alert,
    details: AlertDetails,
    text: str | None,
    *,
    escalated: bool,
) -> bool:
    with use_locale(practitioner.locale):
        chunks = pack(alert_blocks(details, alert, text, escalated=escalated))
        button = ack_button(alert.id)
    try:
        sent = await send_chunks(bot, practitioner.chat_id, chunks, button)
        await repo.record_alert_delivery(alert.id, practitioner.chat_id, sent[-1])
    except TelegramError as exc:
        log.warning("alert not delivered to a practitioner: %s", type(exc).__name__)
        return False
    return True


async def acknowledge(update: Update, context: Ctx) -> None:
    """The acknowledgement button: only a practitioner of the alert's setting, once."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    repo = context.services.repo
    raw = query.data.removeprefix(ACK_PREFIX)
    alert = await repo.get_alert(int(raw)) if raw.isdigit() else None
    practitioner = await repo.get_practitioner(user.id)
    now = context.services.clock.now()
    if (
        alert is None
        or practitioner is None
        or not await repo.acknowledge_alert(alert.id, user.id, now)
    ):
        if alert is not None and alert.acknowledged_at is not None and practitioner is not None:
            await query.answer(_("Someone has already acknowledged this alert."))
        else:
            await query.answer(_("That button has already been used or is no longer active."))
        return
    await query.answer(_("Thank you: recorded."))
    log.info("safeguarding alert acknowledged")
    local = now.astimezone(ZoneInfo(context.services.settings.default_timezone))
    note = "✅ " + _("Acknowledged by {name} at {time}.").format(
        name=esc(practitioner.name), time=format_clock(local.time())
    )
    for chat_id, message_id in await repo.alert_deliveries(alert.id):
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            await context.bot.send_message(
                chat_id, note, parse_mode=ParseMode.HTML, reply_to_message_id=message_id
            )
        except TelegramError as exc:
            log.warning("could not mark an alert as acknowledged: %s", type(exc).__name__)


async def escalate(bot: Bot, repo: Repository, alert: Alert) -> int:
    """Re-send an unacknowledged alert to every practitioner of its setting."""
    return await deliver_alert(bot, repo, alert, alert.message, escalated=True)

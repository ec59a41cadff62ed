"""Joining as another carer of a child already known (a link from /addcarer).

The same privacy notice and language choice as any parent (`handlers.consent_notice`,
`handlers.language_menu`, `handlers.consent_no`), with the carer token in the buttons; then,
instead of the child's name and age, only the carer's relationship to the child.
See `conversations/family/flow.mmd`.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.context import Ctx
from bot.i18n import SUPPORTED_LOCALES, _, current_locale, set_locale
from conversations.common.keyboards import column, drop_buttons, keyboard
from conversations.family import logic
from conversations.onboarding.handlers import CHOSEN_PREFIX, CONSENT_YES, consent_notice, start
from conversations.onboarding.logic import RELATIONSHIPS, clean_relationship, relationship_label
from conversations.privacy.handlers import share_buttons
from conversations.privacy.logic import share_question

# Callback patterns of the carer's copies of the consent buttons (registered before the
# parent's own, which would not recognise a carer token).
CONSENT_PATTERN = rf"^{CONSENT_YES}[^:]*:{logic.CARER_TOKEN_PREFIX}"
LANGUAGE_PATTERN = rf"^{CHOSEN_PREFIX}[^:]*:{logic.CARER_TOKEN_PREFIX}"
START_PATTERN = rf"^/start(@\w+)? {logic.CARER_TOKEN_PREFIX}"


def _raw(payload: str) -> str:
    return payload.removeprefix(logic.CARER_TOKEN_PREFIX)


async def carer_start(update: Update, context: Ctx) -> None:
    """/start c_TOKEN: the privacy notice, introduced by who invited them."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    payload = context.args[0] if context.args else ""
    repo = context.services.repo
    now = context.services.clock.now()
    invite = await repo.carer_invite(_raw(payload), now)
    if invite is None:
        if await repo.resolve_invite(payload, now) is not None:
            # A nursery's own link whose random token happens to start like a carer link.
            await start(update, context)
            return
        await message.reply_text(logic.carer_link_expired())
        return
    if invite.created_by == user.id:
        await message.reply_text(logic.carer_link_own())
        return
    if await repo.get_parent(user.id) is not None:
        await message.reply_text(logic.carer_already_joined())
        return
    setting = await repo.setting_of_group(invite.group_id)
    text, markup = consent_notice(
        user.first_name, setting.name if setting else "", payload, context.services.settings
    )
    intro = logic.carer_intro(invite.inviter_name, invite.child_name)
    await message.reply_html(f"{intro}\n\n{text}", reply_markup=markup)


async def carer_language_chosen(update: Update, context: Ctx) -> None:
    """A language picked before consent: the carer's notice again, in that language."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    code, _sep, payload = query.data.removeprefix(CHOSEN_PREFIX).partition(":")
    repo = context.services.repo
    invite = await repo.carer_invite(_raw(payload), context.services.clock.now())
    if code not in SUPPORTED_LOCALES or invite is None:
        await query.answer(logic.carer_link_expired())
        return
    await query.answer()
    await drop_buttons(query)
    set_locale(code)
    setting = await repo.setting_of_group(invite.group_id)
    text, markup = consent_notice(
        user.first_name, setting.name if setting else "", payload, context.services.settings
    )
    intro = logic.carer_intro(invite.inviter_name, invite.child_name)
    await context.bot.send_message(
        query.message.chat.id, f"{intro}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def carer_consent_yes(update: Update, context: Ctx) -> None:
    """Consent: use up the link, record the carer, join them to the child, ask who they are."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    svc = context.services
    repo = svc.repo
    code, _sep, payload = query.data.removeprefix(CONSENT_YES).partition(":")
    if code in SUPPORTED_LOCALES:
        set_locale(code)
    await query.answer()
    await drop_buttons(query)
    chat_id = query.message.chat.id
    if await repo.get_parent(user.id) is not None:
        await context.bot.send_message(chat_id, logic.carer_already_joined())
        return
    now = svc.clock.now()
    invite = await repo.claim_carer_invite(_raw(payload), user.id, now)
    if invite is None:
        await context.bot.send_message(chat_id, logic.carer_link_expired())
        return
    await repo.add_parent(
        user.id,
        chat_id,
        invite.group_id,
        user.first_name,
        current_locale(),
        svc.settings.default_timezone,
        now,
    )
    # Joined at once (as 'another carer'), so that nothing is half-done if they stop here.
    default = relationship_label("carer") or "carer"
    await repo.join_child(user.id, invite.child_id, default.lower())
    await repo.set_draft(user.id, "relationship", user.id, None, now)
    # The same separate yes/no as every parent gets (answered by the /privacy buttons).
    await context.bot.send_message(
        chat_id, share_question(), reply_markup=keyboard(*share_buttons())
    )
    options = [(_(label), logic.CARER_RELATIONSHIP_PREFIX + rel) for rel, label in RELATIONSHIPS]
    await context.bot.send_message(
        chat_id,
        _("And who are you to {child}? You can tap one or type your own.").format(
            child=invite.child_name
        ),
        reply_markup=column(options, per_row=2),
    )


async def carer_relationship_button(update: Update, context: Ctx) -> None:
    """A relationship button for a new carer."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    repo = context.services.repo
    draft = await repo.get_draft(user.id)
    label = relationship_label(query.data.removeprefix(logic.CARER_RELATIONSHIP_PREFIX))
    if draft is None or draft.kind != "relationship" or label is None:
        await query.answer(_("That button is no longer active."))
        return
    await query.answer()
    await drop_buttons(query)
    await repo.clear_draft(user.id)
    await _joined(context, query.message.chat.id, user.id, label.lower())


async def finish_carer(context: Ctx, message: Message, user_id: int, text: str) -> None:
    """A relationship typed by a new carer (their draft has just been cleared)."""
    relationship = clean_relationship(text)
    if relationship is None:
        await context.services.repo.set_draft(
            user_id, "relationship", user_id, None, context.services.clock.now()
        )
        await message.reply_text(_("A few words are plenty, like “auntie” or “step-mum”."))
        return
    await _joined(context, message.chat_id, user_id, relationship)


async def _joined(context: Ctx, chat_id: int, user_id: int, relationship: str) -> None:
    repo = context.services.repo
    child = await repo.child_of(user_id)
    parent = await repo.get_parent(user_id)
    if child is None or parent is None:
        return
    await repo.join_child(user_id, child.id, relationship)
    setting = await repo.setting_of_group(parent.group_id)
    await context.bot.send_message(
        chat_id,
        logic.carer_joined(child.first_name, setting.name if setting else ""),
        parse_mode=ParseMode.HTML,
    )

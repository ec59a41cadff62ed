"""Thin handlers for /start, consent and the child's details."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.config import Settings
from bot.context import AimDraft, Ctx
from bot.i18n import SUPPORTED_LOCALES, _, current_locale, set_locale
from conversations.aim.logic import new_flow_id, opening_question
from conversations.common.keyboards import column, drop_buttons, keyboard, set_buttons
from conversations.common.text import esc
from conversations.events.outbox import invite_newcomer
from conversations.language import language_buttons
from conversations.onboarding.logic import (
    RELATIONSHIPS,
    clean_age,
    clean_child_name,
    clean_relationship,
    relationship_label,
)
from conversations.privacy.handlers import share_buttons
from conversations.privacy.logic import privacy_notice, share_changed, share_question
from conversations.states import ParentState

CONSENT_YES = "ob:consent:yes:"
LANGUAGE_PREFIX = "ob:lang:"
CHOSEN_PREFIX = "ob:lng:"
CONSENT_NO = "ob:consent:no"
AGE_SKIP = "ob:age:skip"
RELATIONSHIP_PREFIX = "ob:rel:"
SHARE = "ob:share:"


def invite_link(username: str, token: str) -> str:
    """The t.me deep link for an invite token."""
    return f"https://t.me/{username}?start={token}"


async def start(update: Update, context: Ctx) -> None:
    """/start, with or without an invite token."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = context.services
    repo = svc.repo
    token = context.args[0] if context.args else ""
    now = svc.clock.now()
    invite = await repo.resolve_invite(token, now) if token else None
    if invite is not None and invite.kind == "practitioner":
        setting = await repo.get_setting(invite.setting_id)
        if setting is None:
            await message.reply_text(_("Sorry, that link no longer works."))
            return
        await repo.add_practitioner(
            user.id, message.chat_id, setting.id, user.full_name, current_locale(), now
        )
        await message.reply_html(
            _(
                "Welcome, {name}! You're now set up as a practitioner at <b>{setting}</b>.\n\n"
                "When a parent agrees an aim for their child, I'll send it to you here, "
                "together with a few of their own words.\n\n"
                "Use /invite to get the link to share with the parents in your group."
            ).format(name=esc(user.first_name), setting=esc(setting.name))
        )
        return
    if invite is not None and invite.kind == "parent" and invite.group_id is not None:
        setting = await repo.get_setting(invite.setting_id)
        text, markup = consent_notice(
            user.first_name, setting.name if setting else "", token, svc.settings
        )
        await message.reply_html(text, reply_markup=markup)
        return
    parent = await repo.get_parent(user.id)
    if parent is not None:
        await message.reply_text(
            _("Welcome back! To think together about a new aim, send /newaim.")
        )
        return
    if await repo.get_practitioner(user.id) is not None:
        await message.reply_text(_("Welcome back! Use /invite to get the link for parents."))
        return
    if token:
        await message.reply_text(
            _(
                "Sorry, that link has expired or is no longer active. Please ask your "
                "nursery for a new one."
            )
        )
        return
    await message.reply_text(
        _(
            "Hello! I'm a music sessions companion for nurseries. To get started, please "
            "open the link your nursery gave you."
        )
    )


def consent_notice(
    first_name: str, setting: str, token: str, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    """The privacy notice and consent buttons, in the current language.

    Nothing is stored yet: the invite token and the language travel in the buttons.
    """
    text = "\n\n".join(
        [
            _(
                "Hello {name}, and welcome! 🎵 I'm the music sessions companion for "
                "<b>{setting}</b>."
            ).format(name=esc(first_name), setting=esc(setting)),
            _(
                "Together we'll think about your child and agree one small aim for their "
                "music sessions; I'll also send you a few ideas for singing at home."
            ),
            privacy_notice(setting, settings.retention_days, settings.story_retention_days),
            _("Nothing is stored unless you say yes. Is that all right with you?"),
        ]
    )
    locale = current_locale()
    markup = keyboard(
        [(_("Yes, that's fine"), f"{CONSENT_YES}{locale}:{token}")],
        [(_("No, thank you"), CONSENT_NO)],
        [("🌐 " + _("Another language"), f"{LANGUAGE_PREFIX}{token}")],
    )
    return text, markup


async def language_menu(update: Update, context: Ctx) -> None:
    """'Another language' under the notice: the languages, each in its own name."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    token = query.data.removeprefix(LANGUAGE_PREFIX)
    await query.answer()
    await set_buttons(query, language_buttons(CHOSEN_PREFIX, f":{token}"))


async def language_chosen(update: Update, context: Ctx) -> None:
    """A language picked before consent: show the notice again in it (still storing nothing)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    code, _sep, token = query.data.removeprefix(CHOSEN_PREFIX).partition(":")
    invite = await context.services.repo.resolve_invite(token, context.services.clock.now())
    if code not in SUPPORTED_LOCALES or invite is None:
        await query.answer(
            _("Sorry, that link has expired. Please ask your nursery for a new one.")
        )
        return
    await query.answer()
    await drop_buttons(query)
    set_locale(code)
    setting = await context.services.repo.get_setting(invite.setting_id)
    text, markup = consent_notice(
        user.first_name, setting.name if setting else "", token, context.services.settings
    )
    await context.bot.send_message(
        query.message.chat.id, text, parse_mode="HTML", reply_markup=markup
    )


async def consent_no(update: Update, context: Ctx) -> int:
    """The parent said no: store nothing, say so kindly."""
    query = update.callback_query
    if query is None:
        return ConversationHandler.END
    await query.answer()
    await drop_buttons(query)
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id,
            _(
                "That's absolutely fine: nothing about you has been stored. If you change "
                "your mind, just open your nursery's link again."
            ),
        )
    return ConversationHandler.END


async def consent_yes(update: Update, context: Ctx) -> int:
    """The parent agreed: record them and ask for the child's first name."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.data is None or query.message is None:
        return ConversationHandler.END
    svc = context.services
    code, _sep, token = query.data.removeprefix(CONSENT_YES).partition(":")
    if code in SUPPORTED_LOCALES:
        set_locale(code)
    invite = await svc.repo.resolve_invite(token, svc.clock.now())
    await query.answer()
    if invite is None or invite.kind != "parent" or invite.group_id is None:
        await drop_buttons(query)
        await context.bot.send_message(
            query.message.chat.id,
            _("Sorry, that link has expired. Please ask your nursery for a new one."),
        )
        return ConversationHandler.END
    parent = await svc.repo.add_parent(
        user.id,
        query.message.chat.id,
        invite.group_id,
        user.first_name,
        current_locale(),
        svc.settings.default_timezone,
        svc.clock.now(),
    )
    await invite_newcomer(svc.repo, parent, svc.clock.now(), svc.quiet)
    await drop_buttons(query)
    await context.bot.send_message(
        query.message.chat.id, share_question(), reply_markup=keyboard(*share_buttons(SHARE))
    )
    return ParentState.SHARE


async def share_choice(update: Update, context: Ctx) -> int | None:
    """The separate yes/no for sharing the parent's own words; then the child's name."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return None
    answer = query.data.removeprefix(SHARE)
    await query.answer()
    if answer not in {"yes", "no"}:
        return None
    await context.services.repo.set_share_story(user.id, answer == "yes")
    await drop_buttons(query)
    await context.bot.send_message(
        query.message.chat.id,
        share_changed(answer == "yes") + "\n\n" + _("What is your child's first name?"),
    )
    return ParentState.CHILD_NAME


async def child_name(update: Update, context: Ctx) -> int | None:
    """Take the child's first name."""
    message = update.effective_message
    if message is None or message.text is None or context.chat_data is None:
        return None
    name = clean_child_name(message.text)
    if name is None:
        await message.reply_text(_("Just your child's first name is perfect (for example: Joe)."))
        return None
    context.chat_data.child_name = name
    await message.reply_html(
        _("Thank you. How old is {child}? (You can skip this.)").format(child=esc(name)),
        reply_markup=keyboard([(_("Skip"), AGE_SKIP)]),
    )
    return ParentState.CHILD_AGE


async def _ask_relationship(context: Ctx, chat_id: int) -> int:
    data = context.chat_data
    child = data.child_name if data is not None and data.child_name else _("your child")
    options = [(_(label), RELATIONSHIP_PREFIX + code) for code, label in RELATIONSHIPS]
    await context.bot.send_message(
        chat_id,
        _("And who are you to {child}? You can tap one or type your own.").format(child=child),
        reply_markup=column(options, per_row=2),
    )
    return ParentState.RELATIONSHIP


async def child_age(update: Update, context: Ctx) -> int | None:
    """Take the child's age as typed."""
    message = update.effective_message
    if message is None or message.text is None or context.chat_data is None:
        return None
    age = clean_age(message.text)
    if age is None:
        await message.reply_text(_("A short answer is fine, like “4” or “3 and a half”."))
        return None
    context.chat_data.child_age = age
    return await _ask_relationship(context, message.chat_id)


async def child_age_skip(update: Update, context: Ctx) -> int:
    """The parent skipped the age."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await drop_buttons(query)
    return await _ask_relationship(context, query.message.chat.id)


async def _finish_onboarding(update: Update, context: Ctx, relationship: str, chat_id: int) -> int:
    svc = context.services
    user = update.effective_user
    data = context.chat_data
    assert user is not None and data is not None
    parent = await svc.repo.get_parent(user.id)
    if parent is None or not data.child_name:
        await context.bot.send_message(
            chat_id, _("Sorry, I lost track there. Please open your nursery's link again.")
        )
        return ConversationHandler.END
    child = await svc.repo.save_child(
        parent, data.child_name, data.child_age, relationship, svc.clock.now()
    )
    data.child_name = None
    data.child_age = None
    data.aim = AimDraft(flow=new_flow_id(), child=child.first_name)
    await context.bot.send_message(chat_id, opening_question(child.first_name), parse_mode="HTML")
    return ParentState.STORY


async def relationship_button(update: Update, context: Ctx) -> int | None:
    """A relationship button."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return None
    label = relationship_label(query.data.removeprefix(RELATIONSHIP_PREFIX))
    if label is None:
        await query.answer(_("Sorry, that button no longer works."))
        return None
    await query.answer()
    await drop_buttons(query)
    return await _finish_onboarding(update, context, label.lower(), query.message.chat.id)


async def relationship_text(update: Update, context: Ctx) -> int | None:
    """A relationship typed in the parent's own words."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    relationship = clean_relationship(message.text)
    if relationship is None:
        await message.reply_text(_("A few words are plenty, like “auntie” or “step-mum”."))
        return None
    return await _finish_onboarding(update, context, relationship, message.chat_id)

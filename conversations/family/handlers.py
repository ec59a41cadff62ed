"""Thin handlers: notes between practitioners and parents, songs from home, /addcarer.

What a user's next text is for (a note, an answer, a song, a new carer's relationship) is a
draft in the database. `route_text` runs in its own handler group before any conversation:
it takes a text that answers a draft or replies to a relayed message, and lets every other
text through untouched. A parent's text that the safeguarding or STOP filters flag is never
taken here: the draft is dropped and the text goes on to the usual handlers.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Message, Update, User
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import Ctx
from bot.i18n import _, use_locale
from bot.storage.models import FamilyDraft, Parent, Practitioner, RelayLink
from bot.storage.repo import Repository
from conversations.common.keyboards import keyboard
from conversations.common.relay import note_keyboard, send_chunks, send_to_practitioners
from conversations.common.safety import is_flagged
from conversations.common.text import pack
from conversations.family import logic
from conversations.home.logic import is_stop
from conversations.onboarding.carer import finish_carer
from conversations.onboarding.handlers import invite_link

log = logging.getLogger(__name__)


async def parent_in_setting(repo: Repository, parent_id: int, setting_id: int) -> Parent | None:
    """The parent, only if their group belongs to this setting (the ownership check)."""
    parent = await repo.get_parent(parent_id)
    if parent is None:
        return None
    setting = await repo.setting_of_group(parent.group_id)
    return parent if setting is not None and setting.id == setting_id else None


async def _refuse(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(_("That button is no longer active."))


# -- buttons ---------------------------------------------------------------------------------


async def note_button(update: Update, context: Ctx) -> None:
    """'Send a note to …' under a relayed message: ask the practitioner for their note."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    repo = context.services.repo
    parent_id = logic.callback_id(query.data, logic.NOTE_PREFIX)
    practitioner = await repo.get_practitioner(user.id)
    link = await repo.relay_link(query.message.chat.id, query.message.message_id)
    parent = (
        await parent_in_setting(repo, parent_id, practitioner.setting_id)
        if practitioner is not None and parent_id is not None
        else None
    )
    if (
        parent is None
        or link is None
        or link.holder != "practitioner"
        or link.practitioner_id != user.id
        or link.parent_id != parent.user_id
    ):
        log.info("note button refused")
        await _refuse(update)
        return
    await query.answer()
    await repo.set_draft(user.id, "note", parent.user_id, user.id, context.services.clock.now())
    child = await repo.child_of(parent.user_id)
    await context.bot.send_message(
        query.message.chat.id,
        logic.note_prompt(parent.name, child.first_name if child else None),
        parse_mode=ParseMode.HTML,
    )


async def reply_button(update: Update, context: Ctx) -> None:
    """'Reply to …' under a note: ask the parent for their answer."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    repo = context.services.repo
    practitioner_id = logic.callback_id(query.data, logic.REPLY_PREFIX)
    link = await repo.relay_link(query.message.chat.id, query.message.message_id)
    mine = (
        link is not None
        and link.holder == "parent"
        and link.parent_id == user.id
        and link.practitioner_id == practitioner_id
    )
    practitioner = await _practitioner_of(repo, user.id, practitioner_id) if mine else None
    if practitioner is None:
        log.info("reply button refused")
        await _refuse(update)
        return
    await query.answer()
    await repo.set_draft(
        user.id, "reply", user.id, practitioner.user_id, context.services.clock.now()
    )
    await context.bot.send_message(
        query.message.chat.id, logic.reply_prompt(practitioner.name), parse_mode=ParseMode.HTML
    )


async def _practitioner_of(
    repo: Repository, parent_id: int, practitioner_id: int | None
) -> Practitioner | None:
    """The practitioner, only if they work at the parent's setting now."""
    parent = await repo.get_parent(parent_id)
    if parent is None or practitioner_id is None:
        return None
    practitioner = await repo.get_practitioner(practitioner_id)
    setting = await repo.setting_of_group(parent.group_id)
    if practitioner is None or setting is None or practitioner.setting_id != setting.id:
        return None
    return practitioner


# -- texts: a reply to a relayed message, or the answer to a draft -------------------------------


async def route_text(update: Update, context: Ctx) -> None:
    """Take a note, answer, song or relationship; otherwise let the text go on."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    repo = context.services.repo
    target = message.reply_to_message
    if target is not None:
        link = await repo.relay_link(message.chat_id, target.message_id)
        if link is not None and await _by_link(context, message, user, link):
            raise ApplicationHandlerStop
    draft = await repo.get_draft(user.id)
    if draft is None:
        return
    if context.services.clock.now() - draft.created_at > logic.DRAFT_TTL:
        await repo.clear_draft(user.id)
        return
    if draft.kind in logic.PARENT_DRAFTS and _for_safeguarding(message.text):
        await repo.clear_draft(user.id)
        return
    await repo.clear_draft(user.id)
    await _by_draft(context, message, draft)
    raise ApplicationHandlerStop


def _for_safeguarding(text: str) -> bool:
    """A parent's text that the safeguarding or STOP handlers must see."""
    return is_flagged(text) or is_stop(text)


async def _by_link(context: Ctx, message: Message, user: User, link: RelayLink) -> bool:
    text = message.text or ""
    if link.holder == "practitioner" and link.practitioner_id == user.id:
        practitioner = await context.services.repo.get_practitioner(user.id)
        if practitioner is None:
            return False
        await send_note(context, message, practitioner, link.parent_id, text)
        return True
    if link.holder == "parent" and link.parent_id == user.id:
        if _for_safeguarding(text):
            return False
        await send_answer(context, message, user.id, link.practitioner_id, text)
        return True
    return False


async def _by_draft(context: Ctx, message: Message, draft: FamilyDraft) -> None:
    repo = context.services.repo
    text = message.text or ""
    if draft.kind == "note" and draft.practitioner_id is not None:
        practitioner = await repo.get_practitioner(draft.user_id)
        if practitioner is not None:
            await send_note(context, message, practitioner, draft.parent_id, text)
    elif draft.kind == "reply":
        await send_answer(context, message, draft.user_id, draft.practitioner_id, text)
    elif draft.kind == "song":
        await share_song(context, message, draft.user_id, text)
    elif draft.kind == "relationship":
        await finish_carer(context, message, draft.user_id, text)


async def send_note(
    context: Ctx, message: Message, practitioner: Practitioner, parent_id: int, text: str
) -> None:
    """Deliver a practitioner's note to a parent of their own setting, from the bot."""
    repo = context.services.repo
    parent = await parent_in_setting(repo, parent_id, practitioner.setting_id)
    setting = await repo.get_setting(practitioner.setting_id)
    if parent is None or setting is None:
        log.info("note refused: parent not in the practitioner's setting")
        await message.reply_text(_("That button is no longer active."))
        return
    if parent.status != "active":
        await message.reply_html(logic.note_not_delivered(parent.name))
        return
    with use_locale(parent.locale):
        chunks = pack(logic.note_to_parent(practitioner.name, setting.name, text))
        markup = keyboard(
            [
                (
                    logic.reply_button_label(practitioner.name),
                    f"{logic.REPLY_PREFIX}{practitioner.user_id}",
                )
            ]
        )
    sent: list[int] = []
    try:
        await send_chunks(context.bot, parent.chat_id, chunks, markup, sent)
    except TelegramError as exc:
        log.warning("note not delivered: %s", type(exc).__name__)
    if sent:
        await repo.record_links(parent.chat_id, sent, "parent", practitioner.user_id, parent_id)
    done = logic.note_sent(parent.name) if sent else logic.note_not_delivered(parent.name)
    await message.reply_html(done)


async def send_answer(
    context: Ctx, message: Message, parent_id: int, practitioner_id: int | None, text: str
) -> None:
    """Deliver a parent's answer to the practitioner who wrote to them."""
    repo = context.services.repo
    parent = await repo.get_parent(parent_id)
    practitioner = await _practitioner_of(repo, parent_id, practitioner_id)
    if parent is None or practitioner is None:
        log.info("answer refused: practitioner not at the parent's setting")
        await message.reply_text(_("That button is no longer active."))
        return
    child = await repo.child_of(parent_id)
    relationship = child.relationship if child else "?"
    child_name = child.first_name if child else "?"
    with use_locale(practitioner.locale):
        chunks = pack(logic.reply_to_practitioner(parent.name, relationship, child_name, text))
        markup = note_keyboard(parent)
    sent: list[int] = []
    try:
        await send_chunks(context.bot, practitioner.chat_id, chunks, markup, sent)
    except TelegramError as exc:
        log.warning("answer not delivered: %s", type(exc).__name__)
    if sent:
        await repo.record_links(
            practitioner.chat_id, sent, "practitioner", practitioner.user_id, parent_id
        )
        await message.reply_html(logic.reply_sent(practitioner.name))
    else:
        await message.reply_html(logic.reply_not_delivered(practitioner.name))


# -- songs from home -------------------------------------------------------------------------


async def song(update: Update, context: Ctx) -> None:
    """/song: ask for a favourite song or rhyme from home."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    repo = context.services.repo
    child = await repo.child_of(user.id)
    if await repo.get_parent(user.id) is None or child is None:
        await message.reply_text(logic.for_parents_only())
        return
    await repo.set_draft(user.id, "song", user.id, None, context.services.clock.now())
    await message.reply_html(logic.song_prompt(child.first_name))


async def share_song(context: Ctx, message: Message, parent_id: int, text: str) -> None:
    """Keep the song and relay it to the practitioners of the parent's setting."""
    svc = context.services
    repo = svc.repo
    parent = await repo.get_parent(parent_id)
    child = await repo.child_of(parent_id)
    if parent is None or child is None:
        return
    song_text = text.strip()
    await repo.save_song(parent_id, child.id, song_text, svc.clock.now())
    setting = await repo.setting_of_group(parent.group_id)
    if setting is None:
        return
    await send_to_practitioners(
        context.bot,
        repo,
        setting.id,
        lambda: logic.song_to_practitioners(
            setting.name, child.first_name, parent.name, child.relationship, song_text
        ),
        about=parent,
    )
    await message.reply_html(logic.song_thanks(setting.name))


# -- commands --------------------------------------------------------------------------------


async def route_command(update: Update, context: Ctx) -> None:
    """Any command abandons a draft; /cancel says so (and goes no further)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    dropped = await context.services.repo.clear_draft(user.id)
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
    if dropped and command == "/cancel":
        await message.reply_text(logic.left_it())
        raise ApplicationHandlerStop


async def add_carer(update: Update, context: Ctx) -> None:
    """/addcarer: a single-use, expiring link that joins another carer to the same child."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = context.services
    child = await svc.repo.child_of(user.id)
    if await svc.repo.get_parent(user.id) is None or child is None:
        await message.reply_text(logic.for_parents_only())
        return
    token = await svc.repo.create_carer_invite(
        child.id, user.id, svc.clock.now(), timedelta(days=logic.CARER_LINK_DAYS)
    )
    link = invite_link(svc.bot_username, logic.CARER_TOKEN_PREFIX + token)
    await message.reply_html(logic.carer_link_text(child.first_name, link, logic.CARER_LINK_DAYS))

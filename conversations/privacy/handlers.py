"""Thin handlers for /privacy, the story-sharing choice, /mydata and /forget."""

from __future__ import annotations

import io
import logging
from typing import cast

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler

from bot.context import App, Ctx, Services
from bot.i18n import _
from bot.storage.models import Erasure
from conversations.common.keyboards import drop_buttons, keyboard
from conversations.common.text import pack
from conversations.privacy import logic

log = logging.getLogger(__name__)

SHARE_PREFIX = "pv:share:"
FORGET_YES = "pv:forget:yes"
FORGET_NO = "pv:forget:no"


def share_buttons(prefix: str = SHARE_PREFIX) -> list[list[tuple[str, str]]]:
    """Yes / just the aim, as keyboard rows."""
    return [
        [(_("Yes, share my words"), f"{prefix}yes")],
        [(_("Just the aim, please"), f"{prefix}no")],
    ]


async def privacy(update: Update, context: Ctx) -> None:
    """/privacy: the notice again, the sharing choice and a button to change it."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = context.services
    parent = await svc.repo.get_parent(user.id)
    setting = await svc.repo.setting_of_group(parent.group_id) if parent else None
    text = logic.privacy_notice(
        setting.name if setting else _("your nursery"),
        svc.settings.retention_days,
        svc.settings.story_retention_days,
    )
    if parent is None:
        await message.reply_html(text)
        return
    flip = not parent.share_story
    label = _("Share my words too") if flip else _("Share only the aim")
    await message.reply_html(
        f"{text}\n\n{logic.share_status(parent.share_story)}",
        reply_markup=keyboard([(label, f"{SHARE_PREFIX}{'yes' if flip else 'no'}")]),
    )


async def share_choice(update: Update, context: Ctx) -> None:
    """The sharing button under /privacy: only ever the presser's own choice."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    repo = context.services.repo
    answer = query.data.removeprefix(SHARE_PREFIX)
    if answer not in {"yes", "no"} or await repo.get_parent(user.id) is None:
        await query.answer(_("That button has already been used or is no longer active."))
        return
    await query.answer()
    await repo.set_share_story(user.id, answer == "yes")
    await drop_buttons(query)
    await context.bot.send_message(query.message.chat.id, logic.share_changed(answer == "yes"))


async def mydata(update: Update, context: Ctx) -> None:
    """/mydata: everything stored, as a readable message and a JSON document."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    data = await context.services.repo.personal_data(user.id, message.chat_id)
    for chunk in pack(logic.mydata_blocks(data)):
        await message.reply_html(chunk)
    if data.get("parent") is not None:
        await message.reply_document(
            InputFile(io.BytesIO(logic.mydata_json(data)), filename="my-data.json"),
            caption=_("Your data as a JSON file."),
        )


async def forget(update: Update, context: Ctx) -> int:
    """/forget: ask for confirmation (ends any conversation in progress)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return ConversationHandler.END
    repo = context.services.repo
    if await repo.get_parent(user.id) is None:
        if await repo.get_practitioner(user.id) is not None:
            await message.reply_text(
                _(
                    "Your practitioner account is managed by your programme coordinator: "
                    "please ask them to remove it."
                )
            )
        else:
            await message.reply_text(_("I don't have anything stored about you."))
        return ConversationHandler.END
    await message.reply_text(
        logic.forget_question(),
        reply_markup=keyboard(
            [(_("Yes, delete everything"), FORGET_YES)], [(_("No, keep it"), FORGET_NO)]
        ),
    )
    return ConversationHandler.END


async def forget_answer(update: Update, context: Ctx) -> None:
    """The confirmation buttons; erasing acts only on the presser's own data."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    await query.answer()
    await drop_buttons(query)
    chat_id = query.message.chat.id
    if query.data != FORGET_YES:
        await context.bot.send_message(chat_id, _("All right: nothing has been deleted."))
        return
    svc = context.services
    parent = await svc.repo.get_parent(user.id)
    if parent is None:
        await context.bot.send_message(chat_id, _("I don't have anything stored about you."))
        return
    setting = await svc.repo.setting_of_group(parent.group_id)
    erasure = await forget_user(cast(App, context.application), svc, user.id, parent.chat_id)
    log.info("a parent's data was erased on request")
    await context.bot.send_message(
        chat_id,
        logic.forget_done(erasure, setting.name if setting else ""),
        parse_mode=ParseMode.HTML,
    )


async def forget_user(app: App, services: Services, user_id: int, chat_id: int) -> Erasure:
    """Erase a parent from the database and from this process's memory."""
    end_conversations(app, chat_id, user_id)
    app.drop_chat_data(chat_id)
    services.locales.pop(user_id, None)
    return await services.repo.erase_parent(user_id, chat_id, services.clock.now())


def end_conversations(app: App, chat_id: int, user_id: int) -> None:
    """End every conversation a user is in, in memory (the database rows go with /forget).

    PTB has no public way to end someone's conversation from outside it; deleting the key
    from the handler's state dict is what ending does, and the persistence then deletes it.
    """
    key = (chat_id, user_id)
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler):
                states = handler._conversations  # see the docstring
                if key in states:
                    del states[key]

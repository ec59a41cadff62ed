"""Thin handlers for the programme coordinator (Telegram users listed in ADMIN_USER_IDS)."""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update

from bot.context import Ctx
from bot.storage.models import Setting
from conversations.admin import logic
from conversations.common.text import pack
from conversations.onboarding.handlers import invite_link


async def _admin(update: Update, context: Ctx) -> Message | None:
    """The message, when its sender is a coordinator; anyone else gets a polite refusal."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return None
    if user.id not in context.services.settings.admin_user_ids:
        await message.reply_text(logic.not_admin())
        return None
    return message


async def _practitioner_link(context: Ctx, setting: Setting) -> str:
    svc = context.services
    token = await svc.repo.create_invite(
        "practitioner",
        setting.id,
        None,
        svc.clock.now(),
        timedelta(days=svc.settings.invite_days),
        created_by=None,
    )
    return invite_link(svc.bot_username, token)


async def _setting(message: Message, context: Ctx, ref: str) -> Setting | None:
    setting = await context.services.repo.setting_by_ref(ref)
    if setting is None:
        await message.reply_html(logic.unknown_setting(ref))
    return setting


async def admin_menu(update: Update, context: Ctx) -> None:
    """/admin: the coordinator's commands (or, for anyone else, their user id)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if user.id not in context.services.settings.admin_user_ids:
        await message.reply_text(logic.your_id(user.id))
        return
    await message.reply_text(logic.admin_help())


async def new_setting(update: Update, context: Ctx) -> None:
    """/newsetting NAME: create a setting (with its first group) and a practitioner link."""
    message = await _admin(update, context)
    if message is None:
        return
    name = logic.clean_setting_name(" ".join(context.args or []))
    if name is None:
        await message.reply_text(logic.usage("/newsetting Sunflower Nursery"))
        return
    svc = context.services
    setting, _group = await svc.repo.create_setting(name, svc.clock.now())
    link = await _practitioner_link(context, setting)
    await message.reply_html(
        logic.practitioner_link(setting.name, link, svc.settings.invite_days, created=True)
    )


async def invite_practitioner(update: Update, context: Ctx) -> None:
    """/invitepractitioner SETTING: a new practitioner link for an existing setting."""
    message = await _admin(update, context)
    if message is None:
        return
    ref = " ".join(context.args or [])
    if not ref:
        await message.reply_text(logic.usage("/invitepractitioner 1"))
        return
    setting = await _setting(message, context, ref)
    if setting is None:
        return
    link = await _practitioner_link(context, setting)
    days = context.services.settings.invite_days
    await message.reply_html(logic.practitioner_link(setting.name, link, days, created=False))


async def list_settings(update: Update, context: Ctx) -> None:
    """/settings: every setting with its groups, practitioners (lead marked) and open links."""
    message = await _admin(update, context)
    if message is None:
        return
    svc = context.services
    overview = await svc.repo.settings_overview(svc.clock.now())
    for chunk in pack(logic.overview(overview)):
        await message.reply_html(chunk)


async def set_lead(update: Update, context: Ctx) -> None:
    """/setlead SETTING USER_ID: make a practitioner of that setting its safeguarding lead."""
    message = await _admin(update, context)
    if message is None:
        return
    args = context.args or []
    if len(args) < 2 or not args[-1].isdigit():
        await message.reply_text(logic.usage("/setlead 1 123456789"))
        return
    setting = await _setting(message, context, " ".join(args[:-1]))
    if setting is None:
        return
    user_id = int(args[-1])
    repo = context.services.repo
    if not await repo.set_lead(setting.id, user_id):
        await message.reply_html(logic.not_a_practitioner_there(user_id, setting.name))
        return
    lead = await repo.lead_of(setting.id)
    await message.reply_html(logic.lead_set(setting.name, lead.name if lead else str(user_id)))


async def revoke_invites(update: Update, context: Ctx) -> None:
    """/revokeinvites SETTING: revoke every open invite link of a setting."""
    message = await _admin(update, context)
    if message is None:
        return
    ref = " ".join(context.args or [])
    if not ref:
        await message.reply_text(logic.usage("/revokeinvites 1"))
        return
    setting = await _setting(message, context, ref)
    if setting is None:
        return
    count = await context.services.repo.revoke_setting_invites(
        setting.id, context.services.clock.now()
    )
    await message.reply_html(logic.invites_revoked(setting.name, count))

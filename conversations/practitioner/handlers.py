"""Thin handlers for practitioners."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import Ctx
from bot.i18n import _, ngettext
from conversations.common.text import esc
from conversations.onboarding.handlers import invite_link


async def invite(update: Update, context: Ctx) -> None:
    """/invite: a parent invite link for the practitioner's group."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = context.services
    practitioner = await svc.repo.get_practitioner(user.id)
    if practitioner is None:
        await message.reply_text(_("Sorry, /invite is only for practitioners."))
        return
    groups = await svc.repo.groups_of_setting(practitioner.setting_id)
    if not groups:
        await message.reply_text(_("Your setting has no group yet."))
        return
    group = groups[0]
    days = svc.settings.invite_days
    token = await svc.repo.create_invite(
        "parent",
        practitioner.setting_id,
        group.id,
        svc.clock.now(),
        timedelta(days=days),
        created_by=user.id,
    )
    link = invite_link(svc.bot_username, token)
    await message.reply_html(
        _("Share this link with the parents in <b>{group}</b>:").format(group=esc(group.name))
        + f"\n{esc(link)}\n\n"
        + ngettext("It works for {n} day.", "It works for {n} days.", days).format(n=days)
    )

"""Thin handlers for practitioners: every command acts only on the practitioner's own setting,
and every button is checked against the database when pressed."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InputFile, Message, Update
from telegram.constants import ParseMode

from bot.context import Ctx
from bot.i18n import _, current_locale
from bot.storage.models import Group, Practitioner
from conversations.common.keyboards import column
from conversations.common.text import pack
from conversations.listening import load_content
from conversations.onboarding.handlers import invite_link
from conversations.practitioner import logic
from conversations.practitioner.qr import qr_png


async def _practitioner(update: Update, context: Ctx) -> tuple[Message, Practitioner] | None:
    """The message and its sender as a practitioner; anyone else gets a polite refusal."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return None
    practitioner = await context.services.repo.get_practitioner(user.id)
    if practitioner is None:
        await message.reply_text(logic.not_a_practitioner())
        return None
    return message, practitioner


def _zone(context: Ctx) -> ZoneInfo:
    return ZoneInfo(context.services.settings.default_timezone)


async def _reply_blocks(message: Message, blocks: list[str]) -> None:
    for chunk in pack(blocks):
        await message.reply_html(chunk)


async def _send_invite(
    context: Ctx, chat_id: int, practitioner: Practitioner, group: Group
) -> None:
    svc = context.services
    days = svc.settings.invite_days
    token = await svc.repo.create_invite(
        "parent",
        practitioner.setting_id,
        group.id,
        svc.clock.now(),
        timedelta(days=days),
        created_by=practitioner.user_id,
    )
    link = invite_link(svc.bot_username, token)
    await context.bot.send_photo(
        chat_id,
        InputFile(qr_png(link), filename="parents-link-qr.png"),
        caption=logic.invite_caption(group.name, link, days),
        parse_mode=ParseMode.HTML,
    )


async def invite(update: Update, context: Ctx) -> None:
    """/invite [GROUP]: the parents' link and its QR code (buttons when there are groups to
    choose from)."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    repo = context.services.repo
    groups = await repo.groups_of_setting(practitioner.setting_id)
    if not groups:
        await message.reply_text(_("Your setting has no group yet."))
        return
    wanted = " ".join(context.args or [])
    if wanted:
        group = await repo.group_named(practitioner.setting_id, wanted)
        if group is None:
            await message.reply_html(logic.no_such_group(wanted, [g.name for g in groups]))
            return
    elif len(groups) == 1:
        group = groups[0]
    else:
        await message.reply_text(
            logic.choose_group(),
            reply_markup=column([(g.name, f"{logic.INVITE_GROUP}{g.id}") for g in groups]),
        )
        return
    await _send_invite(context, message.chat_id, practitioner, group)


async def invite_group_button(update: Update, context: Ctx) -> None:
    """A group button under /invite: only a group of the presser's own setting."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None or query.message is None:
        return
    raw = query.data.removeprefix(logic.INVITE_GROUP)
    group = None
    if raw.isdigit():
        group = await context.services.repo.group_of_practitioner(user.id, int(raw))
    practitioner = await context.services.repo.get_practitioner(user.id)
    if group is None or practitioner is None:
        await query.answer(logic.not_available())
        return
    await query.answer()
    await _send_invite(context, query.message.chat.id, practitioner, group)


async def new_group(update: Update, context: Ctx) -> None:
    """/newgroup NAME: add a group to the practitioner's setting."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    name = logic.clean_group_name(" ".join(context.args or []))
    if name is None:
        await message.reply_text(logic.usage_newgroup())
        return
    repo = context.services.repo
    group = await repo.create_group(practitioner.setting_id, name, context.services.clock.now())
    if group is None:
        await message.reply_html(logic.group_exists(name))
        return
    count = len(await repo.groups_of_setting(practitioner.setting_id))
    await message.reply_html(logic.group_created(group.name, count))


async def revoke(update: Update, context: Ctx) -> None:
    """/revoke: the setting's open parent links, each with a button that stops it working."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    svc = context.services
    invites = await svc.repo.open_invites(practitioner.setting_id, "parent", svc.clock.now())
    text, options = logic.revoke_list(invites, _zone(context))
    await message.reply_html(text, reply_markup=column(options) if options else None)


async def revoke_button(update: Update, context: Ctx) -> None:
    """A revoke button: revokes only a parent link of the presser's own setting."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = context.services
    practitioner = await svc.repo.get_practitioner(user.id)
    ref = query.data.removeprefix(logic.REVOKE)
    now = svc.clock.now()
    if practitioner is None or not await svc.repo.revoke_invite_ref(
        ref, practitioner.setting_id, "parent", now
    ):
        await query.answer(logic.not_available())
        return
    await query.answer(logic.revoked())
    invites = await svc.repo.open_invites(practitioner.setting_id, "parent", now)
    text, options = logic.revoke_list(invites, _zone(context))
    await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=column(options) if options else None
    )


async def aims(update: Update, context: Ctx) -> None:
    """/aims: the setting's current aims at a glance."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    repo = context.services.repo
    setting = await repo.get_setting(practitioner.setting_id)
    lines = await repo.current_aims(practitioner.setting_id)
    name = setting.name if setting else ""
    await _reply_blocks(message, logic.aims_overview(name, lines, _zone(context)))


async def child(update: Update, context: Ctx) -> None:
    """/child NAME: one child's story (every child of that name in the setting)."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    name = logic.clean_child_query(" ".join(context.args or []))
    if name is None:
        await message.reply_text(logic.usage_child())
        return
    repo = context.services.repo
    children = await repo.children_named(practitioner.setting_id, name)
    if not children:
        await message.reply_html(logic.no_such_child(name))
        return
    content = load_content(current_locale())
    blocks: list[str] = []
    for record in children:

        def tip_text(tip_id: str, who: str = record.first_name) -> str:
            try:
                return content.fill(content.home_tip(tip_id).text, who)
            except KeyError:
                return tip_id

        events = await repo.child_story(practitioner.setting_id, record.id)
        blocks += logic.child_story(record, events, _zone(context), tip_text)
    await _reply_blocks(message, blocks)


async def export(update: Update, context: Ctx) -> None:
    """/export: a CSV document of the setting's aims and check-ins."""
    found = await _practitioner(update, context)
    if found is None:
        return
    message, practitioner = found
    svc = context.services
    rows = await svc.repo.export_rows(practitioner.setting_id)
    if not rows:
        await message.reply_text(_("There are no aims to export yet."))
        return
    setting = await svc.repo.get_setting(practitioner.setting_id)
    name = setting.name if setting else ""
    zone = _zone(context)
    data = logic.export_csv(rows, zone)
    filename = logic.export_filename(name, svc.clock.now().astimezone(zone).date())
    aims_count = sum(1 for row in rows if row.kind == "aim")
    await message.reply_document(
        InputFile(data, filename=filename),
        caption=logic.export_caption(name, aims_count, len(rows) - aims_count),
        parse_mode=ParseMode.HTML,
    )

"""Pure texts for the programme coordinator's chat commands (HTML)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, ngettext
from bot.storage.models import SettingOverview
from conversations.common.text import esc

SETTING_NAME_MAX = 100


def clean_setting_name(text: str) -> str | None:
    """A setting name as typed: one line, 1 to 100 characters."""
    name = " ".join(text.split())
    if not name or len(name) > SETTING_NAME_MAX:
        return None
    return name


def not_admin() -> str:
    """The polite refusal of an admin command to anyone not in ADMIN_USER_IDS."""
    return _("Sorry, that command is only for programme coordinators.")


def your_id(user_id: int) -> str:
    """/admin from someone who is not (yet) a coordinator: their id, to be added."""
    return (
        not_admin()
        + "\n"
        + _(
            "Your Telegram user id is {id}. A coordinator is someone whose id is in the "
            "bot's ADMIN_USER_IDS setting."
        ).format(id=user_id)
    )


def admin_help() -> str:
    """/admin: the coordinator's commands."""
    return _(
        "Programme coordinator commands:\n"
        "/newsetting NAME: create a setting and get a practitioner link\n"
        "/invitepractitioner SETTING: a new practitioner link (setting id or exact name)\n"
        "/settings: every setting, its groups, practitioners and open links\n"
        "/setlead SETTING USER_ID: make a practitioner the safeguarding lead\n"
        "/revokeinvites SETTING: stop every open link of a setting working"
    )


def unknown_setting(ref: str) -> str:
    """No setting with that id or name (HTML)."""
    return _("I can't find a setting {ref}. Send /settings to see them all.").format(
        ref=f"<b>{esc(ref)}</b>"
    )


def usage(command: str) -> str:
    """How to use an admin command that needs arguments."""
    return _("Please add what the command needs, for example: {example}").format(example=command)


def practitioner_link(setting: str, link: str, days: int, created: bool) -> str:
    """A practitioner invite link for a setting (HTML)."""
    head = (
        _("Created the setting <b>{setting}</b>.")
        if created
        else _("A new practitioner link for <b>{setting}</b>.")
    ).format(setting=esc(setting))
    return (
        head
        + "\n"
        + _("Send this link only to the setting's practitioners: anyone who opens it becomes one.")
        + f"\n{esc(link)}\n"
        + ngettext("It works for {n} day.", "It works for {n} days.", days).format(n=days)
    )


def overview(settings: Sequence[SettingOverview]) -> list[str]:
    """/settings: one block per setting (HTML blocks)."""
    if not settings:
        return [_("There are no settings yet. Create one with /newsetting NAME.")]
    blocks = []
    for item in settings:
        lines = [f"<b>{esc(item.setting.name)}</b> · id {item.setting.id}"]
        groups = ", ".join(esc(g.name) for g in item.groups) or "—"
        lines.append(_("Groups: {groups}").format(groups=groups))
        if item.practitioners:
            lines.append(_("Practitioners:"))
            for person in item.practitioners:
                mark = " ★ " + _("safeguarding lead") if person.is_lead else ""
                lines.append(f"• {esc(person.name)} (id {person.user_id}){mark}")
        else:
            lines.append(_("Practitioners: none yet"))
        if not any(p.is_lead for p in item.practitioners):
            lines.append(_("No safeguarding lead: alerts go to every practitioner."))
        lines.append(
            ngettext("{n} open invite link", "{n} open invite links", item.open_invites).format(
                n=item.open_invites
            )
        )
        blocks.append("\n".join(lines))
    return blocks


def lead_set(setting: str, name: str) -> str:
    """Confirmation of /setlead (HTML)."""
    return _("{name} is now the safeguarding lead at <b>{setting}</b>.").format(
        name=esc(name), setting=esc(setting)
    )


def not_a_practitioner_there(user_id: int, setting: str) -> str:
    """/setlead for someone who is not a practitioner of that setting (HTML)."""
    return _("User {id} is not a practitioner at <b>{setting}</b>.").format(
        id=user_id, setting=esc(setting)
    )


def invites_revoked(setting: str, count: int) -> str:
    """Confirmation of /revokeinvites (HTML)."""
    return ngettext(
        "Revoked {n} open link of <b>{setting}</b>.",
        "Revoked {n} open links of <b>{setting}</b>.",
        count,
    ).format(n=count, setting=esc(setting))

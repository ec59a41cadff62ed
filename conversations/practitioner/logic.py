"""Pure texts and documents for practitioners: invites, /aims, /child, /revoke, /export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, format_day, format_full_day, ngettext
from bot.storage.models import AimLine, ChildRecord, ExportRow, OpenInvite, StoryEvent
from conversations.common.text import esc

GROUP_NAME_MAX = 60
CHILD_NAME_MAX = 60
NEWS_PREVIEW = 160
# Callback data prefixes (ownership is always checked in the database on press).
INVITE_GROUP = "pr:inv:"
REVOKE = "pr:rv:"

_OUTCOMES = {
    "keep": N_("keeping this aim"),
    "new": N_("setting a new aim"),
    "reached": N_("aim reached 🎉"),
}
_STATUSES = {
    "active": N_("current"),
    "replaced": N_("replaced by a newer aim"),
    "reached": N_("reached 🎉"),
}


def clean_group_name(text: str) -> str | None:
    """A group name as typed after /newgroup: one line, 1 to 60 characters."""
    name = " ".join(text.split())
    if not name or len(name) > GROUP_NAME_MAX or name.startswith("/"):
        return None
    return name


def clean_child_query(text: str) -> str | None:
    """The first name typed after /child."""
    name = " ".join(text.split())
    if not name or len(name) > CHILD_NAME_MAX:
        return None
    return name


def _local_day(when: datetime, tz: ZoneInfo) -> date:
    return when.astimezone(tz).date()


def _short(text: str, limit: int = NEWS_PREVIEW) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


def not_a_practitioner() -> str:
    """The polite refusal of a practitioner command to anyone else."""
    return _(
        "Sorry, that command is only for practitioners. If you work at a nursery that uses "
        "this bot, please ask your programme coordinator for a practitioner link."
    )


def not_available() -> str:
    """The answer to a button that points at something outside the practitioner's setting."""
    return _("Sorry, that is not available to you any more.")


def usage_newgroup() -> str:
    """How to use /newgroup."""
    return _(
        "Please give the group a name after the command, for example:\n/newgroup Tuesday Sunflowers"
    )


def group_created(name: str, groups: int) -> str:
    """Confirmation of /newgroup (HTML)."""
    return (
        _("New group <b>{group}</b> is ready.").format(group=esc(name))
        + "\n"
        + ngettext(
            "Your setting now runs {n} group.", "Your setting now runs {n} groups.", groups
        ).format(n=groups)
        + "\n"
        + _("Send /invite to get its link and QR code for parents.")
    )


def group_exists(name: str) -> str:
    """/newgroup with a name the setting already has (HTML)."""
    return _("Your setting already has a group called <b>{group}</b>.").format(group=esc(name))


def choose_group() -> str:
    """The question above the group buttons of /invite."""
    return _("Which group is the link for?")


def no_such_group(name: str, groups: Sequence[str]) -> str:
    """/invite GROUP with a name none of the setting's groups has (HTML)."""
    return (
        _("I can't find a group called <b>{group}</b> in your setting.").format(group=esc(name))
        + "\n"
        + _("Your groups: {groups}").format(groups=esc(", ".join(groups)))
    )


def invite_caption(group: str, link: str, days: int) -> str:
    """The caption under the QR code: the group, the link, how long it works (HTML)."""
    return (
        _("Share this link with the parents in <b>{group}</b>:").format(group=esc(group))
        + f"\n{esc(link)}\n\n"
        + ngettext("It works for {n} day.", "It works for {n} days.", days).format(n=days)
        + " "
        + _("Print the QR code for the nursery door: parents scan it with their phone camera.")
        + "\n"
        + _("To stop a link working, send /revoke.")
    )


def revoke_list(invites: Sequence[OpenInvite], tz: ZoneInfo) -> tuple[str, list[tuple[str, str]]]:
    """The open parent links with a revoke button each (HTML text, button options)."""
    if not invites:
        return _("There are no open parent links for your setting."), []
    text = (
        ngettext(
            "Your setting has {n} open parent link.",
            "Your setting has {n} open parent links.",
            len(invites),
        ).format(n=len(invites))
        + "\n"
        + _("Tap a link to stop it working. Parents already in the group stay in it.")
    )
    options = [
        (
            "✖ "
            + _("{group} · made {made} · until {until}").format(
                group=invite.group_name or "?",
                made=format_day(_local_day(invite.created_at, tz)),
                until=format_day(_local_day(invite.expires_at, tz)),
            ),
            REVOKE + invite.ref,
        )
        for invite in invites
    ]
    return text, options


def revoked() -> str:
    """Confirmation that a parent link was revoked."""
    return _("Done: that link no longer works.")


def _carer(name: str, relationship: str | None) -> str:
    return f"{esc(name)} ({esc(relationship)})" if relationship else esc(name)


def aims_overview(setting: str, lines: Sequence[AimLine], tz: ZoneInfo) -> list[str]:
    """/aims: one block per child with a current aim, grouped by group (HTML blocks)."""
    if not lines:
        return [
            _("No current aims at <b>{setting}</b> yet.").format(setting=esc(setting))
            + "\n"
            + _("When a parent agrees an aim, it will appear here.")
        ]
    blocks = [
        "🎵 "
        + ngettext(
            "<b>{n} current aim</b> · {setting}",
            "<b>{n} current aims</b> · {setting}",
            len(lines),
        ).format(n=len(lines), setting=esc(setting))
    ]
    group = None
    for line in lines:
        header = ""
        if line.group != group:
            group = line.group
            header = f"<b>— {esc(group)} —</b>\n"
        child = f"<b>{esc(line.child)}</b>"
        if line.age:
            child += " " + _("(age {age})").format(age=esc(line.age))
        parts = [
            child + " · " + _carer(line.carer, line.relationship),
            _("Aim: {aim}").format(aim=esc(line.text)),
            _("Since {since} · follow-up {follow_up}").format(
                since=format_day(_local_day(line.since, tz)),
                follow_up=format_day(line.follow_up_on),
            ),
        ]
        if line.news is not None and line.news_at is not None:
            parts.append(
                _("Last news ({day}): “{news}”").format(
                    day=format_day(_local_day(line.news_at, tz)), news=esc(_short(line.news))
                )
            )
        else:
            parts.append(_("Last news: none yet"))
        blocks.append(header + "\n".join(parts))
    return blocks


def no_such_child(name: str) -> str:
    """/child NAME when nothing matches (HTML)."""
    return _("I can't find a child called <b>{child}</b> in your setting.").format(
        child=esc(name)
    ) + ("\n" + _("Send /aims to see the children with a current aim."))


def usage_child() -> str:
    """How to use /child."""
    return _("Please give the child's first name after the command, for example: /child Max")


def child_story(
    child: ChildRecord,
    events: Sequence[StoryEvent],
    tz: ZoneInfo,
    tip_text: Callable[[str], str],
) -> list[str]:
    """/child NAME: the child's story, oldest first (HTML blocks)."""
    head = f"📖 <b>{esc(child.first_name)}</b>"
    if child.age:
        head += " " + _("(age {age})").format(age=esc(child.age))
    head += f" · {esc(child.group)}"
    if not events:
        return [head + "\n" + _("Nothing recorded yet.")]
    blocks = [head]
    for event in events:
        day = format_full_day(_local_day(event.at, tz))
        carer = esc(event.carer)
        if event.kind == "aim":
            status = _(_STATUSES[event.detail]) if event.detail in _STATUSES else ""
            body = _("🎯 Aim agreed with {carer}: {aim}").format(carer=carer, aim=esc(event.text))
            if status:
                body += f" <i>({esc(status)})</i>"
        elif event.kind == "checkin":
            body = _("💬 Check-in, {carer}:").format(carer=carer)
            if event.text:
                body += f" “{esc(event.text)}”"
            if event.detail in _OUTCOMES:
                body += f" <i>({esc(_(_OUTCOMES[event.detail]))})</i>"
        else:
            body = _("🏠 Tried at home with {carer}: {idea}").format(
                carer=carer, idea=esc(_short(tip_text(event.text), 120))
            )
            if event.detail:
                body += "\n" + _("Noticed: “{noticed}”").format(noticed=esc(event.detail))
        blocks.append(f"<b>{esc(day)}</b>\n{body}")
    return blocks


_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _cell(value: str | None) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    return "'" + value if _FORMULA_START.match(value) else value


def export_csv(rows: Sequence[ExportRow], tz: ZoneInfo) -> bytes:
    """The setting's aims and check-ins as CSV, UTF-8 with a BOM so Excel reads it right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Record"),
            _("Date"),
            _("Group"),
            _("Child"),
            _("Carer"),
            _("Relationship"),
            _("Aim"),
            _("Aim status"),
            _("Follow-up"),
            _("Theme"),
            _("Check-in reply"),
            _("Check-in outcome"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _("aim") if row.kind == "aim" else _("check-in"),
                row.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                _cell(row.group),
                _cell(row.child),
                _cell(row.carer),
                _cell(row.relationship),
                _cell(row.aim),
                _(_STATUSES[row.aim_status]) if row.aim_status in _STATUSES else row.aim_status,
                row.follow_up_on.isoformat(),
                row.theme or "",
                _cell(row.reply),
                _(_OUTCOMES[row.outcome]) if row.outcome in _OUTCOMES else "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def export_filename(setting: str, day: date) -> str:
    """A safe file name for the export, e.g. imm-sunflower-nursery-2026-11-21.csv."""
    slug = re.sub(r"[^a-z0-9]+", "-", setting.lower()).strip("-")[:40] or "setting"
    return f"imm-{slug}-{day.isoformat()}.csv"


def export_caption(setting: str, aims: int, checkins: int) -> str:
    """The caption under the CSV document (HTML)."""
    return (
        _("Aims and check-ins at <b>{setting}</b>").format(setting=esc(setting))
        + "\n"
        + ngettext("{n} aim", "{n} aims", aims).format(n=aims)
        + " · "
        + ngettext("{n} check-in", "{n} check-ins", checkins).format(n=checkins)
    )


def practitioner_help() -> str:
    """/help for practitioners."""
    return _(
        "/invite: the link and QR code for parents (/invite GROUP for one group)\n"
        "/newgroup NAME: add a group to your setting\n"
        "/aims: the current aims at a glance\n"
        "/child NAME: one child's story\n"
        "/export: a spreadsheet (CSV) of aims and check-ins\n"
        "/revoke: stop a parent link working\n"
        "/event: plan a coffee morning or parent feedback group\n"
        "/events: upcoming events and who's coming\n"
        "/digest: when your weekly digest comes\n"
        "/help: this message"
    )

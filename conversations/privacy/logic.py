"""Pure texts and data shapes for privacy: the notice, /mydata, /forget, retention."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import _, ngettext
from bot.storage.models import Erasure
from conversations.common.text import esc, quote_blocks


def retention_months(days: int) -> int:
    """Days of retention as whole months, for people (365 → 12)."""
    return max(1, round(days / 30.4))


def privacy_notice(setting: str, retention_days: int, story_days: int) -> str:
    """What is stored, who sees it, for how long, and how to see or delete it (HTML)."""
    months = retention_months(retention_days)
    return "\n".join(
        [
            _(
                "<b>What I keep:</b> your first name, your child's first name (and age, if "
                "you give it), what you tell me about them, and the aims we agree."
            ),
            _(
                "<b>Who sees it:</b> only the practitioners at {setting}. They receive the aim "
                "we agree, and a few of your own words only if you say yes to that."
            ).format(setting=esc(setting)),
            ngettext(
                "<b>For how long:</b> until you delete it, or {n} month after we last spoke.",
                "<b>For how long:</b> until you delete it, or {n} months after we last spoke.",
                months,
            ).format(n=months)
            + " "
            + ngettext(
                "Your own words about your child are let go after {n} day; the aims stay.",
                "Your own words about your child are let go after {n} days; the aims stay.",
                story_days,
            ).format(n=story_days),
            _(
                "<b>Your choice, always:</b> /privacy shows this again, /mydata sends you "
                "everything I keep, and /forget deletes it."
            ),
        ]
    )


def share_question() -> str:
    """The separate yes/no for sharing the parent's own words."""
    return _(
        "One more choice, separate from the first: when we agree an aim, may I also send the "
        "practitioners a few of your own words about your child? It helps them understand. "
        "The aim itself is always shared. You can change this at any time with /privacy."
    )


def share_status(share: bool) -> str:
    """The parent's current story-sharing choice, in a sentence."""
    if share:
        return _("You've chosen to share a few of your own words with the practitioners.")
    return _("You've chosen to share only the aim, not your own words.")


def share_changed(share: bool) -> str:
    """Confirmation after the parent changes the sharing choice."""
    if share:
        return _("Thank you. From now on I'll share a few of your own words with the aim.")
    return _("Understood. From now on I'll share only the aim, not your own words.")


def mydata_blocks(data: dict[str, Any]) -> list[str]:
    """Everything stored about a parent, as readable HTML blocks (to be packed and split)."""
    parent = data.get("parent")
    if parent is None:
        return [_("I don't have anything stored about you.")]
    blocks = [
        _("<b>Everything I keep about you</b> (a JSON copy follows)."),
        "\n".join(
            [
                _("<b>You:</b> {name}, at {setting} ({group})").format(
                    name=esc(parent["name"]),
                    setting=esc(parent.get("setting_name") or ""),
                    group=esc(parent.get("group_name") or ""),
                ),
                _("Language: {locale} · time zone: {tz}").format(
                    locale=esc(parent["locale"]), tz=esc(parent["timezone"])
                ),
                _("Agreed to this on: {when}").format(when=esc(parent["consent_at"][:10])),
                share_status(bool(parent["share_story"])),
            ]
        ),
    ]
    for child in data.get("children", []):
        age = child.get("age")
        blocks.append(
            _("<b>Child:</b> {name}{age} · you are their {relationship}").format(
                name=esc(child["first_name"]),
                age=f" ({esc(age)})" if age else "",
                relationship=esc(child["relationship"]),
            )
        )
    for aim in data.get("aims", []):
        blocks.append(
            "\n".join(
                [
                    _("<b>Aim</b> ({when}): {text}").format(
                        when=esc(aim["created_at"][:10]), text=esc(aim["text"])
                    ),
                    _("Catch-up: {day} · {status}").format(
                        day=esc(aim["follow_up_on"]), status=esc(aim["status"])
                    ),
                ]
            )
        )
        if aim.get("story"):
            blocks.append(_("Your words shared with it:"))
            blocks.extend(quote_blocks(aim["story"]))
    for checkin in data.get("checkins", []):
        if checkin.get("reply"):
            when = (checkin.get("answered_at") or checkin["sent_at"])[:10]
            blocks.append(_("<b>Your check-in reply</b> ({when}):").format(when=esc(when)))
            blocks.extend(quote_blocks(checkin["reply"]))
    for tip in data.get("home_ideas_sent", []):
        if tip.get("noticed"):
            blocks.append(
                _("<b>What you noticed</b> ({when}):").format(when=esc(tip["sent_at"][:10]))
            )
            blocks.extend(quote_blocks(tip["noticed"]))
    counts = {
        key: len(data.get(key, []))
        for key in ("home_ideas_sent", "scheduled_messages", "safeguarding_alerts")
    }
    blocks.append(
        "\n".join(
            [
                ngettext(
                    "Home ideas sent to you: {n}",
                    "Home ideas sent to you: {n}",
                    counts["home_ideas_sent"],
                ).format(n=counts["home_ideas_sent"]),
                ngettext(
                    "Messages planned or sent: {n}",
                    "Messages planned or sent: {n}",
                    counts["scheduled_messages"],
                ).format(n=counts["scheduled_messages"]),
                ngettext(
                    "Concerns passed to the setting's team: {n}",
                    "Concerns passed to the setting's team: {n}",
                    counts["safeguarding_alerts"],
                ).format(n=counts["safeguarding_alerts"]),
            ]
        )
    )
    blocks.append(_("To delete all of this, send /forget."))
    return blocks


def mydata_json(data: dict[str, Any]) -> bytes:
    """The machine-readable copy of a parent's data (UTF-8 JSON)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def forget_question() -> str:
    """The confirmation before erasing."""
    return _(
        "Do you want me to delete everything I keep about you and your child? This cannot be "
        "undone. Messages already delivered to the practitioners' Telegram cannot be called "
        "back by me; if you'd like those removed, please ask your nursery."
    )


def forget_done(erasure: Erasure, setting: str) -> str:
    """What was erased, and what cannot be recalled."""
    parts = [_("Done: everything I kept about you has been deleted.")]
    if erasure.children_kept:
        parts.append(
            _(
                "Your child's name and the aims other carers agreed are kept, because "
                "another carer still uses the bot for them."
            )
        )
    if erasure.aims_shared and setting:
        parts.append(
            _(
                "I can't call back the messages already delivered to the practitioners at "
                "{setting}; if you'd like those deleted too, please ask them."
            ).format(setting=esc(setting))
        )
    parts.append(
        _(
            "Thank you for the time you spent here. If you ever want to come back, open your "
            "nursery's link again."
        )
    )
    return "\n\n".join(parts)


def retention_warning(days_left: int) -> str:
    """The one warning before automatic erasure after a long silence."""
    return ngettext(
        "Hello! We haven't spoken for a long while, so in {n} day I'll delete what I keep "
        "about you and your child, as promised. If you'd like me to keep it, just send me "
        "any message. To see it first, send /mydata.",
        "Hello! We haven't spoken for a long while, so in {n} days I'll delete what I keep "
        "about you and your child, as promised. If you'd like me to keep it, just send me "
        "any message. To see it first, send /mydata.",
        days_left,
    ).format(n=days_left)

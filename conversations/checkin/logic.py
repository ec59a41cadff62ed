"""Pure texts for the check-in and what the practitioner receives."""

from __future__ import annotations

from datetime import date

from bot.i18n import _, format_full_day
from conversations.common.text import esc

OUTCOMES = ("keep", "new", "reached")


def checkin_message(child: str, aim: str, signs: tuple[str, ...]) -> str:
    """Recall the aim, ask what they have got out of the sessions and which small signs."""
    listed = "\n".join(f"• {esc(sign)}" for sign in signs[:3])
    return (
        "🎵 "
        + _("<b>Time to catch up about {child}</b>").format(child=esc(child))
        + "\n\n"
        + _("When we last talked, we agreed this aim:")
        + f"\n<b>{esc(aim)}</b>\n\n"
        + _(
            "What have you and {child} got out of the music sessions so far? Have you "
            "spotted any small signs, like:"
        ).format(child=esc(child))
        + (f"\n{listed}" if listed else "")
        + "\n\n"
        + _("Tell me in your own words, then choose what's next:")
    )


def reminder_message(child: str) -> str:
    """The one gentle reminder."""
    return _(
        "Just a gentle nudge: I'd love to hear how the music sessions have been going for "
        "{child}. A few words is plenty, or simply choose below."
    ).format(child=esc(child))


def reply_thanks(setting: str) -> str:
    """After the parent wrote about the sessions."""
    return _(
        "Thank you for telling me. I've shared it with the practitioners at {setting}. What "
        "would you like to do next?"
    ).format(setting=esc(setting))


def keep_text(next_day: date) -> str:
    """Keep this aim."""
    return _(
        "Lovely, we'll keep going with this aim. Small steps count. I'll check in again on {day}."
    ).format(day=format_full_day(next_day))


def reached_text(child: str) -> str:
    """We got there: a warm celebration."""
    return _(
        "🎉 That's wonderful! {child} got there, and so did you: noticing those small steps and "
        "sticking with them made the difference. Whenever you're ready, /newaim sets a new aim."
    ).format(child=esc(child))


def practitioner_reply(setting: str, child: str, carer: str, aim: str, reply: str) -> list[str]:
    """What the practitioner receives when a parent answers a check-in (HTML blocks)."""
    header = "\n".join(
        [
            "💬 " + _("<b>Check-in reply</b> · {setting}").format(setting=esc(setting)),
            _("Child: {child} · Carer: {carer}").format(child=esc(child), carer=esc(carer)),
            _("Aim: {aim}").format(aim=esc(aim)),
        ]
    )
    return [header, f"<i>“{esc(reply)}”</i>"]


def practitioner_outcome(setting: str, child: str, carer: str, aim: str, outcome: str) -> str:
    """What the practitioner receives when a parent chooses keep / new / reached."""
    said = {
        "keep": _("would like to keep this aim"),
        "new": _("would like to set a new aim"),
        "reached": _("says {child} got there! 🎉").format(child=esc(child)),
    }[outcome]
    return "\n".join(
        [
            "🎵 " + _("<b>Check-in</b> · {setting}").format(setting=esc(setting)),
            _("{carer} ({child}) {said}").format(carer=esc(carer), child=esc(child), said=said),
            _("Aim: {aim}").format(aim=esc(aim)),
        ]
    )


def practitioner_noticed(
    setting: str, child: str, carer: str, idea: str, noticed: str
) -> list[str]:
    """What the practitioner receives when a parent tried a home idea and noticed something."""
    header = "\n".join(
        [
            "🏠 " + _("<b>Home idea tried</b> · {setting}").format(setting=esc(setting)),
            _("Child: {child} · Carer: {carer}").format(child=esc(child), carer=esc(carer)),
            _("Idea: {idea}").format(idea=esc(idea)),
            _("They noticed:"),
        ]
    )
    return [header, f"<i>“{esc(noticed)}”</i>"]

"""Pure texts and rules for notes, songs from home and carer links (no Telegram here)."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import _, ngettext
from conversations.common.text import esc, quote_blocks

NOTE_PREFIX = "fam:note:"
REPLY_PREFIX = "fam:reply:"
CARER_RELATIONSHIP_PREFIX = "fam:rel:"
# A carer link's /start payload starts with this, so /start can tell it from other invites.
CARER_TOKEN_PREFIX = "c_"  # noqa: S105 - a prefix, not a secret
CARER_LINK_DAYS = 7
# A button pressed and then forgotten must not turn a much later message into a note.
DRAFT_TTL = timedelta(hours=2)
# Kinds of draft written by a parent or carer: their text passes the safeguarding filter.
PARENT_DRAFTS = frozenset({"reply", "song", "relationship"})
MAX_LABEL_NAME = 24


def _short(name: str) -> str:
    """A name short enough for a button label."""
    tidy = " ".join(name.split())
    return tidy if len(tidy) <= MAX_LABEL_NAME else tidy[: MAX_LABEL_NAME - 1] + "…"


def callback_id(data: str, prefix: str) -> int | None:
    """The user id carried by a family button (to be checked in the database), or None."""
    rest = data.removeprefix(prefix)
    return int(rest) if data.startswith(prefix) and rest.isdigit() else None


# -- notes from practitioners ----------------------------------------------------------------


def note_button_label(parent: str) -> str:
    """The button under a relayed message."""
    return "💬 " + _("Send a note to {name}").format(name=_short(parent))


def note_starters(child: str) -> list[str]:
    """A few 'I really liked how you…' ways to begin a note (booklet tips 3 and 8)."""
    return [
        _("I really liked how you…"),
        _("It was lovely to see {child}…").format(child=child),
        _("Thank you for telling us about…"),
    ]


def note_prompt(parent: str, child: str | None) -> str:
    """Asking a practitioner for their note, with starters as a hint (HTML)."""
    starters = "\n".join(f"• <i>{esc(s)}</i>" for s in note_starters(child or _("your child")))
    return "\n\n".join(
        [
            "✍️ "
            + _("<b>A note to {name}</b>").format(name=esc(parent))
            + "\n"
            + _("Write it in your own words and I'll pass it on from you."),
            _("A few ways to begin, if they help:") + "\n" + starters,
            _("Send /cancel to leave it."),
        ]
    )


def note_to_parent(practitioner: str, setting: str, text: str) -> list[str]:
    """The note as the parent receives it (HTML blocks, in the parent's language)."""
    header = "💌 " + _("A note from {name} at {setting}:").format(
        name=f"<b>{esc(practitioner)}</b>", setting=esc(setting)
    )
    return [header, *quote_blocks(text)]


def reply_button_label(practitioner: str) -> str:
    """The button under a note, for the parent's answer."""
    return "↩️ " + _("Reply to {name}").format(name=_short(practitioner))


def note_sent(parent: str) -> str:
    """Telling the practitioner their note is on its way."""
    return "✅ " + _("Sent to {name}. If they answer, I'll bring it to you here.").format(
        name=esc(parent)
    )


def note_not_delivered(parent: str) -> str:
    """The parent has stopped messages or blocked the bot."""
    return _(
        "Sorry, I couldn't pass your note to {name}: they have stopped messages from me for now."
    ).format(name=esc(parent))


# -- answers from parents --------------------------------------------------------------------


def reply_prompt(practitioner: str) -> str:
    """Asking the parent for their answer (HTML)."""
    return _(
        "What would you like to say to {name}? Write it and I'll pass it on. "
        "Send /cancel to leave it."
    ).format(name=esc(practitioner))


def reply_to_practitioner(parent: str, relationship: str, child: str, text: str) -> list[str]:
    """A parent's answer as the practitioner receives it (HTML blocks)."""
    header = "💬 " + _("<b>{name}</b> ({relationship} of {child}) answered your note:").format(
        name=esc(parent), relationship=esc(relationship), child=esc(child)
    )
    return [header, *quote_blocks(text)]


def reply_sent(practitioner: str) -> str:
    """Telling the parent their answer is on its way."""
    return _("Thank you, I've passed that on to {name}.").format(name=esc(practitioner))


def reply_not_delivered(practitioner: str) -> str:
    """The practitioner could not be reached."""
    return _("Sorry, I couldn't reach {name} just now. Please try again later.").format(
        name=esc(practitioner)
    )


def left_it() -> str:
    """/cancel while a note, answer or song was awaited."""
    return _("No problem, I've left it.")


# -- songs from home -------------------------------------------------------------------------


def song_prompt(child: str) -> str:
    """/song: ask for a favourite song or rhyme from home (HTML)."""
    name = esc(child)
    return "\n\n".join(
        [
            "🎶 " + _("Is there a song or rhyme {child} loves at home?").format(child=name),
            _(
                "Tell me its name and, if you like, a line of it or what {child} does when "
                "you sing it. The practitioners love bringing songs from home into the sessions."
            ).format(child=name),
            _("Send /cancel to leave it."),
        ]
    )


def song_to_practitioners(
    setting: str, child: str, carer: str, relationship: str, text: str
) -> list[str]:
    """A song from home as the practitioners receive it (HTML blocks)."""
    header = "\n".join(
        [
            "🎶 " + _("<b>A song from home</b> · {setting}").format(setting=esc(setting)),
            _("Child: {child} · Carer: {carer} ({relationship})").format(
                child=esc(child), carer=esc(carer), relationship=esc(relationship)
            ),
        ]
    )
    return [header, *quote_blocks(text)]


def song_thanks(setting: str) -> str:
    """After a parent shared a song."""
    return "🎶 " + _(
        "Thank you! I've shared it with the practitioners at {setting}: they may well sing it "
        "in a session."
    ).format(setting=esc(setting))


def for_parents_only() -> str:
    """/song or /addcarer from someone who has no child with us yet."""
    return _(
        "This is for parents and carers once they've told me about their child. If you have "
        "a link from your nursery, please open it first."
    )


# -- several carers --------------------------------------------------------------------------


def carer_link_text(child: str, link: str, days: int) -> str:
    """/addcarer: the single-use link to pass on (HTML)."""
    return "\n\n".join(
        [
            _(
                "Send this link to another person who cares for {child}: a dad, a grandparent, "
                "a foster carer…"
            ).format(child=esc(child)),
            esc(link),
            ngettext("It works once, for {n} day.", "It works once, for {n} days.", days).format(
                n=days
            ),
            _(
                "They'll have their own chat with me, in their own language. What each of you "
                "tells me is shared with the practitioners, not with each other."
            ),
        ]
    )


def carer_intro(inviter: str, child: str) -> str:
    """Above the privacy notice, for someone who opened a carer link (HTML)."""
    return "👋 " + _("{inviter} has invited you to join them as one of {child}'s carers.").format(
        inviter=f"<b>{esc(inviter)}</b>", child=esc(child)
    )


def carer_joined(child: str, setting: str) -> str:
    """After a new carer said who they are to the child (HTML)."""
    name = esc(child)
    return "\n\n".join(
        [
            _("Thank you! You're now part of {child}'s music sessions at {setting}.").format(
                child=name, setting=esc(setting)
            ),
            _(
                "This chat is yours: what you tell me is shared with the practitioners, "
                "not with {child}'s other carers."
            ).format(child=name),
            "\n".join(
                [
                    _("/newaim: think together about an aim for {child}").format(child=name),
                    _("/tips: choose when home singing ideas arrive"),
                    _("/song: share a song or rhyme {child} loves").format(child=name),
                ]
            ),
        ]
    )


def carer_link_expired() -> str:
    """A used, expired or unknown carer link."""
    return _(
        "Sorry, that link has already been used or has expired. Please ask the person who "
        "sent it for a new one."
    )


def carer_link_own() -> str:
    """The carer opened their own link."""
    return _("This link is for another carer: please send it to them.")


def carer_already_joined() -> str:
    """Someone already following a child opened a carer link."""
    return _(
        "You're already connected to a child here, so I can't use this link for you. "
        "Please ask your nursery if you need help."
    )

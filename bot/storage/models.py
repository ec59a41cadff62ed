"""Plain domain records returned by the repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class Setting:
    """A nursery or children's centre."""

    id: int
    name: str


@dataclass(frozen=True)
class Group:
    """A music group run at a setting."""

    id: int
    setting_id: int
    name: str


@dataclass(frozen=True)
class Invite:
    """A valid (not revoked, not expired) invite link."""

    kind: str
    setting_id: int
    group_id: int | None
    expires_at: datetime


@dataclass(frozen=True)
class Practitioner:
    """A practitioner of one setting."""

    user_id: int
    chat_id: int
    setting_id: int
    name: str
    locale: str
    is_lead: bool


@dataclass(frozen=True)
class Parent:
    """A parent or carer who has given consent."""

    user_id: int
    chat_id: int
    group_id: int
    name: str
    locale: str
    timezone: str
    status: str = "active"
    paused_until: datetime | None = None


@dataclass(frozen=True)
class Child:
    """A child, as one carer described them."""

    id: int
    group_id: int
    first_name: str
    age: str | None
    relationship: str


@dataclass(frozen=True)
class Aim:
    """An agreed aim for a child's music sessions."""

    id: int
    child_id: int
    parent_id: int
    theme: str | None
    activity_id: str | None
    text: str
    own_words: bool
    signs: tuple[str, ...]
    story: str | None
    follow_up_on: date
    created_at: datetime
    status: str = "active"


@dataclass(frozen=True)
class Schedule:
    """When a parent wants home ideas: ISO weekdays at a local time."""

    parent_id: int
    weekdays: tuple[int, ...]
    local_time: time
    moment: str


@dataclass(frozen=True)
class OutboxRow:
    """One scheduled message, claimed for sending."""

    id: int
    key: str
    parent_id: int
    chat_id: int
    kind: str
    ref: int | None
    due_at: datetime
    attempts: int


@dataclass(frozen=True)
class TipSent:
    """A home idea sent to a parent, and what they said about it."""

    id: int
    parent_id: int
    tip_id: str
    response: str | None
    awaiting_note: bool


@dataclass(frozen=True)
class CheckIn:
    """A 'close the loop' check-in about one aim."""

    id: int
    aim_id: int
    parent_id: int
    reply: str | None
    outcome: str | None
    reminded: bool


# -- family: notes, songs from home, several carers ----------------------------------------------


@dataclass(frozen=True)
class RelayLink:
    """Which practitioner and parent a relayed message (or a note) in a chat belongs to."""

    chat_id: int
    message_id: int
    holder: str
    practitioner_id: int
    parent_id: int


@dataclass(frozen=True)
class FamilyDraft:
    """What a user's next text is for: a note, a reply, a song, or a new carer's relationship."""

    user_id: int
    kind: str
    parent_id: int
    practitioner_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CarerInvite:
    """A valid, unused carer link: who made it and for which child."""

    child_id: int
    child_name: str
    group_id: int
    created_by: int
    inviter_name: str
    expires_at: datetime

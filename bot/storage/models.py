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
    share_story: bool = True


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


@dataclass(frozen=True)
class Alert:
    """A safeguarding alert raised by a parent's message."""

    id: int
    user_id: int | None
    setting_id: int | None
    category: str
    immediate: bool
    message: str | None
    created_at: datetime
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    escalated_at: datetime | None


@dataclass(frozen=True)
class Erasure:
    """What /forget (or retention) erased."""

    found: bool
    child_erased: bool
    children_kept: int
    aims_shared: int


# -- practitioners and settings ---------------------------------------------------------------


@dataclass(frozen=True)
class OpenInvite:
    """An invite that still works; `ref` is a short public handle (a prefix of its hash)."""

    ref: str
    kind: str
    setting_id: int
    group_id: int | None
    group_name: str | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SettingOverview:
    """One setting as the programme coordinator sees it."""

    setting: Setting
    groups: tuple[Group, ...]
    practitioners: tuple[Practitioner, ...]
    open_invites: int


@dataclass(frozen=True)
class AimLine:
    """A child's current aim with the latest news, for a practitioner's at-a-glance list."""

    aim_id: int
    child_id: int
    child: str
    age: str | None
    group: str
    carer: str
    relationship: str | None
    text: str
    since: datetime
    follow_up_on: date
    news: str | None
    news_at: datetime | None


@dataclass(frozen=True)
class ChildRecord:
    """A child of a practitioner's setting (for /child)."""

    id: int
    first_name: str
    age: str | None
    group: str


@dataclass(frozen=True)
class StoryEvent:
    """One moment in a child's story: an aim, a check-in reply, a home idea tried or noticed."""

    at: datetime
    kind: str  # "aim" | "checkin" | "tip"
    carer: str
    text: str
    detail: str | None = None  # aim status, check-in outcome, or what the carer noticed


@dataclass(frozen=True)
class ExportRow:
    """One line of a setting's export: an aim, or a check-in about one."""

    kind: str  # "aim" | "checkin"
    group: str
    child: str
    carer: str
    relationship: str | None
    at: datetime
    aim: str
    aim_status: str
    follow_up_on: date
    theme: str | None
    reply: str | None
    outcome: str | None


@dataclass(frozen=True)
class Event:
    """A coffee morning or parent feedback group for one group of a setting."""

    id: int
    setting_id: int
    group_id: int
    kind: str
    starts_at: datetime
    place: str
    cancelled: bool = False


@dataclass(frozen=True)
class EventCount:
    """An upcoming event with its answers so far."""

    event: Event
    group_name: str
    yes: int
    no: int
    invited: int


@dataclass(frozen=True)
class DigestSchedule:
    """When a practitioner gets their weekly digest (ISO weekday, local time, zone)."""

    practitioner_id: int
    weekday: int
    local_time: time
    timezone: str
    enabled: bool
    next_due_at: datetime | None
    last_sent_at: datetime | None


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: who, about which child, and what (aim, reply or sign)."""

    child: str
    carer: str
    text: str
    when: datetime


@dataclass(frozen=True)
class DigestData:
    """Everything in one practitioner's weekly digest, over plain data."""

    setting_name: str
    since: datetime
    aims: tuple[DigestItem, ...]
    replies: tuple[DigestItem, ...]
    signs: tuple[DigestItem, ...]
    quiet_parents: tuple[str, ...]


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

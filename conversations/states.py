"""The parent conversation's states, declared in one place (onboarding, then the aim).

The diagrams beside each flow (`onboarding/flow.mmd`, `aim/flow.mmd`) draw these states.
Values are stored in the database by the persistence: never renumber, only append.
"""

from enum import IntEnum


class ParentState(IntEnum):
    """Where a parent is in the onboarding and aim conversation."""

    CHILD_NAME = 1
    CHILD_AGE = 2
    RELATIONSHIP = 3
    SHARE = 4
    STORY = 10
    PICTURE = 11
    THEME = 12
    ACTIVITY = 13
    HOME = 14
    AIM = 15
    AIM_WORDS = 16
    FOLLOW_UP = 17


class TipsState(IntEnum):
    """Choosing when home ideas arrive (/tips)."""

    MOMENT = 30
    DAYS = 31
    CONFIRM = 32
    TIME = 33


class EventState(IntEnum):
    """A practitioner planning a coffee morning or feedback group (/event)."""

    KIND = 40
    GROUP = 41
    WHEN = 42
    PLACE = 43
    CONFIRM = 44


# Conversation handler names (keys in the persistence table): never rename.
PARENT_CONVERSATION = "parent"
TIPS_CONVERSATION = "tips"
EVENT_CONVERSATION = "event"

"""The typed callback context: per-chat draft data and the services handlers use."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.signposting import Signposting
from bot.storage import Database, Repository
from conversations.home.timing import QuietHours


@dataclass
class AimDraft:
    """The aim conversation in progress (persisted with the chat, cleared when it ends)."""

    flow: str
    child: str = ""
    phase: str = "story"
    story: list[str] = field(default_factory=list)
    picture: list[str] = field(default_factory=list)
    theme: str | None = None
    feeling: str | None = None
    activity_id: str | None = None
    tried: list[str] = field(default_factory=list)
    home: bool = False
    aim_text: str | None = None
    aim_signs: list[str] = field(default_factory=list)
    own_words: bool = False


@dataclass
class TipsDraft:
    """Choosing when home ideas arrive (persisted with the chat until saved)."""

    moment: str
    local_time: str
    zone: str
    weekdays: list[int] = field(default_factory=list)


@dataclass
class EventDraft:
    """A practitioner planning an event with /event (persisted with the chat until saved)."""

    kind: str = ""
    group_id: int = 0
    starts_at: str = ""
    place: str = ""


@dataclass
class ChatData:
    """Everything the bot remembers about one private chat between updates."""

    child_name: str | None = None
    child_age: str | None = None
    aim: AimDraft | None = None
    tips: TipsDraft | None = None
    event: EventDraft | None = None

    def is_empty(self) -> bool:
        """True when there is nothing worth storing."""
        return (
            self.child_name is None
            and self.child_age is None
            and self.aim is None
            and self.tips is None
            and self.event is None
        )

    def to_json(self) -> str:
        """Serialise for the database."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ChatData:
        """Deserialise from the database, ignoring unknown keys from older versions."""
        raw: dict[str, Any] = json.loads(text)
        aim_raw = raw.get("aim")
        aim = None
        if isinstance(aim_raw, dict):
            known = AimDraft.__dataclass_fields__
            aim = AimDraft(**{k: v for k, v in aim_raw.items() if k in known})
        tips_raw = raw.get("tips")
        tips = None
        if isinstance(tips_raw, dict):
            known = TipsDraft.__dataclass_fields__
            tips = TipsDraft(**{k: v for k, v in tips_raw.items() if k in known})
        event_raw = raw.get("event")
        event = None
        if isinstance(event_raw, dict):
            known = EventDraft.__dataclass_fields__
            event = EventDraft(**{k: v for k, v in event_raw.items() if k in known})
        return cls(
            child_name=raw.get("child_name"),
            child_age=raw.get("child_age"),
            aim=aim,
            tips=tips,
            event=event,
        )


class Gatherer:
    """Waits for a quiet period after a burst of messages from one chat before replying.

    A gathering step runs as a non-blocking handler; while it runs, PTB routes the chat's
    updates to the WAITING handlers, which use this object to tell whether the step is
    still listening (quiet period open) or already replying.
    """

    def __init__(self, quiet_seconds: float) -> None:
        self.quiet_seconds = quiet_seconds
        self._deadlines: dict[int, float] = {}
        self._running: dict[int, asyncio.Event] = {}

    @asynccontextmanager
    async def handling(self, chat_id: int) -> AsyncIterator[None]:
        """Mark the chat's gathering step as running until the block ends."""
        done = asyncio.Event()
        self._running[chat_id] = done
        try:
            yield
        finally:
            if self._running.get(chat_id) is done:
                del self._running[chat_id]
            done.set()

    async def started(self, chat_id: int) -> None:
        """Give a just-created gathering step a few turns of the loop to register itself.

        PTB creates the step's task before it runs, so the chat's next update can reach
        the WAITING handlers first.
        """
        for _ in range(20):
            if chat_id in self._running:
                return
            await asyncio.sleep(0)

    async def finished(self, chat_id: int) -> None:
        """Wait until the chat's running gathering step (if any) has finished."""
        while (done := self._running.get(chat_id)) is not None:
            await done.wait()

    def bump(self, chat_id: int) -> None:
        """A message arrived: restart this chat's quiet period."""
        self._deadlines[chat_id] = asyncio.get_running_loop().time() + self.quiet_seconds

    def listening(self, chat_id: int) -> bool:
        """True while the chat's quiet period is open (new text joins the story)."""
        return chat_id in self._deadlines

    async def wait_quiet(self, chat_id: int) -> None:
        """Return once the chat has been quiet for the whole period."""
        loop = asyncio.get_running_loop()
        try:
            # A debounce: the deadline moves while we sleep, so re-check it each time.
            while (remaining := self._deadlines.get(chat_id, 0.0) - loop.time()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(remaining)
        finally:
            self._deadlines.pop(chat_id, None)

    @property
    def busy(self) -> bool:
        """True while any chat is in its quiet period or a gathering step is running."""
        return bool(self._deadlines) or bool(self._running)


@dataclass
class Services:
    """What handlers need from the runtime, built once by the composition root."""

    settings: Settings
    db: Database
    clock: Clock
    signposting: Signposting
    gatherer: Gatherer
    bot_username: str = ""
    # The language each known user chose, so that most updates need no lookup.
    locales: dict[int, str] = field(default_factory=dict)
    # When each user was last noted as active (so last_seen_at is written at most hourly).
    seen: dict[int, datetime] = field(default_factory=dict)
    # Lexicons compiling beside the running bot (see bot.app._post_init).
    warm_up: asyncio.Future[None] | None = None

    @property
    def quiet(self) -> QuietHours:
        """The nightly window with no scheduled messages."""
        return QuietHours(self.settings.quiet_start, self.settings.quiet_end)

    @property
    def repo(self) -> Repository:
        """The repository of the open database."""
        return self.db.repo


SERVICES_KEY = "services"


class Ctx(CallbackContext[ExtBot[None], dict[Any, Any], ChatData, dict[Any, Any]]):
    """Callback context with typed chat data and the services."""

    @property
    def services(self) -> Services:
        """The runtime services."""
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services


App = Application[ExtBot[None], Ctx, dict[Any, Any], ChatData, dict[Any, Any], Any]

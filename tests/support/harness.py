"""Run the real Application (built by the composition root) against the loopback fake API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import DISPATCHER_KEY, HOUSEKEEPER_KEY, build_application, start_app, stop_app
from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.context import SERVICES_KEY, App, Services
from bot.housekeeping import Housekeeper, HousekeepingReport
from bot.sandbox.fakeapi import FakeTelegram, FakeUser, SentMessage
from bot.sandbox.runner import wait_idle
from bot.scheduler import Dispatcher, TickReport
from bot.storage.repo import Repository
from tests.support.fake_server import serve

START = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # a Saturday

# A Joe-like story in our own words (the booklet's model dialogue), typed in three messages.
JOE_STORY = [
    "Honestly I don't know where to start.",
    "Everything, and I mean everything, has to be on Max's terms. If I suggest something "
    "different from what he wants he gets really anxious, and he's only four!",
    "I know it's important for children to be independent, but he won't listen to anyone "
    "and I worry he'll ignore his teacher at school.",
]
JOE_PICTURE = (
    "It's not pretty. Screaming, kicking, throwing himself on the floor. A proper meltdown. "
    "It doesn't feel normal."
)


@dataclass
class Harness:
    """The fake Telegram, the running bot, and its injected clock."""

    fake: FakeTelegram
    app: App
    clock: FakeClock
    settings: Settings

    @property
    def services(self) -> Services:
        """The bot's services."""
        services: Services = self.app.bot_data[SERVICES_KEY]
        return services

    @property
    def repo(self) -> Repository:
        """The bot's repository."""
        return self.services.repo

    async def settle(self) -> None:
        """Wait until the bot has handled everything sent so far."""
        await wait_idle(self.app, self.fake)

    @property
    def dispatcher(self) -> Dispatcher:
        """The outbox dispatcher of the running bot."""
        dispatcher: Dispatcher = self.app.bot_data[DISPATCHER_KEY]
        return dispatcher

    async def tick(self) -> TickReport:
        """One dispatcher tick at the injected clock's time, then wait for the bot."""
        report = await self.dispatcher.tick()
        await self.settle()
        return report

    async def housekeeping(self) -> HousekeepingReport:
        """One housekeeping run (alerts, retention) at the injected clock's time."""
        housekeeper: Housekeeper = self.app.bot_data[HOUSEKEEPER_KEY]
        report = await housekeeper.tick()
        await self.settle()
        return report

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        """Move the clock forward to `end` in steps, ticking the dispatcher at each."""
        while self.clock.now() < end:
            self.clock.advance(min(step, end - self.clock.now()))
            await self.tick()

    async def restart(self) -> None:
        """Stop the bot gracefully and start a new Application on the same database."""
        await self.settle()
        await stop_app(self.app)
        self.app = build_application(self.settings, clock=self.clock)
        await start_app(self.app)

    async def practitioner(self, user_id: int = 1001, name: str = "Pat") -> FakeUser:
        """Create a setting and have a practitioner join it by invite link."""
        now = self.clock.now()
        setting, _group = await self.repo.create_setting("Sunflower Nursery", now)
        token = await self.repo.create_invite(
            "practitioner", setting.id, None, now, timedelta(days=30)
        )
        user = self.fake.user(user_id, name)
        user.send(f"/start {token}")
        await user.wait_messages(1)
        return user

    async def parent_token(self, practitioner: FakeUser) -> str:
        """The token of a fresh parent invite, from the practitioner's /invite."""
        practitioner.send("/invite")
        [reply] = await practitioner.wait_messages(1)
        found = re.search(r"start=([\w-]+)", reply.plain_text)
        assert found is not None, reply.plain_text
        return found.group(1)

    async def onboard(
        self,
        practitioner: FakeUser,
        user_id: int = 2002,
        name: str = "Amara",
        child: str = "Max",
        age: str | None = "4",
        relationship: str = "Mum",
        share: bool = True,
    ) -> FakeUser:
        """A parent opens the link, consents (sharing their words or not), and gives the
        child's details."""
        token = await self.parent_token(practitioner)
        parent = self.fake.user(user_id, name)
        parent.send(f"/start {token}")
        await parent.wait_messages(1)
        parent.press("Yes, that's fine")
        await parent.wait_messages(1)
        parent.press("Yes, share my words" if share else "Just the aim, please")
        await parent.wait_messages(1)
        parent.send(child)
        await parent.wait_messages(1)
        if age is None:
            parent.press("Skip")
        else:
            parent.send(age)
        await parent.wait_messages(1)
        parent.press(relationship)
        [opening] = await parent.wait_messages(1)
        assert "Tell me about" in opening.plain_text
        return parent

    async def to_activity(self) -> tuple[FakeUser, FakeUser, SentMessage]:
        """A parent tells the story and the picture: (practitioner, parent, activity message)."""
        pat = await self.practitioner()
        parent = await self.onboard(pat)
        parent.send(JOE_STORY[1])
        await parent.wait_messages(1)
        parent.send(JOE_PICTURE)
        _reframe, activity = await parent.wait_messages(2)
        return pat, parent, activity

    async def agree_from_activity(self, parent: FakeUser, *, home: bool = False) -> None:
        """From the first activity to the agreed aim: try it, at home or not, that's right,
        catch-up in three weeks; then wait for the bot."""
        parent.press("Let's try it")
        await parent.wait_messages(1)
        parent.press("Yes, we'll try it at home" if home else "Not right now")
        await parent.wait_messages(1)
        parent.press("That's right")
        [follow] = await parent.wait_messages(1)
        parent.press(
            next(label for label in follow.button_labels if label.startswith("In 3 weeks"))
        )
        await parent.wait_messages(1)
        await self.settle()


def bot_settings(tmp_path: Path, base_url: str, token: str, **extra: str) -> Settings:
    """Settings for a test bot (no gathering pause unless asked for)."""
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": base_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "GATHER_SECONDS": "0",
        "PERSISTENCE_INTERVAL": "60",
        # Tests tick the dispatcher themselves at the injected clock's time.
        "DISPATCH_INTERVAL": "300",
        "HOUSEKEEPING_INTERVAL": "3600",
    }
    env.update(extra)
    return settings_from_mapping(env)


@asynccontextmanager
async def running_bot(tmp_path: Path, **extra: str) -> AsyncIterator[Harness]:
    """Start the fake API on loopback and the real bot against it."""
    fake = FakeTelegram()
    async with serve(fake) as base_url:
        settings = bot_settings(tmp_path, base_url, fake.token, **extra)
        clock = FakeClock(START)
        app = build_application(settings, clock=clock)
        await start_app(app)
        harness = Harness(fake, app, clock, settings)
        try:
            yield harness
        finally:
            await stop_app(harness.app)

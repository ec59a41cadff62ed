"""`imm-bot sandbox`: play a parent in this terminal, with the real Application behind it.

The bot runs unchanged; only Telegram is replaced by the in-memory fake Bot API. Buttons
appear as numbered choices; what the practitioner receives is shown too.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from telegram.request import HTTPXRequest

from bot.app import SANDBOX_TOKEN, build_application, start_app, stop_app
from bot.config import Settings
from bot.context import SERVICES_KEY, App, Services
from bot.sandbox.fakeapi import FakeTelegram, FakeUser, SentMessage
from bot.sandbox.runner import wait_idle

SETTING_NAME = "Sandbox Nursery"
PRACTITIONER_ID = 1001
PARENT_ID = 2002
SANDBOX_DB = "sandbox.sqlite3"
HELP = (
    "You are Sam, a parent. Type as you would in Telegram. Pick a button by typing its number.\n"
    "Try /newaim, /cancel, /help. Type /quit (or press Ctrl-D) to leave.\n"
)


def _print(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _show(message: SentMessage, who: str) -> list[str]:
    """Print one bot message; return its button labels in order."""
    text = message.plain_text or (f"[{message.document.filename}]" if message.document else "")
    prefix = "🤖 bot" if who == "parent" else "📨 to the practitioner"
    _print(f"\n{prefix}:")
    for line in text.splitlines() or [""]:
        _print(f"   {line}")
    labels = [button.text for row in message.buttons for button in row]
    for number, label in enumerate(labels, start=1):
        _print(f"   [{number}] {label}")
    return labels


class Sandbox:
    """One sandbox session: a fake Telegram, the real bot, a practitioner and a parent."""

    def __init__(self, settings: Settings, fresh: bool) -> None:
        db_path = Path(settings.database_path).parent / SANDBOX_DB
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        self.fake = FakeTelegram(token=SANDBOX_TOKEN)
        self.app: App = build_application(
            replace(
                settings,
                database_path=db_path,
                gather_seconds=min(settings.gather_seconds, 1.5),
            ),
            request=HTTPXRequest(httpx_kwargs={"transport": self.fake.transport()}),
            get_updates_request=HTTPXRequest(httpx_kwargs={"transport": self.fake.transport()}),
            rate_limit=False,
        )
        self.practitioner: FakeUser = self.fake.user(PRACTITIONER_ID, "Pat", last_name="Jones")
        self.parent: FakeUser = self.fake.user(PARENT_ID, "Sam")
        self.buttons: list[str] = []

    @property
    def services(self) -> Services:
        """The bot's services."""
        services: Services = self.app.bot_data[SERVICES_KEY]
        return services

    async def settle(self) -> None:
        """Wait for the bot, then print whatever it sent since last time."""
        await wait_idle(self.app, self.fake)
        for message in self.parent.read_all():
            labels = _show(message, "parent")
            if labels:
                self.buttons = labels
        for message in self.practitioner.read_all():
            _show(message, "practitioner")

    async def bootstrap(self) -> None:
        """Create the sandbox setting, its practitioner and the parent's invite (once)."""
        repo = self.services.repo
        now = self.services.clock.now()
        if await repo.get_practitioner(PRACTITIONER_ID) is None:
            setting = await repo.find_setting(SETTING_NAME)
            if setting is None:
                setting, _group = await repo.create_setting(SETTING_NAME, now)
            token = await repo.create_invite(
                "practitioner", setting.id, None, now, timedelta(days=1)
            )
            self.practitioner.send(f"/start {token}")
            await wait_idle(self.app, self.fake)
        if await repo.get_parent(PARENT_ID) is None:
            self.practitioner.send("/invite")
            await wait_idle(self.app, self.fake)
            found = re.search(r"start=([\w-]+)", self.practitioner.last.plain_text)
            assert found is not None, "the practitioner's /invite gave no link"
            self.practitioner.read_all()
            self.parent.send(f"/start {found.group(1)}")
        else:
            _print("(Welcome back: the sandbox remembers where you were. Use --fresh to restart.)")
        self.practitioner.read_all()
        await self.settle()

    async def handle(self, line: str) -> None:
        """Send one line typed by the user (a number presses a button)."""
        line = line.strip()
        if not line:
            return
        if line.isdigit() and self.buttons and 1 <= int(line) <= len(self.buttons):
            try:
                self.parent.press(self.buttons[int(line) - 1])
            except AssertionError:
                _print("(that button is no longer there: type a message instead)")
                return
        else:
            self.parent.send(line)
        await self.settle()


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def _main(settings: Settings, fresh: bool) -> int:
    # The conversation is the output here: keep the library's INFO chatter out of it.
    logging.getLogger("telegram").setLevel(logging.WARNING)
    sandbox = Sandbox(settings, fresh)
    await start_app(sandbox.app)
    try:
        _print("🎵 IMM companion, terminal sandbox")
        _print(HELP)
        if sandbox.services.warm_up is not None:
            _print("(getting ready: loading every language's word lists…)")
            await sandbox.services.warm_up
        await sandbox.bootstrap()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        # A daemon thread: a blocked read of the terminal must not keep the process alive.
        threading.Thread(
            target=_stdin_lines, args=(asyncio.get_running_loop(), queue), daemon=True
        ).start()
        while True:
            if sys.stdin.isatty():
                sys.stdout.write("\nyou> ")
                sys.stdout.flush()
            line = await queue.get()
            if line is None or line.strip() in {"/quit", "/exit"}:
                break
            if not sys.stdin.isatty():
                _print(f"\nyou> {line.rstrip()}")
            await sandbox.handle(line)
    finally:
        await stop_app(sandbox.app)
    _print("\nBye! Your sandbox conversation is saved; run it again to carry on.")
    return 0


def run_sandbox(settings: Settings, fresh: bool = False) -> int:
    """Run the terminal sandbox until the user quits."""
    return asyncio.run(_main(settings, fresh))

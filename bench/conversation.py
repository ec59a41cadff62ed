"""Per-update cost of the full aim conversation vs a bare python-telegram-bot echo bot.

Both bots run in this process against the same fake Bot API served over loopback HTTP, driven
by the same number of simulated users at once. The gathering pause is set to zero and the
rate limiter is off (Telegram's 30 msg/s cap would otherwise be what we measure).

    .venv/bin/python -m bench.conversation [--parents 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import build_application, start_app, stop_app
from bot.clock import FakeClock
from bot.context import SERVICES_KEY, Services
from bot.sandbox.fakeapi import FakeTelegram, FakeUser
from tests.support.fake_server import serve
from tests.support.harness import START, bot_settings

# (action, payload, replies expected) after the parent has consented; one update each.
STORY = (
    "Everything has to be on his terms. He gets really anxious if I suggest anything "
    "different, and he's only four. I know it's important for kids to be independent but "
    "he won't listen to anyone."
)
PICTURE = "Screaming, kicking, throwing himself on the floor. A proper meltdown."
SCRIPT: list[tuple[str, str, int]] = [
    ("press", "Yes, that's fine", 1),
    ("send", "Max", 1),
    ("send", "4", 1),
    ("press", "Mum", 1),
    ("send", STORY, 1),
    ("send", PICTURE, 2),
    ("press", "Another idea", 1),
    ("press", "Tell me more", 1),
    ("press", "Let's try it", 1),
    ("press", "Yes, we'll try it at home", 1),
    ("press", "That's right", 1),
    ("press", "In 3 weeks", 1),
]


@dataclass
class Result:
    """Figures for one bot."""

    name: str
    updates: int
    seconds: float
    latencies: list[float]
    api_calls: int

    @property
    def per_update_ms(self) -> float:
        """Wall time per update, in milliseconds."""
        return 1000 * self.seconds / self.updates

    def row(self) -> str:
        """One line of the results table."""
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
        return (
            f"| {self.name} | {self.updates} | {self.updates / self.seconds:,.0f} | "
            f"{self.per_update_ms:.2f} | {p50:.1f} | {p95:.1f} | "
            f"{self.api_calls / self.updates:.2f} |"
        )


def _api_calls(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls if call.method.lower() != "getupdates")


async def _step(user: FakeUser, how: str, what: str, replies: int) -> float:
    started = time.perf_counter()
    if how == "send":
        user.send(what)
    else:
        label = next((lbl for lbl in user.last.button_labels if lbl.startswith(what)), what)
        user.press(label)
    await user.wait_messages(replies, timeout=60)
    return time.perf_counter() - started


Steps = Callable[[FakeUser], Awaitable[list[float]]]


async def _drive(users: list[FakeUser], steps: Steps) -> tuple[float, list[float]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(steps(user) for user in users))
    return time.perf_counter() - started, [lat for one in results for lat in one]


async def run_imm(parents: int, workdir: Path) -> Result:
    """Many parents through the whole aim conversation at once."""
    fake = FakeTelegram()
    async with serve(fake) as base_url:
        settings = bot_settings(workdir, base_url, fake.token)
        app = build_application(settings, clock=FakeClock(START), rate_limit=False)
        await start_app(app)
        try:
            services: Services = app.bot_data[SERVICES_KEY]
            repo = services.repo
            now = services.clock.now()
            setting, group = await repo.create_setting("Bench Nursery", now)
            users = []
            for n in range(parents):
                token = await repo.create_invite(
                    "parent", setting.id, group.id, now, timedelta(days=1)
                )
                user = fake.user(100_000 + n, f"Parent{n}")
                user.send(f"/start {token}")
                users.append(user)
            for user in users:
                await user.wait_messages(1, timeout=60)
            calls_before = _api_calls(fake)

            async def conversation(user: FakeUser) -> list[float]:
                return [await _step(user, *step) for step in SCRIPT]

            seconds, latencies = await _drive(users, conversation)
            calls = _api_calls(fake) - calls_before
        finally:
            await stop_app(app)
    return Result("IMM aim conversation", parents * len(SCRIPT), seconds, latencies, calls)


async def run_echo(parents: int) -> Result:
    """The same load on a bare PTB echo bot (default settings, same fake API)."""
    fake = FakeTelegram()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    async with serve(fake) as base_url:
        app = Application.builder().token(fake.token).base_url(base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            users = [fake.user(100_000 + n, f"Parent{n}") for n in range(parents)]

            async def chat(user: FakeUser) -> list[float]:
                return [await _step(user, "send", f"message {i}", 1) for i in range(len(SCRIPT))]

            seconds, latencies = await _drive(users, chat)
            calls = _api_calls(fake)
            await app.updater.stop()
            await app.stop()
    return Result("bare PTB echo bot", parents * len(SCRIPT), seconds, latencies, calls)


async def main(parents: int) -> None:
    """Run both and print a Markdown table and the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        echo = await run_echo(parents)
        imm = await run_imm(parents, Path(tmp))
    print(f"{parents} simulated users at once, {len(SCRIPT)} updates each\n")
    print(
        "| bot | updates | updates/s | ms/update | p50 latency ms | p95 latency ms "
        "| API calls/update |"
    )
    print("|---|---|---|---|---|---|---|")
    print(echo.row())
    print(imm.row())
    ratio = imm.per_update_ms / echo.per_update_ms
    print(f"\nratio (time per update, IMM / echo): {ratio:.2f}x  (target <= 2x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parents", type=int, default=100)
    asyncio.run(main(parser.parse_args().parents))

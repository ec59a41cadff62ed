"""The other side of the benchmark, in its own process: the fake Bot API and the users.

    python -m bench.driver imm|echo PARENTS [TOKENS.json]

Prints {"url": ...} once serving, then waits for the bot's first getUpdates, drives the
users (all at once, each waiting for the bot's replies before its next step), prints one
JSON line with the figures, and serves on until its stdin is closed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.sandbox.fakeapi import FakeTelegram, FakeUser
from tests.support.fake_server import serve

STORY = (
    "Everything has to be on his terms. He gets really anxious if I suggest anything "
    "different, and he's only four. I know it's important for kids to be independent but "
    "he won't listen to anyone."
)
PICTURE = "Screaming, kicking, throwing himself on the floor. A proper meltdown."
# (action, payload, replies expected) once the parent has opened their link; one update each.
SCRIPT: list[tuple[str, str, int]] = [
    ("press", "Yes, that's fine", 1),
    ("press", "Yes, share my words", 1),
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
Steps = Callable[[FakeUser], Awaitable[list[float]]]


def _api_calls(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls if call.method.lower() != "getupdates")


async def _step(user: FakeUser, how: str, what: str, replies: int) -> float:
    started = time.perf_counter()
    if how == "send":
        user.send(what)
    else:
        label = next((lbl for lbl in user.last.button_labels if lbl.startswith(what)), what)
        user.press(label)
    await user.wait_messages(replies, timeout=120)
    return time.perf_counter() - started


async def _drive(users: list[FakeUser], steps: Steps) -> tuple[float, list[float]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(steps(user) for user in users))
    return time.perf_counter() - started, [lat for one in results for lat in one]


async def sink(users: int, limits: bool) -> None:
    """Serve the fake API to `users` known chats until stdin closes; then print its stats."""
    fake = FakeTelegram(enforce_limits=limits, clock=time.time)
    for n in range(users):
        # These parents started the bot long ago (no /start update to deliver now).
        fake.user(100_000 + n, f"Parent{n}").chat.started = True
    async with serve(fake) as url:
        print(json.dumps({"url": url}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        sent = sum(1 for c in fake.calls if c.method == "sendMessage" and c.status == 200)
        polls = [c.timestamp for c in fake.calls if c.method == "getUpdates"]
        stats = {"sent": sent, "rate_limited": fake.stats.rate_limited}
        print(json.dumps({**stats, "first_poll_at": min(polls) if polls else None}), flush=True)


async def main(mode: str, parents: int, tokens: list[str]) -> None:
    """Serve, drive, report."""
    fake = FakeTelegram()
    async with serve(fake) as url:
        print(json.dumps({"url": url}), flush=True)
        await fake.wait_for(
            lambda: any(c.method.lower() == "getupdates" for c in fake.calls), timeout=60
        )
        users = [fake.user(100_000 + n, f"Parent{n}") for n in range(parents)]
        if mode == "imm":
            for user, token in zip(users, tokens, strict=True):
                user.send(f"/start {token}")
            for user in users:
                await user.wait_messages(1, timeout=120)

            async def steps(user: FakeUser) -> list[float]:
                return [await _step(user, *step) for step in SCRIPT]
        else:

            async def steps(user: FakeUser) -> list[float]:
                return [await _step(user, "send", f"message {i}", 1) for i in range(len(SCRIPT))]

        before = _api_calls(fake)
        seconds, latencies = await _drive(users, steps)
        result = {
            "updates": parents * len(SCRIPT),
            "seconds": seconds,
            "latencies": latencies,
            "api_calls": _api_calls(fake) - before,
        }
        print(json.dumps(result), flush=True)
        # Keep serving until the bot has stopped (its last getUpdates confirms the updates);
        # the parent process closes our stdin then.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    if sys.argv[1] == "sink":
        asyncio.run(sink(int(sys.argv[2]), "--limits" in sys.argv))
        sys.exit(0)
    token_list = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 else []
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), token_list))

"""The outbox dispatcher's delivery rate, and start-up with a large database.

    .venv/bin/python -m bench.dispatch [--messages 10000] [--limited 600] [--parents 100000]

(a) N due messages to the fake Bot API (own process) with the rate limiter off: messages/s.
(b) M due messages with the limiter on and a fake API that enforces Telegram's limits (30/s
    overall, 1/s per chat): total time against the bound M/30 s, and how many 429s.
(c) a database of P parents with aims, schedules and pending rows: start-up time to the first
    getUpdates, peak RSS, and the dispatcher's per-tick cost (nothing due; a batch due).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.population import NOW, populate
from bench.sink import FAKE_TOKEN, sink
from bot.app import build_application, build_dispatcher
from bot.clock import FakeClock
from bot.context import SERVICES_KEY, Services
from tests.support.harness import bot_settings


async def deliver(messages: int, limits: bool) -> tuple[float, int, int]:
    """Send `messages` due tips; return (seconds, sent, 429s seen by the fake)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        await populate(workdir / "bot.sqlite3", messages, due=messages)
        async with sink(messages, limits) as (url, stats):
            settings = bot_settings(workdir, url, FAKE_TOKEN)
            app = build_application(settings, clock=FakeClock(NOW), rate_limit=limits)
            await app.initialize()
            services: Services = app.bot_data[SERVICES_KEY]
            await services.db.open()
            dispatcher = build_dispatcher(app)
            started = time.perf_counter()
            sent = 0
            while True:
                report = await dispatcher.tick()
                sent += report.sent
                if report.claimed == 0:
                    break
            seconds = time.perf_counter() - started
            await app.shutdown()
            await services.db.close()
        return seconds, sent, int(stats.get("rate_limited", 0))


async def startup(parents: int) -> dict[str, float]:
    """Start the real bot on a big database in a child process; measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await populate(db, parents, due=0, in_conversation=min(parents, 2000))
        async with sink(0) as (url, stats):
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.startup_child",
                str(db),
                url,
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await child.communicate()
        result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
        result["startup_s"] = float(stats["first_poll_at"]) - result.pop("t0")
        return result


async def main(messages: int, limited: int, parents: int) -> None:
    """Run (a), (b), (c) and print Markdown."""
    seconds, sent, _ = await deliver(messages, limits=False)
    print(
        f"(a) {sent} due messages, rate limiter off: {seconds:.2f} s, "
        f"{sent / seconds:,.0f} messages/s"
    )
    seconds, sent, limited_429 = await deliver(limited, limits=True)
    bound = limited / 30
    print(
        f"(b) {sent} due messages, limiter on, fake API enforcing 30/s and 1/s per chat: "
        f"{seconds:.2f} s against the bound {bound:.2f} s = {seconds / bound:.3f}x "
        f"(target <= 1.05x), 429s: {limited_429}"
    )
    figures = await startup(parents)
    print(
        f"(c) {parents:,} parents with aims, schedules and pending rows: start-up to first "
        f"poll {figures['startup_s']:.2f} s (target <= 2 s), peak RSS "
        f"{figures['rss_mb']:.0f} MB (target <= 150 MB)"
    )
    per_message = figures["batch_tick_ms"] / figures["batch"]
    print(
        f"    dispatcher tick, nothing due: {figures['empty_tick_ms']:.2f} ms; "
        f"a batch of {int(figures['batch'])} due (limiter off): "
        f"{figures['batch_tick_ms']:.0f} ms ({per_message:.2f} ms/message)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=600)
    parser.add_argument("--parents", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.limited, args.parents))

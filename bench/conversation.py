"""Per-update cost of the full aim conversation vs a bare python-telegram-bot echo bot.

The fake Bot API and the simulated users run in a separate process (`bench.driver`) and
serve over loopback HTTP, so Telegram's side of each call is not charged to either bot.
Both bots face the same fake API and the same number of users at once. The gathering pause
is zero and the rate limiter is off (Telegram's 30 msg/s cap would otherwise be what we
measure).

    .venv/bin/python -m bench.conversation [--parents 100] [--rounds 3]

The IMM bot runs twice: on its own transport (aiohttp, bot/http.py) and on PTB's default
(httpx), so both ratios are shown; the echo bot is bare PTB, on httpx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.app import build_application, start_app, stop_app
from bot.clock import FakeClock
from bot.context import SERVICES_KEY
from bot.storage import open_database
from bot.storage.repo import Repository
from tests.support.harness import START, bot_settings

FAKE_TOKEN = "123456:FAKE-TOKEN"  # noqa: S105 - the fake API's token


@dataclass
class Result:
    """Figures for one bot."""

    name: str
    updates: int
    seconds: float
    latencies: list[float]
    api_calls: int
    bot_cpu: float

    @property
    def cpu_per_update_ms(self) -> float:
        """The bot process's CPU time per update, in milliseconds (its own cost)."""
        return 1000 * self.bot_cpu / self.updates

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
            f"{self.cpu_per_update_ms:.2f} | {self.per_update_ms:.2f} | {p50:.1f} | {p95:.1f} | "
            f"{self.api_calls / self.updates:.2f} |"
        )


@asynccontextmanager
async def driver(mode: str, parents: int, tokens: Path | None) -> AsyncIterator[Any]:
    """Start the driver process; yield (base_url, a coroutine reading its result)."""
    args = [sys.executable, "-m", "bench.driver", mode, str(parents)]
    if tokens is not None:
        args.append(str(tokens))
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdin is not None
    stdout = proc.stdout
    try:
        hello = json.loads(await stdout.readline())

        async def result() -> dict[str, Any]:
            line = await stdout.readline()
            if not line:
                raise RuntimeError("the driver ended without a result")
            data: dict[str, Any] = json.loads(line)
            return data

        yield hello["url"], result
    finally:
        proc.stdin.close()
        await proc.wait()


async def run_imm(parents: int, workdir: Path, *, httpx: bool = False) -> Result:
    """Many parents through the whole aim conversation at once (on PTB's httpx if asked)."""
    db = workdir / "bot.sqlite3"
    conn = await open_database(db)
    repo = Repository(conn)
    setting, group = await repo.create_setting("Bench Nursery", START)
    tokens = [
        await repo.create_invite("parent", setting.id, group.id, START, timedelta(days=1))
        for _ in range(parents)
    ]
    await conn.close()
    token_file = workdir / "tokens.json"
    token_file.write_text(json.dumps(tokens))
    async with driver("imm", parents, token_file) as (url, result):
        settings = bot_settings(workdir, url, FAKE_TOKEN)
        requests: dict[str, Any] = {}
        if httpx:  # PTB's own defaults (ApplicationBuilder): pools of 256 and 1
            requests = {
                "request": HTTPXRequest(connection_pool_size=256),
                "get_updates_request": HTTPXRequest(),
            }
        app = build_application(settings, clock=FakeClock(START), rate_limit=False, **requests)
        await start_app(app)
        services = app.bot_data[SERVICES_KEY]
        if services.warm_up is not None:
            await services.warm_up  # time the conversation, not the lexicons compiling
        try:
            cpu = time.process_time()
            data = await result()
            cpu = time.process_time() - cpu
        finally:
            await stop_app(app)
    name = "IMM aim conversation" + (" on PTB's httpx" if httpx else "")
    return Result(name, bot_cpu=cpu, **data)


async def run_echo(parents: int) -> Result:
    """The same load on a bare PTB echo bot (default settings, same fake API)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    async with driver("echo", parents, None) as (url, result):
        app = Application.builder().token(FAKE_TOKEN).base_url(url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            cpu = time.process_time()
            data = await result()
            cpu = time.process_time() - cpu
            await app.updater.stop()
            await app.stop()
    return Result("bare PTB echo bot", bot_cpu=cpu, **data)


async def main(parents: int, rounds: int) -> None:
    """Run the bots in turn, `rounds` times; print a Markdown table of medians and the ratios."""
    from bench.driver import SCRIPT

    runs: dict[str, list[Result]] = {}
    for _ in range(rounds):  # interleaved, so that a busy spell on the machine hits all three
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            for result in (
                await run_echo(parents),
                await run_imm(parents, Path(one)),
                await run_imm(parents, Path(two), httpx=True),
            ):
                runs.setdefault(result.name, []).append(result)
    echo, imm, imm_httpx = (median_run(r) for r in runs.values())
    print(f"{parents} simulated users at once, {len(SCRIPT)} updates each; median of {rounds}\n")
    print(
        "| bot | updates | updates/s | bot CPU ms/update | wall ms/update | p50 latency ms "
        "| p95 latency ms | API calls/update |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for result in (echo, imm, imm_httpx):
        print(result.row())
    for result in (imm, imm_httpx):
        cpu_ratio = result.cpu_per_update_ms / echo.cpu_per_update_ms
        wall_ratio = result.per_update_ms / echo.per_update_ms
        print(
            f"\n{result.name} / echo: {cpu_ratio:.2f}x bot CPU per update (target <= 2x), "
            f"{wall_ratio:.2f}x wall time per update"
        )


def median_run(results: list[Result]) -> Result:
    """The run with the median CPU per update."""
    ordered = sorted(results, key=lambda r: r.cpu_per_update_ms)
    return ordered[len(ordered) // 2]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.parents, args.rounds))

"""Start the fake Bot API (bench.driver sink) in its own process, for the bot under test."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

FAKE_TOKEN = "123456:FAKE-TOKEN"  # noqa: S105 - the fake API's token


@asynccontextmanager
async def sink(users: int, limits: bool = False) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Yield (base URL, a dict filled with the sink's stats once the block ends)."""
    args = [sys.executable, "-m", "bench.driver", "sink", str(users)]
    if limits:
        args.append("--limits")
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdin is not None
    stats: dict[str, Any] = {}
    try:
        hello = json.loads(await proc.stdout.readline())
        yield hello["url"], stats
    finally:
        proc.stdin.close()
        line = await proc.stdout.readline()
        if line:
            stats.update(json.loads(line))
        await proc.wait()

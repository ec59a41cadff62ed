"""Run the real Application against the in-memory fake Bot API, and tell when it is idle."""

from __future__ import annotations

import asyncio

from bot.context import SERVICES_KEY, App, Services
from bot.sandbox.fakeapi import FakeTelegram


def is_idle(app: App, fake: FakeTelegram) -> bool:
    """True when every update was fetched and handled and no gathering step is running."""
    services: Services = app.bot_data[SERVICES_KEY]
    return (
        fake.all_updates_fetched()
        and app.update_queue.empty()
        and app.update_processor.current_concurrent_updates == 0
        and not services.gatherer.busy
    )


async def wait_idle(app: App, fake: FakeTelegram, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until the bot has handled everything sent so far (used by the sandbox and tests).

    Polls the bot's own counters (not the scheduler): idle must hold on three checks in a
    row so that a reply in flight between two checks is not missed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    stable = 0
    while stable < 3:
        stable = stable + 1 if is_idle(app, fake) else 0
        if loop.time() > deadline:
            raise TimeoutError("the bot did not become idle in time")
        await asyncio.sleep(0.002)

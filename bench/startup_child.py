"""Child process of bench.dispatch (c): start the real bot on a big database and measure."""

import time

T0 = time.time()  # before the heavy imports: start-up includes them

import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.population import NOW  # noqa: E402
from bench.sink import FAKE_TOKEN  # noqa: E402
from bot.app import DISPATCHER_KEY, build_application, start_app, stop_app  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.context import SERVICES_KEY  # noqa: E402
from bot.scheduler import Dispatcher  # noqa: E402
from tests.support.harness import bot_settings  # noqa: E402

BATCH = 500


async def main(db: Path, url: str) -> None:
    """Start, wait for the first poll, measure ticks, stop."""
    settings = bot_settings(db.parent, url, FAKE_TOKEN)
    clock = FakeClock(NOW)
    app = build_application(settings, clock=clock, rate_limit=False)
    await start_app(app)
    services = app.bot_data[SERVICES_KEY]
    if services.warm_up is not None:
        await services.warm_up  # measure ticks on a settled bot, not beside the compiler
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dispatcher: Dispatcher = app.bot_data[DISPATCHER_KEY]
    empty = []
    for _ in range(20):
        started = time.perf_counter()
        await dispatcher.tick()
        empty.append((time.perf_counter() - started) * 1000)
    dispatcher.batch_size = BATCH
    clock.set(NOW + timedelta(days=7))  # every tip falls due; one batch of BATCH is sent
    started = time.perf_counter()
    report = await dispatcher.tick()
    batch_ms = (time.perf_counter() - started) * 1000
    await stop_app(app)
    print(
        json.dumps(
            {
                "t0": T0,
                "rss_mb": rss_mb,
                "empty_tick_ms": statistics.median(empty),
                "batch": report.claimed,
                "batch_tick_ms": batch_ms,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))

"""Serve a FakeTelegram over loopback HTTP so the real bot talks to it like to api.telegram.org."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.sandbox.fakeapi import FakeTelegram


@asynccontextmanager
async def serve(fake: FakeTelegram) -> AsyncIterator[str]:
    """Run an aiohttp server on 127.0.0.1 (ephemeral port); yield the base_url for PTB."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        status, content_type, payload = await fake.handle_http(
            request.method,
            request.path,
            request.query_string,
            request.headers.get("Content-Type", ""),
            body,
        )
        return web.Response(status=status, body=payload, content_type=content_type)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handle)
    # Keep-alive stays on (aiohttp's default).  handler_cancellation: when PTB abandons a long
    # poll (Updater.stop) the connection closes and the waiting getUpdates is cancelled, like on
    # Telegram, instead of lingering until its timeout.  release_pollers() ends any poll that is
    # still waiting when the server shuts down.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}/bot"
    finally:
        fake.release_pollers()
        await runner.cleanup()


def file_base_url(base_url: str) -> str:
    """Return PTB's base_file_url matching a base_url yielded by serve() (for file downloads)."""
    return base_url.removesuffix("/bot") + "/file/bot"

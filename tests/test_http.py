"""The aiohttp transport under PTB (bot/http.py): errors map to PTB's, files go as multipart."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest

SECRET = "123456:SECRET-TOKEN"  # a fake token, to check it never leaks


@asynccontextmanager
async def server(handler: web.RequestHandler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot{SECRET}/"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def transport(**kwargs: float) -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(4, **kwargs)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


async def test_form_fields_and_files_arrive() -> None:
    seen: dict[str, str] = {}

    async def handler(req: web.Request) -> web.Response:
        form = await req.post()
        for key, value in form.items():
            seen[key] = value if isinstance(value, str) else value.file.read().decode()
        seen["agent"] = req.headers.get("User-Agent", "")
        return web.json_response({"ok": True, "result": True})

    async with server(handler) as url, transport() as request:
        plain = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input("text", "hé <b>"),
            ]
        )
        status, body = await request.do_request(url + "sendMessage", "POST", plain)
        assert status == 200 and b'"ok": true' in body
        assert seen["chat_id"] == "7" and seen["text"] == "hé <b>"
        assert "python-telegram-bot" in seen["agent"]
        seen.clear()
        document = InputFile(b"name,aim\nMax,turns\n", filename="aims.csv")
        files = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input("document", document),
            ]
        )
        assert files.contains_files
        status, _ = await request.do_request(url + "sendDocument", "POST", files)
        assert status == 200
        assert seen["chat_id"] == "7"
        assert seen["document"] == "name,aim\nMax,turns\n"


async def test_a_slow_reply_is_timed_out() -> None:
    async def handler(_req: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    async with server(handler) as url, transport(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.do_request(url + "getMe", "POST")
        # A caller's own timeout wins over the default.
        with pytest.raises(TimedOut):
            await request.do_request(url + "getMe", "POST", read_timeout=0.1)


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with transport() as request:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot{SECRET}/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)
    assert SECRET not in str(caught.value)


async def test_not_initialised_is_refused() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:1/", "POST")

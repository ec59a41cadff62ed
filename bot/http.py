"""The Bot API transport: python-telegram-bot's request interface on an aiohttp client session.

Why not PTB's default (HTTPXRequest): every reply the bot sends is one Bot API call, and a
guided step makes two (a button press is answered, then the next step is sent). Measured by
bench.conversation on loopback, the httpx/httpcore path costs about twice the CPU per call of
aiohttp's (C-accelerated HTTP parsing, a simpler pool): the whole aim conversation went from
4.6 to 2.5 ms of CPU per update. PTB documents ``BaseRequest`` as the way to plug in another
client, and its contrib repository keeps an aiohttp one (ptbcontrib, not on PyPI); this is ours,
written the same way. Tests and benchmarks run the bot on it against the fake Bot API; the
terminal sandbox keeps httpx, with its in-process transport.

Timeouts keep PTB's meaning: connect, read (the long poll's own timeout is added by PTB), and
pool (waiting for a free connection); a write timeout has no aiohttp equivalent and is covered
by the read timeout. aiohttp's timeouts become ``TimedOut``, its client errors ``NetworkError``,
so the error handler and the outbox's retries see what they saw with httpx.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` on one ``aiohttp.ClientSession`` (created in ``initialize``)."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_read", "_session")

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds a long poll's own timeout to it)."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (in the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialised")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_value(pool_timeout, self._pool),
            sock_connect=_value(connect_timeout, self._connect),
            sock_read=_value(read_timeout, self._read),
        )
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, (filename, content, mimetype) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                data = request_data.json_parameters
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:  # aiohttp's timeouts subclass it
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name only: the message may hold the URL, and the URL holds the token.
            raise NetworkError(f"aiohttp {type(exc).__name__}") from exc


def _value(given: float | object | None, default: float | None) -> float | None:
    """A timeout passed by PTB, or ours when it passed its DEFAULT_NONE marker."""
    if given is BaseRequest.DEFAULT_NONE:
        return default
    return given if isinstance(given, int | float) or given is None else default

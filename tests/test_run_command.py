"""`imm-bot run` with a token: the real console script polls a Bot API and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.fakeapi import FakeTelegram
from tests.support.fake_server import serve


async def test_run_polls_the_configured_bot_api_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    fake = FakeTelegram()
    async with serve(fake) as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_BASE_URL": base_url,
                "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            }
        )
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("imm-bot")),
            "run",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for(
                lambda: any(c.method == "getUpdates" for c in fake.calls), timeout=30
            )
            user = fake.user(5005, "Kim")
            user.send("hello")
            [reply] = await user.wait_messages(1, timeout=30)
            assert "link your nursery gave you" in reply.plain_text
            assert any(c.method == "setMyCommands" for c in fake.calls)
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
        assert proc.returncode == 0, err.decode()
        assert fake.token not in err.decode()  # never logged
        assert "hello" not in err.decode()  # nor what people write

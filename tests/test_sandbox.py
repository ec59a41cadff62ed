"""The newcomer's path: `imm-bot run` with no token opens the terminal sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = [
    "1",  # Yes, that's fine
    "1",  # Yes, share my words
    "Max",
    "4",
    "1",  # Mum
    "Everything has to be on his terms and he gets so anxious when things change.",
    "He screams and kicks, a proper meltdown.",
    "1",  # Let's try it
    "2",  # Not right now
    "1",  # That's right
    "2",  # In 3 weeks
    "/quit",
]


def test_run_without_token_opens_the_sandbox_and_completes_an_aim(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update({"DATABASE_PATH": str(tmp_path / "data" / "imm.sqlite3"), "GATHER_SECONDS": "0"})
    exe = Path(sys.executable).with_name("imm-bot")
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(exe), "run"],
        input="\n".join(SCRIPT) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    out = done.stdout
    assert "terminal sandbox" in out
    assert "[1] Yes, that's fine" in out
    assert '"anxious"' in out
    assert "📨 to the practitioner:" in out and "New aim agreed" in out
    assert "Max will" in out
    assert "Traceback" not in done.stderr
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()
    assert not (tmp_path / "data" / "imm.sqlite3").exists()  # real data untouched

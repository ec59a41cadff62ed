"""The `imm-bot` command-line contract (PRODUCT.md): analyse and admin create-setting."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

JOE = (
    "Everything has to be on Max's terms. He gets really anxious if I suggest anything "
    "different. I know it's important for kids to be independent."
)


def test_analyse_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", "--locale", "en", JOE]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    assert set(result) == {"theme", "themes", "feelings", "safeguarding", "reflection"}
    assert result["theme"] == "sharing_turns"
    assert result["themes"][0]["id"] == "sharing_turns"
    scores = [t["score"] for t in result["themes"]]
    assert scores == sorted(scores, reverse=True)
    assert "anxious" in result["feelings"]
    assert result["safeguarding"] is False
    assert '"anxious"' in result["reflection"]


def test_analyse_flags_safeguarding(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", "--locale", "en", "My partner hits me and I'm scared."]) == 0
    assert json.loads(capsys.readouterr().out)["safeguarding"] is True


def test_analyse_jsonl_one_line_per_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"text": JOE, "locale": "en", "child": "Max"},
        {"text": "She won't say a word at nursery, she's so shy.", "locale": "en", "child": "Ada"},
        {"text": "hello", "locale": "en", "child": None},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["analyse", "--jsonl"]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(results) == 3
    assert results[0]["theme"] == "sharing_turns" and "Max" in results[0]["reflection"]
    assert "Ada" in results[1]["reflection"]


def test_analyse_jsonl_reports_bad_lines_and_carries_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('not json\n{"text": "hi", "locale": "en"}\n'))
    assert main(["analyse", "--jsonl"]) == 1
    first, second = (json.loads(x) for x in capsys.readouterr().out.strip().splitlines())
    assert "error" in first and "line 1" in first["error"]
    assert "reflection" in second


def test_admin_create_setting_prints_a_practitioner_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "admin.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.setenv("BOT_USERNAME", "sunflower_imm_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    assert main(["admin", "create-setting", "Sunflower Nursery"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"https://t\.me/sunflower_imm_bot\?start=([\w-]+)", out)
    assert found is not None, out
    token = found.group(1)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM settings").fetchall() == [("Sunflower Nursery",)]
        hashes = [r[0] for r in conn.execute("SELECT token_hash FROM invites")]
    assert len(hashes) == 1 and token not in hashes  # stored hashed, never raw


def test_bad_configuration_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATHER_SECONDS", "lots")
    assert main(["admin", "create-setting", "X"]) == 2
    assert "GATHER_SECONDS" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("imm-bot")
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(exe), "analyse", "--locale", "en", JOE], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["theme"] == "sharing_turns"

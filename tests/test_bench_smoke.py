"""The benchmarks still run (tiny sizes): a product change must not leave `make bench` broken.

The figures themselves are measured by `make bench` on a quiet machine, not here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bench(*args: str) -> str:
    """Run a benchmark module as `make bench` does; return what it printed."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and benchmark modules
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_conversation_benchmark_runs_the_whole_script() -> None:
    out = run_bench("bench.conversation", "--parents", "3", "--rounds", "1")
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert [r.split("|")[1].strip() for r in rows[1:]] == [
        "bare PTB echo bot",
        "IMM aim conversation",
        "IMM aim conversation on PTB's httpx",
    ]
    from bench.driver import SCRIPT

    for row in rows[1:]:
        assert row.split("|")[2].strip() == str(3 * len(SCRIPT))
    assert "IMM aim conversation / echo:" in out


def test_analyse_benchmark_runs() -> None:
    out = run_bench("bench.analyse", "--rounds", "1")
    assert "analyse(): 5 runs over 5 narratives" in out

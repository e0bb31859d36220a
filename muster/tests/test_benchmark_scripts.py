"""The benchmark scripts still run against today's code.

CI runs `benchmarks/imports.py --rows 10000 --verify` as a gate of its own (the
stored standings are verified after a large import); a change to the import
actions' signatures once broke it with the suite green. Here it runs on a few
rows, in a process of its own as CI runs it, so such a break fails the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_benchmark_runs_and_standings_verify_clean():
    done = run_script("benchmarks/imports.py", "--rows", "25", "--verify")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| roster, first import |" in done.stdout
    assert "'create': 25" in done.stdout
    assert "`standings verify`: clean for 25 people" in done.stdout

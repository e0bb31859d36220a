"""A server process settles before its first request (`muster.serving`)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = (
    "import gc, {module}; from muster.rules.loader import _default_library; "
    "print(gc.get_freeze_count(), _default_library.cache_info().currsize)"
)


@pytest.mark.parametrize("module", ["muster.wsgi", "muster.asgi"])
def test_the_entry_point_loads_the_mandates_and_freezes_what_it_holds(module):
    # In a process of its own: frozen objects are never collected, so freezing
    # the test process would keep what it holds now even once it is garbage.
    done = subprocess.run(
        [sys.executable, "-c", REPORT.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, libraries = map(int, done.stdout.split())
    assert libraries == 1  # the mandate library, loaded before any request
    # Django, NumPy and the library: tens of thousands of objects.
    assert frozen > 20_000

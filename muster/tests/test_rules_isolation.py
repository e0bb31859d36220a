"""The mandate engine stays pure Python: importing it never imports Django."""

import subprocess
import sys


def test_it_imports_muster_rules_without_django() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import muster.rules, sys; print('django' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"

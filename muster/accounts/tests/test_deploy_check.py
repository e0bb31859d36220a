"""`manage.py check --deploy` passes with production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_it_passes_the_deployment_checklist(tmp_path):
    env = {
        **os.environ,
        "MUSTER_DEBUG": "false",
        "MUSTER_SECRET_KEY": "x" * 20 + "-deploy-check-" + "y" * 30,
        "MUSTER_ALLOWED_HOSTS": "muster.example.org",
        "MUSTER_STATIC_ROOT": str(tmp_path / "static"),
        "MUSTER_AUDIT_KEYS": "2026a:" + "k" * 64,
    }
    # Settings that would weaken production, possibly set by the test run itself
    # (the browser fixture allows Django's ORM inside Playwright's event loop).
    for name in (
        "MUSTER_SECURE_COOKIES",
        "MUSTER_SSL_REDIRECT",
        "MUSTER_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

"""Static files as deployed: hashed names, compressed copies, served by WhiteNoise."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """STATIC_ROOT after `manage.py collectstatic` with the deployment settings."""
    static_root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    env |= {
        "MUSTER_DEBUG": "false",
        "MUSTER_SECRET_KEY": "collectstatic-test-" + "k" * 40,
        "MUSTER_STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
        # The admin's own files (most of them) change nothing here.
        + ["--ignore", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return static_root


# One test, not two: collectstatic takes half a minute, and two tests on two
# xdist workers would each run it.
@pytest.mark.django_db
def test_collectstatic_writes_hashed_compressed_files_whitenoise_serves(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    hashed = manifest["paths"]["muster/muster.css"]
    assert re.fullmatch(r"muster/muster\.[0-9a-f]{12}\.css", hashed)
    assert (collected / hashed).is_file()
    assert (collected / f"{hashed}.gz").is_file()

    # Pages link the hashed names, which WhiteNoise serves for a year.
    settings = override_settings(
        DEBUG=False,
        STATIC_ROOT=collected,
        STORAGES=MANIFEST_STORAGE,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_USE_FINDERS=False,
    )
    with settings:
        client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT again
        page = client.get("/accounts/login/").content.decode()
        [url] = re.findall(r'href="(/static/muster/muster\.[0-9a-f]{12}\.css)"', page)
        plain = client.get(url)
        compressed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=315360000, public, immutable"
    served = b"".join(plain.streaming_content)
    assert served == (collected / url.removeprefix("/static/")).read_bytes()
    assert compressed["Content-Encoding"] == "gzip"

"""After a run: what the server accepted (LOAD_COUNTS) against the database rows.

`python benchmarks/load/count.py counts.json` with DATABASE_URL of the load
database; prints the comparison and exits 1 if anything accepted is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("counts", type=Path, help="LOAD_COUNTS, written by the locustfile")
arguments = parser.parse_args()
if not os.environ.get("DATABASE_URL"):
    sys.exit("count.py: set DATABASE_URL to the load test's database")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")

import django  # noqa: E402

django.setup()

from muster.learning.models import Attempt, Heartbeat  # noqa: E402

accepted = json.loads(arguments.counts.read_text())
stored = {
    "heartbeats": Heartbeat.objects.count(),
    "attempts": Attempt.objects.filter(submitted_at__isnull=False).count(),
}
lost = {k: accepted[k] - stored[k] for k in accepted}
print(json.dumps({"accepted": accepted, "stored": stored, "lost": lost}))
sys.exit(1 if any(v > 0 for v in lost.values()) else 0)

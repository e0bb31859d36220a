"""compose.yaml, the Dockerfile, gunicorn.conf.py and .env.example agree with the code.

Docker is not available on the machines that run these tests, so compose.yaml is
read, not run: every command it gives must exist, every variable it or the
settings read must be documented, and the image must install the locked versions.
"""

from __future__ import annotations

import re
import runpy
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "scheduler")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def documented_variables() -> set[str]:
    """Names set, or shown commented out, in .env.example."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def manage_commands(command: list[str] | str) -> list[str]:
    """The `manage.py` subcommands a service's command runs."""
    text = command if isinstance(command, str) else " ".join(command)
    return re.findall(r"manage\.py (\w+)", text)


def test_it_has_the_database_the_app_the_worker_and_the_daily_jobs(compose):
    assert set(compose["services"]) == {"db", *APP_SERVICES}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    for name in APP_SERVICES:
        assert compose["services"][name]["build"] == "."


def test_every_command_of_the_services_exists(compose):
    services = compose["services"]
    assert services["web"]["command"] == ["gunicorn"]
    assert manage_commands(services["worker"]["command"]) == ["task_worker"]
    assert manage_commands(services["migrate"]["command"]) == [
        "migrate",
        "standings",
    ]
    assert manage_commands(services["scheduler"]["command"]) == [
        "send_reminders",
        "prune_imports",
        "abandon_cmi5_sessions",
        "lti_send_scores",
    ]
    known = get_commands()
    for name in APP_SERVICES:
        for command in manage_commands(services[name]["command"]):
            assert command in known, f"{name} runs manage.py {command}, unknown"


def test_the_web_health_check_calls_the_health_endpoint(compose):
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/health/" in check
    assert "MUSTER_ALLOWED_HOSTS" in check


def test_services_wait_for_the_migrations(compose):
    for name in ("web", "worker", "scheduler"):
        depends = compose["services"][name]["depends_on"]
        assert depends == {"migrate": {"condition": "service_completed_successfully"}}


def test_every_variable_compose_sets_is_documented(compose):
    documented = documented_variables()
    for name in APP_SERVICES:
        for variable in compose["services"][name].get("environment", {}):
            base = variable.removesuffix("_FILE")
            assert base in documented, f"{variable} is not in .env.example"


def test_every_variable_the_settings_read_is_documented():
    sources = [ROOT / "muster" / "settings.py", ROOT / "gunicorn.conf.py"]
    read = {
        name
        for source in sources
        for name in re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', source.read_text())
    }
    assert "MUSTER_LOG_FORMAT" in read  # the pattern finds them
    assert read - documented_variables() == set()


def test_the_image_installs_the_locked_versions_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "-c requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER muster" in dockerfile
    for copied in re.findall(r"^COPY (.+) \./?\S*$", dockerfile, flags=re.MULTILINE):
        for path in copied.split():
            assert (ROOT / path).exists(), f"the Dockerfile copies {path}, missing"


def test_gunicorn_serves_muster_with_workers_from_the_core_count(monkeypatch):
    for name in ("MUSTER_WEB_WORKERS", "MUSTER_WEB_THREADS", "MUSTER_BIND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "muster.wsgi:application"
    # One per core and one more: measured best on two cores (BENCHMARKS.md).
    assert config["workers"] == 3
    assert config["worker_class"] == "gthread"
    assert config["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("MUSTER_WEB_WORKERS", "5")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 5


def test_make_serve_migrates_collects_static_files_and_runs_both_processes():
    planned = subprocess.run(
        ["make", "-n", "serve"],  # -n: print the commands, run none
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    steps = ["manage.py migrate", "manage.py collectstatic", "task_worker", "gunicorn"]
    positions = [planned.index(step) for step in steps]
    assert positions == sorted(positions), planned

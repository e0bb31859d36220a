"""The installed `muster` script, and the hand-off of other commands to Django."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from muster.cli.main import main
from muster.cli.tests.agency import PEOPLE, RECORDS

MUSTER = Path(sys.executable).parent / "muster"


def run_muster(*argv: str) -> subprocess.CompletedProcess[str]:
    assert MUSTER.exists(), f"{MUSTER} is missing: run pip install -e . --no-deps"
    environment = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [str(MUSTER), *argv], capture_output=True, text=True, env=environment
    )


def test_the_installed_script_evaluates_csv_files(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "records.csv").write_text(RECORDS)
    done = run_muster(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "2021",
        "--people", str(tmp_path / "people.csv"),
        "--records", str(tmp_path / "records.csv"),
        "--as-of", "2022-04-01",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    statuses = {r["person"]: r["status"] for r in json.loads(done.stdout)["results"]}
    assert statuses == {"A1": "compliant", "B2": "deficient", "T3": "deficient"}


def test_the_installed_script_exits_2_on_bad_input(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "records.csv").write_text(RECORDS.replace(",2,legal,", ",-2,legal,"))
    done = run_muster(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "2021",
        "--people", str(tmp_path / "people.csv"),
        "--records", str(tmp_path / "records.csv"),
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert 'records.csv, row 2, hours: "-2" is not between 0 and 999.99' in done.stderr


def test_evaluate_and_mandates_never_import_django(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "records.csv").write_text(RECORDS)
    code = (
        "import sys\n"
        "from muster.cli.main import main\n"
        "assert main(['mandates', 'check']) == 0\n"
        "assert main(['mandates', 'show', 'MO']) == 0\n"
        "assert main(['mandates', 'stale']) == 0\n"
        "assert main(['evaluate', '--jurisdiction', 'MO', '--period', '2021',"
        f" '--people', {str(tmp_path / 'people.csv')!r},"
        f" '--records', {str(tmp_path / 'records.csv')!r}]) == 0\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_other_commands_go_to_django(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", calls.append
    )
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "placeholder")
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    assert main(["migrate", "--plan"]) == 0
    assert calls == [["muster", "migrate", "--plan"]]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "muster.settings"


def test_django_keeps_a_settings_module_already_chosen(monkeypatch) -> None:
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: None
    )
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "muster.other_settings")
    main(["check"])
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "muster.other_settings"


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "evaluate" in capsys.readouterr().err

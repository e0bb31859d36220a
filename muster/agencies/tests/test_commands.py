"""The check_mandates management command (seed_demo: test_seed_demo.py)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_check_mandates_lists_the_jurisdictions_loaded():
    output = run("check_mandates")
    assert "MO Missouri: Missouri peace officer continuing law enforcement" in output
    assert "Mandates OK:" in output


def test_check_mandates_fails_with_the_loaders_message(tmp_path: Path):
    state = tmp_path / "us" / "zz"
    state.mkdir(parents=True)
    (state / "index.yaml").write_text("code: ZZ\nname: [unclosed\n")
    with pytest.raises(CommandError, match=r"index\.yaml: not valid YAML"):
        run("check_mandates", "--root", str(tmp_path))


def test_check_mandates_fails_on_an_empty_folder(tmp_path: Path):
    with pytest.raises(CommandError, match="no jurisdiction folders"):
        run("check_mandates", "--root", str(tmp_path))

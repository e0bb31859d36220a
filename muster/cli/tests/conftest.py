"""Shared fixtures for the CLI tests: run `muster` in-process on CSV files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from muster.cli.main import main
from muster.cli.tests.agency import PEOPLE, RECORDS
from muster.rules.loader import MANDATES_DIR


@dataclass(frozen=True)
class Run:
    """What one `muster` invocation returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Call `main` in-process and capture what it printed."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], str]:
    """Write a file under tmp_path and return its path as a string."""

    def write_file(name: str, text: str, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return str(path)

    return write_file


@pytest.fixture
def evaluate(cli: Callable[..., Run], write: Callable[..., str]) -> Callable[..., Run]:
    """Run `muster evaluate` for MO 2021 as of 2022-04-01 (after the make-up window)."""

    def run(
        *extra: str,
        people: str = PEOPLE,
        records: str = RECORDS,
        exemptions: str | None = None,
    ) -> Run:
        argv = [
            "evaluate",
            "--jurisdiction", "MO",
            "--period", "2021",
            "--people", write("people.csv", people),
            "--records", write("records.csv", records),
            "--as-of", "2022-04-01",
        ]  # fmt: skip
        if exemptions is not None:
            argv += ["--exemptions", write("exemptions.csv", exemptions)]
        return cli(*argv, *extra)

    return run


@pytest.fixture
def mandates_copy(tmp_path: Path) -> Path:
    """A copy of the shipped Missouri mandates, to alter; pass it as --root."""
    root = tmp_path / "mandates"
    shutil.copytree(MANDATES_DIR / "us" / "mo", root / "us" / "mo")
    return root

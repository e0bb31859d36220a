"""The `muster` console command: parse arguments and dispatch.

`evaluate` and `mandates` use only `muster.rules`, with no database; any other
first word is a Django management command (`muster migrate`), so Django is
imported only on that path.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date

from muster.cli import describe, mandates, output
from muster.cli.evaluate import evaluate_tables
from muster.cli.inputs import InputError, read_tables
from muster.rules import MandateError
from muster.tabular import CellProblem, cells

OWN_COMMANDS = ("evaluate", "mandates")
EXIT_OK = 0
EXIT_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in OWN_COMMANDS and not args[0].startswith("-"):
        return run_django(args)
    parser = build_parser()
    if not args:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        options = parser.parse_args(args)
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        return options.run(options)
    except (MandateError, InputError) as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT


def a_date(text: str) -> date:
    """A day as the files' cells are written, up to the end of next year (a day to
    judge status on, or to show the rules of, may lie ahead)."""
    today = date.today()
    latest = cells.end_of_next_year(today)
    try:
        return cells.parse_date(text.strip(), today=today, latest=latest)
    except CellProblem as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def a_year(text: str) -> int:
    """A year as the files' cells are written: from 1950 to next year."""
    try:
        return cells.parse_year(text.strip(), today=date.today())
    except CellProblem as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def a_day_count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"{cells.quoted(text)} is not a number of days; write one like 365"
        )
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muster",
        description="Training-compliance tools. Any other command is passed to "
        "Django (muster migrate, muster runserver, ...).",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_evaluate(commands)
    add_mandates(commands)
    return parser


def add_evaluate(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "evaluate",
        help="evaluate officers' training from CSV files",
        description="Evaluate people.csv and records.csv against a jurisdiction's "
        "mandates, without a database. See docs/cli.md for the columns.",
    )
    command.add_argument("--jurisdiction", required=True, help="for example MO")
    command.add_argument(
        "--period",
        required=True,
        type=a_year,
        metavar="YEAR",
        help="the reporting periods containing 31 December YEAR",
    )
    command.add_argument("--people", required=True, metavar="CSV")
    command.add_argument("--records", required=True, metavar="CSV")
    command.add_argument("--exemptions", metavar="CSV")
    command.add_argument(
        "--as-of", type=a_date, metavar="DATE", help="judge status on DATE (today)"
    )
    command.add_argument("--format", choices=("json", "table", "csv"), default="json")
    command.add_argument("--root", metavar="DIR", help="another mandates folder")
    command.set_defaults(run=run_evaluate)


def add_mandates(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser(
        "mandates", help="check and show the mandate files"
    ).add_subparsers(title="commands", metavar="COMMAND", required=True)
    check = group.add_parser("check", help="load every mandate file and list them")
    check.set_defaults(run=run_check)
    show = group.add_parser("show", help="print a jurisdiction's rules on a date")
    show.add_argument("jurisdiction", help="for example MO or us.mo")
    show.add_argument("--on", type=a_date, metavar="DATE", help="default: today")
    show.set_defaults(run=run_show)
    stale = group.add_parser("stale", help="list mandates not checked for a while")
    stale.add_argument("--days", type=a_day_count, default=365)
    stale.set_defaults(run=run_stale)
    for command in (check, show, stale):
        command.add_argument("--root", metavar="DIR", help="another mandates folder")


def emit(text: str) -> int:
    sys.stdout.write(text)
    return EXIT_OK


def run_evaluate(options: argparse.Namespace) -> int:
    jurisdiction, vocabulary = mandates.load_one(options.root, options.jurisdiction)
    requirement_ids = {r.id for m in jurisdiction.mandates for r in m.requirements}
    today = date.today()
    tables = read_tables(
        options.people,
        options.records,
        options.exemptions,
        vocabulary,
        requirement_ids,
        today,
    )
    as_of = options.as_of or today
    explain = options.format == "json"  # only JSON carries each line's explanation
    evaluation = evaluate_tables(
        jurisdiction, tables, options.period, as_of, explain=explain
    )
    if options.format == "table":
        output.write_table(evaluation, sys.stdout, output.wants_colour(sys.stdout))
    elif options.format == "csv":
        output.write_csv(evaluation, sys.stdout)
    else:
        output.write_json(evaluation, sys.stdout)
    return EXIT_OK


def run_check(options: argparse.Namespace) -> int:
    return emit(mandates.check(options.root))


def run_show(options: argparse.Namespace) -> int:
    day = options.on or date.today()
    colour = output.wants_colour(sys.stdout)
    return emit(describe.show(options.root, options.jurisdiction, day, colour))


def run_stale(options: argparse.Namespace) -> int:
    return emit(mandates.stale(options.root, options.days, date.today()))


def run_django(args: list[str]) -> int:
    """Hand the command to Django's management utility."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["muster", *args])
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

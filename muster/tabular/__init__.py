"""Tabular input: CSV and XLSX files read into rows of text, and the rules for cells.

Pure Python (no Django), shared by the web imports (`muster.transfers`) and the
`muster` CLI, so that both accept the same files and say the same things:

- `read_table(name, data, limits)` reads the bytes of a .csv/.txt/.tsv or .xlsx
  file into a `Table` (name, headers, rows of stripped text; row 2 is the first
  data row) or raises `TableError`, whose `.problem` says what is wrong with the
  file as a whole. The file's extension and content must agree.
- `Limits` bounds the size, rows, columns, cells, line length, zip and time. The
  defaults fit an upload; the web imports build theirs from the `IMPORT_*`
  settings. A command-line tool reading the operator's own large files passes
  `Limits.for_local_files()`.
- `cells` holds one rule per kind of cell (`parse_date`, `parse_year`,
  `parse_hours`, `parse_choice`, `parse_choices`, `parse_word`, `parse_words`,
  `parse_text`, `parse_email`); each raises `CellProblem(message, fix)`, a
  ValueError. Dates and years start in 1950; a date ends today unless the caller
  gives `latest=` (`end_of_next_year(today)` for one that may lie ahead), a year
  next year. Lists split on semicolons, or on commas without any (`split_list`).
- `Problem(file, row, column, message, fix)` prints as
  `records.csv, row 7, hours: "1.005" has more than two decimals; record hours to
  the hundredth (1.25, not 1.255)`. `CellProblem.at(file, row, column)` makes one.
- `spreadsheet_safe(cell)` escapes a cell written to a CSV that people open in a
  spreadsheet program.
- `columnar.read_columns(name, data, limits)` reads the same files as
  dictionary-encoded columns (pyarrow.csv where it reads the file as the csv
  module does, `read_table` otherwise), so that each distinct cell is checked
  once; `ColumnTable.check` names every failing row. It is imported on its own
  (`from muster.tabular.columnar import read_columns`), so that the web imports
  do not load pyarrow.

The CLI (`muster/cli/inputs.py`) reads its files with `read_columns(label, data,
Limits.for_local_files(), any_name_as_csv=True)`, checks each column with the
`cells` rules (passing `today=` the day it runs) and prints the `Problem`s.
"""

from muster.tabular import cells
from muster.tabular.escape import spreadsheet_safe
from muster.tabular.files import Table, read_table
from muster.tabular.limits import Limits
from muster.tabular.problems import CellProblem, Problem, TableError

__all__ = [
    "CellProblem",
    "Limits",
    "Problem",
    "Table",
    "TableError",
    "cells",
    "read_table",
    "spreadsheet_safe",
]

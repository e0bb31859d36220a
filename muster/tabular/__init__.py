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
- `cells` holds one rule per kind of cell (`parse_date`, `parse_hours`,
  `parse_choice`, `parse_words`, `parse_text`, `parse_email`, `parse_year`);
  each raises `CellProblem(message, fix)`, a ValueError.
- `Problem(file, row, column, message, fix)` prints as
  `records.csv, row 7, hours: "1.005" has more than two decimals; record hours to
  the hundredth (1.25, not 1.255)`. `CellProblem.at(file, row, column)` makes one.
- `spreadsheet_safe(cell)` escapes a cell written to a CSV that people open in a
  spreadsheet program.

How the CLI uses it: read each input with `read_table(label, path.read_bytes(),
Limits.for_local_files())` (or, for speed, a columnar reader whose values are then
checked with the same `cells` rules and the same `EARLIEST_DATE`), parse each
cell with `cells.parse_*` passing `today=` the evaluation day, and report every
failure as `error.at(label, row, column)`.
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

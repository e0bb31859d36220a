"""Where ORM rows meet the mandate engine: rows in, engine results out.

This package is the only place in the Django apps that imports `muster.rules`.
`person` turns one `Person` and their licenses, training records and exemptions
into engine inputs, evaluates them and returns results shaped for pages; `board`
evaluates a whole agency at once (a population, in the engine) for the
dashboard, from the bulk reads in `rows`.
"""

from muster.agencies.compliance.board import (
    Board,
    BoardCell,
    BoardRow,
    Progress,
    _forget_boards,
    agency_board,
    build_board,
    change_token,
)
from muster.agencies.compliance.person import (
    EVALUATION_PREFETCH,
    LicenseStanding,
    MandateStanding,
    OverviewRow,
    count_statuses,
    evaluate_person,
    exemptions_for,
    gaps_in_words,
    lines_for,
    overview,
    person_to_engine,
    standing_for,
    topic_choices,
    unknown_topics,
    warnings_in,
)

__all__ = [
    "EVALUATION_PREFETCH",
    "Board",
    "BoardCell",
    "BoardRow",
    "LicenseStanding",
    "MandateStanding",
    "OverviewRow",
    "Progress",
    "_forget_boards",
    "agency_board",
    "build_board",
    "change_token",
    "count_statuses",
    "evaluate_person",
    "exemptions_for",
    "gaps_in_words",
    "lines_for",
    "overview",
    "person_to_engine",
    "standing_for",
    "topic_choices",
    "unknown_topics",
    "warnings_in",
]

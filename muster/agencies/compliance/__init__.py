"""Where ORM rows meet the mandate engine: rows in, engine results out.

This package is the only place in the Django apps that imports `muster.rules`.
`person` turns one `Person` and their licenses, training records and exemptions
into engine inputs, evaluates them and returns results shaped for pages (with the
explanation); `figures` evaluates many people at once (a population, in the
engine, from the bulk reads in `rows`) into stored standings, which `standings`
refreshes and verifies and `board` reads for the dashboard, exports and the API;
`population` judges many people on a day the same way, unstored (the compliance
report of a year whose standings are not kept).
"""

from muster.agencies.compliance.board import (
    AgencyStandings,
    BoardCell,
    BoardRow,
    Filters,
    Progress,
    standings_for_agency,
    standings_for_person,
)
from muster.agencies.compliance.person import (
    EVALUATION_PREFETCH,
    LicenseStanding,
    MandateStanding,
    TrainingHistory,
    YearTotal,
    evaluate_person,
    exemptions_for,
    gaps_in_words,
    lines_for,
    person_to_engine,
    read_history,
    standing_for,
    topic_choices,
    unknown_topics,
    warnings_in,
)
from muster.agencies.compliance.population import (
    Judged,
    LicenseJudged,
    judge_people,
    mandates_held,
)

__all__ = [
    "Judged",
    "LicenseJudged",
    "judge_people",
    "mandates_held",
    "AgencyStandings",
    "Filters",
    "standings_for_agency",
    "standings_for_person",
    "EVALUATION_PREFETCH",
    "BoardCell",
    "BoardRow",
    "LicenseStanding",
    "MandateStanding",
    "Progress",
    "TrainingHistory",
    "YearTotal",
    "evaluate_person",
    "exemptions_for",
    "gaps_in_words",
    "lines_for",
    "person_to_engine",
    "read_history",
    "standing_for",
    "topic_choices",
    "unknown_topics",
    "warnings_in",
]

"""Missouri's 2021 peace-officer rules written by hand in SQL (DuckDB) and in Polars.

The benchmark times these against Muster's engine on the same generated columns,
after checking that all three give every person the same status. They encode only
what the generated data needs (no waivers or extensions, as of a day after the
make-up window), straight from us/mo/peace_officer.yaml:

- applies to peace officers, chiefs and reserves; others are not-applicable;
- licensed during 2021: exempt for the year (new-licensee rule);
- lines count in 2021 by date, except make-up lines marked for a year and
  completed in that year's window (to 15 March of the next year), which count for
  the year they name;
- 24 h in total; 2 h each of legal, technical and interpersonal areas; 2 h of live
  firearms; 1 h each of implicit bias and de-escalation; 1 h of racial profiling,
  from an approved provider or in-service, for officers with traffic-enforcement
  authority; 8 h from an approved provider.

Statuses come out as codes of `muster.rules.engine.OVERALL_STATUS`.
"""

from __future__ import annotations

from datetime import date

from muster.rules.columns import Codebook, day_number
from muster.rules.engine import OVERALL_STATUS
from muster.rules.model import Status

YEAR = 2021
START, END = day_number(date(YEAR, 1, 1)), day_number(date(YEAR, 12, 31))
GRACE = day_number(date(YEAR + 1, 3, 15))
NOT_APPLICABLE = OVERALL_STATUS.index(Status.NOT_APPLICABLE)
EXEMPT = OVERALL_STATUS.index(Status.EXEMPT)
COMPLIANT = OVERALL_STATUS.index(Status.COMPLIANT)
DEFICIENT = OVERALL_STATUS.index(Status.DEFICIENT)


def codes(book: Codebook) -> dict[str, int]:
    topic = {t: 1 << book.topics.index(t) for t in book.topics}
    return {
        "legal": book.areas.index("legal"),
        "technical": book.areas.index("technical"),
        "interpersonal": book.areas.index("interpersonal"),
        "firearms": topic["firearms"],
        "implicit": topic["implicit-bias"],
        "deesc": topic["de-escalation"],
        "racial": topic["racial-profiling"],
        "live": book.deliveries.index("live"),
        "approved": book.providers.index("approved-provider"),
        "inservice": book.providers.index("in-service"),
        "traffic": 1 << book.attributes.index("traffic-enforcement"),
        "disciplines": [
            book.disciplines.index(d)
            for d in ("peace-officer", "chief", "reserve")
            if d in book.disciplines
        ],
    }


def sql(book: Codebook) -> str:
    """One query over tables `people` (row, discipline, licensed_on, attributes) and
    `lines` (person, completed_on, centihours, area, topics, delivery, provider,
    counts_for); one status per person row."""
    c = codes(book)
    # A make-up line marked for year Y counts for Y when completed after 31 Dec Y
    # and by 15 March Y+1 (day numbers from the epoch).
    made_up = """(counts_for <> 0
        AND completed_on > date_diff('day', DATE '1970-01-01', make_date(counts_for, 12, 31))
        AND completed_on <= date_diff('day', DATE '1970-01-01', make_date(counts_for + 1, 3, 15)))"""
    disciplines = ", ".join(str(d) for d in c["disciplines"])
    return f"""
    WITH placed AS (
        SELECT person, centihours AS h, area, topics, delivery, provider FROM lines
        WHERE CASE WHEN counts_for = 0 THEN completed_on BETWEEN {START} AND {END}
                   WHEN {made_up} THEN counts_for = {YEAR}
                   ELSE completed_on BETWEEN {START} AND {END} END
    ), sums AS (
        SELECT person,
               SUM(h) AS total,
               SUM(h) FILTER (area = {c["legal"]}) AS legal,
               SUM(h) FILTER (area = {c["technical"]}) AS technical,
               SUM(h) FILTER (area = {c["interpersonal"]}) AS interpersonal,
               SUM(h) FILTER (topics & {c["firearms"]} <> 0
                              AND delivery = {c["live"]}) AS firearms,
               SUM(h) FILTER (topics & {c["racial"]} <> 0
                              AND provider IN ({c["approved"]}, {c["inservice"]})) AS racial,
               SUM(h) FILTER (topics & {c["implicit"]} <> 0) AS implicit,
               SUM(h) FILTER (topics & {c["deesc"]} <> 0) AS deesc,
               SUM(h) FILTER (provider = {c["approved"]}) AS approved
        FROM placed GROUP BY person
    )
    SELECT CASE
        WHEN p.discipline NOT IN ({disciplines}) THEN {NOT_APPLICABLE}
        WHEN p.licensed_on >= {START} THEN {EXEMPT}
        WHEN COALESCE(s.total, 0) >= 2400 AND COALESCE(s.legal, 0) >= 200
             AND COALESCE(s.technical, 0) >= 200 AND COALESCE(s.interpersonal, 0) >= 200
             AND COALESCE(s.firearms, 0) >= 200 AND COALESCE(s.implicit, 0) >= 100
             AND COALESCE(s.deesc, 0) >= 100 AND COALESCE(s.approved, 0) >= 800
             AND (p.attributes & {c["traffic"]} = 0 OR COALESCE(s.racial, 0) >= 100)
            THEN {COMPLIANT}
        ELSE {DEFICIENT} END AS status
    FROM people p LEFT JOIN sums s ON s.person = p.row
    ORDER BY p.row
    """


def polars_statuses(people, lines, book: Codebook):
    """The same rules as Polars expressions over two DataFrames; a NumPy column."""
    import polars as pl

    c = codes(book)
    counts_for = pl.col("counts_for").cast(pl.Int32)
    epoch = pl.date(1970, 1, 1)
    year_end = (pl.date(counts_for, 12, 31) - epoch).dt.total_days()
    window_end = (pl.date(counts_for + 1, 3, 15) - epoch).dt.total_days()
    day = pl.col("completed_on")
    in_year = day.is_between(START, END)
    made_up = (counts_for != 0) & (day > year_end) & (day <= window_end)
    placed = pl.when(counts_for == 0).then(in_year).when(made_up)
    placed = placed.then(counts_for == YEAR).otherwise(in_year)
    h = pl.col("centihours")

    def has(bit: int) -> pl.Expr:
        return (pl.col("topics") & bit) != 0

    sums = (
        lines.lazy()
        .filter(placed)
        .group_by("person")
        .agg(
            total=h.sum(),
            legal=h.filter(pl.col("area") == c["legal"]).sum(),
            technical=h.filter(pl.col("area") == c["technical"]).sum(),
            interpersonal=h.filter(pl.col("area") == c["interpersonal"]).sum(),
            firearms=h.filter(
                has(c["firearms"]) & (pl.col("delivery") == c["live"])
            ).sum(),
            racial=h.filter(
                has(c["racial"])
                & pl.col("provider").is_in([c["approved"], c["inservice"]])
            ).sum(),
            implicit=h.filter(has(c["implicit"])).sum(),
            deesc=h.filter(has(c["deesc"])).sum(),
            approved=h.filter(pl.col("provider") == c["approved"]).sum(),
        )
    )
    met = (
        (pl.col("total") >= 2400)
        & (pl.col("legal") >= 200)
        & (pl.col("technical") >= 200)
        & (pl.col("interpersonal") >= 200)
        & (pl.col("firearms") >= 200)
        & (pl.col("implicit") >= 100)
        & (pl.col("deesc") >= 100)
        & (pl.col("approved") >= 800)
        & (((pl.col("attributes") & c["traffic"]) == 0) | (pl.col("racial") >= 100))
    )
    status = (
        pl.when(~pl.col("discipline").is_in(c["disciplines"]))
        .then(NOT_APPLICABLE)
        .when(pl.col("licensed_on") >= START)
        .then(EXEMPT)
        .when(met)
        .then(COMPLIANT)
        .otherwise(DEFICIENT)
    )
    result = (
        people.lazy()
        .join(sums, left_on="row", right_on="person", how="left")
        .fill_null(0)
        .sort("row")
        .select(status.alias("status"))
        .collect()
    )
    return result["status"].to_numpy()

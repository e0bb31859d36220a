"""A grace rule's make-up window ends on the first of its days after a period's
end, whatever day the period ends on, and follows a per-person cycle made a
person's own."""

from datetime import date

from muster.rules.mandate import Cycle, GraceRule
from muster.rules.model import Citation

CITED = Citation("Example rule")


def test_a_year_ending_on_31_december_is_made_up_until_the_day_of_the_next_year():
    rule = GraceRule(date(2018, 12, 31), 3, 15, CITED)
    assert rule.until(date(2021, 12, 31)) == date(2022, 3, 15)


def test_a_period_ending_before_the_day_is_made_up_until_it_in_the_same_year():
    rule = GraceRule(date(2026, 1, 29), 3, 31, CITED)
    assert rule.until(date(2026, 1, 29)) == date(2026, 3, 31)


def test_a_period_ending_on_the_day_itself_is_made_up_until_it_a_year_later():
    rule = GraceRule(date(2026, 1, 1), 3, 31, CITED)
    assert rule.until(date(2026, 3, 31)) == date(2027, 3, 31)


def test_a_per_person_cycle_made_a_persons_own_keeps_its_grace():
    grace = (GraceRule(date(2000, 1, 1), 8, 31, CITED),)
    cycle = Cycle(
        "own",
        "Four years from the certification",
        CITED,
        months=48,
        grace=grace,
        person_date="licensed_on",
        anchor_month=7,
    )
    period = cycle.for_person(date(1997, 11, 21), {}).period_containing(
        date(2001, 12, 31)
    )
    assert period is not None
    assert (period.end, period.grace_until) == (date(2002, 6, 30), date(2002, 8, 31))

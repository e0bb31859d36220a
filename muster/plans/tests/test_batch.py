"""The batch reading of needs agrees with reading each person's explained result."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muster.plans.batch import needs_of_many
from muster.plans.tests.strategies import ON, subjects


def described(needs):
    return sorted(
        (n.jurisdiction, n.label, n.missing, n.period, n.cap_room, n.key) for n in needs
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(subjects(), min_size=1, max_size=6))
def test_needs_of_many_people_are_each_persons_needs(people):
    people = [replace(s, id=f"p{i}") for i, s in enumerate(people)]
    people = [
        replace(
            s,
            licenses=tuple(
                replace(lic, person=replace(lic.person, id=s.id)) for lic in s.licenses
            ),
            lines=tuple(replace(line, person=s.id) for line in s.lines),
        )
        for s in people
    ]
    batch = needs_of_many(people, 2026, ON)
    for subject in people:
        assert described(batch[subject.id]) == described(subject.needs())

"""Benchmark: plan a whole agency of 5,000 officers (issue 14.1).

Generates, with a fixed seed, an agency whose officers hold a Missouri license
(a fifth also an Alabama one) and have taken a random part of the agency's year
of training (records from 40 agency and online courses, as a real roster would
have), then, on 1 September 2026:

1. reads everyone's needs with the batch engine (`plans.batch.needs_of_many`);
2. plans the agency (`plans.agency.plan_agency`): which of the proposed live
   classes (seat limits, a cost to run each) to schedule, and a plan per person,
   over 24 online courses, 8 proposed classes and 3 external courses.

It then checks the plan with the engine for one person of every group (people
with the same needs get the same plan) and compares its cost with the greedy
choice per person. `--stage needs` stops after step 1 (the yardstick for
farm-bench). Run: `.venv/bin/python benchmarks/plans.py [--people 5000]`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from muster import rules  # noqa: E402
from muster.plans.agency import plan_agency, timings  # noqa: E402
from muster.plans.batch import needs_of_many  # noqa: E402
from muster.plans.greedy import greedy  # noqa: E402
from muster.plans.options import Option, OptionKind, option_lines  # noqa: E402
from muster.plans.solver import Table, plan_cost, solve  # noqa: E402
from muster.plans.solver import solved as programs  # noqa: E402
from muster.plans.subject import subject_of  # noqa: E402
from muster.plans.verify import verify  # noqa: E402

ON = date(2026, 9, 1)
HOUR = Decimal(45)
AREAS = ["legal", "technical", "interpersonal", "skill-development"]
TOPICS = [(), (), ("implicit-bias",), ("de-escalation",), ("racial-profiling",)]


def past_courses(rng: random.Random):
    """The agency's records of the year so far: (hours, area, topics, delivery,
    provider, day)."""
    courses = []
    for i in range(40):
        area = rng.choice(AREAS)
        topics = ("firearms",) if area == "skill-development" and i % 2 else ()
        topics = topics or rng.choice(TOPICS)
        courses.append(
            (
                Decimal(rng.choice([1, 2, 2, 4, 8])),
                area,
                frozenset(topics),
                rng.choice(["live", "online"]),
                rng.choice(["approved-provider", "in-service", "in-service"]),
                date(2026, rng.randint(1, 8), rng.randint(1, 28)),
            )
        )
    return courses


def subjects(count: int, rng: random.Random):
    lib = rules.load_mandates()
    mo, al = lib.get("MO").mandates, lib.get("AL").mandates
    courses = past_courses(rng)
    found = []
    for n in range(count):
        pid = f"p{n}"
        traffic = (
            frozenset({"traffic-enforcement"}) if rng.random() < 0.7 else frozenset()
        )
        person = rules.Person(pid, "peace-officer", date(2010, 1, 1), traffic)
        licenses = [(person, mo)] + ([(person, al)] if rng.random() < 0.2 else [])
        taken = rng.sample(courses, rng.randint(0, 8))
        lines = [
            rules.CreditLine(
                pid,
                day,
                hours,
                area=area,
                topics=topics,
                delivery=delivery,
                provider=provider,
            )
            for hours, area, topics, delivery, provider, day in taken
        ]
        found.append(subject_of(pid, licenses, lines, [], 2026, ON))
    return found


def options(rng: random.Random) -> list[Option]:
    found = []

    def add(key, kind, on, credits, delivery, provider, **costs):
        hours = sum((Decimal(h) for h, _, _ in credits), Decimal(0))
        found.append(
            Option(
                key,
                key,
                kind,
                on,
                option_lines(
                    on,
                    [(Decimal(h), a, frozenset(t)) for h, a, t in credits],
                    delivery=delivery,
                    provider=provider,
                ),
                frozenset(costs.pop("states", ("MO", "AL"))),
                hours,
                **costs,
            )
        )

    for i in range(24):
        area = AREAS[i % 3]
        topics = TOPICS[i % len(TOPICS)]
        hours = [1, 2, 4][i % 3]
        add(
            f"online-{i}",
            OptionKind.ONLINE,
            ON,
            [(hours, area, topics)],
            "online",
            "approved-provider",
        )
    for i in range(8):
        add(
            f"range-{i}",
            OptionKind.LIVE_CLASS,
            date(2026, 9 + i % 4, 10 + i),
            [(4, "skill-development", ("firearms",)), (4, "technical", ())],
            "live",
            "in-service",
            seats=400 + 100 * i,
            session_cost=Decimal(2000 + 250 * i),
        )
    add(
        "legal-update",
        OptionKind.EXTERNAL,
        date(2026, 10, 3),
        [(8, "legal", ()), (1, "legal", ("racial-profiling",)), (7, "technical", ())],
        "live",
        "approved-provider",
        fee=Decimal(180),
        travel_hours=Decimal(2),
    )
    add(
        "conference",
        OptionKind.EXTERNAL,
        date(2026, 11, 7),
        [(12, "interpersonal", ("implicit-bias", "de-escalation")), (4, "legal", ())],
        "live",
        "approved-provider",
        fee=Decimal(450),
        travel_cost=Decimal(300),
        travel_hours=Decimal(6),
    )
    add(
        "al-refresher",
        OptionKind.EXTERNAL,
        date(2026, 10, 20),
        [
            (4, "interpersonal", ("implicit-bias",)),
            (0, None, ("firearms-qualification",)),
        ],
        "live",
        "approved-provider",
        fee=Decimal(60),
        states=("AL",),
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--stage", choices=["needs", "plan"], default="plan")
    args = parser.parse_args()
    rng = random.Random(2026)
    people = subjects(args.people, rng)
    offered = options(rng)
    start = time.perf_counter()
    needs = needs_of_many(people, 2026, ON)
    read = time.perf_counter() - start
    if args.stage == "needs":
        print(f"needs of {len(people)} people: {read:.2f} s")
        return
    start = time.perf_counter()
    plan = plan_agency(needs, lambda person: offered, HOUR)
    solved = time.perf_counter() - start
    run = [c for c in plan.classes if c.run]
    print(
        f"{len(people)} people, {plan.groups} groups: needs {read:.2f} s, "
        f"plan {solved:.2f} s (candidates {timings['candidates']:.2f} s, master "
        f"{timings['master']:.2f} s); {len(run)} of {len(plan.classes)} classes run, "
        f"{plan.fully_planned} people fully planned, cost ${plan.cost:,.2f}; "
        f"{programs['branch and bound']} of {programs['programs']} candidate programs "
        "left to branch and bound"
    )
    for use in plan.classes:
        print(
            f"  {use.option.key}: run={use.run} seats {use.seats_used}/{use.option.seats}"
        )
    check(people, needs, plan, offered)


def check(people, needs, plan, offered) -> None:
    """The engine agrees for one person per group; the plan beats greedy."""
    by_id = {s.id: s for s in people}
    seen, checked = set(), 0
    greedy_cost = exact_cost = Decimal(0)
    for person, chosen in plan.assignments.items():
        signature = (
            tuple(sorted(n.signature() for n in needs[person])),
            tuple(o.key for o in chosen),
        )
        if signature in seen:
            continue
        seen.add(signature)
        verdict = verify(by_id[person], needs[person], chosen)
        short = {n.key for n, _ in plan.short.get(person, [])}
        wrong = [k for k, ok in verdict.met.items() if not ok and k not in short]
        assert not wrong, (person, wrong)
        checked += 1
        # The person's own exact plan (classes unlimited, no session costs)
        # against greedy with the same offer.
        table = Table.of(needs[person], offered)
        picked = greedy(table, HOUR)
        if not any(table.shortfall([table.options.index(o) for o in picked])):
            greedy_cost += plan_cost(picked, HOUR)
            exact_cost += solve(needs[person], offered, HOUR, table=table).cost
    print(
        f"engine agrees for {checked} distinct plans; where greedy closes every gap, "
        f"person by person: exact ${exact_cost:,.2f}, greedy ${greedy_cost:,.2f}"
    )


if __name__ == "__main__":
    main()

"""Any broken import file gives clear problems and writes nothing (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from muster.accounts.choices import Role
from muster.agencies.models import (
    Agency,
    CreditLine,
    Employment,
    License,
    Person,
    TrainingRecord,
)
from muster.audit.models import AuditEntry
from muster.tabular import TableError
from muster.test import make_person, make_user
from muster.transfers import actions
from muster.transfers.columns import guess_mapping
from muster.transfers.models import ImportBatch
from muster.transfers.roster import COLUMNS as ROSTER_COLUMNS
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    kept_by,
    roster_row,
    xlsx_bytes,
)
from muster.transfers.training import COLUMNS as TRAINING_COLUMNS

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Every problem names the file, then the row and the column when it has them.
WHERE = re.compile(r"^[a-z]\.(csv|xlsx)(, row \d+)?(, [A-Za-z ]+)?: \S")
TRAINING_HEADER = [
    "License number",
    "Course title",
    "Completed on",
    "Hours",
    "Area",
    "Topics",
    "Delivery",
    "Result",
    "Provider kind",
]

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "2024-02-30",
            "13/13/2020",
            "peace officer",
            "MO",
            "Z",
            "-4",
            "1e400",
            "NaN",
            "x" * 300,
            "a;b",
            "=1+1",
            "\x00",
            "1.005",
            "chief",
            "technical",
            "firearms",
            "pass",
            "online",
        ]
    ),
)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Person,
            License,
            Employment,
            TrainingRecord,
            CreditLine,
            AuditEntry,
        )
    )


class ImportFuzzTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.agency = Agency.objects.create(
            name="Fuzz PD", code="fuzz-pd", kind="police-department", state="MO"
        )
        make_person("Known", "Officer", cls.agency)
        cls.user = make_user("fuzzer", (Role.COORDINATOR, cls.agency))

    def check(self, kind: str, name: str, data: bytes, columns) -> None:
        """The file is refused as a whole, or planned; any problem writes nothing."""
        before = counts()
        try:
            table = actions.read_upload(name, data)
        except TableError as error:
            self.assertRegex(str(error), WHERE)
            self.assertTrue(error.problem.message, str(error))
            return
        batch = ImportBatch.objects.create(
            agency=self.agency,
            kind=kind,
            file_name=name,
            content=data,
            mapping=guess_mapping(columns, table.headers),
            uploaded_by=self.user,
        )
        plan = actions.plan_batch(batch, kept_by(self.user))
        for problem in plan.problems:
            self.assertRegex(str(problem), WHERE)
        if plan.problems:
            with self.assertRaises(ValueError):
                actions.apply_batch(batch, self.user, kept_by(self.user))
            self.assertEqual(counts(), before)

    @FUZZ
    @given(data=st.binary(max_size=2000), name=st.sampled_from(["a.csv", "a.xlsx"]))
    def test_random_bytes(self, data: bytes, name: str) -> None:
        self.check("roster", name, data, ROSTER_COLUMNS)

    @FUZZ
    @given(
        text=st.text(min_size=1, max_size=300),
        encoding=st.sampled_from(["utf-16", "latin-1", "cp1252", "utf-8"]),
    )
    def test_text_in_any_encoding(self, text: str, encoding: str) -> None:
        data = ("First name,Last name\n" + text).encode(encoding, errors="replace")
        self.check("training", "a.csv", data, TRAINING_COLUMNS)

    @FUZZ
    @given(st.data())
    def test_shuffled_missing_columns_and_bad_cells(self, data) -> None:
        header = data.draw(st.permutations(ROSTER_HEADER))
        header = header[: data.draw(st.integers(0, len(header)))]
        rows = [
            [
                data.draw(cell) if data.draw(st.booleans()) else good
                for good in (
                    dict(zip(ROSTER_HEADER, roster_row(i), strict=True))[h]
                    for h in header
                )
            ]
            for i in range(data.draw(st.integers(0, 5)))
        ]
        self.check("roster", "a.csv", csv_bytes(header or ["x"], rows), ROSTER_COLUMNS)

    @FUZZ
    @given(st.data())
    def test_training_xlsx_with_bad_cells(self, data) -> None:
        header = data.draw(st.permutations(TRAINING_HEADER))
        # Excel cannot hold control characters, so such cells cannot occur here.
        text = cell.filter(lambda v: not re.search(r"[\x00-\x1f]", v))
        value = st.one_of(
            text,
            st.integers(-10, 10**6),
            st.floats(allow_nan=True),
            st.dates(),
            st.none(),
        )
        rows = [
            [data.draw(value) for _ in header]
            for _ in range(data.draw(st.integers(0, 4)))
        ]
        self.check("training", "t.xlsx", xlsx_bytes(header, rows), TRAINING_COLUMNS)

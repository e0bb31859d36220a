"""Issue 15.12: the mapping step: common headers, value translation, the template
and the allowed values shown on the page."""

import csv
import io

from muster.agencies.models import TrainingRecord
from muster.tabular import read_table
from muster.test import BaseTestCase
from muster.transfers import roster, training
from muster.transfers.columns import guess_mapping
from muster.transfers.tests.helpers import csv_bytes, last_batch, upload

HEADER = [
    "License number",
    "Course",
    "Date Completed",
    "Hours",
    "CLEE Category",
    "Delivery",
    "Course #",
]


def test_common_headers_are_guessed() -> None:
    mapping = guess_mapping(training.COLUMNS, HEADER)
    assert mapping["completed_on"] == 2
    assert mapping["area"] == 4
    assert mapping["course_number"] == 6
    assert mapping["title"] == 1


def test_position_is_left_to_the_coordinator() -> None:
    mapping = guess_mapping(roster.COLUMNS, ["First name", "Position", "Rank"])
    assert mapping["title"] == 2
    assert guess_mapping(roster.COLUMNS, ["Position"])["title"] is None


class ValueMappingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.base = f"/agencies/{self.agency.code}/import"
        self.number = self.bob_person.licenses.get().number

    def upload(self, rows: list[list[str]]):
        data = csv_bytes(HEADER, rows)
        response = upload(self.client, self.agency.code, "training", data, "t.csv")
        self.assertEqual(response.status_code, 302)
        return last_batch()

    def row(self, title: str, category: str, delivery: str) -> list[str]:
        return [self.number, title, "2025-04-02", "2", category, delivery, "C-1"]

    def test_known_synonyms_are_read_and_shown_in_the_preview(self) -> None:
        batch = self.upload(
            [
                self.row("Range day", "Skill Development", "Classroom"),
                self.row("Case law", "Legal Studies", "Web"),
            ]
        )
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        self.assertContains(preview, "2 to create")
        self.assertContains(
            preview, "“Classroom” read as <code>live</code>", html=False
        )
        self.client.post(f"{self.base}/{batch.pk}/")
        range_day = TrainingRecord.objects.get(title="Range day")
        self.assertEqual(range_day.delivery, "live")
        self.assertEqual(range_day.credit_lines.get().area, "skill-development")
        self.assertEqual(
            TrainingRecord.objects.get(title="Case law").delivery, "online"
        )

    def test_the_coordinator_translates_an_unknown_value_on_the_mapping_page(self):
        batch = self.upload(
            [
                self.row("Range day", "Firearms range", "live"),
                self.row("Range night", "Firearms range", "live"),
            ]
        )
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        self.assertContains(preview, "&quot;Firearms range&quot; is not a known area")
        self.assertEqual(TrainingRecord.objects.filter(source="import").count(), 0)
        page = self.client.get(f"{self.base}/{batch.pk}/mapping/")
        self.assertContains(page, "Area: “Firearms range” (2 rows)")
        form = page.context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        (name,) = [n for n, use in form.value_fields if use.text == "Firearms range"]
        data[name] = "skill-development"
        self.client.post(f"{self.base}/{batch.pk}/mapping/", data)
        batch.refresh_from_db()
        self.assertEqual(
            batch.mapping["values"], {"area": {"Firearms range": "skill-development"}}
        )
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        self.assertContains(preview, "2 to create")
        self.assertContains(preview, "“Firearms range” read as", html=False)
        self.client.post(f"{self.base}/{batch.pk}/")
        areas = {
            r.credit_lines.get().area
            for r in TrainingRecord.objects.all()
            if r.source == "import"
        }
        self.assertEqual(areas, {"skill-development"})


class TemplateAndHelpTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.base = f"/agencies/{self.agency.code}/import"

    def test_each_kind_offers_a_template_that_reads_back_column_for_column(self):
        for kind, columns in (
            ("roster", roster.COLUMNS),
            ("training", training.COLUMNS),
        ):
            page = self.client.get(f"{self.base}/{kind}/")
            self.assertContains(page, f'href="{self.base}/{kind}/template.csv"')
            response = self.client.get(f"{self.base}/{kind}/template.csv")
            self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            self.assertEqual(len(rows), 2)
            self.assertEqual(rows[0], [column.label for column in columns])
            table = read_table("template.csv", response.content)
            mapping = guess_mapping(columns, table.headers)
            self.assertEqual(
                mapping, {column.key: i for i, column in enumerate(columns)}
            )

    def test_the_upload_page_lists_the_allowed_values_and_topics(self) -> None:
        roster_page = self.client.get(f"{self.base}/roster/")
        self.assertContains(roster_page, "<code>telecommunicator</code>", html=False)
        training_page = self.client.get(f"{self.base}/training/")
        self.assertContains(training_page, "<code>implicit-bias</code>", html=False)
        self.assertContains(
            training_page, "“classroom” as <code>live</code>", html=False
        )
        self.assertNotContains(training_page, "topics.yaml")

    def test_the_sample_of_the_file_scrolls_inside_its_own_box(self) -> None:
        data = csv_bytes(
            ["First name"] + [f"Column {i}" for i in range(30)],
            [["Ann"] + ["x" * 20] * 30],
        )
        upload(self.client, self.agency.code, "roster", data)
        page = self.client.get(f"{self.base}/{last_batch().pk}/mapping/")
        self.assertContains(page, '<div class="table-scroll" id="import-sample">')


def test_the_column_selects_write_what_djangos_select_writes() -> None:
    """The mapping page's selects are written in one template (for speed): the same
    markup as Django's own Select, the choice kept and the headers escaped."""
    from django import forms

    from muster.transfers.forms import MappingForm

    headers = ["First name", "Last <b>name</b>", "State & code"]
    form = MappingForm(
        columns=roster.COLUMNS,
        headers=headers,
        data={"first_name": "0", "last_name": "1", "state": "2"},
    )
    assert form.is_valid(), form.errors
    for name in ("first_name", "last_name", "state", "email"):
        field = form[name]
        ours = str(field)
        attrs = {**field.build_widget_attrs({}), "id": field.auto_id}
        plain = forms.Select(choices=field.field.choices).render(
            field.html_name, field.value(), attrs=attrs
        )
        assert "".join(ours.split()) == "".join(plain.split())
    assert "Last &lt;b&gt;name&lt;/b&gt;" in str(form["last_name"])
    assert '<option value="1" selected>' in str(form["last_name"])

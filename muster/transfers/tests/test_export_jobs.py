"""Compliance reports of years older than the stored standings: asked for, made
by a task worker (or in the request for a small agency), then downloaded."""

from datetime import date
from unittest import mock

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from muster.accounts import access
from muster.agencies import compliance
from muster.audit.models import AuditEntry
from muster.tabular.escape import csv_bytes
from muster.test import BaseTestCase, make_person, make_record
from muster.transfers import exports, tasks
from muster.transfers.models import ExportJob, ExportStatus
from muster.transfers.tests.population import per_person_rows, varied_staff
from muster.transfers.tests.test_exports import pdf_text_and_ink, read_csv

OLD = 2023  # today is 2026-06-01: the standings keep 2024 to 2027


@time_machine.travel(date(2026, 6, 1), tick=False)
class ExportJobTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.base = f"/agencies/{self.agency.code}/exports"
        make_record(
            self.bob_person, self.agency, hours="10", completed_on=date(OLD, 3, 1)
        )
        self.erin = make_person("Erin", "Evans", self.agency)
        make_record(self.erin, self.agency, hours="24", completed_on=date(OLD, 4, 1))

    def ask(self, fmt: str = "csv"):
        return self.client.post(f"{self.base}/compliance/", {"year": OLD, "fmt": fmt})

    def old_path_rows(self):
        """What the download made in the request before: each person evaluated in
        turn by the engine (`compliance.standing_for`)."""
        return per_person_rows(
            access.people(self.alice), self.agency, OLD, timezone.localdate()
        )

    def test_an_old_year_is_asked_for_not_evaluated_in_the_request(self) -> None:
        self.client.force_login(self.alice)
        with mock.patch.object(compliance, "standing_for") as engine:
            response = self.client.get(f"{self.base}/compliance.csv?year={OLD}")
        engine.assert_not_called()
        self.assertContains(response, f"Make the {OLD} report")
        self.assertFalse(ExportJob.objects.exists())

    @override_settings(MUSTER_EXPORT_INLINE=0)
    def test_a_queued_job_makes_the_same_csv_as_the_old_path(self) -> None:
        self.client.force_login(self.alice)
        response = self.ask()
        job = ExportJob.objects.get()
        self.assertRedirects(response, f"{self.base}/jobs/{job.pk}/")
        self.assertEqual(job.status, ExportStatus.QUEUED)
        page = self.client.get(f"{self.base}/jobs/{job.pk}/")
        self.assertContains(page, 'hx-trigger="every 3s"')
        self.assertContains(page, "waits for a task worker")
        self.assertEqual(
            self.client.get(f"{self.base}/jobs/{job.pk}/download").status_code, 404
        )

        self.assertEqual(tasks.build_export.call(job.pk), "done")

        page = self.client.get(f"{self.base}/jobs/{job.pk}/")
        self.assertNotContains(page, "hx-trigger")
        self.assertContains(page, f"jobs/{job.pk}/download")
        download = self.client.get(f"{self.base}/jobs/{job.pk}/download")
        rows = self.old_path_rows()
        expected = csv_bytes(exports.COMPLIANCE_HEADER, [r.cells() for r in rows])
        self.assertEqual(download.content, expected)
        self.assertEqual(
            download["Content-Disposition"],
            f'attachment; filename="{self.agency.code}-compliance-{OLD}.csv"',
        )
        # And the engine's own word for each person, not just the old function's.
        got = read_csv(download)
        for person, name in ((self.bob_person, "Baker"), (self.erin, "Evans")):
            standing = compliance.standing_for(person, OLD, timezone.localdate())[0]
            row = next(r for r in got if r[0] == name)
            self.assertEqual(row[9], standing.mandates[0].status)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(agency_id=self.agency.pk)
                .filter(action__startswith="export.")
                .order_by("pk")
                .values_list("action", flat=True)
            ),
            ["export.request", "export.done", "export.download"],
        )

    def test_a_small_agency_is_made_in_the_request_and_matches_the_pdf(self) -> None:
        self.client.force_login(self.alice)
        self.ask("pdf")
        job = ExportJob.objects.get()
        self.assertEqual(job.status, ExportStatus.DONE)
        self.assertEqual(job.people, 2)
        download = self.client.get(f"{self.base}/jobs/{job.pk}/download")
        self.assertEqual(download["Content-Type"], "application/pdf")
        rows = self.old_path_rows()
        old = exports.compliance_file(
            rows,
            self.agency,
            OLD,
            timezone.localdate(),
            "pdf",
            printed_by=exports.printer_name(self.alice),
            printed_at=timezone.localtime(),
        )
        text, _ = pdf_text_and_ink(bytes(download.content))
        self.assertEqual(text, pdf_text_and_ink(old)[0])
        self.assertIn("Baker", text)
        self.assertIn("Evans", text)

    @override_settings(MUSTER_EXPORT_INLINE=0)
    def test_a_failing_evaluation_marks_the_job_failed_and_offers_nothing(self) -> None:
        self.client.force_login(self.alice)
        self.ask()
        job = ExportJob.objects.get()
        with (
            mock.patch.object(
                compliance,
                "judge_people",
                side_effect=ValueError("rules file unreadable"),
            ),
            self.assertRaises(ValueError),
        ):
            tasks.build_export.call(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, ExportStatus.FAILED)
        self.assertIsNone(job.content)
        self.assertIn("rules file unreadable", job.error)
        self.assertIn("nothing was stored", job.error)
        page = self.client.get(f"{self.base}/jobs/{job.pk}/")
        self.assertContains(page, "rules file unreadable")
        self.assertNotContains(page, "/download")
        self.assertNotContains(page, "hx-trigger")
        self.assertEqual(
            self.client.get(f"{self.base}/jobs/{job.pk}/download").status_code, 404
        )
        self.assertFalse(AuditEntry.objects.filter(action="export.done").exists())

    def test_another_agencys_job_is_404_everywhere(self) -> None:
        self.client.force_login(self.alice)
        self.ask()
        job = ExportJob.objects.get()
        self.client.force_login(self.dana)
        other = f"/agencies/{self.other_agency.code}/exports/jobs/{job.pk}"
        for url in (
            f"{self.base}/jobs/{job.pk}/",
            f"{self.base}/jobs/{job.pk}/download",
            f"{other}/",
            f"{other}/download",
        ):
            response = self.client.get(url, headers={"HX-Request": "true"})
            self.assertEqual(response.status_code, 404, url)
        # The state's auditor and the head may fetch it, as they may the report.
        for reader in (self.sam, self.harold):
            self.client.force_login(reader)
            response = self.client.get(f"{self.base}/jobs/{job.pk}/download")
            self.assertEqual(response.status_code, 200)
        self.client.force_login(self.bob)
        response = self.client.get(f"{self.base}/jobs/{job.pk}/download")
        self.assertEqual(response.status_code, 404)

    def test_a_year_out_of_range_or_an_unknown_format_is_refused(self) -> None:
        self.client.force_login(self.alice)
        for data in ({"year": "1999", "fmt": "csv"}, {"year": OLD, "fmt": "xls"}):
            response = self.client.post(f"{self.base}/compliance/", data)
            self.assertEqual(response.status_code, 404)
        self.assertFalse(ExportJob.objects.exists())


@time_machine.travel(date(2026, 6, 1), tick=False)
class OldYearInOneBatchTestCase(BaseTestCase):
    """The report of an old year judges the agency's staff in one batch
    (`compliance.judge_people`) and says, byte for byte, what each person's own
    standing says, for a staff of every state, discipline and history."""

    def setUp(self) -> None:
        super().setUp()
        varied_staff(self.agency, 90, seed=11)

    def test_the_batch_says_what_each_persons_standing_says(self) -> None:
        today = timezone.localdate()
        people = access.people(self.alice)
        statuses = set()
        for year in (2018, 2020, 2021, 2022, 2023):
            expected = per_person_rows(people, self.agency, year, today)
            got = exports.compliance_rows(people, self.agency, year, today)
            self.assertEqual(
                csv_bytes(exports.COMPLIANCE_HEADER, [r.cells() for r in got]),
                csv_bytes(exports.COMPLIANCE_HEADER, [r.cells() for r in expected]),
                year,
            )
            statuses |= {row.status for row in got}
        # The population reaches every kind of row the report has.
        self.assertLessEqual(
            {"compliant", "deficient", "not evaluated", "exempt"}, statuses
        )

    def test_it_reads_in_as_many_queries_for_ninety_people_as_for_two(self) -> None:
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as many:
            exports.compliance_rows(access.people(self.alice), self.agency, OLD, today)
        with CaptureQueriesContext(connection) as few:
            exports.compliance_rows(
                access.people(self.dana), self.other_agency, OLD, today
            )
        self.assertEqual(len(many), len(few))
        with mock.patch.object(compliance, "standing_for") as one_by_one:
            exports.compliance_rows(access.people(self.alice), self.agency, OLD, today)
        one_by_one.assert_not_called()

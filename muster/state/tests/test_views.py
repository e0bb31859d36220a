"""The state's view: every agency of the auditor's state from stored standings,
trends, who is about to lose certification, agencies that have not reported, and
an agency's audit packet; read-only and isolated by state."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from datetime import date
from unittest import mock

import time_machine
from django.core.files.base import ContentFile
from django.test import override_settings

from muster.agencies.models import Agency, Evidence, TrainingRecord
from muster.audit.log import record_event
from muster.audit.models import AuditEntry
from muster.audit.verify import baseline
from muster.test import BaseTestCase, make_person, make_record

TODAY = "2026-11-20 12:00:00+00:00"


class StateTestCase(BaseTestCase):
    """Missouri's three agencies (one silent this year) and a Tennessee officer;
    Sam, who audits Missouri, signed in."""

    def setUp(self) -> None:
        super().setUp()
        clock = time_machine.travel(TODAY, tick=False)
        clock.start()
        self.addCleanup(clock.stop)
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        media_override = override_settings(MEDIA_ROOT=media.name)
        media_override.enable()
        self.addCleanup(media_override.disable)
        # An agency with staff and no training on file this year.
        self.quiet = Agency.objects.create(
            name="Quiet Hollow Police Department",
            code="quiet-hollow-pd",
            kind="police-department",
            state="MO",
        )
        self.quinn = make_person("Quinn", "Quiet", self.quiet)
        make_record(self.quinn, self.quiet, completed_on=date(2025, 5, 1))
        self.tn_person = make_person("Tara", "Tennant", self.tn_agency, state="TN")
        self.url = "/states/mo/"
        self.client.force_login(self.sam)


class StateViewTestCase(StateTestCase):
    def test_it_lists_every_agency_of_the_state_and_none_of_another(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Riverton Police Department")
        self.assertContains(response, "Oakdale County Sheriff")
        self.assertContains(response, "Quiet Hollow Police Department")
        self.assertNotContains(response, "Millbrook")
        self.assertNotContains(response, "Tennant")

    def test_it_counts_per_agency_from_stored_standings_without_evaluating(self):
        with mock.patch(
            "muster.rules.engine.evaluate_population",
            side_effect=AssertionError("the state page evaluated someone"),
        ):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        riverton = next(
            line for line in response.context["lines"] if line.agency == self.agency
        )
        # Bob has 4 of 24 hours with six weeks left: at risk.
        self.assertEqual(riverton.tally["at-risk"], 1)
        self.assertEqual(riverton.staff, 1)
        self.assertEqual(riverton.percent, 0)

    def test_it_draws_trends_per_year_with_a_table_beside_the_chart(self):
        response = self.client.get(self.url)
        years = [line.year for line in response.context["trend"]]
        self.assertEqual(years, [2024, 2025, 2026])
        self.assertContains(response, 'aria-describedby="trend-table"')
        self.assertContains(response, '<table id="trend-table">')
        self.assertEqual(response.context["trend"][-1].people, 3)

    def test_it_names_the_agencies_that_have_not_reported(self):
        response = self.client.get(self.url)
        silent = [line.agency for line in response.context["silent"]]
        self.assertEqual(silent, [self.quiet])
        last_year = self.client.get(self.url + "?year=2025")
        self.assertEqual(
            {line.agency for line in last_year.context["silent"]},
            {self.agency, self.other_agency},
        )

    def test_it_lists_officers_about_to_lose_certification_with_drill_down(self):
        response = self.client.get(self.url)
        names = [line.summary.person for line in response.context["at_risk"]]
        self.assertEqual(sorted(p.last_name for p in names), ["Baker", "Chen", "Quiet"])
        self.assertContains(response, f'href="/people/{self.bob_person.pk}/?year=2026"')
        self.assertContains(response, 'href="/agencies/riverton-pd/?year=2026"')
        full = self.client.get("/states/mo/at-risk/")
        self.assertEqual(full.context["page"].paginator.count, 3)

    def test_the_auditor_reaches_the_agency_dashboard_and_person_page(self):
        self.assertEqual(self.client.get("/agencies/oakdale-so/").status_code, 200)
        page = self.client.get(f"/people/{self.charlie_person.pk}/")
        self.assertContains(page, "Charlie Chen")

    def test_it_refuses_other_states_auditors_and_agency_roles(self):
        for user in (self.tess, self.alice, self.harold, self.bob, self.dana):
            self.client.force_login(user)
            for url in (self.url, "/states/mo/at-risk/"):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
        self.client.force_login(self.tess)
        self.assertRedirects(self.client.get("/states/"), "/states/tn/")
        response = self.client.get("/states/tn/")
        self.assertContains(response, "Millbrook")
        self.assertNotContains(response, "Oakdale")

    def test_an_unknown_state_is_not_found(self):
        self.client.force_login(self.root)
        self.assertEqual(self.client.get("/states/zz/").status_code, 404)
        self.assertEqual(self.client.get("/states/mo/").status_code, 200)


def settle_cast(root) -> None:
    """The cast is written behind the application: give its records their natural
    keys and accept it all as the audit baseline, so that verify starts intact."""
    for record in TrainingRecord.objects.prefetch_related("credit_lines"):
        key = record.compute_natural_key(record.total_hours)
        TrainingRecord.objects.filter(pk=record.pk).update(natural_key=key)
    baseline("Test cast", actor=root)


class AuditPacketTestCase(StateTestCase):
    def packet(self, code: str = "oakdale-so") -> zipfile.ZipFile:
        response = self.client.get(f"/states/mo/agencies/{code}/audit-packet.zip")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    def test_it_holds_every_record_its_evidence_and_history_with_a_manifest(self):
        evidence = Evidence.objects.create(
            record=self.charlie_record, description="Sign-in sheet"
        )
        evidence.file.save("sign-in.pdf", ContentFile(b"%PDF-1.4 sheet"))
        record_event(
            "training.create",
            actor=self.dana,
            obj=self.charlie_record,
            agency_id=self.other_agency.pk,
        )
        packet = self.packet()
        records = json.loads(packet.read("training-records.json"))
        self.assertEqual([r["id"] for r in records], [self.charlie_record.pk])
        self.assertEqual(records[0]["credit_lines"][0]["hours"], "4.00")
        stored = records[0]["evidence"][0]
        self.assertEqual(packet.read(stored["path"]), b"%PDF-1.4 sheet")
        history = json.loads(packet.read("audit-history.json"))
        self.assertEqual([e["action"] for e in history], ["training.create"])
        self.assertEqual(records[0]["audit_entries"], [history[0]["sequence"]])
        manifest = json.loads(packet.read("manifest.json"))
        names = {f["path"] for f in manifest["files"]}
        self.assertEqual(
            set(packet.namelist()) - names, {"manifest.json", "SHA256SUMS"}
        )
        for item in manifest["files"]:
            digest = hashlib.sha256(packet.read(item["path"])).hexdigest()
            self.assertEqual(digest, item["sha256"], item["path"])
        sums = packet.read("SHA256SUMS").decode()
        self.assertIn(f"{stored['sha256']}  {stored['path']}", sums)

    def test_its_checkpoint_is_the_chain_head_including_its_own_download(self):
        settle_cast(self.root)
        packet = self.packet()
        checkpoint = json.loads(packet.read("checkpoint.json"))
        export = AuditEntry.objects.order_by("-sequence").first()
        self.assertEqual(export.action, "export.download")
        self.assertEqual(export.actor, self.sam)
        self.assertEqual(export.agency_id, self.other_agency.pk)
        self.assertEqual(checkpoint["checkpoint"]["sequence"], export.sequence)
        self.assertEqual(checkpoint["checkpoint"]["head"], export.entry_hash)
        self.assertTrue(checkpoint["verify"]["intact"])
        self.assertEqual(checkpoint["verify"]["entries"], export.sequence)

    def test_it_reports_what_audit_verify_finds(self):
        settle_cast(self.root)
        TrainingRecord.objects.filter(pk=self.charlie_record.pk).update(title="Other")
        verify = json.loads(self.packet().read("checkpoint.json"))["verify"]
        self.assertFalse(verify["intact"])
        self.assertIn(
            f"TrainingRecord #{self.charlie_record.pk}", verify["problems"][0]
        )

    def test_it_holds_only_the_agencys_own_records(self):
        packet = self.packet("riverton-pd")
        records = json.loads(packet.read("training-records.json"))
        self.assertEqual([r["id"] for r in records], [self.bob_record.pk])
        self.assertNotIn(b"Charlie", packet.read("training-records.csv"))

    def test_another_states_auditor_gets_no_packet(self):
        self.client.force_login(self.tess)
        for state in ("mo", "tn"):
            response = self.client.get(
                f"/states/{state}/agencies/oakdale-so/audit-packet.zip"
            )
            self.assertEqual(response.status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="export.download").exists())

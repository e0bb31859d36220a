"""Names and Role Provisioning: a course's roster pulled into the platform's agency
under the roster import's rules, and never into or out of another agency."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlencode

from muster.agencies.models import Employment, License, Person
from muster.audit.models import AuditEntry
from muster.lti import claims, services
from muster.lti.models import Identity, ResourceLink
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import MEMBERSHIPS, member
from muster.transfers.tests.helpers import roster_row
from muster.transfers.tests.test_import_isolation import import_roster


class RosterBase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        Person.objects.filter(pk=self.bob_person.pk).update(email="bob@riverton.test")
        Person.objects.filter(pk=self.charlie_person.pk).update(
            email="charlie@oakdale.test"
        )
        response, _, _ = self.lms.launch(
            self.client, sub="lms-teacher", roles=[claims.INSTRUCTOR]
        )
        self.assertEqual(response.status_code, 200)
        self.link = ResourceLink.objects.get()
        self.url = f"/lti/links/{self.link.pk}/roster/"
        self.lms.members = [
            member("u-bob", "Bob", "Baker", "BOB@riverton.test"),
            member("u-dora", "Dora", "Diaz", "dora@riverton.test"),
            # Charlie works for Oakdale: the LMS of Riverton must not get him.
            member("u-charlie", "C.", "Chen", "charlie@oakdale.test"),
            member("u-teacher", "Tess", "Teacher", roles=[claims.INSTRUCTOR]),
            member("u-gone", "Gil", "Gone", status="Inactive"),
        ]
        self.client.force_login(self.alice)

    def sync(self):
        return self.client.post(self.url, {"discipline": "peace-officer"})


class RosterSyncTestCase(RosterBase):
    def test_it_shows_the_plan_across_pages(self) -> None:
        response = self.client.get(self.url)
        rows = [(plan.label, plan.action) for plan in response.context["plans"]]
        self.assertEqual(
            rows,
            [
                ("Bob Baker", "link"),
                ("Dora Diaz", "create"),
                ("C. Chen", "held elsewhere"),
                ("Tess Teacher", "skip"),
                ("Gil Gone", "skip"),
            ],
        )

    def test_it_links_staff_and_adds_new_learners_to_the_agency(self) -> None:
        self.assertRedirects(self.sync(), self.url, fetch_redirect_response=False)
        bob = Identity.objects.get(subject="u-bob")
        self.assertEqual(bob.person, self.bob_person)
        dora = Identity.objects.get(subject="u-dora").person
        self.assertEqual((dora.first_name, dora.last_name), ("Dora", "Diaz"))
        self.assertEqual(dora.email, "dora@riverton.test")
        self.assertEqual(
            list(dora.employments.values_list("agency", flat=True)), [self.agency.pk]
        )
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        self.assertLessEqual(
            {"lti-identity.link", "person.create", "employment.create"}, actions
        )

    def test_it_never_links_moves_or_changes_another_agencys_officer(self) -> None:
        before = Person.objects.filter(pk=self.charlie_person.pk).values().get()
        jobs = list(Employment.objects.filter(person=self.charlie_person).values())
        page = self.client.get(self.url).content.decode()
        self.sync()
        self.assertFalse(Identity.objects.filter(subject="u-charlie").exists())
        self.assertFalse(Identity.objects.filter(person=self.charlie_person).exists())
        self.assertEqual(
            Person.objects.filter(pk=self.charlie_person.pk).values().get(), before
        )
        self.assertEqual(
            list(Employment.objects.filter(person=self.charlie_person).values()), jobs
        )
        # Nor is anyone added in his place, nor named beyond what the LMS sent.
        self.assertFalse(Person.objects.filter(last_name="Chen").exclude(
            pk=self.charlie_person.pk).exists())  # fmt: skip
        self.assertNotIn("Charlie", page)
        self.assertNotIn("Oakdale", page)

    def test_it_leaves_a_linked_person_who_moved_to_another_agency(self) -> None:
        Identity.objects.create(
            platform=self.platform, subject="u-charlie", person=self.charlie_person
        )
        plans = self.client.get(self.url).context["plans"]
        self.assertEqual(plans[2].action, "held elsewhere")
        self.assertIsNone(plans[2].person_id)

    def test_a_second_sync_changes_nothing(self) -> None:
        self.sync()
        people = Person.objects.count()
        entries = AuditEntry.objects.count()
        self.sync()
        self.assertEqual(Person.objects.count(), people)
        self.assertEqual(AuditEntry.objects.count(), entries)
        plans = self.client.get(self.url).context["plans"]
        self.assertEqual([p.action for p in plans][:2], ["unchanged", "unchanged"])

    def test_another_agencys_coordinator_cannot_sync_this_roster(self) -> None:
        self.client.force_login(self.dana)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.sync().status_code, 404)
        self.assertEqual(Identity.objects.count(), 0)

    def test_a_platform_of_oakdale_never_touches_riverton(self) -> None:
        """The same LMS registered for Oakdale (another client id) syncs into
        Oakdale only: Bob, Riverton's, is held elsewhere there."""
        oakdale = self.lms.register_in_muster(
            self.other_agency, client_id="muster-tool-oakdale"
        )
        link = ResourceLink.objects.create(
            platform=oakdale, deployment=oakdale.deployments.get(),
            resource_link_id="link-9", course=self.course,
            memberships_url=self.link.memberships_url,
        )  # fmt: skip
        self.client.force_login(self.dana)
        plans = self.client.get(f"/lti/links/{link.pk}/roster/").context["plans"]
        self.assertEqual(plans[0].action, "held elsewhere")
        self.client.post(
            f"/lti/links/{link.pk}/roster/", {"discipline": "peace-officer"}
        )
        self.assertFalse(Identity.objects.filter(person=self.bob_person).exists())
        dora = Identity.objects.get(subject="u-dora").person
        self.assertEqual(
            list(dora.employments.values_list("agency", flat=True)),
            [self.other_agency.pk],
        )

    def test_it_says_so_when_the_platform_offers_no_roster(self) -> None:
        ResourceLink.objects.filter(pk=self.link.pk).update(memberships_url="")
        response = self.client.get(self.url)
        self.assertContains(response, "no Names and Role", status_code=502)

    def test_a_roster_url_at_an_internal_address_is_not_fetched(self) -> None:
        """The launch's signed claims name the service URLs; a platform (anyone
        who registered one) cannot point them inside Muster's network."""
        metadata = "http://169.254.169.254/latest/meta-data/"
        ResourceLink.objects.filter(pk=self.link.pk).update(memberships_url=metadata)
        sent = len(self.lms.requests)
        response = self.client.get(self.url)
        self.assertContains(
            response, "169.254.169.254 is a link-local", status_code=502
        )
        # Only the token request went out, to the platform's own address.
        self.assertEqual(
            [r.url for r in self.lms.requests[sent:]], [self.platform.auth_token_url]
        )

    def test_it_links_no_one_when_two_of_the_staff_share_the_email(self) -> None:
        twin = Person.objects.create(
            first_name="Bobby", last_name="Baker", discipline="peace-officer",
            email="bob@riverton.test",
        )  # fmt: skip
        Employment.objects.create(
            person=twin, agency=self.agency, starts_on="2020-01-01"
        )
        plans = self.client.get(self.url).context["plans"]
        self.assertEqual((plans[0].action, plans[0].person_id), ("skip", None))
        self.assertIn("several", plans[0].note)

    def members_paged(self, link_for):
        """The platform's roster in pages of one, each linking the next with
        `link_for(page)` (None: the last)."""
        everyone = self.lms.members

        def answer(request, url):
            page = int(dict(p.split("=") for p in url.query.split("&") if p).get(
                "page", 0))  # fmt: skip
            headers = {}
            if page + 1 < len(everyone) and link_for(page + 1):
                headers["Link"] = link_for(page + 1)
            return (
                200,
                {"id": MEMBERSHIPS, "members": everyone[page : page + 1]},
                headers,
            )

        self.lms._members = answer

    def labels(self):
        return [p.label for p in self.client.get(self.url).context["plans"]]

    def test_pages_are_followed_by_any_spelling_of_rel_next(self) -> None:
        self.members_paged(
            lambda page: (
                f'<{MEMBERSHIPS}?x=1>; rel="differences", '
                f"</api/courses/7/memberships?{urlencode({'page': page})}>; "
                'title="roster; page"; rel="last NEXT"'
            )
        )
        self.assertEqual(len(self.labels()), 5)

    def test_a_next_page_at_another_site_is_not_fetched(self) -> None:
        self.members_paged(
            lambda page: '<https://collector.example.test/m>; rel="next"'
        )
        sent = len(self.lms.requests)
        response = self.client.get(self.url)
        self.assertContains(
            response, "links its next page at another site", status_code=502
        )
        asked = [r.url for r in self.lms.requests[sent:]]
        self.assertFalse(any("collector" in url for url in asked), asked)

    def test_pages_past_the_limit_are_not_asked_for(self) -> None:
        self.members_paged(
            lambda page: f'<{MEMBERSHIPS}?{urlencode({"page": page})}>; rel="next"'
        )
        sent = len(self.lms.requests)
        with mock.patch.object(services, "MAX_ROSTER_PAGES", 2):
            response = self.client.get(self.url)
        self.assertContains(response, "has more than 2 pages", status_code=502)
        pages = [r.url for r in self.lms.requests[sent:] if "memberships" in r.url]
        self.assertEqual(len(pages), 2)

    def test_a_page_linking_back_is_not_read_for_ever(self) -> None:
        self.members_paged(lambda page: f'<{MEMBERSHIPS}>; rel="next"')
        response = self.client.get(self.url)
        self.assertContains(
            response, "links back to a page already read", status_code=502
        )

    def test_next_page_reads_rfc_8288_link_values(self) -> None:
        url = "https://lms.example.test/api/m?page=1"
        cases = {
            '<https://lms.example.test/api/m?page=2>; rel="next"': "page=2",
            "<https://lms.example.test/api/m?a=1,2>; rel=next": "a=1,2",
            '<?page=3>; rel="prev next"': "page=3",
            '<https://lms.example.test/api/m?page=2>; rel="nextpage"': None,
            '<https://lms.example.test/api/m?page=2>; title="rel=next"': None,
        }
        for header, expected in cases.items():
            found = services.next_page(url, [header])
            if expected is None:
                self.assertIsNone(found, header)
            else:
                self.assertTrue(found.endswith(expected), (header, found))

    def test_a_roster_service_without_version_2_is_not_used(self) -> None:
        self.client.logout()
        nrps = {"context_memberships_url": MEMBERSHIPS, "service_versions": ["1.0"]}
        response, _, _ = self.lms.launch(
            self.client, sub="lms-teacher", roles=[claims.INSTRUCTOR], nrps=nrps
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ResourceLink.objects.get().memberships_url, "")
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(self.url), "no Names and Role", status_code=502
        )


class RosterThenImportTestCase(RosterBase):
    """A learner the sync added has no license; a roster import row with their
    email adds it to them (docs/lti.md), in the sync's agency only."""

    def test_a_roster_import_adds_the_license_to_the_person_the_sync_added(self):
        self.sync()
        dora = Identity.objects.get(subject="u-dora").person
        self.assertFalse(dora.licenses.exists())
        people = Person.objects.count()
        row = roster_row(5, **{"First name": "Dora", "Last name": "Diaz",
                               "Email": "dora@riverton.test"})  # fmt: skip
        preview, confirmed = import_roster(self.client, self.agency.code, [row])
        self.assertContains(preview, "MO license MO900005 added: matched by email")
        # The email is the LMS's word, which a learner may edit there: the
        # coordinator is told to check it is the holder.
        self.assertContains(preview, "added by an LMS roster sync")
        self.assertEqual(confirmed.status_code, 200)
        self.assertEqual(Person.objects.count(), people)
        self.assertEqual(
            list(License.objects.filter(person=dora).values_list("number", flat=True)),
            ["MO900005"],
        )
        # The LMS account stays linked to the same, now licensed, person.
        self.assertEqual(Identity.objects.get(subject="u-dora").person, dora)

    def test_another_agencys_lms_learner_is_found_by_neither(self):
        """Olga, whom Oakdale's LMS sync added (no license, Oakdale only), is on
        Riverton's LMS course too: Riverton's sync holds her elsewhere, and
        Riverton's roster import with her email makes a person of its own."""
        oakdale = self.lms.register_in_muster(
            self.other_agency, client_id="muster-tool-oakdale"
        )
        link = ResourceLink.objects.create(
            platform=oakdale, deployment=oakdale.deployments.get(),
            resource_link_id="link-9", course=self.course,
            memberships_url=self.link.memberships_url,
        )  # fmt: skip
        self.lms.members = [member("u-olga", "Olga", "Ortiz", "olga@oakdale.test")]
        self.client.force_login(self.dana)
        self.client.post(
            f"/lti/links/{link.pk}/roster/", {"discipline": "peace-officer"}
        )
        olga = Identity.objects.get(platform=oakdale, subject="u-olga").person
        before = Person.objects.filter(pk=olga.pk).values().get()

        self.client.force_login(self.alice)
        plans = self.client.get(self.url).context["plans"]
        self.assertEqual([p.action for p in plans], ["held elsewhere"])
        self.sync()
        self.assertFalse(Identity.objects.filter(platform=self.platform).exists())
        row = roster_row(6, **{"First name": "Olga", "Last name": "Ortiz",
                               "Email": "olga@oakdale.test"})  # fmt: skip
        preview, _ = import_roster(self.client, self.agency.code, [row])
        self.assertEqual([p.action for p in preview.context["plan"].plans], ["create"])
        self.assertNotContains(preview, "matched by email")
        self.assertEqual(Person.objects.filter(pk=olga.pk).values().get(), before)
        self.assertFalse(olga.licenses.exists())
        self.assertEqual(
            list(olga.employments.values_list("agency", flat=True)),
            [self.other_agency.pk],
        )
        ours = Person.objects.get(licenses__number="MO900006")
        self.assertNotEqual(ours.pk, olga.pk)
        self.assertEqual(
            list(ours.employments.values_list("agency", flat=True)), [self.agency.pk]
        )

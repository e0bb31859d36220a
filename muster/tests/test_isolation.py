"""The isolation matrix: every URL × every role × another agency's data → refused.

Every named URL pattern of the project (django-ninja API endpoints included,
since they are URL patterns too) needs a declared `Case` in
`muster/<app>/tests/isolation_cases.py`; a new view without one fails
`test_every_url_has_a_case`, naming it. The admin, django-allauth's own pages
and static files are left out: the admin is for platform administrators only
and allauth's pages show only the signed-in user's own account.
"""

from __future__ import annotations

import tempfile

from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from muster.accounts.choices import Role
from muster.audit.log import record_event
from muster.test import BaseTestCase, make_user
from muster.tests.isolation import Case, declared_cases

# Charlie Chen is Oakdale's officer; no page shown to the attackers may name him.
LEAKS = ("Charlie", "Chen")
REFUSED = (403, 404, 405)
WRITES = {"POST", "PATCH"}
# The matrix runs as this many tests (MatrixInParts has one method for each).
MATRIX_PARTS = 3
SKIPPED_MODULES = ("django.contrib.admin", "allauth.", "django.views.static")


def project_urls() -> list[str]:
    """The names of every URL pattern to check; unnamed ones by their route."""
    names: list[str] = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                space = pattern.namespace or ""
                if space == "admin" or route.startswith("accounts/"):
                    continue
                inner = f"{namespace}{space}:" if space else namespace
                walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern):
                module = getattr(pattern.callback, "__module__", "") or ""
                if module.startswith(SKIPPED_MODULES):
                    continue
                names.append(f"{namespace}{pattern.name}" if pattern.name else route)

    walk(get_resolver().url_patterns, "", "")
    return names


class IsolationWorld(BaseTestCase):
    """Oakdale's data, the attackers, and how a request to a case is judged; no
    tests of its own, so that other modules may build on it."""

    def setUp(self) -> None:
        super().setUp()
        self.tina = make_user("tina", (Role.COORDINATOR, self.tn_agency))
        # Oakdale's own trail mentions Charlie, as it would once Dana entered his
        # training: pages that show audit history must not pass it on.
        record_event(
            "training.create",
            actor=self.dana,
            obj=self.charlie_record,
            agency_id=self.other_agency.pk,
            label="Charlie Chen: Patrol procedures",
        )
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        media_override = override_settings(MEDIA_ROOT=media.name)
        media_override.enable()
        self.addCleanup(media_override.disable)
        self.cases = declared_cases()

    def attackers(self) -> dict[str, object]:
        """Users with no right to Oakdale's data, by the role they play here."""
        return {
            "anonymous": None,
            "officer of another agency (bob)": self.bob,
            "coordinator of another agency (alice)": self.alice,
            "head of another agency (harold)": self.harold,
            "auditor of another state (tess)": self.tess,
            "coordinator in another state (tina)": self.tina,
        }

    def check_matrix_part(self, part: int) -> None:
        """Every URL whose place in the sorted list of the cases' URLs falls in
        `part`, for every attacker. The matrix is some 1,500 requests: in parts,
        the test workers share it instead of one of them running it alone for
        most of a minute."""
        urls = [
            (name, reverse(name, kwargs=kwargs) + case.query, case)
            for name, case in sorted(self.cases.items())
            for kwargs in (case.build(self) if case.build else [{}])
        ]
        failures: list[str] = []
        for name, url, case in urls[part::MATRIX_PARTS]:
            failures += self.check_url(name, url, case)
        self.assertEqual(failures, [], "\n".join(failures))

    def check_url(self, name: str, url: str, case: Case) -> list[str]:
        failures = []
        for role, user in self.attackers().items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for method in case.methods:
                response = self.send(client, user, method, url, case)
                problem = self.judge(response, user, case)
                if problem:
                    failures.append(f"{name}: {method} {url} as {role}: {problem}")
        return failures

    def send(self, client, user, method: str, url: str, case: Case):
        """The request: the case's own `send` (API cases use a token, not the
        session), else a form POST or a GET."""
        if "send" in case.extra:
            body = case.extra["body"](self) if case.extra.get("body") else None
            return case.extra["send"](self, client, user, method, url, body)
        if method == "POST":
            return client.post(url, case.data(self) if case.data else {})
        return client.get(url)

    @staticmethod
    def judge(response, user, case: Case) -> str:
        """What is wrong with `response`, or "" if it gave nothing away."""
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode(errors="replace")
        else:
            body = response.content.decode(errors="replace")
        leaked = [word for word in LEAKS if word in body]
        if leaked:
            return f"the response contains {', '.join(leaked)}"
        if case.build is None or response.status_code in REFUSED:
            return ""
        if case.extra.get("public") and user is not None:
            return ""  # Argument names no agency's data (a state's law).
        location = response.get("Location", "")
        if user is None and location.startswith("/accounts/login/"):
            return ""
        if user is None and response.status_code == 401:
            return ""  # The API asks for a token rather than redirecting.
        return f"status {response.status_code}, expected 403 or 404"


class MatrixInParts:
    """The matrix itself, as MATRIX_PARTS tests over the sorted cases."""

    def test_no_role_reaches_another_agencys_data_part_1(self) -> None:
        self.check_matrix_part(0)

    def test_no_role_reaches_another_agencys_data_part_2(self) -> None:
        self.check_matrix_part(1)

    def test_no_role_reaches_another_agencys_data_part_3(self) -> None:
        self.check_matrix_part(2)


class IsolationMatrixTestCase(MatrixInParts, IsolationWorld):
    def test_every_url_has_a_case(self) -> None:
        missing = [name for name in project_urls() if name not in self.cases]
        self.assertEqual(
            missing,
            [],
            "URL patterns with no isolation case: declare each in "
            "muster/<app>/tests/isolation_cases.py (format in "
            "muster/agencies/tests/isolation_cases.py).",
        )

    def test_the_matrix_parts_cover_every_case(self) -> None:
        parts = [n for n in dir(MatrixInParts) if n.startswith("test_no_role")]
        self.assertEqual(len(parts), MATRIX_PARTS)

    def test_every_case_names_a_real_url(self) -> None:
        stale = sorted(set(self.cases) - set(project_urls()))
        self.assertEqual(stale, [], "Isolation cases for URLs that no longer exist.")

    def test_a_state_auditor_reads_but_never_writes(self) -> None:
        """Sam audits Missouri, Oakdale's state: he may read Charlie, not write."""
        client = Client()
        client.force_login(self.sam)
        failures = []
        for name, case in sorted(self.cases.items()):
            if case.build is None or not WRITES & set(case.methods):
                continue
            if "auditor_writes" in case.extra:
                continue  # A write auditors may make (the case says which).
            for kwargs in case.build(self):
                url = reverse(name, kwargs=kwargs) + case.query
                for method in sorted(WRITES & set(case.methods)):
                    status = self.send(client, self.sam, method, url, case).status_code
                    if status not in REFUSED:
                        failures.append(f"{name}: {method} {url} as sam: {status}")
        self.assertEqual(failures, [], "\n".join(failures))

    def test_the_person_pages_lists_and_explanations_give_nothing_away(self) -> None:
        """The person page's htmx list of records (another page, a search) and its
        lines explained on request are fetched by URL too: every attacker is
        refused them for Charlie, as for the page itself."""
        url = reverse("agencies:person", kwargs={"pk": self.charlie_person.pk})
        variants = ("?page=2", "?q=Patrol", "?lines=all", "?year=2026&lines=all&q=P")
        headers = ({}, {"HX-Request": "true", "HX-Target": "records-list"})
        failures = []
        for role, user in self.attackers().items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for query in variants:
                for header in headers:
                    response = client.get(url + query, headers=header)
                    problem = self.judge(response, user, Case(build=lambda t: []))
                    if problem:
                        failures.append(f"{url}{query} {header} as {role}: {problem}")
        self.assertEqual(failures, [], "\n".join(failures))

    def test_a_former_employers_fragments_hold_only_its_own_records(self) -> None:
        """Charlie left Alice's agency for Oakdale: Alice reads the records her
        agency entered, never Oakdale's, in the list, its search and its pages."""
        from muster.test import make_record

        make_record(self.charlie_person, self.agency, title="Firearms at Alices")
        url = reverse("agencies:person", kwargs={"pk": self.charlie_person.pk})
        client = Client()
        client.force_login(self.alice)
        header = {"HX-Request": "true", "HX-Target": "records-list"}
        for query in ("", "?q=Patrol", "?lines=all", "?page=1&q=P"):
            for headers in ({}, header):
                response = client.get(url + query, headers=headers)
                self.assertEqual(response.status_code, 200, query)
                self.assertNotContains(response, "Patrol procedures")
        self.assertContains(client.get(url, headers=header), "Firearms at Alices")

    def test_a_former_employer_is_refused_the_standing_and_plan(self) -> None:
        """Charlie worked at Riverton (Alice, Harold) and at Millbrook in Tennessee
        (Tina; Tess audits Tennessee) before Oakdale, and each entered a record of
        his; Erin left Riverton for Oakdale, and Riverton entered every record she
        has. Each former employer still reads them through its records, but gets
        404 on every URL that works out their standing or plan from the whole
        history (the cases with `standing_of`), and the person page shows it no
        standing; those who follow them today get them."""
        from datetime import date

        from muster.agencies.models import Employment
        from muster.test import make_person, make_record

        charlie, riverton, millbrook = self.charlie_person, self.agency, self.tn_agency
        for agency, start, end in (
            (riverton, date(2010, 1, 1), date(2012, 12, 31)),
            (millbrook, date(2013, 1, 1), date(2015, 5, 31)),
        ):
            Employment.objects.create(
                person=charlie, agency=agency, starts_on=start, ends_on=end
            )
            make_record(charlie, agency, completed_on=end, title=f"At {agency.code}")
        erin = make_person(
            "Erin", "Evans", self.other_agency, hired_on=date(2020, 1, 1)
        )
        Employment.objects.create(
            person=erin,
            agency=riverton,
            starts_on=date(2016, 1, 1),
            ends_on=date(2019, 12, 31),
        )
        make_record(erin, riverton, completed_on=date(2019, 3, 1))
        riverton_readers = {"alice": self.alice, "harold": self.harold}
        former = {
            charlie: riverton_readers | {"tina": self.tina, "tess": self.tess},
            erin: riverton_readers,
        }
        following = {"dana": self.dana, "sam": self.sam, "root": self.root}
        marked = {n: c for n, c in self.cases.items() if "standing_of" in c.extra}
        self.assertIn("plans:person", marked)
        self.assertIn("api:person_standings", marked)
        failures = []
        for name, case in sorted(marked.items()):
            for person in (charlie, erin):
                url = reverse(name, kwargs=case.extra["standing_of"](self, person))
                asked = [(who, user, 404) for who, user in former[person].items()]
                asked += [(who, user, 200) for who, user in following.items()]
                if person == charlie:
                    asked.append(("charlie", self.charlie, 200))
                for who, user, expected in asked:
                    client = Client()
                    client.force_login(user)
                    status = self.send(client, user, "GET", url, case).status_code
                    if status != expected:
                        failures.append(f"{url} as {who}: {status}, not {expected}")
        self.assertEqual(failures, [], "\n".join(failures))
        # The person page: the records the agency entered, and no standing.
        for person in (charlie, erin):
            url = reverse("agencies:person", kwargs={"pk": person.pk})
            for who, user in former[person].items():
                client = Client()
                client.force_login(user)
                response = client.get(url)
                self.assertEqual(response.status_code, 200, (who, person))
                self.assertEqual(response.context["standings"], [], (who, person))
                self.assertIsNone(response.context["person_plan"], (who, person))
                self.assertContains(response, "no standing is computed")
            client = Client()
            client.force_login(self.dana)
            self.assertNotEqual(client.get(url).context["standings"], [], person)

"""Which agents are the same: identifier comparison, the `agent` filter's reach,
and the Person object of the Agents resource."""

from __future__ import annotations

import hashlib
import json

from django.apps import apps
from django.test import SimpleTestCase

from muster.agencies.models import Person
from muster.test import BaseTestCase, make_person
from muster.xapi.identity import agent_key, normal_key, normal_mbox
from muster.xapi.models import Document, StatementTerm, lrs_home_page
from muster.xapi.policy import POLICIES, ClientPolicy
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id, statement

ACTIVITY = "https://vendor.example/courses/de-escalation"


class IdentifierComparisonTestCase(SimpleTestCase):
    """IEEE 9274.1.1: IRIs compare by simple string comparison and RFC 3987
    5.3.2's syntax-based normalisation; an email's domain without case."""

    def test_mbox_scheme_and_domain_compare_without_case(self) -> None:
        self.assertEqual(
            normal_mbox("MAILTO:Ann.Lee@Example.ORG"), "mailto:Ann.Lee@example.org"
        )
        self.assertEqual(
            agent_key({"mbox": "Mailto:ann@EXAMPLE.org"}),
            agent_key({"mbox": "mailto:ann@example.org"}),
        )

    def test_mbox_local_part_keeps_its_case(self) -> None:
        self.assertNotEqual(
            agent_key({"mbox": "mailto:Ann@example.org"}),
            agent_key({"mbox": "mailto:ann@example.org"}),
        )

    def test_percent_encodings_compare_by_octet(self) -> None:
        # %7e is "~" (unreserved: decoded); %2f stays encoded, in upper case.
        self.assertEqual(normal_mbox("mailto:a%7eb%2f@x.org"), "mailto:a~b%2F@x.org")

    def test_openid_and_account_home_page_scheme_and_host_without_case(self) -> None:
        self.assertEqual(
            agent_key({"openid": "HTTPS://ID.Example.org/Ann"}),
            "openid:https://id.example.org/Ann",
        )
        lower = {"homePage": "https://lms.example/", "name": "Ann"}
        upper = {"homePage": "HTTPS://LMS.Example/", "name": "Ann"}
        self.assertEqual(agent_key({"account": lower}), agent_key({"account": upper}))
        other_name = {"homePage": "https://lms.example/", "name": "ann"}
        self.assertNotEqual(
            agent_key({"account": lower}), agent_key({"account": other_name})
        )

    def test_mbox_sha1sum_is_hexadecimal_in_any_case(self) -> None:
        digest = "A" * 40
        self.assertEqual(
            agent_key({"mbox_sha1sum": digest}), f"mbox_sha1sum:{'a' * 40}"
        )

    def test_old_keys_are_made_again_as_agent_key_makes_them(self) -> None:
        self.assertEqual(
            normal_key("mbox:mailto:Ann@EXAMPLE.org"), "mbox:mailto:Ann@example.org"
        )
        self.assertEqual(
            normal_key("account:HTTPS://LMS.example|Ann"),
            "account:https://lms.example|Ann",
        )
        self.assertEqual(
            normal_key("mbox_sha1sum:" + "F" * 40), "mbox_sha1sum:" + "f" * 40
        )


class IdentifierMatchingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)

    def ids(self, params) -> list[str]:
        response = self.lrs.get(params)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(s["id"] for s in response.json()["statements"])

    def test_the_agent_filter_compares_mbox_domain_and_scheme_without_case(
        self,
    ) -> None:
        sent = self.lrs.post(
            statement(actor={"mbox": "mailto:Ann@Example.ORG", "name": "Ann"})
        ).json()[0]
        self.assertEqual(
            self.ids({"agent": '{"mbox": "MAILTO:Ann@example.org"}'}), [sent]
        )
        self.assertEqual(self.ids({"agent": '{"mbox": "mailto:ann@example.org"}'}), [])
        # The statement is returned as it was sent.
        got = self.lrs.get({"statementId": sent}).json()
        self.assertEqual(got["actor"]["mbox"], "mailto:Ann@Example.ORG")

    def test_documents_are_found_whatever_the_case_of_the_domain(self) -> None:
        first = json.dumps({"mbox": "mailto:Ann@EXAMPLE.org"})
        again = json.dumps({"mbox": "mailto:Ann@example.ORG"})
        params = {"activityId": ACTIVITY, "agent": first, "stateId": "bookmark"}
        put = self.lrs.call("PUT", "activities/state", params, body={"page": 3})
        self.assertEqual(put.status_code, 204)
        got = self.lrs.call("GET", "activities/state", {**params, "agent": again})
        self.assertEqual(got.status_code, 200)
        self.assertEqual(got.json(), {"page": 3})
        profile = {"agent": first, "profileId": "prefs"}
        self.lrs.call("PUT", "agents/profile", profile, body={"lang": "en"})
        got = self.lrs.call("GET", "agents/profile", {**profile, "agent": again})
        self.assertEqual(got.json(), {"lang": "en"})
        other = json.dumps({"mbox": "mailto:ann@example.org"})  # another local part
        missing = self.lrs.call("GET", "agents/profile", {**profile, "agent": other})
        self.assertEqual(missing.status_code, 404)

    def test_the_migration_rewrites_keys_stored_before(self) -> None:
        sent = self.lrs.post(
            statement(actor={"mbox": "mailto:Ann@Example.ORG"})
        ).json()[0]
        term = StatementTerm.objects.get(statement__statement_id=sent, role="actor")
        StatementTerm.objects.filter(pk=term.pk).update(
            value="mbox:mailto:Ann@Example.ORG"
        )
        params = {"agent": '{"mbox": "mailto:Ann@Example.ORG"}', "profileId": "p"}
        self.lrs.call("PUT", "agents/profile", params, body={"a": 1})
        Document.objects.update(agent="mbox:mailto:Ann@Example.ORG")
        self.assertEqual(self.ids({"agent": '{"mbox": "mailto:Ann@example.org"}'}), [])

        rewrite = __import__(
            "muster.xapi.migrations.0002_normalise_agent_keys", fromlist=["rewrite"]
        ).rewrite
        rewrite(apps, None)

        self.assertEqual(
            self.ids({"agent": '{"mbox": "mailto:Ann@example.org"}'}), [sent]
        )
        self.assertEqual(Document.objects.get().agent, "mbox:mailto:Ann@example.org")


class AgentFilterReachTestCase(BaseTestCase):
    """Part Three 2.1.3 (1.0.3) and 9274.1.1 alike: `agent` matches the Actor or
    Object, an identified Group by its own identifier, and "Groups that have
    members which match the specified Agent"; `related_agents` widens the
    places, not the matching (Authority, Instructor, Team, context agents and
    groups, a SubStatement's)."""

    ANN = {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
    BOB = {"objectType": "Agent", "mbox": "mailto:bob@example.org"}
    SQUAD = {"objectType": "Group", "mbox": "mailto:squad@example.org", "name": "Squad"}

    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)

    def store(self, **changes) -> str:
        response = self.lrs.post(statement(id=new_id(), **changes))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()[0]

    def ids(self, agent: dict, **params) -> list[str]:
        response = self.lrs.get({"agent": json.dumps(agent), **params})
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(s["id"] for s in response.json()["statements"])

    def test_a_group_actor_or_object_matches_its_identifier_and_its_members(
        self,
    ) -> None:
        identified = self.store(actor={**self.SQUAD, "member": [self.ANN]})
        anonymous = self.store(actor={"objectType": "Group", "member": [self.ANN]})
        as_object = self.store(
            object={"objectType": "Group", "member": [self.ANN, self.BOB]}
        )
        self.assertEqual(self.ids(self.ANN), sorted([identified, anonymous, as_object]))
        self.assertEqual(self.ids(self.SQUAD), [identified])
        self.assertEqual(self.ids(self.BOB), [as_object])

    def test_a_group_does_not_match_its_members_own_statements(self) -> None:
        self.store(actor=self.ANN)
        squad_with_ann = {**self.SQUAD, "member": [self.ANN]}
        self.assertEqual(self.ids(squad_with_ann), [])
        self.assertEqual(
            self.lrs.get(
                {"agent": json.dumps({"objectType": "Group", "member": [self.ANN]})}
            ).status_code,
            400,  # an anonymous Group is no filter: it has no identifier
        )

    def test_other_places_match_only_with_related_agents(self) -> None:
        team = self.store(context={"team": {**self.SQUAD, "member": [self.ANN]}})
        instructed = self.store(context={"instructor": self.ANN})
        inner = self.store(
            object={
                "objectType": "SubStatement",
                "actor": {"objectType": "Group", "member": [self.ANN]},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
                "object": {"id": ACTIVITY},
            }
        )
        grouped = self.store(
            context={
                "contextGroups": [
                    {
                        "objectType": "contextGroup",
                        "group": {**self.SQUAD, "member": [self.ANN]},
                    }
                ]
            }
        )
        self.assertEqual(self.ids(self.ANN), [])
        self.assertEqual(
            self.ids(self.ANN, related_agents="true"),
            sorted([team, instructed, inner, grouped]),
        )
        self.assertEqual(
            self.ids(self.SQUAD, related_agents="true"), sorted([team, grouped])
        )


class PersonObjectTestCase(BaseTestCase):
    """Part Three 2.4 (Agents Resource): a Person object joining every
    identifier the LRS knows for the person, each property an array."""

    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.home = lrs_home_page()

    def person(self, agent: dict) -> dict:
        response = self.lrs.call("GET", "agents", {"agent": json.dumps(agent)})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def bob_identifiers(self) -> dict:
        pk = self.bob_person.pk
        return {
            "mbox": ["mailto:bob@example.org"],
            "mbox_sha1sum": [
                hashlib.sha1(b"mailto:bob@example.org").hexdigest()  # noqa: S324
            ],
            "account": [
                {"homePage": self.home, "name": f"person-{pk}"},
                {"homePage": self.home, "name": f"muster-person-{pk}"},
            ],
        }

    def test_any_identifier_of_a_staff_member_gives_all_of_them(self) -> None:
        pk = self.bob_person.pk
        expected = self.bob_identifiers()
        for agent in (
            {"mbox": "mailto:Bob@EXAMPLE.org"},  # the email, any case
            {"account": {"homePage": self.home, "name": f"person-{pk}"}},
            {"account": {"homePage": self.home, "name": f"muster-person-{pk}"}},
            {"mbox_sha1sum": expected["mbox_sha1sum"][0]},
        ):
            with self.subTest(agent=agent):
                person = self.person({"objectType": "Agent", "name": "B.", **agent})
                self.assertEqual(person["objectType"], "Person")
                self.assertEqual(person["name"], ["B.", "Bob Baker"])
                for ifi in ("mbox", "mbox_sha1sum", "account"):
                    # The identifier asked with comes first; no one twice.
                    self.assertEqual(
                        sorted(map(json.dumps, person[ifi])),
                        sorted(map(json.dumps, _with(ifi, expected[ifi], agent))),
                    )
                self.assertNotIn("openid", person)

    def test_an_unknown_agent_is_given_back_as_itself(self) -> None:
        agent = {"openid": "https://id.example.org/zed", "name": "Zed"}
        self.assertEqual(
            self.person(agent),
            {"objectType": "Person", "name": ["Zed"], "openid": [agent["openid"]]},
        )
        stranger = {"account": {"homePage": "https://lms.example", "name": "person-1"}}
        self.assertEqual(
            self.person(stranger),
            {"objectType": "Person", "account": [stranger["account"]]},
        )

    def test_another_agencys_officer_is_not_joined(self) -> None:
        pk = self.charlie_person.pk  # employed by the other agency
        for agent in (
            {"mbox": "mailto:charlie@example.org"},
            {"account": {"homePage": self.home, "name": f"person-{pk}"}},
        ):
            with self.subTest(agent=agent):
                person = self.person(agent)
                self.assertNotIn("name", person)
                self.assertEqual([k for k in person if k != "objectType"], list(agent))

    def test_an_email_two_officers_share_names_neither(self) -> None:
        make_person("Bobby", "Other", self.agency)
        Person.objects.filter(first_name="Bobby").update(email="bob@example.org")
        person = self.person({"mbox": "mailto:bob@example.org"})
        self.assertEqual(
            person, {"objectType": "Person", "mbox": ["mailto:bob@example.org"]}
        )

    def test_a_group_is_no_agent_here(self) -> None:
        group = {"objectType": "Group", "mbox": "mailto:squad@example.org"}
        response = self.lrs.call("GET", "agents", {"agent": json.dumps(group)})
        self.assertEqual(response.status_code, 400)


def _with(ifi: str, values: list, agent: dict) -> list:
    """`values`, and the agent's own `ifi` if it is another identifier (an
    email found by its address in another case is the officer's, and still
    a different mbox)."""
    if ifi not in agent:
        return values
    known = {agent_key({ifi: value}) for value in values}
    return values if agent_key(agent) in known else [agent[ifi], *values]


class NarrowedClientPersonTestCase(BaseTestCase):
    """A client a policy narrows (cmi5's AU credential is one) is given the
    agent alone: cmi5 keeps the learner's email from the AU (8.1, 9.2)."""

    def test_a_narrowed_client_gets_no_joined_identifiers(self) -> None:
        client, secret = make_lrs_client(self, self.agency)
        lrs = LRS(client.key, secret)

        class Narrow(ClientPolicy):
            def applies(self, candidate) -> bool:
                return candidate.pk == client.pk

        policy = Narrow()
        POLICIES.insert(0, policy)
        self.addCleanup(POLICIES.remove, policy)
        account = {"homePage": lrs_home_page(), "name": f"person-{self.bob_person.pk}"}
        response = lrs.call(
            "GET", "agents", {"agent": json.dumps({"account": account})}
        )
        self.assertEqual(
            response.json(), {"objectType": "Person", "account": [account]}
        )

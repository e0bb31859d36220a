"""The curl examples of docs/api.md, docs/xapi.md and docs/badges.md, replayed
as written.

Each ```sh block that holds `curl` commands is read from the document itself,
split into commands as a shell would (quotes, line continuations), and sent
through Django's test client in order, with the documents' placeholders filled
in: the host (`https://muster.example`, `$LRS`, `$ORIGIN`), the secrets
(`$TOKEN`, `$HEAD_TOKEN`, `$KEY`, `$SECRET`, `$MUSTER_TOKEN`), a certificate's
`$CODE`, the ids of the examples (person 17, record 42, exemption 8:
here, the person and the rows the block's own POSTs created) and the ETags
written `"…"` (here, the resource's current one). Every example must answer as
it does for a reader who pastes it: a success. An example whose body or
headers no longer fit the API fails here, not in a reader's terminal.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from pathlib import Path

from django.test import override_settings

from muster.api.tests.helpers import token_for
from muster.learning.models import Attempt, Certificate
from muster.learning.tests.helpers import (
    ClockMixin,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import BaseTestCase
from muster.xapi.actions import create_client

DOCS = Path(__file__).resolve().parents[2] / "docs"
ORIGINS = ("https://muster.example", "$LRS", "$ORIGIN")
ELLIPSIS_ETAG = re.compile(r'^"[0-9a-f]*…"$')


def curl_commands(document: str) -> list[list[list[str]]]:
    """Per ```sh block with curl in it, its curl commands as argument lists: one
    per shell line (continued by a backslash or an open quote), up to a pipe."""
    blocks = re.findall(r"```sh\n(.*?)```", (DOCS / document).read_text(), re.S)
    found = []
    for block in blocks:
        if "curl " not in block:
            continue
        commands, pending = [], ""
        for line in block.replace("\\\n", " ").splitlines():
            pending = f"{pending}\n{line}" if pending else line
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # a quote still open: the line goes on
                continue
            pending = ""
            if words[:1] == ["curl"]:
                commands.append(
                    words[1 : words.index("|")] if "|" in words else words[1:]
                )
        found.append(commands)
    return found


def parse(arguments: list[str]) -> dict:
    """The request a curl command line sends: method, URL, headers, body."""
    request = {"method": None, "url": None, "headers": {}, "data": None, "user": None}
    words = iter(arguments)
    for word in words:
        if word == "-X":
            request["method"] = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif word == "-d":
            request["data"] = next(words)
        elif word == "-u":
            request["user"] = next(words)
        elif word == "-o":
            next(words)
        elif word.startswith("-"):
            assert set(word[1:]) <= set("sifS"), f"curl option not understood: {word}"
        else:
            request["url"] = word
    request["method"] = request["method"] or ("POST" if request["data"] else "GET")
    return request


class Replay:
    """Sends a document's curl commands through the test client."""

    secrets: dict[str, str]
    created: dict[str, int]

    def fill(self, text: str) -> str:
        for placeholder, value in self.secrets.items():
            text = text.replace(placeholder, value)
        return text

    def path_of(self, url: str) -> str:
        for origin in ORIGINS:
            if url.startswith(origin):
                url = url[len(origin) :]
        if url.startswith("/statements") or url.startswith("/about"):
            url = "/xapi" + url
        # The examples' ids are the rows this block made.
        return re.sub(
            r"^/api/v1/(\w+)/(\d+)",
            lambda m: f"/api/v1/{m[1]}/{self.created.get(m[1], m[2])}",
            url,
        )

    def send(self, arguments: list[str]):
        request = parse([self.fill(word) for word in arguments])
        path = self.path_of(request["url"])
        headers = dict(request["headers"])
        if request["user"]:
            encoded = base64.b64encode(request["user"].encode()).decode()
            headers["Authorization"] = f"Basic {encoded}"
        if ELLIPSIS_ETAG.match(headers.get("If-Match", "")):
            current = self.client.get(
                path.removesuffix("/void").removesuffix("/decision"),
                headers={"Authorization": headers["Authorization"]},
            )
            headers["If-Match"] = current["ETag"]
        body = request["data"] or ""
        body = body.replace('"person": 17', f'"person": {self.bob_person.pk}')
        content_type = headers.pop("Content-Type", "application/octet-stream")
        response = self.client.generic(
            request["method"], path, body, content_type=content_type, headers=headers
        )
        self.assertLess(
            response.status_code,
            300,
            f"{request['method']} {path} answered {response.status_code}: "
            f"{response.content[:500]!r}",
        )
        kind = re.match(r"^/api/v1/(\w+)$", path)
        if request["method"] == "POST" and kind:
            self.created[kind[1]] = response.json()["id"]
        return response


class DocsExamplesTestCase(Replay, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.created = {}
        lrs_client, lrs_secret = create_client(
            actor=self.alice, agency=self.agency, name="docs"
        )
        self.secrets = {
            "$TOKEN": token_for(self.alice),
            "$HEAD_TOKEN": token_for(self.harold),
            "mst_p_…": token_for(self.alice),
            "$KEY": lrs_client.key,
            "$SECRET": lrs_secret,
        }

    def test_every_api_example_succeeds_as_written(self) -> None:
        blocks = curl_commands("api.md")
        sent = [[self.send(command) for command in commands] for commands in blocks]
        self.assertEqual([len(block) for block in sent], [1, 4, 3])
        token, recording, decisions = sent
        self.assertEqual(token[0].json()["items"][0]["id"], self.bob_person.pk)
        created, read, corrected, voided = recording
        self.assertEqual(created.status_code, 201)
        self.assertEqual(read["ETag"], created["ETag"])
        self.assertEqual(corrected.json()["title"], "De-escalation II")
        self.assertTrue(voided.json()["is_void"])
        qualification, exemption, decision = decisions
        self.assertEqual(qualification.json()["score"], "92.50")
        self.assertEqual(exemption.json()["approval"], "pending")
        self.assertEqual(decision.json()["approval"], "approved")

    def test_the_xapi_example_stores_and_finds_the_statement(self) -> None:
        (commands,) = curl_commands("xapi.md")
        about, stored, found = [self.send(command) for command in commands]
        self.assertIn("2.0.0", about.json()["version"])
        (statement_id,) = stored.json()
        self.assertEqual([s["id"] for s in found.json()["statements"]], [statement_id])


@override_settings(BADGE_ORIGIN="https://testserver")
class BadgeExamplesTestCase(Replay, ClockMixin, BaseTestCase):
    """docs/badges.md's block, for a certificate Bob earned in an online course."""

    def setUp(self) -> None:
        super().setUp()
        course = make_course()
        self.client.force_login(self.bob)
        ready_for_assessment(self.client, course, self.clock)
        url = f"/learn/{course.slug}/assessment/"
        self.client.get(url)
        self.client.post(url, right_answers(Attempt.objects.get()))
        self.client.logout()
        self.certificate = Certificate.objects.get()
        self.created = {}
        self.secrets = {
            "$CODE": self.certificate.code,
            "$MUSTER_TOKEN": token_for(self.alice),
        }

    def test_every_badge_address_answers_as_written(self) -> None:
        (commands,) = curl_commands("badges.md")
        jwt, as_json, proof, did, status_list, credential = [
            self.send(command) for command in commands
        ]
        # The document's own way to read the payload: the middle part, base64url.
        payload = jwt.content.decode().split(".")[1]
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        self.assertIn("OpenBadgeCredential", claims["type"])
        enveloped = json.loads(as_json.content)
        self.assertEqual(enveloped["type"], "EnvelopedVerifiableCredential")
        self.assertTrue(enveloped["id"].endswith(jwt.content.decode()))
        self.assertEqual(
            json.loads(proof.content)["proof"]["type"], "DataIntegrityProof"
        )
        self.assertTrue(json.loads(did.content)["id"].startswith("did:web:testserver"))
        self.assertTrue(status_list.content)
        self.assertEqual(credential.json()["credential"], jwt.content.decode())

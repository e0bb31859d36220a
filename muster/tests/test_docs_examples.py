"""The curl examples of docs/api.md and docs/xapi.md, replayed as written.

Each ```sh block that holds `curl` commands is read from the document itself,
split into commands as a shell would (quotes, line continuations), and sent
through Django's test client in order, with the documents' placeholders filled
in: the host (`https://muster.example`), the secrets (`$TOKEN`, `$HEAD_TOKEN`,
`$KEY`, `$SECRET`), the ids of the examples (person 17, record 42, exemption 8:
here, the person and the rows the block's own POSTs created) and the ETags
written `"…"` (here, the resource's current one). Every example must answer as
it does for a reader who pastes it: a success. An example whose body or
headers no longer fit the API fails here, not in a reader's terminal.
"""

from __future__ import annotations

import base64
import re
import shlex
from pathlib import Path

from muster.api.tests.helpers import token_for
from muster.test import BaseTestCase
from muster.xapi.actions import create_client

DOCS = Path(__file__).resolve().parents[2] / "docs"
ORIGINS = ("https://muster.example", "$LRS", "$ORIGIN")
ELLIPSIS_ETAG = re.compile(r'^"[0-9a-f]*…"$')


def curl_commands(document: str) -> list[list[list[str]]]:
    """Per ```sh block with curl in it, its curl commands as argument lists."""
    blocks = re.findall(r"```sh\n(.*?)```", (DOCS / document).read_text(), re.S)
    found = []
    for block in blocks:
        if "curl " not in block:
            continue
        lines = [
            line for line in block.splitlines() if not line.lstrip().startswith("#")
        ]
        words = shlex.split("\n".join(lines).replace("\\\n", " "), comments=True)
        commands, current = [], None
        for word in words:
            if word == "curl":
                current = []
                commands.append(current)
            elif current is not None:
                current.append(word)
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


class DocsExamplesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.created: dict[str, int] = {}
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

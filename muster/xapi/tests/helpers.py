"""A client of the LRS for tests: credentials per agency, JSON in and out."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import urlencode

from django.test import Client

from muster.xapi.actions import create_client


def make_lrs_client(t, agency, name="Vendor LMS"):
    client, secret = create_client(
        actor=t.alice if agency == t.agency else t.dana, agency=agency, name=name
    )
    return client, secret


class LRS:
    """Talks to /xapi/ as one LRS client, with version 2.0.0 unless told."""

    def __init__(self, key: str, secret: str, version: str = "2.0.0") -> None:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"HTTP_AUTHORIZATION": f"Basic {token}"}
        if version:
            self.headers["HTTP_X_EXPERIENCE_API_VERSION"] = version
        self.http = Client()

    def call(
        self,
        method,
        path,
        params=None,
        body=None,
        content_type="application/json",
        **headers,
    ):
        url = "/xapi/" + path + ("?" + urlencode(params) if params else "")
        data = (
            json.dumps(body)
            if body is not None and not isinstance(body, bytes | str)
            else body
        )
        return self.http.generic(
            method,
            url,
            data or b"",
            content_type=content_type,
            **self.headers,
            **headers,
        )

    def post(self, statements, **headers):
        return self.call("POST", "statements", body=statements, **headers)

    def get(self, params=None, **headers):
        return self.call("GET", "statements", params=params, **headers)


def statement(**changes) -> dict:
    data = {
        "actor": {
            "objectType": "Agent",
            "name": "Bob Baker",
            "mbox": "mailto:bob@example.org",
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attempted",
            "display": {"en-US": "attempted"},
        },
        "object": {
            "id": "https://vendor.example/courses/de-escalation",
            "definition": {"name": {"en-US": "De-escalation", "fr": "Désescalade"}},
        },
    }
    data.update(changes)
    return data


def new_id() -> str:
    return str(uuid.uuid4())

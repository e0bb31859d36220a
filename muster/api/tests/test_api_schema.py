"""The OpenAPI document: 3.1, every operation declares the errors it can answer,
every error is problem+json, and the docs page runs from local files."""

from __future__ import annotations

import pytest
from django.test import Client

from muster.test import BaseTestCase

# Statuses that any authenticated operation may answer, whatever it does.
ALWAYS = {"401", "404", "422"}
WRITES = {"403", "409", "412", "428"}


class SchemaTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.schema = Client().get("/api/v1/openapi.json").json()

    def operations(self):
        for path, item in self.schema["paths"].items():
            for method, operation in item.items():
                yield path, method, operation

    def test_it_is_openapi_3_1(self) -> None:
        self.assertTrue(self.schema["openapi"].startswith("3.1"))

    def test_every_operation_declares_its_errors_as_problems(self) -> None:
        missing = []
        for path, method, operation in self.operations():
            declared = set(operation["responses"])
            wanted = ALWAYS | (WRITES if method in ("post", "patch") else set())
            if wanted - declared:
                missing.append(f"{method.upper()} {path}: {sorted(wanted - declared)}")
            self.assertTrue(operation.get("security"), f"{method} {path} is open")
        self.assertEqual(missing, [])

    def test_the_docs_page_loads_only_local_scripts(self) -> None:
        response = Client().get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", page)
        self.assertNotIn("cdn", page.lower())
        policy = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)


@pytest.mark.django_db
def test_a_query_parameter_given_twice_is_a_422_naming_it(client):
    response = client.get("/api/v1/people?agency=a&agency=b&limit=1")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"field": "query.agency", "pointer": "", "detail": "Given more than once."}
    ]

"""Muster's OB 3.0 JSON Schema held to the specification's own constraints.

1EdTech generates its JSON Schema files (ob_v3p0_achievementcredential_schema.json
and the rest) from the data model tables of Open Badges 3.0 appendix B.1: a
property of multiplicity [1] or [1..*] is required, the enumerations are the
B.1.28/B.1.30 lists, and a class that "can be extended with additional
properties" admits others. The official file is not in the repository (its
licence: docs/badges.md, "The JSON Schema"), so these tests compare
ours with those tables, transcribed below with their section numbers from
Open Badges Specification v3.0 (https://www.imsglobal.org/spec/ob/v3p0/, the
text whose tables name context-3.0.3.json; the copy read did not state its
document version).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema_rs
from django.test import SimpleTestCase

SCHEMA = json.loads((Path(__file__).parent / "ob3_credential_schema.json").read_text())

# Class -> (where our schema describes it, properties the spec makes [1] or [1..*]).
SPEC_REQUIRED = {
    "B.1.1 Achievement": (
        "/$defs/Achievement",
        {"id", "type", "criteria", "description", "name"},
    ),
    "B.1.2 AchievementCredential": (
        "",
        {"@context", "id", "type", "credentialSubject", "issuer", "validFrom"},
    ),
    "B.1.3 AchievementSubject": ("/$defs/AchievementSubject", {"type", "achievement"}),
    "B.1.11 IdentifierEntry": (
        "/$defs/Achievement/properties/otherIdentifier/items",
        {"type", "identifier", "identifierType"},
    ),
    "B.1.12 IdentityObject": (
        "/$defs/IdentityObject",
        {"type", "hashed", "identityHash", "identityType"},
    ),
    "B.1.14 Profile": ("/$defs/Profile", {"id", "type"}),
    "B.1.21 CredentialSchema": ("/properties/credentialSchema/items", {"id", "type"}),
    "B.1.22 CredentialStatus": ("/properties/credentialStatus", {"type"}),
}
# Where Muster's schema asks more than the specification, and why.
STRICTER = {
    # [0..1] in B.1.2; wallets list credentials by it, and Muster always names one.
    "B.1.2 AchievementCredential": {"name"},
    # Muster's entries are BitstringStatusListEntry, whose other members
    # Bitstring Status List v1.0 section 2.1 makes required.
    "B.1.22 CredentialStatus": {
        "statusPurpose",
        "statusListIndex",
        "statusListCredential",
    },
}
# B.1.11 and B.1.12 are the only classes used here that do not say "This class
# can be extended with additional properties".
CLOSED = {"B.1.11 IdentifierEntry", "B.1.12 IdentityObject"}
# B.1.30 IdentifierTypeEnum and B.1.28 AchievementType, each extensible with
# names starting "ext:".
IDENTIFIER_TYPES = [
    "name", "sourcedId", "systemId", "productId", "userName", "accountId",
    "emailAddress", "nationalIdentityNumber", "isbn", "issn", "lisSourcedId",
    "oneRosterSourcedId", "sisSourcedId", "ltiContextId", "ltiDeploymentId",
    "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
]  # fmt: skip
ACHIEVEMENT_TYPES = [
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
    "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
    "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
    "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram",
    "License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
    "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma",
]  # fmt: skip
OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)


def at(pointer: str) -> dict:
    node = SCHEMA
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node


def valid() -> dict:
    """The smallest credential the specification's tables allow, as Muster
    issues it (with its stricter members)."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "https://muster.example/verify/X/",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Course",
        "issuer": {"id": "did:web:muster.example:issuers:a", "type": ["Profile"]},
        "validFrom": "2026-03-02T14:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:5b0c8a9e-4f0e-4d3f-9a51-6f1d0c6b7e21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://muster.example/learn/x/",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": "Course",
                "description": "A course.",
                "criteria": {"narrative": "Pass."},
            },
        },
        "credentialSchema": [
            {"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}
        ],
    }


class SchemaAgainstSpecificationTestCase(SimpleTestCase):
    validator = jsonschema_rs.validator_for(SCHEMA)

    def test_it_requires_what_the_specification_requires_and_says_where_more(
        self,
    ) -> None:
        for name, (pointer, required) in SPEC_REQUIRED.items():
            with self.subTest(name):
                ours = set(at(pointer).get("required", ()))
                self.assertEqual(ours - required, STRICTER.get(name, set()))
                self.assertEqual(required - ours, set())

    def test_closed_classes_are_closed_and_extensible_ones_open(self) -> None:
        for name, (pointer, _) in SPEC_REQUIRED.items():
            with self.subTest(name):
                closed = at(pointer).get("additionalProperties", True) is False
                self.assertEqual(closed, name in CLOSED)

    def test_the_enumerations_are_the_specifications(self) -> None:
        identity = at("/$defs/IdentifierType")["anyOf"][0]["enum"]
        self.assertEqual(identity, IDENTIFIER_TYPES)
        kinds = at("/$defs/Achievement/properties/achievementType")["anyOf"][0]
        self.assertEqual(kinds["enum"], ACHIEVEMENT_TYPES)

    def test_the_smallest_credential_is_valid(self) -> None:
        self.assertEqual(list(self.validator.iter_errors(valid())), [])

    def test_each_required_member_is_enforced(self) -> None:
        cases = {
            "@context": lambda c: c.pop("@context"),
            "issuer.type": lambda c: c["issuer"].pop("type"),
            "validFrom": lambda c: c.pop("validFrom"),
            "achievement.criteria": lambda c: c["credentialSubject"]["achievement"].pop(
                "criteria"
            ),
            "id or identifier": lambda c: c["credentialSubject"].pop("id"),
        }
        for name, mutate in cases.items():
            with self.subTest(name):
                credential = valid()
                mutate(credential)
                self.assertFalse(self.validator.is_valid(credential))

    def test_the_context_order_and_version_are_the_specifications(self) -> None:
        # B.1.2: first the VC 2.0 context, second the OB 3.0.3 context.
        credential = valid()
        credential["@context"].reverse()
        self.assertFalse(self.validator.is_valid(credential))
        credential = valid()
        credential["@context"][1] = credential["@context"][1].replace("3.0.3", "3.0.2")
        self.assertFalse(self.validator.is_valid(credential))

    def test_the_types_must_include_the_credentials_and_subjects(self) -> None:
        for path in (("type",), ("credentialSubject", "type")):
            with self.subTest(path):
                credential = valid()
                node = credential
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = ["VerifiableCredential"]
                self.assertFalse(self.validator.is_valid(credential))

    def test_a_credential_schema_must_name_the_specifications(self) -> None:
        # B.1.21: one entry MUST be this specification's JSON Schema with the
        # type 1EdTechJsonSchemaValidator2019.
        credential = valid()
        credential["credentialSchema"] = [
            {"id": "https://example.org/schema.json", "type": "JsonSchema"}
        ]
        self.assertFalse(self.validator.is_valid(credential))
        credential["credentialSchema"].append(
            copy.deepcopy(valid()["credentialSchema"][0])
        )
        self.assertTrue(self.validator.is_valid(credential))

    def test_extension_identifier_types_need_the_ext_prefix(self) -> None:
        credential = valid()
        credential["credentialSubject"]["identifier"] = [
            {
                "type": "IdentityObject",
                "identityType": "badgeNumber",
                "hashed": False,
                "identityHash": "x",
            }
        ]
        self.assertFalse(self.validator.is_valid(credential))
        credential["credentialSubject"]["identifier"][0]["identityType"] = (
            "ext:badgeNumber"
        )
        self.assertTrue(self.validator.is_valid(credential))

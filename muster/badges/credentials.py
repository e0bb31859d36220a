"""A certificate as an Open Badges 3.0 `OpenBadgeCredential`, signed as a VC-JWT.

Open Badges 3.0 (1EdTech, 2024), section 8.2 "JSON Web Token Proof Format": the
JWT payload is the credential itself, with `iss` (issuer.id), `jti` (id), `nbf`
(validFrom, in whole seconds) and `sub` (credentialSubject.id); the JOSE header is
only `alg`, `kid` (a URI dereferencing to the public JWK: here the DID URL of the
key, in the provider's did:web document) and `typ` "JWT". The algorithm is the
key's: EdDSA with Ed25519 (RFC 8037) by default, or RS256, the section's
minimum, for a provider that rotated to an RSA key (`badge_keys rotate
--algorithm RS256`). Why a
VC-JWT rather than an embedded `eddsa-rdfc-2022` proof: docs/badges.md.

The credential is built anew from the certificate on each request, so it always
says what the certificate says; its revocation lives in the status list, not in
the credential, so that a copy downloaded before a revocation fails afterwards.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jwt
from django.db.models import Max, Min
from django.utils import timezone

from muster.agencies.models import Agency
from muster.badges import integrity, status
from muster.badges.keys import (
    issuer_did,
    multikey_method,
    origin,
    private_key,
    verification_method,
)
from muster.badges.models import IssuerKey, StatusEntry
from muster.learning.models import Certificate

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MEDIA_TYPE = "application/vc+jwt"
# OB 3.0 B.1.21 CredentialSchema: if a credential names schemas, one of them
# MUST be this specification's JSON Schema with the type below. Neither shipped
# context defines that type, so JSON-LD gives it the VC 2.0 context's
# issuer-dependent IRI; the independent verifier accepts that one term only.
OB_SCHEMA = {
    "id": (
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
        "ob_v3p0_achievementcredential_schema.json"
    ),
    "type": "1EdTechJsonSchemaValidator2019",
}
# Persons are named in credentials by a UUID derived from this namespace and their
# primary key: stable across a person's certificates, meaningless elsewhere.
PERSON_NAMESPACE = uuid.UUID("5b0c8a9e-4f0e-4d3f-9a51-6f1d0c6b7e21")


def credential_url(certificate: Certificate) -> str:
    return f"{origin()}/verify/{certificate.code}/"


def status_list_url(agency: Agency) -> str:
    return f"{origin()}/issuers/{agency.code}/status-list/"


def open_badge(certificate: Certificate) -> dict:
    """The unsigned OpenBadgeCredential for `certificate` (VC Data Model 2.0)."""
    enrollment = certificate.enrollment
    provider = enrollment.course.provider
    subject_id = f"urn:uuid:{uuid.uuid5(PERSON_NAMESPACE, str(enrollment.person_id))}"
    index = certificate.status_entry.index
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_url(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": enrollment.course.title,
        "description": f"Completion certificate {certificate.code}",
        "issuer": _profile(provider),
        "validFrom": _stamp(certificate.issued_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": enrollment.person.get_full_name(),
                }
            ],
            "achievement": _achievement(certificate),
            **_earned(certificate),
        },
        "credentialStatus": {
            "id": f"{status_list_url(provider)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(provider),
        },
        "credentialSchema": [dict(OB_SCHEMA)],
        **_evidence(certificate),
    }


def signed_badge(certificate: Certificate, key: IssuerKey) -> str:
    """The credential as a compact JWS signed with `key` (the provider's current)."""
    return sign(open_badge(certificate), key)


def proved_badge(certificate: Certificate, key: IssuerKey) -> dict:
    """The credential with an embedded Data Integrity proof (`eddsa-rdfc-2022`,
    OB 3.0 section 8.3), made by `key` (Ed25519 only) now, to the second."""
    if key.algorithm != "EdDSA":
        raise ValueError("eddsa-rdfc-2022 proofs need an Ed25519 key.")
    return integrity.add_proof(
        open_badge(certificate),
        private_key(key),
        verification_method=multikey_method(key),
        created=_stamp(timezone.now()),
    )


def status_list_credential(agency: Agency) -> dict:
    """The provider's revocation list as a BitstringStatusListCredential.

    Valid from its last change (the latest revocation, or the signing key's
    creation before any): the same list signs to the same bytes, and a verifier
    whose clock runs a little behind is not shown a list from its future.
    """
    certificates = Certificate.objects.filter(enrollment__course__provider=agency)
    revoked = certificates.filter(revoked_at__isnull=False)
    entries = StatusEntry.objects.filter(agency=agency)
    highest = entries.aggregate(top=Max("index"))["top"] or 0
    size = max(status.list_size(entries.count()), highest + 1)
    changed = [
        revoked.aggregate(latest=Max("revoked_at"))["latest"],
        agency.issuer_keys.aggregate(first=Min("created_at"))["first"],
    ]
    url = status_list_url(agency)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(agency),
        "validFrom": _stamp(max(moment for moment in changed if moment)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status.encode(
                set(
                    entries.filter(certificate__in=revoked).values_list(
                        "index", flat=True
                    )
                ),
                size_hint=size,
            ),
        },
    }


def sign(credential: dict, key: IssuerKey) -> str:
    """A VC-JWT of `credential`: its members plus iss, jti, nbf and sub."""
    issuer = credential["issuer"]
    claims = {
        **credential,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
        "sub": credential["credentialSubject"]["id"],
    }
    return jwt.encode(
        claims,
        private_key(key),
        algorithm=key.algorithm,
        headers={"kid": verification_method(key), "typ": "JWT"},
    )


def _profile(provider: Agency) -> dict:
    """The issuer as OB 3.0 B.1.14 describes one, from what Muster holds of the
    provider: its name, what kind of body it is and where (B.1.4: the state as
    region, the country as ISO 3166-1 alpha-2), and its email if it gave one.
    Its free-text postal address is not split into B.1.4's parts (a guess), and
    its phone is left out (PhoneNumber is a format Muster does not check)."""
    profile = {
        "id": issuer_did(provider),
        "type": ["Profile"],
        "name": provider.name,
        "url": f"{origin()}/verify/",
        "description": (
            f"{provider.get_kind_display()}, {provider.get_state_display()}."
        ),
        "address": {
            "type": ["Address"],
            "addressRegion": provider.get_state_display(),
            "addressCountryCode": "US",
        },
    }
    if provider.email:
        profile["email"] = provider.email
    return profile


def _evidence(certificate: Certificate) -> dict:
    """B.1.9 Evidence of how the credit was earned: the seat time Muster
    credited and that the final assessment was passed. Not the pass mark: the
    course's mark may be edited after the officer passed, and no attempt keeps
    the mark it was judged by, so a badge downloaded later would state a mark
    the officer never sat under. Not the score, and no link to the seat-time
    log, which only the officer's agencies may read."""
    enrollment = certificate.enrollment
    minutes = enrollment.active_seconds // 60
    return {
        "evidence": [
            {
                "type": ["Evidence"],
                "name": "Seat time and final assessment",
                "narrative": (
                    f"{minutes} minutes of seat time credited by Muster's "
                    "server-side timer across every lesson; final assessment "
                    "passed."
                ),
            }
        ]
    }


def _achievement(certificate: Certificate) -> dict:
    enrollment = certificate.enrollment
    course = enrollment.course
    record = enrollment.record
    state = enrollment.get_jurisdiction_display()
    achievement = {
        "id": f"{origin()}/learn/{course.slug}/",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": course.title,
        "description": course.summary or course.title,
        "criteria": {
            "narrative": (
                "Complete every lesson with the required seat time and pass the "
                f"final assessment (pass mark {course.pass_mark}%)."
            )
        },
        "creditsAvailable": float(course.credited_hours),
    }
    if record is not None and record.course_number:
        achievement["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": f"{enrollment.jurisdiction} {record.course_number}",
                "identifierType": "ext:StateApprovalNumber",
            }
        ]
        achievement["description"] += f" Approved in {state}: {record.course_number}."
    topics = sorted(
        {t for line in record.credit_lines.all() for t in line.topics} if record else ()
    )
    if topics:
        achievement["tag"] = topics
    return achievement


def _earned(certificate: Certificate) -> dict:
    record = certificate.enrollment.record
    if record is None:
        return {}
    completed = datetime.combine(record.completed_on, datetime.min.time(), UTC)
    return {
        "creditsEarned": float(record.total_hours),
        "activityEndDate": _stamp(completed),
    }


def _stamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as `nbf` holds it."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Rows as the API's JSON: one small function per resource (shapes in schemas.py)."""

from __future__ import annotations

from typing import Any

from muster.accounts import access


def agency(row) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "kind": row.kind, "state": row.state}


def person(row, holder) -> dict[str, Any]:
    # A former employer reads the person, not the dates of their later career.
    dates_shown = access.follows_today(holder, row)
    return {
        "id": row.pk,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "external_id": row.external_id,
        "discipline": row.discipline,
        "licenses": [
            {
                "jurisdiction": lic.jurisdiction,
                "discipline": lic.discipline,
                "number": lic.number,
                "license_class": lic.license_class,
                "licensed_on": lic.licensed_on,
                "status": lic.status,
                "attributes": list(lic.attributes),
                "appointed_on": lic.appointed_on if dates_shown else None,
                "separated_on": lic.separated_on if dates_shown else None,
                "returned_on": lic.returned_on if dates_shown else None,
                "earlier_breaks": lic.earlier_breaks if dates_shown else [],
            }
            for lic in row.licenses.all()
        ],
        "employments": [
            {
                "agency": job.agency.code,
                "title": job.title,
                "unit": job.unit,
                "starts_on": job.starts_on,
                "ends_on": job.ends_on,
            }
            for job in access.visible_employments(holder, row)
        ],
    }


def _code(related) -> str | None:
    return related.code if related is not None else None


def record(row) -> dict[str, Any]:
    lines = sorted(row.credit_lines.all(), key=lambda line: line.pk)
    return {
        "id": row.pk,
        "person": row.person_id,
        "agency": _code(row.agency),
        "title": row.title,
        "started_on": row.started_on,
        "completed_on": row.completed_on,
        "provider_name": row.provider_name,
        "provider_kind": row.provider_kind,
        "course_number": row.course_number,
        "delivery": row.delivery,
        "result": row.result,
        "counts_for": row.counts_for,
        "source": row.source,
        "approval": row.approval,
        "is_void": row.is_void,
        "void_reason": row.void_reason,
        "total_hours": sum((line.hours for line in lines), 0),
        "credit_lines": [
            {"hours": line.hours, "area": line.area, "topics": list(line.topics)}
            for line in lines
        ],
        "created_at": row.created_at,
    }


def qualification(row) -> dict[str, Any]:
    return {
        "id": row.pk,
        "person": row.person_id,
        "agency": _code(row.agency),
        "qualified_on": row.qualified_on,
        "weapon_type": row.weapon_type,
        "course_of_fire": row.course_of_fire,
        "score": row.score,
        "result": row.result,
        "instructor": row.instructor,
        "is_void": row.is_void,
        "void_reason": row.void_reason,
    }


def exemption(row) -> dict[str, Any]:
    return {
        "id": row.pk,
        "person": row.person_id,
        "agency": _code(row.agency),
        "kind": row.kind,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "reason": row.reason,
        "requirements": list(row.requirements),
        "approval": row.approval,
    }


def course(row) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "title": row.title,
        "summary": row.summary,
        "provider": row.provider.code,
        "credited_hours": row.credited_hours,
        "audience": list(row.audience),
        "release_on": row.release_on,
        "retire_on": row.retire_on,
    }


def completion(row) -> dict[str, Any]:
    certificate = getattr(row, "certificate", None)
    return {
        "id": row.pk,
        "person": row.person_id,
        "course": row.course.slug,
        "jurisdiction": row.jurisdiction,
        "started_at": row.started_at,
        "completed_at": row.completed_at,
        "record": row.record_id,
        "certificate": certificate.code if certificate else None,
    }


def certificate(row) -> dict[str, Any]:
    return {
        "code": row.code,
        "person": row.enrollment.person_id,
        "course": row.enrollment.course.slug,
        "issued_at": row.issued_at,
        "is_revoked": row.is_revoked,
        "revoked_at": row.revoked_at,
        "revoke_reason": row.revoke_reason,
    }

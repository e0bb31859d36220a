"""Copies of an agency's statements sent on to its other LRS, retried until sent.

Each stored statement gets a ForwardDelivery row; a task PUTs the statement by
id (so a repeat after a lost answer changes nothing at the other end) and, on
failure, queues itself again later, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from muster import outbound
from muster.agencies.models import Agency
from muster.xapi.models import Attachment, ForwardDelivery, ForwardTarget, Statement
from muster.xapi.protocol import multipart_body
from muster.xapi.statements import stored_parts

MAX_ATTEMPTS = 8


def queue_forwarding(agency: Agency, rows: list[Statement]) -> None:
    target = ForwardTarget.objects.filter(agency=agency, is_active=True).first()
    if target is None:
        return
    deliveries = ForwardDelivery.objects.bulk_create(
        ForwardDelivery(target=target, statement=row) for row in rows
    )
    from muster.xapi.tasks import forward_statement

    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: [forward_statement.enqueue(pk) for pk in ids])


def deliver(delivery: ForwardDelivery) -> bool:
    """Send one statement; True once the other LRS has it."""
    target = delivery.target
    statement = delivery.statement
    url = (
        target.endpoint.rstrip("/")
        + "/statements?"
        + urlencode({"statementId": str(statement.statement_id)})
    )
    credentials = base64.b64encode(f"{target.username}:{target.password}".encode())
    body, content_type = _body(statement)
    delivery.attempts += 1
    try:
        # Through muster/outbound.py: never to a private or reserved address,
        # and what the other LRS answers is not kept, only its status.
        status = outbound.request(
            "PUT",
            url,
            body=body,
            headers={
                "Content-Type": content_type,
                "X-Experience-API-Version": version_of(statement.data),
                "Authorization": "Basic " + credentials.decode(),
            },
        ).status
        delivery.last_error = f"HTTP {status} from {target.endpoint}"
    except outbound.OutboundError as problem:
        status = 0
        delivery.last_error = f"Could not send to {problem}"[:300]
    # 409 means the other LRS already holds this id: nothing more to send.
    if status in (200, 204, 409):
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
    delivery.save(update_fields=["attempts", "delivered_at", "last_error"])
    return delivery.delivered_at is not None


def version_of(data: dict) -> str:
    """The xAPI version to send a stored statement in: its own. A 2.0 statement
    (2.0's keys, RFC 3339 timestamps) sent as 1.0.3 would be refused by an LRS
    that holds 1.0.3 to its rules, as Muster does."""
    return "2.0.0" if str(data.get("version", "")).startswith("2") else "1.0.3"


def _body(statement: Statement) -> tuple[bytes, str]:
    """The statement as JSON or, when it has attachments whose content the LRS
    holds (those without a fileUrl need theirs sent), as multipart/mixed with
    them, as it was received."""
    data = statement.data
    parts = stored_parts(Attachment.objects.filter(agency=statement.agency), [data])
    if not parts:
        return json.dumps(data).encode(), "application/json"
    return multipart_body(json.dumps(data), parts)


def retry_delay(attempts: int) -> timedelta:
    """Waits of 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))

"""Background work of the LRS: forwarding statements to an agency's other LRS."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from muster.xapi.forwarding import MAX_ATTEMPTS, deliver, retry_delay
from muster.xapi.models import ForwardDelivery


@task()
def forward_statement(delivery_id: int) -> bool:
    """Send one statement on; on failure, queue another try later."""
    delivery = ForwardDelivery.objects.select_related("target", "statement").get(
        pk=delivery_id
    )
    if delivery.delivered_at is not None or not delivery.target.is_active:
        return True
    if deliver(delivery):
        return True
    if delivery.attempts < MAX_ATTEMPTS:
        later = timezone.now() + retry_delay(delivery.attempts)
        forward_statement.using(run_after=later).enqueue(delivery_id)
    return False

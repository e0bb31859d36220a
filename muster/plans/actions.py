"""Writes of plans: saving a what-if draft and storing a what-if run, each in one
transaction with its audit entry. Neither touches a record, a standing or a rule."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.plans import whatif
from muster.plans.models import MandateDraft, WhatIfRun


class StaleDraft(Exception):
    """The draft changed while it was being evaluated."""


def save_draft(
    user,
    *,
    state: str,
    mandate_id: str,
    title: str,
    text: str,
    draft=None,
    request=None,
) -> MandateDraft:
    """Create a draft (or change `draft`) after the loader accepted its text.

    Raises:
        MandateError: the loader's message; nothing is written.
    """
    whatif.load_draft(text, mandate_id)
    with transaction.atomic():
        if draft is None:
            draft = MandateDraft(
                state=state, mandate_id=mandate_id, created_by=user, changed_by=user
            )
            before = None
        else:
            draft = MandateDraft.objects.select_for_update().get(pk=draft.pk)
            before = {"title": draft.title, "text_hash": draft.text_hash}
        draft.title, draft.text = title, text
        draft.changed_by, draft.changed_at = user, timezone.now()
        draft.save()
        record_event(
            Action.MANDATE_DRAFT_SAVE,
            actor=user,
            request=request,
            obj=draft,
            before=before,
            after={"title": title, "text_hash": draft.text_hash},
            reason=f"What-if draft of {mandate_id} ({state})",
        )
    return draft


def run_what_if(
    user,
    draft: MandateDraft,
    *,
    people,
    agencies,
    year: int,
    today: date,
    request=None,
) -> WhatIfRun:
    """Evaluate the draft against `people` and store the figures as a run.

    The evaluation happens before the transaction (it reads only); inside it the
    draft is locked and must still have the text that was evaluated.

    Raises:
        MandateError: the draft no longer loads (the rules files changed).
        StaleDraft: someone saved the draft meanwhile; nothing is written.
    """
    text_hash = draft.text_hash
    mandate = whatif.load_draft(draft.text, draft.mandate_id)
    result = whatif.run(draft.state, mandate, people, agencies, year, today)
    with transaction.atomic():
        locked = MandateDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.text_hash != text_hash:
            raise StaleDraft("The draft was changed meanwhile; run it again.")
        run = WhatIfRun.objects.create(
            draft=locked,
            year=year,
            as_of=today,
            text_hash=text_hash,
            ran_by=user,
            people=result["totals"]["people"],
            result=result,
        )
        totals = result["totals"]
        record_event(
            Action.WHAT_IF_RUN,
            actor=user,
            request=request,
            obj=run,
            reason=(
                f"{draft.mandate_id} draft #{draft.pk} for {year}: "
                f"{totals['people']} people, {totals['status_changes']} change status"
            ),
        )
    return run

"""Writes of plans: saving a what-if draft, and asking for and storing a what-if
run, each in one transaction with its audit entry. None touches a record, a
standing or a rule."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.plans import whatif
from muster.plans.models import MandateDraft, RunStatus, WhatIfRun
from muster.rules import MandateError


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


def ask_what_if(
    user,
    draft: MandateDraft,
    *,
    agencies,
    year: int,
    today: date,
    request=None,
) -> WhatIfRun:
    """Start a run of the draft's current text over `agencies` (the state's, as
    access gives them): evaluated at once for a state of at most
    `MUSTER_WHAT_IF_INLINE` people, else queued for a task worker
    (`plans.tasks.evaluate_what_if`), which the run's page follows.

    Raises:
        MandateError: the draft no longer loads (the rules files changed);
            nothing is written.
    """
    whatif.load_draft(draft.text, draft.mandate_id)
    people = whatif.staff_of(agencies, today).count()
    with transaction.atomic():
        locked = MandateDraft.objects.select_for_update().get(pk=draft.pk)
        run = WhatIfRun.objects.create(
            draft=locked,
            year=year,
            as_of=today,
            text=locked.text,
            text_hash=locked.text_hash,
            agency_ids=sorted(agencies.values_list("pk", flat=True)),
            ran_by=user,
            status=RunStatus.QUEUED,
            people=people,
        )
        if people > settings.MUSTER_WHAT_IF_INLINE:
            # Imported here: the task module imports this one.
            from muster.plans.tasks import evaluate_what_if

            transaction.on_commit(lambda: evaluate_what_if.enqueue(run.pk))
    if run.people <= settings.MUSTER_WHAT_IF_INLINE:
        run = complete_what_if(run.pk, request=request)
    return run


def complete_what_if(run_id: int, *, request=None) -> WhatIfRun:
    """Evaluate a run that is waiting (in the request or in a task worker) and
    store its figures with their audit entry, or why it failed. A run already
    done is left as it is (a task put back after its worker died runs again).

    The evaluation happens outside the transaction (it only reads); the run's
    text and agencies are those stored when it was asked for.
    """
    run = WhatIfRun.objects.select_related("draft", "ran_by").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run

    def progress(step: str) -> None:
        WhatIfRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RUNNING, progress=step[:200]
        )

    try:
        mandate = whatif.load_draft(run.text, run.draft.mandate_id)
        agencies = Agency.objects.filter(pk__in=run.agency_ids)
        result = whatif.run(
            run.draft.state,
            mandate,
            whatif.staff_of(agencies, run.as_of),
            agencies,
            run.year,
            run.as_of,
            progress,
        )
    except MandateError as error:
        return _fail(run, str(error))
    except Exception:
        _fail(run, "The evaluation stopped with an error; it is in the server's log.")
        raise
    with transaction.atomic():
        run = WhatIfRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.DONE:
            return run
        totals = result["totals"]
        run.result, run.people = result, totals["people"]
        run.status, run.progress, run.error = RunStatus.DONE, "", ""
        run.finished_at = timezone.now()
        run.save()
        record_event(
            Action.WHAT_IF_RUN,
            actor=run.ran_by,
            request=request,
            obj=run,
            reason=(
                f"{run.draft.mandate_id} draft #{run.draft_id} for {run.year}: "
                f"{totals['people']} people, {totals['status_changes']} change status"
            ),
        )
    return run


def _fail(run: WhatIfRun, why: str) -> WhatIfRun:
    WhatIfRun.objects.filter(pk=run.pk).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=why, progress="", finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run

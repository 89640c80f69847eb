"""Invoice runs started from admin (issue #13): one row per run shows its state and result.

The run itself is `invoicing.invoice_run` (idempotent: a rerun of a billed period forms
nothing); this module refuses a second run of a period while one is queued or running, and
records what the worker did."""

from __future__ import annotations

import logging

from django.db import transaction

from dms_portal import clock
from dms_portal.russian import period_name

from .. import queue
from ..models import InvoiceRun
from .invoicing import invoice_numbers_allocate, invoice_run, last_closed_period

log = logging.getLogger(__name__)
ACTIVE = (InvoiceRun.Status.QUEUED, InvoiceRun.Status.RUNNING)


class InvoiceRunBusy(Exception):
    """A run of the same period is already queued or running."""


def invoice_run_periods(*, now=None, months: int = 12) -> list[tuple[int, int]]:
    """The periods admin offers: the current month first, then `months` closed ones."""
    year, month = last_closed_period(now)
    current = (year + month // 12, month % 12 + 1)
    periods = [current]
    for _ in range(months):
        periods.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods


def invoice_run_start(*, period: tuple[int, int], by) -> InvoiceRun:
    """Record a run of `period` and queue it once committed; refuses a second active run."""
    year, month = period
    with transaction.atomic():
        # The period's number row is locked by every run of the period: two operators
        # pressing the button at once are serialised here, the second sees the first.
        invoice_numbers_allocate(year=year, month=month, count=0)
        busy = InvoiceRun.objects.filter(
            period_year=year, period_month=month, status__in=ACTIVE
        ).exists()
        if busy:
            raise InvoiceRunBusy(
                f"Выставление счетов за {period_name(year, month)} уже идёт — "
                "дождитесь его окончания."
            )
        run = InvoiceRun.objects.create(period_year=year, period_month=month, started_by=by)
        queue.invoice_run_queue(run_id=run.pk)
    return run


def invoice_run_execute(*, run_id: int) -> InvoiceRun:
    """The worker's part: run the period and write the result on the row."""
    run = InvoiceRun.objects.get(pk=run_id)
    if run.status != InvoiceRun.Status.QUEUED:  # a redelivered task: already done
        return run
    run.status, run.started_at = InvoiceRun.Status.RUNNING, clock.now()
    run.save(update_fields=["status", "started_at"])
    try:
        invoices = invoice_run(period=(run.period_year, run.period_month))
    except Exception as exc:  # recorded for the operator; the traceback goes to the log
        log.exception("invoice run %s failed", run.pk)
        run.status, run.error = InvoiceRun.Status.FAILED, str(exc) or exc.__class__.__name__
    else:
        run.status, run.invoices_formed = InvoiceRun.Status.DONE, len(invoices)
    run.finished_at = clock.now()
    run.save(update_fields=["status", "error", "invoices_formed", "finished_at"])
    return run

"""Celery tasks of invoices: they take ids, call one service each (STYLE.md).

Services queue these through invoices/queue.py without importing this module: it registers
its tasks there when it is loaded (InvoicesConfig.ready), so nothing imports back into it.
"""

from celery import shared_task

from . import queue, upcoming
from .registry import importer, inbox
from .services import invoicing, penalty, runs


@shared_task(acks_late=True)
def registry_import_task(registry_id: int) -> str:
    registry = importer.registry_import(registry_id=registry_id)
    return importer.registry_counts(registry).line()


@shared_task
def registry_inbox_scan() -> int:
    """Import every registry file dropped into REGISTRY_INBOX_DIR (and orphans of killed
    workers left in processing/), then move each to done/ or failed/."""
    return inbox.registry_inbox_scan_default()


@shared_task
def invoice_run_task(period: str | None = None) -> int:
    """The monthly run for the last closed month (or `period` YYYY-MM)."""
    invoices = invoicing.invoice_run(
        period=invoicing.parse_period(period) if period else invoicing.last_closed_period()
    )
    return len(invoices)


@shared_task
def invoice_run_admin_task(run_id: int) -> int:
    """A run started from admin («Запустить выставление счетов»): progress on its row."""
    return runs.invoice_run_execute(run_id=run_id).invoices_formed


@shared_task
def invoices_notify_ready_task(invoice_ids: list[int]) -> None:
    invoicing.invoices_notify_ready(invoice_ids=invoice_ids)


@shared_task
def upcoming_notify_task(registry_id: int) -> int:
    """«Новые услуги в Личном кабинете» after an import (sent once per import and person)."""
    return upcoming.upcoming_notify(registry_id=registry_id)


@shared_task(acks_late=True)
def penalty_accrue_task() -> dict:
    """The daily «Неустойка» accrual (catches up missed days; a second run adds nothing)."""
    return penalty.penalty_accrue()


queue.tasks_register(
    registry_import=registry_import_task,
    invoices_notify_ready=invoices_notify_ready_task,
    upcoming_notify=upcoming_notify_task,
    invoice_run=invoice_run_admin_task,
)

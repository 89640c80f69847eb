"""Celery tasks of invoices: they take ids, call one service each (STYLE.md)."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)

REGISTRY_SUFFIXES = {".csv", ".xlsx"}


@shared_task(acks_late=True)
def registry_import_task(registry_id: int) -> str:
    from .services.registry_import import registry_counts, registry_import

    registry = registry_import(registry_id=registry_id)
    return registry_counts(registry).line()


@shared_task
def registry_inbox_scan() -> int:
    """Import every registry file dropped into REGISTRY_INBOX_DIR, then move it to done/ or
    failed/. The file is first renamed into processing/ — an atomic claim, so two workers (or a
    scan overlapping a slow import) never import the same file twice."""
    from .models import ServiceRegistry
    from .services.registry_import import registry_import_file, registry_move

    inbox = Path(settings.REGISTRY_INBOX_DIR)
    if not inbox.is_dir():
        return 0
    processing = inbox / "processing"
    processing.mkdir(exist_ok=True)
    handled = 0
    for path in sorted(p for p in inbox.iterdir() if p.is_file()):
        if path.suffix.lower() not in REGISTRY_SUFFIXES:
            continue
        claimed = processing / path.name
        try:
            path.rename(claimed)
        except OSError:
            continue  # another worker took it
        try:
            registry = registry_import_file(path=claimed, original_name=path.name)
            ok = registry.status == ServiceRegistry.Status.DONE
        except Exception:
            log.exception("registry %s failed", path.name)
            ok = False
        registry_move(path=claimed, target_dir=inbox / ("done" if ok else "failed"))
        handled += 1
    return handled


@shared_task
def invoice_run_task(period: str | None = None) -> int:
    """The monthly run for the last closed month (or `period` YYYY-MM)."""
    from .services.invoicing import invoice_run, last_closed_period, parse_period

    invoices = invoice_run(period=parse_period(period) if period else last_closed_period())
    return len(invoices)


@shared_task
def invoices_notify_ready_task(invoice_ids: list[int]) -> None:
    from .services.invoicing import invoices_notify_ready

    invoices_notify_ready(invoice_ids=invoice_ids)

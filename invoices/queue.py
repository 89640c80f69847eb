"""Work the invoices services hand to Celery once their transaction has committed.

Services import this module, never `tasks`; this module imports `tasks`, and `tasks` never
imports it. A task queued inside a transaction that later rolls back would otherwise run on
rows that do not exist (or, eager in development, inside the caller's transaction).
`tasks` is read as a module attribute at call time, so the import order tasks → services →
queue → tasks resolves whichever module Python loads first.
"""

from __future__ import annotations

from django.db import transaction

from . import tasks


def registry_import_queue(*, registry_id: int) -> None:
    transaction.on_commit(lambda: tasks.registry_import_task.delay(registry_id))


def invoices_notify_ready_queue(*, invoice_ids: list[int]) -> None:
    transaction.on_commit(lambda: tasks.invoices_notify_ready_task.delay(invoice_ids))


def upcoming_notify_queue(*, registry_id: int) -> None:
    transaction.on_commit(lambda: tasks.upcoming_notify_task.delay(registry_id))

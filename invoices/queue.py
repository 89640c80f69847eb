"""Work the invoices services hand to Celery once their transaction has committed.

A task queued inside a transaction that later rolls back would otherwise run on rows that do
not exist (or, eager in development, inside the caller's transaction).

Services import this module; `tasks` imports the services and registers its tasks here
(`tasks_register`, run when `InvoicesConfig.ready` loads `tasks`). So the imports go
tasks → services → queue and never back: no import loop, whichever module loads first.
"""

from __future__ import annotations

from django.db import transaction

_tasks: dict = {}


def tasks_register(**tasks) -> None:
    _tasks.update(tasks)


def _task(name: str):
    try:
        return _tasks[name]
    except KeyError:  # pragma: no cover - a wiring error, not a runtime condition
        raise RuntimeError(f"invoices task {name!r} is not registered (invoices.tasks)") from None


def registry_import_queue(*, registry_id: int) -> None:
    task = _task("registry_import")
    transaction.on_commit(lambda: task.delay(registry_id))


def invoices_notify_ready_queue(*, invoice_ids: list[int]) -> None:
    task = _task("invoices_notify_ready")
    transaction.on_commit(lambda: task.delay(invoice_ids))


def upcoming_notify_queue(*, registry_id: int) -> None:
    task = _task("upcoming_notify")
    transaction.on_commit(lambda: task.delay(registry_id))


def invoice_run_queue(*, run_id: int) -> None:
    task = _task("invoice_run")
    transaction.on_commit(lambda: task.delay(run_id))

"""Handing messages to the delivery workers after the transaction commits.

Services queue work through this module, and the tasks module is never imported from here:
the task is looked up by name in the Celery app's registry (the app imports every tasks
module when it is first used), so services → tasks → services is no import loop."""

from celery import current_app
from django.db import transaction

DELIVER_TASK = "notifications.tasks.deliver_message"


def _deliver(message_id: int, body: str | None) -> None:
    current_app.tasks[DELIVER_TASK].delay(message_id, body)


def enqueue(message_id: int, body: str | None) -> None:
    """Deliver one message once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _deliver(message_id, body))


def enqueue_many(message_ids: list[int]) -> None:
    """One on-commit callback for a whole batch (not one closure per message)."""

    def send() -> None:
        for message_id in message_ids:
            _deliver(message_id, None)

    transaction.on_commit(send)

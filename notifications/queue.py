"""Handing messages to the delivery workers after the transaction commits.

The one module that imports the tasks: services queue work through it, and the tasks import
only `.delivery`, so services → queue → tasks → delivery has no loop back."""

from django.db import transaction

from .tasks import deliver_message


def enqueue(message_id: int, body: str | None) -> None:
    """Deliver one message once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: deliver_message.delay(message_id, body))


def enqueue_many(message_ids: list[int]) -> None:
    """One on-commit callback for a whole batch (not one closure per message)."""

    def send() -> None:
        for message_id in message_ids:
            deliver_message.delay(message_id, None)

    transaction.on_commit(send)

"""Handing messages to the delivery workers after the transaction commits.

The one module that imports the tasks: services queue work through it, and the tasks import
only `.delivery`, so services → queue → tasks → delivery has no loop back."""

from django.db import transaction

from .tasks import deliver_message


def enqueue(message_id: int) -> None:
    """Deliver one message once the current transaction commits (at once outside one). Only
    the id travels: a one-time code's text stays sealed in its row, never in the broker."""
    transaction.on_commit(lambda: deliver_message.delay(message_id))


def enqueue_many(message_ids: list[int]) -> None:
    """One on-commit callback for a whole batch (not one closure per message)."""

    def send() -> None:
        for message_id in message_ids:
            deliver_message.delay(message_id)

    transaction.on_commit(send)

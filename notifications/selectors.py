"""Reads of the notification log for pages of other apps («Личные данные») and for /metrics."""

from django.db.models import Count, Min, Q, QuerySet

from .models import Message

# Messages not settled yet: waiting for the worker (or quiet hours), in a worker's hands, or
# waiting for an operator («Исход неизвестен»). Few at any time, whatever the table's size.
OPEN = (Message.Status.QUEUED, Message.Status.SENDING, Message.Status.UNKNOWN)


def user_messages(user_id: int, *, limit: int = 50) -> QuerySet[Message]:
    """The user's own notifications, newest first. Only rows tagged with his user id: a message
    sent to a phone number is not attributed by number, since numbers change hands."""
    return Message.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:limit]


def user_ids_notified(*, event: str, key_prefix: str) -> set[int]:
    """Accounts that already have a message of `event` whose sent-once key starts with
    `key_prefix` (in any channel, to any address): a periodic job skips them, so a changed
    e-mail does not earn a second copy of the same monthly message."""
    return set(
        Message.objects.filter(event=event, dedupe_key__startswith=key_prefix)
        .exclude(user_id=None)
        .values_list("user_id", flat=True)
    )


def message_counts_since(since) -> dict[tuple[str, str], int]:
    """Messages created since `since`, by (channel, status), bounded by the created_at index."""
    rows = (
        Message.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("channel", "status")
        .annotate(n=Count("id"))
    )
    return {(channel, status): n for channel, status, n in rows}


def message_open_counts() -> dict[tuple[str, str], int]:
    """Unsettled messages of any age, by (channel, status)."""
    rows = (
        Message.objects.filter(status__in=OPEN)
        .order_by()
        .values_list("channel", "status")
        .annotate(n=Count("id"))
    )
    return {(channel, status): n for channel, status, n in rows}


def message_due_oldest(now):
    """created_at of the oldest queued message that is due (not held for quiet hours), or
    None: the age of the delivery backlog."""
    return (
        Message.objects.filter(status=Message.Status.QUEUED)
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now))
        .order_by()
        .aggregate(oldest=Min("created_at"))["oldest"]
    )

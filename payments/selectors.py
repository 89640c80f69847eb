"""Reads of payments: what a user may see is decided by the invoices' people (policies rule)."""

from django.db.models import Count, Min, Prefetch, QuerySet

from policies.selectors import person_ids_for_user

from .models import Payment, PaymentInvoice


def payments_for_user(user, *, person_ids: list[int] | None = None) -> QuerySet[Payment]:
    """Payments touching invoices of the user and his relatives, newest first, with their
    invoices prefetched (two queries whatever the number of payments)."""
    ids = person_ids if person_ids is not None else person_ids_for_user(user)
    links = PaymentInvoice.objects.select_related("invoice").order_by("invoice__number")
    return (
        Payment.objects.filter(links__invoice__person_id__in=ids)
        .distinct()
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("-created_at", "-id")
    )


def payment_for_user(user, payment_id) -> Payment:
    """Raises Payment.DoesNotExist for a payment the user may not see (views answer 404)."""
    return payments_for_user(user).get(pk=payment_id)


def payment_counts_since(since) -> dict[str, int]:
    """Payments created since `since`, by status (for /metrics): bounded by the created_at
    index, so a scrape costs the same in the tenth year as in the first."""
    rows = (
        Payment.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def payment_pending_oldest():
    """created_at of the oldest payment still pending, or None (a stuck checkout or reconciler)."""
    return (
        Payment.objects.filter(status=Payment.Status.PENDING)
        .order_by()
        .aggregate(oldest=Min("created_at"))["oldest"]
    )

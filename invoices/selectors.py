"""Reads of invoices for «Мои счета»: only what the user and his relatives may see
(policies.selectors is the access rule), in a constant number of queries."""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from dms_portal import clock
from policies.selectors import person_ids_for_user

from .models import DepositEntry, Invoice, InvoiceCorrection, InvoiceLine
from .services.status import with_payable


def invoices_for_user(
    user,
    *,
    person_ids: list[int] | None = None,
    status: str = "",
    person_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Invoice]:
    """The user's and his relatives' invoices, newest first, with the payable amount
    annotated (see `with_payable`) and the person joined: one query for any number."""
    ids = person_ids if person_ids is not None else person_ids_for_user(user)
    qs = Invoice.objects.filter(person_id__in=ids)
    if status:
        qs = qs.filter(status=status)
    if person_id:
        qs = qs.filter(person_id=person_id)
    # The period is in Moscow dates of formation, whatever the server's clock zone.
    if date_from:
        qs = qs.filter(
            formed_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=clock.MOSCOW)
        )
    if date_to:
        qs = qs.filter(
            formed_at__lt=dt.datetime.combine(
                date_to + dt.timedelta(days=1), dt.time.min, tzinfo=clock.MOSCOW
            )
        )
    return with_payable(qs.select_related("person")).order_by("-formed_at", "-id")


def invoices_with_lines_for_user(user, *, person_ids: list[int] | None = None) -> QuerySet[Invoice]:
    """Like `invoices_for_user`, with lines prefetched (exports): three queries in all."""
    return invoices_for_user(user, person_ids=person_ids).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("service_date", "id"))
    )


def invoice_for_user(user, invoice_id) -> Invoice:
    """One invoice with its lines and corrections; raises Invoice.DoesNotExist when the user
    may not see it (views answer 404, so another user's ids reveal nothing)."""
    return (
        invoices_for_user(user)
        .select_related("person__contract", "payer")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("service_date", "id")),
            Prefetch("corrections", queryset=InvoiceCorrection.objects.order_by("created_at")),
        )
        .get(pk=invoice_id)
    )


def deposit_balances(*, person_ids: list[int]) -> dict[int, Decimal]:
    """Deposit (гарантийный взнос) balance per person that has any ledger entries."""
    rows = (
        DepositEntry.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(balance=Sum("amount"))
        .order_by()
    )
    return {row["person_id"]: row["balance"] for row in rows}

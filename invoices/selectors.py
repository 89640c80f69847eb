"""Reads of invoices for «Мои счета»: only what the user and his relatives may see
(policies.selectors is the access rule), in a constant number of queries."""

import datetime as dt

from django.db.models import Prefetch, QuerySet

from dms_portal import clock
from policies.selectors import person_ids_for_user

from .models import Invoice, InvoiceCorrection, InvoiceLine


def invoices_for_user(
    user,
    *,
    person_ids: list[int] | None = None,
    status: str = "",
    person_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Invoice]:
    """The user's and his relatives' invoices, newest first, with the money annotated
    (`Invoice.objects.with_money`) and the person joined: one query for any number."""
    ids = person_ids if person_ids is not None else person_ids_for_user(user)
    qs = _filtered(
        Invoice.objects.filter(person_id__in=ids),
        status=status,
        person_id=person_id,
        date_from=date_from,
        date_to=date_to,
    )
    return (
        qs.with_money()
        .with_dispute_mark()
        .with_next_part()
        .select_related("person")
        .order_by("-formed_at", "-id")
    )


def _filtered(qs, *, status, person_id, date_from, date_to):
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
    return qs


ROW_FIELDS = (
    "id",
    "number",
    "formed_at",
    "due_date",
    "copay_total",
    "deposit_applied",
    "corrections_total",
    "penalty_total",
    "payable",
    "status",
    "in_dispute",
    "person__last_name",
    "person__first_name",
    "person__patronymic",
    "person__category",
    # «Оплатить частями» (SPEC §3.8): the next part of a split invoice, and the threshold.
    "next_part_number",
    "next_part_amount",
    "next_part_due",
    "parts_count",
    "contract__instalment_threshold",
)


def invoice_rows_for_user(
    user,
    *,
    person_ids: list[int] | None = None,
    status: str = "",
    person_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[tuple]:
    """The same invoices as `invoices_for_user`, as plain tuples of ROW_FIELDS (`payable` from
    `with_money`, the one definition), for the 500-row page: one query. Model instances cost
    more than the rows themselves there."""
    ids = person_ids if person_ids is not None else person_ids_for_user(user)
    qs = _filtered(
        Invoice.objects.filter(person_id__in=ids),
        status=status,
        person_id=person_id,
        date_from=date_from,
        date_to=date_to,
    )
    return list(
        qs.with_money()
        .with_dispute_mark()
        .with_next_part()
        .order_by("-formed_at", "-id")
        .values_list(*ROW_FIELDS)
    )


def lines_for_export(*, user) -> QuerySet[InvoiceLine]:
    """The lines of all the user's invoices, in the order of «Мои счета» (newest invoice
    first) and by service date within one: the export reads them in chunks, never all at once."""
    return InvoiceLine.objects.filter(invoice__person_id__in=person_ids_for_user(user)).order_by(
        "-invoice__formed_at", "-invoice_id", "service_date", "id"
    )


def invoice_lines(invoice: Invoice) -> QuerySet[InvoiceLine]:
    """One invoice's lines as the details window pages them."""
    return invoice.lines.order_by("service_date", "id")


def invoice_head_for_user(user, invoice_id) -> Invoice:
    """Like `invoice_for_user` without the lines (an invoice may have thousands: the details
    window pages them and the export streams them)."""
    return (
        invoices_for_user(user)
        .select_related("person__contract", "payer")
        .prefetch_related(
            Prefetch("corrections", queryset=InvoiceCorrection.objects.order_by("created_at"))
        )
        .get(pk=invoice_id)
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

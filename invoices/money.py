"""Invoice money, defined once (SPEC §3.3–§3.5, docs/architecture.md): what an invoice asks
for when it is formed (`formation_amounts`) and what it still asks for
(`InvoiceQuerySet.with_money`, `Invoice.payable_amount`).

The models are named through the app registry, not imported: `invoices.models` imports this
module for its queryset, and this module must not import back.
"""

from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Round

MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_FIELD = models.DecimalField(**MONEY)
ZERO = Decimal("0.00")


class InvoiceQuerySet(models.QuerySet):
    def with_money(self) -> "InvoiceQuerySet":
        """THE definition of what an invoice still asks for (SPEC §3.3–§3.5); every screen,
        file, payment, reminder, overdue check, report and the call list reads it from here.

        Stored on the invoice when it is formed (never edited afterwards): `copay_total`,
        `deposit_applied` and `amount_due` = co-pay − deposit applied. Annotated here:
        - `corrections_total`: what accepted disputes took off (InvoiceCorrection documents);
        - `penalty_total`: the penalty still owed («Неустойка», SPEC §3.8): the sum of the
          invoice's PenaltyEntry rows, accruals positive and waivers negative;
        - `parts_paid`: instalment parts already paid (SPEC §3.8, `invoices.instalments`);
        - `payable`: ИТОГО К ОПЛАТЕ = amount due − corrections + penalty − parts paid, never
          below zero. Parts paid are subtracted only while the invoice is not ОПЛАЧЕН: while
          parts remain the row shows what remains; once every part is paid the invoice shows,
          like any paid invoice, what it asked for in all. (No penalty accrues while a plan is
          active, so a part never has to carry one: docs/rules.md.)
        Correlated subqueries, not a JOIN + GROUP BY: the nightly jobs filter tens of thousands
        of rows by `payable` and the query may lock them (FOR UPDATE).
        """
        return self.annotate(
            corrections_total=_corrections_total(),
            penalty_total=_penalty_total(),
            parts_paid=_parts_paid(),
        ).annotate(payable=Greatest(_payable_terms(), Value(0), output_field=MONEY_FIELD))

    def with_next_part(self) -> "InvoiceQuerySet":
        """Annotates the next unpaid part of the invoice's active instalment plan (SPEC §3.8):
        `next_part_number`, `next_part_amount`, `next_part_due` (all None when the invoice is
        not split, or nothing is left of its plan) and `parts_count` of that plan. Paying the
        invoice then pays `next_part_amount`."""
        parts = (
            apps.get_model("invoices", "InstalmentPart")
            .objects.filter(invoice=OuterRef("pk"), plan__status="active", status="unpaid")
            .order_by("number")
        )
        return self.annotate(
            next_part_number=Subquery(parts.values("number")[:1]),
            next_part_amount=Subquery(parts.values("amount")[:1], output_field=MONEY_FIELD),
            next_part_due=Subquery(parts.values("due_date")[:1]),
            parts_count=Subquery(parts.values("plan__parts_count")[:1]),
        )

    def with_dispute_mark(self) -> "InvoiceQuerySet":
        """Annotates `in_dispute`: some line of the invoice is contested by an undecided appeal.
        A paid invoice keeps ОПЛАЧЕН while disputed (SPEC §3.4); the screens add «спор» from
        this, no status of its own. `appeal_lines` is feedback's reverse relation on
        InvoiceLine, named here as a lookup only: invoices imports nothing from feedback."""
        return self.annotate(
            in_dispute=Exists(
                apps.get_model("invoices", "InvoiceLine").objects.filter(
                    invoice=OuterRef("pk"), appeal_lines__is_open=True
                )
            )
        )

    def owing(self) -> "InvoiceQuerySet":
        """Only invoices with something left to pay (payable > 0), whatever their status."""
        return self.with_money().filter(payable__gt=0)


def _corrections_total() -> Coalesce:
    total = (
        apps.get_model("invoices", "InvoiceCorrection")
        .objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
    )


def _penalty_total() -> Coalesce:
    total = (
        apps.get_model("invoices", "PenaltyEntry")
        .objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        # Rounded to kopecks: exact on PostgreSQL already, but SQLite sums decimals as floats
        # and accruals less their waiver must come to 0, not 8.9e-16 ("something to pay").
        .annotate(total=Round(Sum("amount"), 2))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
    )


def _parts_paid() -> Coalesce:
    total = (
        apps.get_model("invoices", "InstalmentPart")
        .objects.filter(invoice=OuterRef("pk"), status="paid")
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
    )


def _payable_terms():
    """amount due − corrections + penalty − instalment parts paid while unpaid."""
    parts_paid = Case(
        When(status="paid", then=Value(ZERO)), default=F("parts_paid"), output_field=MONEY_FIELD
    )
    return F("amount_due") - F("corrections_total") + F("penalty_total") - parts_paid


def formation_amounts(*, copay: Decimal, deposit_balance: Decimal) -> tuple[Decimal, Decimal]:
    """(deposit applied, amount due) of an invoice being formed (SPEC §3.3): the deposit covers
    the co-pay up to its balance; ИТОГО К ОПЛАТЕ = co-pay − that, never below zero. Stored on
    the invoice; later changes are documents of their own (`with_money`)."""
    applied = max(min(deposit_balance, copay), ZERO)
    return applied, copay - applied

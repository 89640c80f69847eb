"""What the payer may split, and the schedule the screens show (SPEC §3.8)."""

from decimal import Decimal

from dms_portal.money import format_rub

from ..models import InstalmentPart, InstalmentPlan, Invoice
from .schedule import PARTS_ALLOWED, schedule

S = Invoice.Status


def split_refusal(invoice: Invoice, *, threshold: Decimal | None = None) -> str | None:
    """None when the invoice may be split now, otherwise why not, as the payer reads it.
    `invoice` comes from `with_money()`; an active plan is looked up unless the caller knows."""
    threshold = invoice.contract.instalment_threshold if threshold is None else threshold
    if invoice.status != S.NEW:
        return {
            S.PENDING: "По счёту выполняется оплата",
            S.PAID: "Счёт уже оплачен",
            S.OVERDUE: "Счёт просрочен: оплатить частями можно только счёт до срока оплаты",
            S.DISPUTED: "Счёт оспаривается",
            S.ANNULLED: "Счёт аннулирован",
        }.get(invoice.status, "Этот счёт нельзя оплатить частями")
    if active_plan(invoice) is not None:
        return "Счёт уже разбит на части"
    # A penalty accrued before a dispute moved the due date on (docs/rules.md): parts would
    # each carry it on their receipts, so such an invoice is paid whole.
    if _penalty_owed(invoice) > 0:
        return "По счёту начислена неустойка: его можно оплатить только целиком"
    payable = invoice.payable_amount()
    if payable < threshold:
        return (
            f"Оплатить частями можно счёт от {format_rub(threshold)}; "
            f"к оплате по этому счёту {format_rub(payable)}"
        )
    return None


def _penalty_owed(invoice: Invoice) -> Decimal:
    owed = getattr(invoice, "penalty_total", None)
    if owed is None:
        owed = (
            Invoice.objects.with_money().values_list("penalty_total", flat=True).get(pk=invoice.pk)
        )
    return owed


def active_plan(invoice: Invoice) -> InstalmentPlan | None:
    return invoice.instalment_plans.filter(status=InstalmentPlan.Status.ACTIVE).first()


def schedule_options(invoice: Invoice) -> list[tuple[int, list]]:
    """For the form: each allowed number of parts with its schedule (date, amount)."""
    total = invoice.payable_amount()
    return [(n, schedule(total=total, first_due=invoice.due_date, parts=n)) for n in PARTS_ALLOWED]


def plan_parts(invoice: Invoice) -> tuple[InstalmentPlan | None, list[InstalmentPart]]:
    """The plan the details window shows (the active one, else the latest) and its parts."""
    plan = invoice.instalment_plans.order_by("-created_at", "-id").first()
    if plan is None:
        return None, []
    return plan, list(plan.parts.order_by("number"))


def instalment_next_part(invoice: Invoice) -> InstalmentPart | None:
    """The part a payment of this invoice pays now: the first unpaid part of its active plan."""
    return (
        InstalmentPart.objects.filter(
            invoice=invoice, plan__status=InstalmentPlan.Status.ACTIVE, status="unpaid"
        )
        .order_by("number")
        .first()
    )

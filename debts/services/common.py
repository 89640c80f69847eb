"""Small shared pieces of the debt path: who to write to, what an invoice still owes."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from audit.models import AuditEntry
from invoices.models import Invoice, InvoiceCorrection
from invoices.services.status import payable_amount
from policies.models import InsuredPerson

S = Invoice.Status
MONEY = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Contacts:
    phone: str | None
    email: str | None
    user_id: int | None


def person_contacts(person: InsuredPerson) -> Contacts:
    """Where the portal writes to an account holder: his account's phone and e-mail, or the
    roster phone when he has not registered yet."""
    user = getattr(person, "user", None) if person.user_id else None
    if user is not None:
        return Contacts(phone=str(user.phone) or None, email=user.email or None, user_id=user.pk)
    return Contacts(phone=person.phone or None, email=None, user_id=None)


def invoice_context(invoice: Invoice, **extra) -> dict:
    """What every debt notification template may use."""
    return {
        "invoice": invoice,
        "number": invoice.number,
        "person_name": invoice.person.short_name,
        "amount": payable_amount(invoice),
        "due_date": invoice.due_date,
        "site_url": settings.SITE_URL,
        "insurer": settings.INSURER,
        **extra,
    }


def corrections_total() -> Coalesce:
    """What an invoice's correction documents take off, as a correlated subquery: the same
    `corrections_total` that `with_payable` annotates, without its GROUP BY over every invoice
    column (which the nightly jobs would pay on tens of thousands of rows)."""
    total = (
        InvoiceCorrection.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def unpaid_invoices():
    """Invoices that still owe money and whose due clock runs (НОВЫЙ / ПРОСРОЧЕН), with the
    corrections total annotated so `payable_amount` costs no query."""
    return (
        Invoice.objects.filter(status__in=[S.NEW, S.OVERDUE], due_paused_at__isnull=True)
        .annotate(corrections_total=corrections_total())
        .select_related("person", "payer", "payer__user")
    )


def owes(invoice: Invoice) -> bool:
    return payable_amount(invoice) > Decimal("0.00")


def audit_entry(*, action: str, target, actor=None, **data) -> AuditEntry:
    """An unsaved AuditEntry shaped exactly like `audit.services.audit_log` writes it, for jobs
    that change thousands of rows and write their trail with one bulk_create (in the same
    transaction as the change)."""
    return AuditEntry(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        target_type=target._meta.label,
        target_id=str(target.pk),
        data={
            k: (v if isinstance(v, (int, float, bool, type(None))) else str(v))
            for k, v in data.items()
        },
    )

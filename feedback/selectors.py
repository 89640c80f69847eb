"""Reads: which appeals, invoices, attachments and bonus policies a user may see."""

from django.db.models import Prefetch, QuerySet

from invoices.models import Invoice, InvoiceLine
from invoices.services.disputes import DISPUTABLE
from invoices.services.status import with_payable
from policies.selectors import person_ids_for_user

from .models import Appeal, AppealAttachment, AppealEvent, AppealLine, BonusTravelPolicy


def appeals_for_user(user) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(user=user)
        .select_related("person", "invoice")
        .prefetch_related("attachments")
    )


def get_appeal_for_user(user, appeal_id) -> Appeal:
    """Raises Appeal.DoesNotExist for another user's appeal (views answer 404)."""
    return (
        appeals_for_user(user)
        .prefetch_related(
            Prefetch("events", queryset=AppealEvent.objects.filter(internal=False)),
            Prefetch("lines", queryset=AppealLine.objects.select_related("invoice_line")),
        )
        .get(pk=appeal_id)
    )


def invoices_for_user(user) -> QuerySet[Invoice]:
    return Invoice.objects.filter(person_id__in=person_ids_for_user(user))


def get_invoice_for_user(user, invoice_id) -> Invoice:
    """Raises Invoice.DoesNotExist unless the invoice is of the user's people."""
    return with_payable(invoices_for_user(user)).select_related("person").get(pk=invoice_id)


def get_appeal_invoice(appeal: Appeal) -> Invoice:
    return with_payable(Invoice.objects.filter(pk=appeal.invoice_id)).select_related("person").get()


def disputable_invoices_for_user(user) -> QuerySet[Invoice]:
    """Invoices the user may dispute (for the form's choice of invoice)."""
    return (
        invoices_for_user(user)
        .filter(status__in=DISPUTABLE)
        .select_related("person")
        .order_by("-formed_at", "-id")
    )


def dispute_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's lines, each with `busy` set when an undecided appeal contests it.
    Only the chosen invoice's lines are rendered, so a user with hundreds of invoices gets a
    small page."""
    lines = list(invoice.lines.order_by("service_date", "id"))
    busy = set(
        AppealLine.objects.filter(is_open=True, invoice_line__in=lines).values_list(
            "invoice_line_id", flat=True
        )
    )
    for line in lines:
        line.busy = line.pk in busy
    return lines


def get_attachment_for_user(user, attachment_id) -> AppealAttachment:
    """The owner of the appeal and staff only; anyone else gets DoesNotExist (404)."""
    qs = AppealAttachment.objects.select_related("appeal")
    if not user.is_staff:
        qs = qs.filter(appeal__user=user)
    return qs.get(pk=attachment_id)


def travel_policies_for_user(user) -> QuerySet[BonusTravelPolicy]:
    return BonusTravelPolicy.objects.filter(user=user).prefetch_related("travellers")


def get_travel_policy_for_user(user, policy_id) -> BonusTravelPolicy:
    return travel_policies_for_user(user).select_related("contract").get(pk=policy_id)

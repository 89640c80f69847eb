"""Reads: which appeals, invoices, attachments and bonus policies a user may see."""

from django.db.models import Prefetch, QuerySet

from invoices.models import Invoice, InvoiceLine, ServiceLine
from invoices.services.disputes import DISPUTABLE
from policies.selectors import person_ids_for_user

from .models import Appeal, AppealAttachment, AppealEvent, AppealLine, BonusTravelPolicy


def appeals_for_user(user) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(user=user)
        .select_related("person", "invoice", "service_line")
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
    return invoices_for_user(user).with_money().select_related("person").get(pk=invoice_id)


def get_appeal_invoice(appeal: Appeal) -> Invoice:
    return Invoice.objects.filter(pk=appeal.invoice_id).with_money().select_related("person").get()


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


# Attachments are medical documents (152-FZ art. 10): among staff, only those who work the
# appeals queue (the «Эксперты» group has it) may open them.
APPEAL_VIEW_PERMISSION = "feedback.view_appeal"


def may_view_any_appeal(user) -> bool:
    return bool(user.is_staff and user.has_perm(APPEAL_VIEW_PERMISSION))


def get_attachment_for_user(user, attachment_id) -> AppealAttachment:
    """The appeal's owner and experts only; anyone else, other staff included, gets
    DoesNotExist (404: the file's existence is not revealed either)."""
    qs = AppealAttachment.objects.select_related("appeal")
    if not may_view_any_appeal(user):
        qs = qs.filter(appeal__user=user)
    return qs.get(pk=attachment_id)


def travel_policies_for_user(user) -> QuerySet[BonusTravelPolicy]:
    return BonusTravelPolicy.objects.filter(user=user).prefetch_related("travellers")


def get_travel_policy_for_user(user, policy_id) -> BonusTravelPolicy:
    """A cancelled policy has no certificate to show: it no longer insures anyone."""
    policies = travel_policies_for_user(user).filter(cancelled_at__isnull=True)
    return policies.select_related("contract").get(pk=policy_id)


def upcoming_lines_for_user(user) -> QuerySet[ServiceLine]:
    """The user's lines not yet invoiced (SPEC §3.8 «Это был не я»): loaded, of his people."""
    return ServiceLine.objects.filter(
        status=ServiceLine.Status.LOADED, person_id__in=person_ids_for_user(user)
    ).select_related("clinic", "person")

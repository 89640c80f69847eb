"""The objects the access sweep requests: one of each kind the portal serves by id, held by
Иванов himself («owner») or by his child («sponsor» = Иванов asking for her), plus a stranger
(Петров, registered) and one verified staff member per group."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from care.models import Conversation, DoctorRequest, SupportAttachment, SupportMessage
from dms_portal import clock
from feedback.models import AppealAttachment, BonusTravelPolicy
from invoices.models import InstalmentPlan, ServiceLine
from payments import services as payments
from payments.models import Payment, PaymentInvoice
from tests.feedback.factories import PNG_BYTES, make_invoice, make_user
from tests.staff import staff_login

GROUPS = ("Операторы", "Эксперты", "Медпульт", "Безопасность")


def build_world(demo, staff_group) -> dict:
    owner = make_user(demo["ivanov"], email="ivanov@example.com")
    stranger = make_user(demo["petrov"], email="petrov@example.com")
    now = clock.now()
    own_invoice = make_invoice(demo["ivanov"])
    child_invoice = make_invoice(demo["ivanova"])
    paid_invoice = make_invoice(demo["ivanov"], status="paid")
    # An instalment schedule for the operators' admin pages (SPEC §3.8).
    InstalmentPlan.objects.create(
        invoice=paid_invoice,
        parts_count=2,
        amount=paid_invoice.amount_due,
        created_at=now,
        status=InstalmentPlan.Status.COMPLETED,
    )
    # The stranger has data of his own: an overdue invoice (the call list) and a held line.
    stranger_invoice = make_invoice(demo["petrov"], due_in_days=-10, status="overdue")
    held = stranger_invoice.lines.first().service_line
    ServiceLine.objects.filter(pk=held.pk).update(status=ServiceLine.Status.HELD)
    pending = payments.payment_start(user=owner, invoice_ids=[own_invoice.pk])
    succeeded = Payment.objects.create(
        payer=owner,
        provider="sandbox",
        amount=paid_invoice.amount_due,
        created_at=now,
        status=Payment.Status.SUCCEEDED,
        paid_at=now,
    )
    PaymentInvoice.objects.create(
        payment=succeeded, invoice=paid_invoice, amount=paid_invoice.amount_due
    )
    client = Client()
    client.force_login(owner)
    client.post(
        reverse("feedback:index"),
        {
            "kind": "question",
            "text": "Выписка во вложении",
            "person": demo["ivanov"].pk,
            "attachments": [SimpleUploadedFile("scan.png", PNG_BYTES, "image/png")],
        },
    )
    attachment = AppealAttachment.objects.select_related("appeal").get()
    travel = BonusTravelPolicy.objects.create(
        number="VZR-SWEEP-1",
        user=owner,
        contract=demo["ivanov"].contract,
        countries=["Турция"],
        start_date=clock.moscow_today() + dt.timedelta(days=10),
        end_date=clock.moscow_today() + dt.timedelta(days=17),
        issued_at=now,
    )
    # The sweep cancels this one as its owner; the one above keeps its PDF.
    travel_to_cancel = BonusTravelPolicy.objects.create(
        number="VZR-SWEEP-2",
        user=owner,
        contract=demo["ivanov"].contract,
        countries=["Турция"],
        start_date=clock.moscow_today() + dt.timedelta(days=40),
        end_date=clock.moscow_today() + dt.timedelta(days=47),
        issued_at=now,
    )
    doctor_request = DoctorRequest.objects.create(
        user=owner, person=demo["ivanov"], specialty="Терапевт", created_at=now, updated_at=now
    )
    chat = Conversation.objects.create(user=owner, last_message_at=now)
    message = SupportMessage.objects.create(conversation=chat, text="Анализы", created_at=now)
    support_file = SupportAttachment(
        message=message, original_name="a.png", content_type="image/png", size=len(PNG_BYTES)
    )
    support_file.file.save("a.png", ContentFile(PNG_BYTES))
    staff = {}
    for group in GROUPS:
        user = make_user(staff=True)
        user.groups.add(staff_group(group))
        staff[group] = user
    return {
        **demo,
        "owner": owner,
        "stranger": stranger,
        "staff": staff,
        "own_invoice": own_invoice,
        "child_invoice": child_invoice,
        "pending_payment": pending,
        "succeeded_payment": succeeded,
        "appeal": attachment.appeal,
        "attachment": attachment,
        "travel": travel,
        "travel_to_cancel": travel_to_cancel,
        "doctor_request": doctor_request,
        "support_file": support_file,
        "amount": Decimal("0"),
    }


def clients(world) -> dict[str, Client]:
    """role → a logged-in client; «owner» and «sponsor» are both Иванов."""
    result = {"anonymous": Client()}
    for role, user in (("owner", world["owner"]), ("stranger", world["stranger"])):
        result[role] = Client()
        result[role].force_login(user)
    result["sponsor"] = result["owner"]
    for group, user in world["staff"].items():
        result[group] = staff_login(Client(), user)
    return result

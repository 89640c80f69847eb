"""Paying invoices through the sandbox: the whole flow and everything that must happen once."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from invoices.models import Invoice
from notifications.models import Message
from payments import services
from payments.errors import PaymentError
from payments.models import Payment, PaymentEvent, PaymentInvoice, SandboxCheckout
from payments.providers.sandbox import notification_body
from tests.staff import staff_login

from .factories import make_invoice

pytestmark = pytest.mark.django_db
S = Invoice.Status


def start(client, user, invoices, **extra):
    client.force_login(user)
    data = {"invoice_ids": [i.pk for i in invoices], **extra}
    return client.post(reverse("payments:start"), data)


def statuses(invoices):
    return [Invoice.objects.get(pk=i.pk).status for i in invoices]


def notify(client, checkout):
    body = json.dumps(notification_body(checkout))
    return client.post(
        reverse("payments:notification", args=["sandbox"]), body, content_type="application/json"
    )


def test_paying_two_invoices_holds_them_and_redirects_to_the_checkout(client, owner, two_new):
    response = start(client, owner, two_new)
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "payments:sandbox_checkout", args=[payment.provider_payment_id]
    )
    assert payment.amount == Decimal("780.00")
    assert sorted(link.amount for link in payment.links.all()) == [Decimal("390.00")] * 2
    assert statuses(two_new) == [S.PENDING, S.PENDING]
    assert [i["amount"]["value"] for i in payment.receipt["items"]] == ["390.00", "390.00"]
    assert all(i["vat_code"] == 1 for i in payment.receipt["items"])
    assert payment.receipt["customer"] == {"phone": "79990000001", "email": "ivanov@example.com"}


def test_sandbox_pay_marks_invoices_paid_notifies_and_shows_success(client, owner, two_new):
    response = start(client, owner, two_new)
    checkout_url = response["Location"]
    page = client.get(checkout_url)
    assert "780,00" in page.content.decode() and "Оплатить" in page.content.decode()
    response = client.post(checkout_url, {"decision": "pay"})
    payment = Payment.objects.get()
    assert response["Location"].endswith(reverse("payments:return", args=[payment.pk]))
    response = client.get(response["Location"], follow=True)
    assert "Оплата прошла успешно" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.paid_at is not None
    assert statuses(two_new) == [S.PAID, S.PAID]
    assert all(Invoice.objects.get(pk=i.pk).paid_at == payment.paid_at for i in two_new)
    messages = Message.objects.filter(event="payment_received")
    assert {m.channel for m in messages} == {"sms", "email"}
    assert "780,00" in messages.get(channel="email").body
    # The notification was stored raw and processed (in-process: the test client has no server).
    event = PaymentEvent.objects.get(source="notification")
    assert (
        event.state == "processed"
        and json.loads(event.raw)["object"]["id"] == payment.provider_payment_id
    )
    # Paid invoices can no longer be selected; the receipt is listed.
    html = client.get(reverse("invoices:my_invoices")).content.decode()
    assert html.count('disabled aria-label="Выбрать счёт') == 2
    assert reverse("payments:receipt", args=[payment.pk]) in html
    receipt = client.get(reverse("payments:receipt", args=[payment.pk])).content.decode()
    assert "без НДС" in receipt and two_new[0].number in receipt


def test_duplicate_notification_settles_once(client, owner, two_new):
    start(client, owner, two_new)
    payment = Payment.objects.get()
    checkout = SandboxCheckout.objects.get()
    checkout.status = SandboxCheckout.Status.SUCCEEDED
    checkout.finished_at = checkout.created_at
    checkout.save()
    for _ in range(3):
        assert notify(client, checkout).status_code == 200
    event = PaymentEvent.objects.get(source="notification")
    assert event.deliveries == 3 and event.state == "processed"
    assert AuditEntry.objects.filter(action="payment.succeeded").count() == 1
    assert AuditEntry.objects.filter(action="invoice.paid").count() == 2
    assert Message.objects.filter(event="payment_received").count() == 2  # sms + e-mail, once
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_user_returning_before_the_notification_settles_and_the_late_notification_is_a_no_op(
    client, owner, two_new
):
    start(client, owner, two_new)
    payment = Payment.objects.get()
    checkout = SandboxCheckout.objects.get()
    checkout.status = SandboxCheckout.Status.SUCCEEDED
    checkout.save()
    response = client.get(reverse("payments:return", args=[payment.pk]), follow=True)
    assert "Оплата прошла успешно" in response.content.decode()
    assert statuses(two_new) == [S.PAID, S.PAID]
    assert notify(client, checkout).status_code == 200
    assert AuditEntry.objects.filter(action="payment.succeeded").count() == 1
    assert PaymentEvent.objects.filter(source="fetch").exists()


def test_notification_body_is_not_trusted(client, owner, two_new):
    """A forged «succeeded» notification for a payment the provider still has pending."""
    start(client, owner, two_new)
    checkout = SandboxCheckout.objects.get()
    forged = notification_body(checkout)
    forged["event"] = "payment.succeeded"
    forged["object"]["status"] = "succeeded"
    client.post(
        reverse("payments:notification", args=["sandbox"]),
        json.dumps(forged),
        content_type="application/json",
    )
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert statuses(two_new) == [S.PENDING, S.PENDING]


def test_tampered_amount_in_the_post_is_ignored(client, owner, two_new):
    start(client, owner, two_new, amount="0.01", total="1")
    assert Payment.objects.get().amount == Decimal("780.00")
    assert SandboxCheckout.objects.get().amount == Decimal("780.00")


def test_another_users_invoice_id_is_refused_and_nothing_changes(
    client, owner, two_new, strangers_invoice
):
    response = start(client, owner, [two_new[0], strangers_invoice])
    assert response.status_code == 404
    assert not Payment.objects.exists()
    assert statuses([two_new[0], strangers_invoice]) == [S.NEW, S.NEW]


def test_garbage_ids_are_refused(client, owner, two_new):
    client.force_login(owner)
    assert client.post(reverse("payments:start"), {"invoice_ids": ["x"]}).status_code == 404
    response = client.post(reverse("payments:start"), {}, follow=True)
    assert "Выберите хотя бы один счёт" in response.content.decode()


def test_second_tab_cannot_pay_an_invoice_already_in_flight(client, owner, two_new):
    start(client, owner, two_new)
    response = start(client, owner, [two_new[0]])
    assert response.status_code == 302 and response["Location"] == reverse("invoices:my_invoices")
    assert Payment.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Оплата счёта уже выполняется" in page


@pytest.mark.parametrize("status", [S.PAID, S.DISPUTED, S.ANNULLED])
def test_not_payable_invoice_is_refused(client, demo, owner, status):
    invoice = make_invoice(demo["ivanov"], status=status)
    start(client, owner, [invoice])
    assert not Payment.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == status


def test_refusing_in_the_sandbox_frees_the_invoices(client, owner, two_new):
    checkout_url = start(client, owner, two_new)["Location"]
    response = client.post(checkout_url, {"decision": "refuse"})
    response = client.get(response["Location"], follow=True)
    assert "Оплата отменена" in response.content.decode()
    assert Payment.objects.get().status == Payment.Status.CANCELED
    assert statuses(two_new) == [S.NEW, S.NEW]
    assert not PaymentInvoice.objects.filter(active=True).exists()
    # …and they can be paid again.
    start(client, owner, two_new)
    assert Payment.objects.filter(status="pending").count() == 1


def test_overdue_invoice_freed_by_cancel_goes_back_to_overdue(client, demo, owner):
    invoice = make_invoice(demo["ivanov"], status=S.OVERDUE, due_in_days=-3)
    checkout_url = start(client, owner, [invoice])["Location"]
    client.post(checkout_url, {"decision": "refuse"})
    assert Invoice.objects.get(pk=invoice.pk).status == S.OVERDUE


def test_reconciler_expires_stale_sandbox_payments_and_frees_invoices(client, owner, two_new):
    checkout_url = start(client, owner, two_new)["Location"]
    assert services.payments_reconcile_pending() == {"checked": 0, "errors": 0}  # too fresh
    with time_machine.travel(dt.timedelta(minutes=61)):
        from payments.tasks import reconcile_pending_payments

        assert reconcile_pending_payments.delay().get() == {"checked": 1, "errors": 0}
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.EXPIRED
    assert statuses(two_new) == [S.NEW, S.NEW]
    # The expired checkout can no longer be paid.
    client.post(checkout_url, {"decision": "pay"})
    assert SandboxCheckout.objects.get().status == SandboxCheckout.Status.CANCELED
    assert statuses(two_new) == [S.NEW, S.NEW]


def test_reconciler_settles_a_payment_whose_notification_never_came(client, owner, two_new):
    start(client, owner, two_new)
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    with time_machine.travel(dt.timedelta(minutes=11)):
        services.payments_reconcile_pending()
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert statuses(two_new) == [S.PAID, S.PAID]


def test_provider_amount_mismatch_is_flagged_not_settled(client, owner, two_new):
    start(client, owner, two_new)
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED, amount=Decimal("1.00"))
    payment = Payment.objects.get()
    client.get(reverse("payments:return", args=[payment.pk]))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert "не равна" in payment.problem
    assert statuses(two_new) == [S.PENDING, S.PENDING]
    assert AuditEntry.objects.filter(action="payment.flagged").count() == 1


def test_return_and_receipt_of_another_users_payment_are_404(client, owner, stranger, two_new):
    start(client, owner, two_new)
    payment = Payment.objects.get()
    client.force_login(stranger)
    assert client.get(reverse("payments:return", args=[payment.pk])).status_code == 404
    assert client.get(reverse("payments:receipt", args=[payment.pk])).status_code == 404
    assert client.post(reverse("payments:resume", args=[payment.pk])).status_code == 404


def test_bank_transfer_settles_invoices_through_the_same_service(demo, owner, two_new):
    staff = type(owner).objects.create_superuser("+79990009999", "Admin-2026!")
    transfer = services.bank_transfer_record(
        amount=Decimal("780.00"),
        received_on=dt.date(2026, 11, 2),
        reference="п/п 123",
        invoice_ids=[i.pk for i in two_new],
        actor=staff,
    )
    assert statuses(two_new) == [S.PAID, S.PAID]
    payment = transfer.payment
    assert payment.provider == "bank" and payment.status == Payment.Status.SUCCEEDED
    assert payment.payer == owner
    assert AuditEntry.objects.filter(action="payment.bank_transfer").count() == 1


def test_bank_transfer_with_a_wrong_sum_changes_nothing(demo, owner, two_new):
    with pytest.raises(PaymentError, match="не равна"):
        services.bank_transfer_record(
            amount=Decimal("100.00"),
            received_on=dt.date(2026, 11, 2),
            reference="п/п 124",
            invoice_ids=[i.pk for i in two_new],
            actor=None,
        )
    assert statuses(two_new) == [S.NEW, S.NEW]
    assert not Payment.objects.exists()


def test_bank_transfer_entered_in_admin(client, demo, owner, two_new):
    staff = type(owner).objects.create_superuser("+79990009998", "Admin-2026!")
    staff_login(client, staff)
    url = reverse("admin:payments_banktransfer_add")
    data = {
        "amount": "390.00",
        "received_on": "02.11.2026",
        "reference": "п/п 777",
        "invoices": [two_new[0].pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert statuses(two_new) == [S.PAID, S.NEW]
    data["amount"] = "1.00"
    data["reference"] = "п/п 778"
    data["invoices"] = [two_new[1].pk]
    response = client.post(url, data)
    assert response.status_code == 200 and "не равна" in response.content.decode()
    assert statuses(two_new) == [S.PAID, S.NEW]


def test_money_arriving_after_expiry_settles_if_the_invoices_are_still_free(client, owner, two_new):
    start(client, owner, two_new)
    payment = Payment.objects.get()
    services.payment_close(payment_id=payment.pk, status=Payment.Status.EXPIRED)
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    services.payment_sync(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and not payment.problem
    assert statuses(two_new) == [S.PAID, S.PAID]


def test_money_arriving_after_expiry_for_invoices_paid_again_is_flagged_for_refund(
    client, owner, two_new
):
    start(client, owner, two_new)
    first = Payment.objects.get()
    services.payment_close(payment_id=first.pk, status=Payment.Status.EXPIRED)
    start(client, owner, two_new)  # the user pays again
    second = Payment.objects.exclude(pk=first.pk).get()
    SandboxCheckout.objects.filter(token=first.provider_payment_id).update(
        status=SandboxCheckout.Status.SUCCEEDED
    )
    services.payment_sync(payment_id=first.pk)
    first.refresh_from_db()
    assert first.status == Payment.Status.SUCCEEDED and "нужен возврат" in first.problem
    # The invoices stay with the second payment; nothing was marked paid twice.
    assert statuses(two_new) == [S.PENDING, S.PENDING]
    assert PaymentInvoice.objects.filter(active=True, payment=second).count() == 2
    assert not PaymentInvoice.objects.filter(active=True, payment=first).exists()


def test_admin_lists_payments_events_and_transfers(client, owner, two_new):
    start(client, owner, two_new)
    staff = type(owner).objects.create_superuser("+79990009997", "Admin-2026!")
    staff_login(client, staff)
    for name in ("payment", "paymentevent", "banktransfer"):
        assert client.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
    payment = Payment.objects.get()
    assert (
        client.get(reverse("admin:payments_payment_change", args=[payment.pk])).status_code == 200
    )
    assert client.get(reverse("admin:payments_banktransfer_add")).status_code == 200


def test_reconcile_command_runs_the_same_service(client, owner, two_new):
    from io import StringIO

    from django.core.management import call_command

    start(client, owner, two_new)
    out = StringIO()
    with time_machine.travel(dt.timedelta(minutes=61)):
        call_command("reconcile_payments", stdout=out)
    assert out.getvalue().strip() == "checked=1 errors=0"
    assert statuses(two_new) == [S.NEW, S.NEW]

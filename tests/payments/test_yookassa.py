"""The YooKassa provider against a local fake of its HTTP API (the SDK and our code run for
real; only the network peer is fake)."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Invoice
from payments.models import Payment, PaymentEvent

from .fake_yookassa import FakeYooKassa

pytestmark = pytest.mark.django_db
S = Invoice.Status
YOOKASSA_IP = "185.71.76.10"  # inside 185.71.76.0/27, one of YooKassa's published networks


@pytest.fixture
def fake(settings):
    with FakeYooKassa() as server:
        settings.PAYMENT_PROVIDER = "yookassa"
        settings.YOOKASSA_SHOP_ID = "123456"
        settings.YOOKASSA_SECRET_KEY = "test_secret"
        settings.YOOKASSA_API_URL = server.url
        settings.YOOKASSA_TIMEOUT_SECONDS = 2
        settings.YOOKASSA_CHECK_NOTIFICATION_IP = True
        yield server


def pay(client, user, invoices):
    client.force_login(user)
    return client.post(reverse("payments:start"), {"invoice_ids": [i.pk for i in invoices]})


def notify(client, payload, ip=YOOKASSA_IP):
    return client.post(
        reverse("payments:notification", args=["yookassa"]),
        json.dumps(payload),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def notification(payment: dict, event="payment.succeeded") -> dict:
    return {"type": "notification", "event": event, "object": payment}


def test_create_sends_server_amount_stored_key_receipt_and_redirects(client, fake, owner, two_new):
    response = pay(client, owner, two_new)
    payment = Payment.objects.get()
    [create] = fake.creates()
    assert create["key"] == str(payment.idempotence_key)
    body = create["body"]
    assert body["amount"] == {"value": "780.00", "currency": "RUB"}
    assert body["capture"] is True
    assert body["confirmation"]["type"] == "redirect"
    assert body["confirmation"]["return_url"] == f"http://testserver/payments/{payment.pk}/return/"
    receipt = body["receipt"]
    assert receipt["customer"] == {"phone": "79990000001", "email": "ivanov@example.com"}
    assert [item["amount"]["value"] for item in receipt["items"]] == ["390.00", "390.00"]
    assert {item["vat_code"] for item in receipt["items"]} == {1}
    assert {i.number for i in two_new} == {
        item["description"].rsplit(" ", 1)[-1] for item in receipt["items"]
    }
    assert create["auth"].startswith("Basic ")
    assert response.status_code == 302
    assert (
        response["Location"]
        == fake.payments[payment.provider_payment_id]["confirmation"]["confirmation_url"]
    )
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.PENDING, S.PENDING]


def test_timeout_is_retried_with_the_same_idempotence_key_and_charges_once(
    client, fake, settings, owner, two_new
):
    settings.YOOKASSA_TIMEOUT_SECONDS = 0.3
    fake.delay_first_create = 1.0
    response = pay(client, owner, two_new)
    payment = Payment.objects.get()
    creates = fake.creates()
    assert len(creates) == 2
    assert creates[0]["key"] == creates[1]["key"] == str(payment.idempotence_key)
    assert len(fake.payments) == 1  # the retry found the first payment, no second charge
    assert payment.provider_payment_id == next(iter(fake.payments))
    assert response.status_code == 302 and "yoomoney.ru" in response["Location"]


def test_provider_down_leaves_payment_resumable_with_the_same_key(client, fake, owner, two_new):
    fake.fail_creates = 2
    response = pay(client, owner, two_new)
    assert response["Location"] == reverse("invoices:my_invoices")
    page = client.get(response["Location"]).content.decode()
    assert "Платёжный сервис не отвечает" in page and "Продолжить оплату" in page
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and payment.provider_payment_id is None
    response = client.post(reverse("payments:resume", args=[payment.pk]))
    payment.refresh_from_db()
    assert "yoomoney.ru" in response["Location"]
    assert {c["key"] for c in fake.creates()} == {str(payment.idempotence_key)}
    assert len(fake.payments) == 1


def test_notification_is_stored_then_verified_by_fetching_the_payment(client, fake, owner, two_new):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    paid = fake.succeed(payment.provider_payment_id)
    assert notify(client, notification(paid)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.PAID, S.PAID]
    gets = [r for r in fake.requests if r["method"] == "GET"]
    assert gets and gets[-1]["path"] == f"/v3/payments/{payment.provider_payment_id}"
    event = PaymentEvent.objects.get(source="notification")
    assert json.loads(event.raw) == notification(paid) and event.remote_ip == YOOKASSA_IP
    # A second delivery changes nothing.
    assert notify(client, notification(paid)).status_code == 200
    assert PaymentEvent.objects.get(source="notification").deliveries == 2


def test_forged_success_is_not_believed(client, fake, owner, two_new):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    forged = dict(fake.payments[payment.provider_payment_id], status="succeeded", paid=True)
    assert notify(client, notification(forged)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING  # the API still says pending


def test_a_forged_early_success_does_not_swallow_the_genuine_notification(
    client, fake, owner, two_new
):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    forged = dict(fake.payments[payment.provider_payment_id], status="succeeded", paid=True)
    assert notify(client, notification(forged)).status_code == 200
    paid = fake.succeed(payment.provider_payment_id)
    assert notify(client, notification(paid)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    event = PaymentEvent.objects.get(source="notification")
    assert event.state == PaymentEvent.State.PROCESSED and event.deliveries == 2


def test_notification_from_an_untrusted_address_is_refused(client, fake, owner, two_new):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    paid = fake.succeed(payment.provider_payment_id)
    assert notify(client, notification(paid), ip="203.0.113.5").status_code == 403
    assert not PaymentEvent.objects.exists()
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_amount_at_the_provider_differing_from_ours_is_flagged_not_settled(
    client, fake, owner, two_new
):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    paid = fake.succeed(payment.provider_payment_id, amount="1.00")
    notify(client, notification(paid))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and "не равна" in payment.problem
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.PENDING, S.PENDING]


def test_canceled_at_the_provider_frees_the_invoices(client, fake, owner, two_new):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    canceled = fake.cancel(payment.provider_payment_id)
    notify(client, notification(canceled, event="payment.canceled"))
    assert Payment.objects.get().status == Payment.Status.CANCELED
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.NEW, S.NEW]


def test_return_before_notification_asks_the_api(client, fake, owner, two_new):
    pay(client, owner, two_new)
    payment = Payment.objects.get()
    fake.succeed(payment.provider_payment_id)
    response = client.get(reverse("payments:return", args=[payment.pk]), follow=True)
    assert "Оплата прошла успешно" in response.content.decode()
    assert Payment.objects.get().amount == Decimal("780.00")
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.PAID, S.PAID]


def test_reconciler_expires_a_payment_the_provider_never_acknowledged(client, fake, owner, two_new):
    import datetime as dt

    import time_machine

    from payments import services

    fake.fail_creates = 2
    pay(client, owner, two_new)
    with time_machine.travel(dt.timedelta(minutes=61)):
        services.payments_reconcile_pending()
    assert Payment.objects.get().status == Payment.Status.EXPIRED
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.NEW, S.NEW]


def test_reconciler_leaves_a_yookassa_payment_pending_until_the_provider_cancels_it(
    client, fake, owner, two_new
):
    import datetime as dt

    import time_machine

    from payments import services

    pay(client, owner, two_new)
    payment = Payment.objects.get()
    with time_machine.travel(dt.timedelta(minutes=61)):
        services.payments_reconcile_pending()
    # YooKassa cannot cancel a payment the user may still be confirming: we wait for its word.
    assert Payment.objects.get().status == Payment.Status.PENDING
    fake.cancel(payment.provider_payment_id)
    with time_machine.travel(dt.timedelta(minutes=70)):
        services.payments_reconcile_pending()
    assert Payment.objects.get().status == Payment.Status.CANCELED
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.NEW, S.NEW]


def test_provider_refusal_cancels_the_payment_and_frees_the_invoices(client, fake, owner, two_new):
    fake.reject_creates = True
    response = pay(client, owner, two_new)
    page = client.get(response["Location"]).content.decode()
    assert "Платёжный сервис отклонил платёж" in page
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.CANCELED and "Receipt is invalid" in payment.problem
    assert [Invoice.objects.get(pk=i.pk).status for i in two_new] == [S.NEW, S.NEW]

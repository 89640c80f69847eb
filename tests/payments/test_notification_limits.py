"""Payment notifications cannot grow storage without bound, flood from one address, or poison
the de-duplication of the genuine notification (pentest #10, finding 6)."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from invoices.models import Invoice
from payments.models import Payment, PaymentEvent, SandboxCheckout
from payments.providers.sandbox import notification_body, sandbox_checkout_decide

pytestmark = pytest.mark.django_db
URL = "/payments/notifications/sandbox/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def post(client, body: bytes | str, ip="198.51.100.7"):
    return client.post(URL, body, content_type="application/json", REMOTE_ADDR=ip)


def start(client, user, invoices):
    client.force_login(user)
    client.post(reverse("payments:start"), {"invoice_ids": [i.pk for i in invoices]})
    return Payment.objects.get(), SandboxCheckout.objects.get()


def test_an_oversized_body_is_refused_with_413_and_not_stored(client, settings):
    body = b'{"event": "payment.succeeded", "pad": "' + b"x" * (64 * 1024) + b'"}'
    assert post(client, body).status_code == 413
    assert not PaymentEvent.objects.exists()


def test_a_body_at_the_limit_is_stored(client, settings):
    settings.PAYMENT_NOTIFICATION_MAX_BYTES = 1024
    body = b"{" + b" " * 1022 + b"}"
    assert post(client, body).status_code == 200
    assert PaymentEvent.objects.get().state == PaymentEvent.State.IGNORED


def test_notifications_are_throttled_per_client_address(client, settings):
    settings.PAYMENT_NOTIFICATIONS_PER_MINUTE = 3
    for n in range(3):
        assert post(client, f'{{"n": {n}}}').status_code == 200
    refused = post(client, '{"n": 3}')
    assert refused.status_code == 429
    assert PaymentEvent.objects.count() == 3  # the refused one left nothing behind
    assert post(client, '{"n": 4}', ip="198.51.100.8").status_code == 200


def test_the_throttle_counts_the_client_behind_the_proxies(client, settings):
    settings.PAYMENT_NOTIFICATIONS_PER_MINUTE = 1
    settings.PROXY_COUNT = 1
    proxy = "10.0.0.1"

    def via_proxy(client_ip, n):
        return client.post(
            URL,
            f'{{"n": {n}}}',
            content_type="application/json",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    assert via_proxy("203.0.113.1", 1).status_code == 200
    assert via_proxy("203.0.113.2", 2).status_code == 200  # another client, same proxy
    assert via_proxy("203.0.113.1", 3).status_code == 429


def test_a_forged_early_success_does_not_swallow_the_genuine_one(client, owner, two_new):
    payment, checkout = start(client, owner, two_new)
    forged = notification_body(checkout)
    forged["event"] = "payment.succeeded"
    forged["object"]["status"] = "succeeded"
    assert post(client, json.dumps(forged)).status_code == 200
    event = PaymentEvent.objects.get(source="notification")
    assert event.state != PaymentEvent.State.PROCESSED  # the provider still said pending
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    # The payer really pays; the provider's genuine notification has the same event key.
    checkout = sandbox_checkout_decide(token=checkout.token, pay=True)
    genuine = notification_body(checkout)
    assert genuine["event"] == forged["event"]
    assert post(client, json.dumps(genuine)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert {Invoice.objects.get(pk=i.pk).status for i in two_new} == {Invoice.Status.PAID}
    event.refresh_from_db()
    assert event.state == PaymentEvent.State.PROCESSED and event.deliveries == 2

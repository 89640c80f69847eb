"""Issue #12, item 7: «Личные данные» on a phone — the notification history is a card per
message (no 745 px table with the text off-screen); the receipt's buyer e-mail stays inside
its card."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dms_portal import clock
from notifications.models import Message
from payments.models import Payment, PaymentInvoice
from tests.invoices.test_browser_my_invoices import log_in
from tests.payments.factories import make_invoice, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_EMAIL = "ivanov.ivan.ivanovich.the.insured.person@very-long-mail-domain.example.com"

NO_OVERFLOW = """(sel) => {
  const box = document.querySelector(sel);
  const out = [];
  for (const el of [box, ...box.querySelectorAll('*')]) {
    const r = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    if (r.width && (r.right > b.right + 1 || r.left < b.left - 1)) out.push(el.outerHTML.slice(0, 80));
  }
  return [out, document.documentElement.scrollWidth];
}"""


def test_history_becomes_cards_on_a_phone(live_server, page, demo, screenshot):
    user = make_user(demo["ivanov"], phone="+79990000001", email=LONG_EMAIL)
    for n in range(3):
        Message.objects.create(
            event="payment_received",
            channel="email",
            recipient=LONG_EMAIL,
            user_id=user.pk,
            subject="Оплата получена",
            body=f"Оплата {n} по счёту 2026/10/1 получена. Чек: http://localhost:8000/payments/"
            f"receipt/{n}/?very-long-query-string-that-does-not-break=1",
        )
    # An SMS held for the quiet hours carries «отправим не раньше …» under its status.
    Message.objects.create(
        event="invoice_ready",
        channel="sms",
        recipient="+79990000001",
        user_id=user.pk,
        body="Сформирован счёт № 2026/10/1",
        scheduled_for=clock.now(),
    )
    log_in(page, live_server, user)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + reverse("accounts:profile"))
    history = page.locator(".notifications-history")
    expect(history.get_by_text("Оплата 2 по счёту 2026/10/1 получена", exact=False)).to_be_visible()
    expect(history.locator("thead")).to_be_hidden()
    expect(history.get_by_text("отправим не раньше", exact=False)).to_be_visible()
    outside, width = page.evaluate(NO_OVERFLOW, ".notifications-history")
    assert outside == [] and width <= 390, outside
    screenshot(page, "issue12-profile-history")


def test_receipt_email_stays_in_its_card(live_server, page, demo, screenshot):
    user = make_user(demo["ivanov"], phone="+79990000001", email=LONG_EMAIL)
    payment = Payment.objects.create(
        provider=Payment.Provider.SANDBOX,
        status=Payment.Status.SUCCEEDED,
        created_at=clock.now(),
        paid_at=clock.now(),
        amount=Decimal("0.80"),
        payer=user,
        receipt={"customer": {"email": LONG_EMAIL}},
    )
    invoice = make_invoice(demo["ivanov"], status="paid")
    PaymentInvoice.objects.create(payment=payment, invoice=invoice, amount=invoice.amount_due)
    log_in(page, live_server, user)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + reverse("payments:receipt", args=[payment.pk]))
    expect(page.get_by_text(LONG_EMAIL)).to_be_visible()
    outside, width = page.evaluate(NO_OVERFLOW, ".receipt-card")
    assert outside == [] and width <= 390, outside
    screenshot(page, "issue12-receipt")

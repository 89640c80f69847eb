"""Helpers of the «Оплатить частями» tests: invoices of a given ИТОГО К ОПЛАТЕ, a split, and a
part paid through the sandbox the way a person pays it (start, «Оплатить», the notification)."""

import json
from decimal import Decimal

from django.urls import reverse

from invoices.instalments.services import instalment_plan_create
from invoices.models import Invoice
from payments.models import Payment, SandboxCheckout
from payments.providers.sandbox import notification_body

from .factories import make_invoice


def invoice_of(person, payable: str, **kwargs) -> Invoice:
    """An invoice whose co-pay (20 % of one line's cost) is `payable`."""
    cost = Decimal(payable) * 5
    return make_invoice(person, lines=(("МРТ головного мозга", f"{cost:.2f}"),), **kwargs)


def split(invoice: Invoice, user, parts: int = 3):
    return instalment_plan_create(invoice_id=invoice.pk, parts=parts, user=user)


def payable(invoice: Invoice) -> Decimal:
    return Invoice.objects.get(pk=invoice.pk).payable_amount()


def pay(client, user, invoice: Invoice, *, notifications: int = 1) -> Payment:
    """«ОПЛАТИТЬ» the invoice, «Оплатить» in the sandbox, and its notification `notifications`
    times (a provider may deliver one more than once)."""
    client.force_login(user)
    client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk], "amount": "1.00"})
    payment = Payment.objects.order_by("-pk").first()
    checkout = SandboxCheckout.objects.get(token=payment.provider_payment_id)
    checkout.status = SandboxCheckout.Status.SUCCEEDED
    checkout.finished_at = checkout.created_at
    checkout.save()
    body = json.dumps(notification_body(checkout))
    url = reverse("payments:notification", args=["sandbox"])
    for _ in range(notifications):
        assert client.post(url, body, content_type="application/json").status_code == 200
    payment.refresh_from_db()
    return payment

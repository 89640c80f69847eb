"""The development provider: a hosted-checkout page of our own («Оплатить» / «Отказаться»).

It behaves like a real provider from the portal's side: it keeps its own state
(SandboxCheckout), is idempotent by the key it is given, sends an HTTP notification to the
portal's notification endpoint, and answers `fetch` from its own state only.
"""

import json
import secrets

from django.db import transaction
from django.urls import reverse

from dms_portal import clock

from ..models import Payment, SandboxCheckout
from .base import Checkout, NotificationRef, PaymentProvider, ProviderError, ProviderPayment

S = SandboxCheckout.Status


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_payment(self, payment: Payment, *, return_url: str) -> Checkout:
        checkout, _ = SandboxCheckout.objects.get_or_create(
            idempotence_key=payment.idempotence_key,
            defaults={
                "token": f"sbx_{secrets.token_urlsafe(24)}",
                "amount": payment.amount,
                "description": f"Оплата франшизы ДМС, платёж №{payment.number}",
                "return_url": return_url,
                "created_at": clock.now(),
            },
        )
        return Checkout(
            provider_payment_id=checkout.token,
            confirmation_url=reverse("payments:sandbox_checkout", args=[checkout.token]),
        )

    def fetch(self, payment: Payment) -> ProviderPayment:
        checkout = SandboxCheckout.objects.filter(token=payment.provider_payment_id).first()
        if checkout is None:
            raise ProviderError("тестовая касса не знает такого платежа")
        return _as_provider_payment(checkout)

    def parse_notification(self, body: bytes) -> NotificationRef:
        try:
            data = json.loads(body)
            return NotificationRef(
                provider_payment_id=str(data["object"]["id"]), event=str(data["event"])
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"не уведомление тестовой кассы: {exc}") from exc

    def cancel_stale(self, payment: Payment) -> bool:
        if not payment.provider_payment_id:
            return True
        with transaction.atomic():
            checkout = (
                SandboxCheckout.objects.select_for_update()
                .filter(token=payment.provider_payment_id)
                .first()
            )
            if checkout is None:
                return True
            if checkout.status == S.PENDING:
                checkout.status = S.CANCELED
                checkout.cancel_reason = "expired"
                checkout.finished_at = clock.now()
                checkout.save(update_fields=["status", "cancel_reason", "finished_at"])
            return checkout.status == S.CANCELED


def _as_provider_payment(checkout: SandboxCheckout) -> ProviderPayment:
    return ProviderPayment(
        provider_payment_id=checkout.token,
        status={S.PENDING: "pending", S.SUCCEEDED: "succeeded", S.CANCELED: "canceled"}[
            checkout.status
        ],
        amount=checkout.amount,
        currency="RUB",
        paid_at=checkout.finished_at if checkout.status == S.SUCCEEDED else None,
        receipt_registered=checkout.status == S.SUCCEEDED,
        raw=notification_body(checkout),
    )


def notification_body(checkout: SandboxCheckout) -> dict:
    """Shaped like YooKassa's notification, so both endpoints are exercised the same way."""
    event = {S.SUCCEEDED: "payment.succeeded", S.CANCELED: "payment.canceled"}.get(
        checkout.status, "payment.pending"
    )
    return {
        "type": "notification",
        "event": event,
        "object": {
            "id": checkout.token,
            "status": checkout.status,
            "amount": {"value": f"{checkout.amount:.2f}", "currency": "RUB"},
        },
    }


@transaction.atomic
def sandbox_checkout_decide(*, token: str, pay: bool) -> SandboxCheckout:
    """The payer pressed «Оплатить» or «Отказаться» on the sandbox page. A decided or expired
    checkout stays as it is (pressing twice charges once)."""
    checkout = SandboxCheckout.objects.select_for_update().get(token=token)
    if checkout.status == S.PENDING:
        checkout.status = S.SUCCEEDED if pay else S.CANCELED
        checkout.cancel_reason = "" if pay else "payer_refused"
        checkout.finished_at = clock.now()
        checkout.save(update_fields=["status", "cancel_reason", "finished_at"])
    return checkout

"""YooKassa through its official SDK (https://yookassa.ru/developers/api).

Rules that keep money safe here:
- the amount comes from our Payment row, computed on the server;
- the stored idempotence key goes with every create call, retries included (the SDK would
  invent a fresh key otherwise, and a retried timeout would become a second charge);
- notifications are trusted for nothing but the payment id: the state is fetched back from
  the API before anything acts on it, and only YooKassa's published networks may send them.
"""

import datetime as dt
import json
import logging

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from yookassa import Configuration
from yookassa import Payment as SdkPayment
from yookassa.client import ApiClient
from yookassa.domain.common import SecurityHelper
from yookassa.domain.notification import WebhookNotificationFactory

from ..models import Payment
from .base import (
    Checkout,
    NotificationRef,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderUnavailable,
)

log = logging.getLogger(__name__)

STATUS_MAP = {
    "pending": Payment.Status.PENDING,
    # We create payments with capture=True, so this state is transient; it is not money yet.
    "waiting_for_capture": Payment.Status.PENDING,
    "succeeded": Payment.Status.SUCCEEDED,
    "canceled": Payment.Status.CANCELED,
}


class _TimeoutApiClient(ApiClient):
    """The SDK's client sends requests without a timeout and turns a network error into an
    AttributeError; this one bounds each call and reports it as ProviderUnavailable."""

    def request(self, method="", path="", query_params=None, headers=None, body=None):
        if hasattr(body, "validate"):
            body.validate()
            body = dict(body)
        request_headers = self.prepare_request_headers(headers)
        try:
            response = requests.request(
                method,
                self.endpoint + path,
                params=query_params,
                headers=request_headers,
                json=body,
                timeout=settings.YOOKASSA_TIMEOUT_SECONDS,
                verify=self.configuration.verify if self.configuration.verify is not None else True,
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"ЮKassa не ответила: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise api_error(response)
        return response.json()


def api_error(response: requests.Response) -> ProviderError:
    """What a non-200 answer means, read from the HTTP API's documented error body
    ({"type": "error", "code", "description", "parameter"}), not from the SDK's private
    handler. 202 ("still processing, repeat with the same key"), 429 and 5xx (outcome
    unknown) are worth a retry with the same idempotence key; anything else is a refusal."""
    status = response.status_code
    if status == 202 or status == 429 or status >= 500:
        return ProviderUnavailable(f"ЮKassa ответила {status}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    details = [str(data[k]) for k in ("code", "description", "parameter") if data.get(k)]
    return ProviderError(f"ЮKassa отклонила запрос ({status}): {', '.join(details) or '—'}")


class _SdkPayment(SdkPayment):
    def __init__(self):
        self.client = _TimeoutApiClient()


def _configure() -> None:
    # configure() resets api_url to the public one unless it is passed every time.
    Configuration.configure(
        settings.YOOKASSA_SHOP_ID,
        settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL,
    )


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    def create_payment(self, payment: Payment, *, return_url: str) -> Checkout:
        _configure()
        receipt = payment.receipt  # built from the locked invoices when the payment started
        numbers = ", ".join(
            payment.links.order_by("invoice_id").values_list("invoice__number", flat=True)
        )
        params = {
            "amount": {"value": f"{payment.amount:.2f}", "currency": "RUB"},
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": f"Оплата франшизы ДМС, счета {numbers}"[:128],
            "metadata": {"local_payment_id": str(payment.pk)},
            "receipt": receipt,
        }
        try:
            response = _SdkPayment.create(params, str(payment.idempotence_key))
        except (ValueError, TypeError) as exc:  # the SDK's own validation of params
            raise ProviderError(str(exc)) from exc
        confirmation = getattr(response, "confirmation", None)
        url = getattr(confirmation, "confirmation_url", None)
        if not response.id or not url:
            raise ProviderError("ЮKassa не вернула ссылку на оплату")
        return Checkout(provider_payment_id=response.id, confirmation_url=url)

    def fetch(self, payment: Payment) -> ProviderPayment:
        _configure()
        if not payment.provider_payment_id:
            raise ProviderError("платёж ещё не создан в ЮKassa")
        response = _SdkPayment.find_one(payment.provider_payment_id)
        status = STATUS_MAP.get(response.status)
        if status is None:
            raise ProviderError(f"неизвестный статус ЮKassa: {response.status}")
        paid_at = parse_datetime(response.captured_at) if response.captured_at else None
        if paid_at is not None and paid_at.tzinfo is None:
            paid_at = paid_at.replace(tzinfo=dt.UTC)
        return ProviderPayment(
            provider_payment_id=response.id,
            status=status,
            amount=response.amount.value,
            currency=response.amount.currency,
            paid_at=paid_at,
            receipt_registered=getattr(response, "receipt_registration", None) == "succeeded",
            raw=json.loads(json.dumps(dict(response), default=str)),
        )

    def parse_notification(self, body: bytes) -> NotificationRef:
        try:
            data = json.loads(body)
            notification = WebhookNotificationFactory().create(data)
            payment_id = notification.object.id
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise ValueError(f"не уведомление ЮKassa: {exc}") from exc
        if not isinstance(payment_id, str) or not payment_id:
            raise ValueError("в уведомлении нет id платежа")
        return NotificationRef(provider_payment_id=payment_id, event=str(notification.event))

    def notification_ip_allowed(self, ip: str | None) -> bool:
        if not settings.YOOKASSA_CHECK_NOTIFICATION_IP:
            return True
        if not ip:
            return False
        try:
            return SecurityHelper().is_ip_trusted(ip)
        except ValueError:
            return False

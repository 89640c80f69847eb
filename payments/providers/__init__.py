"""Payment providers, chosen by settings.PAYMENT_PROVIDER (like Django's EMAIL_BACKEND)."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PaymentProvider, ProviderError, ProviderPayment, ProviderUnavailable

PROVIDERS = {
    "sandbox": "payments.providers.sandbox.SandboxProvider",
    "yookassa": "payments.providers.yookassa.YooKassaProvider",
}


def notification_providers() -> list[str]:
    """Providers whose pages and notifications are served: every real one (a payment made
    before a switch of PAYMENT_PROVIDER still settles), the sandbox only while it is the
    configured provider: with it anyone can mark invoices paid."""
    return [n for n in PROVIDERS if n != "sandbox" or settings.PAYMENT_PROVIDER == "sandbox"]


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider by name (a payment's own `provider`), or the configured one.

    A dotted path is accepted too, so a deployment can plug its own class in.
    """
    name = name or settings.PAYMENT_PROVIDER
    return import_string(PROVIDERS.get(name, name))()


__all__ = [
    "PaymentProvider",
    "ProviderError",
    "ProviderPayment",
    "ProviderUnavailable",
    "get_provider",
    "notification_providers",
]

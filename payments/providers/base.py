"""The contract every payment provider fulfils.

A provider never moves invoices or payment rows: it talks to the payment system and reports
what it says. Settlement happens in `payments.services`, from the provider's answer to `fetch`,
never from a notification's body.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

from ..models import Payment


class ProviderError(Exception):
    """The provider refused the request; retrying the same request will not help."""

    permanent = True


class ProviderUnavailable(ProviderError):
    """Timeout, connection error or a 5xx: retry later with the same idempotence key."""

    permanent = False


@dataclasses.dataclass(frozen=True)
class Checkout:
    provider_payment_id: str
    confirmation_url: str


@dataclasses.dataclass(frozen=True)
class ProviderPayment:
    """What the provider says about a payment, in our words."""

    provider_payment_id: str
    status: str  # one of Payment.Status: pending / succeeded / canceled
    amount: Decimal
    currency: str
    paid_at: dt.datetime | None = None
    receipt_registered: bool = False
    raw: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class NotificationRef:
    """The only thing a notification is trusted for: which payment to go and ask about."""

    provider_payment_id: str
    event: str


class PaymentProvider:
    name: str = ""

    def create_payment(self, payment: Payment, *, return_url: str) -> Checkout:
        """Create the payment at the provider for `payment.amount`, sending
        `payment.idempotence_key` (the same key on every retry). Returns where to send the user.
        Raises ProviderUnavailable (retry) or ProviderError (give up)."""
        raise NotImplementedError

    def fetch(self, payment: Payment) -> ProviderPayment:
        """Ask the provider for the payment's current state."""
        raise NotImplementedError

    def parse_notification(self, body: bytes) -> NotificationRef:
        """Pick the payment id out of a notification body; raise ValueError if malformed."""
        raise NotImplementedError

    def notification_ip_allowed(self, ip: str | None) -> bool:
        return True

    def cancel_stale(self, payment: Payment) -> bool:
        """Make sure an unconfirmed payment can no longer be paid. True when that is certain
        (then the local payment may expire and free its invoices); False leaves it to the
        provider's own expiry, which we learn about through `fetch`."""
        return False

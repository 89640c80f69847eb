"""The background check of payments left pending (the beat job and its command)."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q

from dms_portal import clock

from ..errors import PaymentError
from ..models import Payment
from ..providers import ProviderError, get_provider
from .checkout import payment_close
from .settle import payment_sync

log = logging.getLogger(__name__)
P = Payment.Status


def payment_reconcile(*, payment_id: int) -> Payment | None:
    """The background check of a payment left pending: ask the provider; once it is stale and
    the provider confirms it can no longer be paid, expire it and free its invoices."""
    now = clock.now()
    claimed = (
        Payment.objects.filter(pk=payment_id, status=P.PENDING)
        .filter(Q(reconciled_at__isnull=True) | Q(reconciled_at__lt=now - dt.timedelta(minutes=1)))
        .update(reconciled_at=now)
    )
    if not claimed:
        return None  # another worker has it, or it is finished
    payment = Payment.objects.get(pk=payment_id)
    if payment.provider == Payment.Provider.BANK:
        return payment
    if payment.provider_payment_id:
        payment = payment_sync(payment_id=payment.pk)
    stale = payment.created_at < now - dt.timedelta(minutes=settings.PAYMENT_EXPIRE_AFTER_MINUTES)
    # Without a provider id the user never got a payment link, so nothing can be charged.
    if (
        payment.status == P.PENDING
        and stale
        and (
            not payment.provider_payment_id or get_provider(payment.provider).cancel_stale(payment)
        )
    ):
        payment = payment_close(payment_id=payment.pk, status=P.EXPIRED)
    return payment


def payments_reconcile_pending() -> dict:
    """All payments pending longer than PAYMENT_RECONCILE_AFTER_MINUTES (the beat job)."""
    cutoff = clock.now() - dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    ids = list(
        Payment.objects.filter(status=P.PENDING, created_at__lt=cutoff)
        .exclude(provider=Payment.Provider.BANK)
        .values_list("pk", flat=True)
    )
    result = {"checked": 0, "errors": 0}
    for pk in ids:
        try:
            payment_reconcile(payment_id=pk)
            result["checked"] += 1
        except (ProviderError, PaymentError) as exc:  # one bad payment does not stop the rest
            log.warning("reconcile payment %s: %s", pk, exc)
            result["errors"] += 1
    return result

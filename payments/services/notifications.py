"""Provider notifications: stored raw first, then processed from the stored row."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from dms_portal import clock

from ..errors import PaymentError
from ..models import Payment, PaymentEvent
from ..providers import ProviderError, get_provider
from .settle import _store_event, payment_sync_with_state

P = Payment.Status
NOT_YET = "Провайдер ещё не подтвердил платёж: следующая доставка уведомления проверит снова"


def notification_rate_exceeded(*, ip: str | None) -> bool:
    """Count a notification from `ip` (the client address by dms_portal.net's rule) in a
    one-minute window; True once it is over PAYMENT_NOTIFICATIONS_PER_MINUTE. A provider
    refused with 429 delivers again later, so a burst delays settling but loses nothing."""
    limit = settings.PAYMENT_NOTIFICATIONS_PER_MINUTE
    if limit <= 0:
        return False
    window = int(clock.now().timestamp() // 60)
    key = f"payments:notifications:{ip or 'unknown'}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def notification_receive(*, provider: str, body: bytes, ip: str | None) -> PaymentEvent:
    """Store the notification as received, then process it from the stored row.

    The body only tells which payment to look at; its state is fetched from the provider.
    A repeated delivery finds its row and, if it was processed already, does nothing.
    """
    backend = get_provider(provider)
    raw = body.decode("utf-8", errors="replace")
    try:
        ref = backend.parse_notification(body)
    except ValueError as exc:
        event_row, _ = _store_event(
            provider=provider,
            source=PaymentEvent.Source.NOTIFICATION,
            key="raw:" + hashlib.sha256(body).hexdigest(),
            raw=raw,
            ip=ip,
        )
        PaymentEvent.objects.filter(pk=event_row.pk).update(
            state=PaymentEvent.State.IGNORED, error=str(exc)[:2000]
        )
        event_row.refresh_from_db()
        return event_row
    event_row, created = _store_event(
        provider=provider,
        source=PaymentEvent.Source.NOTIFICATION,
        key=f"{ref.provider_payment_id}:{ref.event}",
        raw=raw,
        ref_id=ref.provider_payment_id,
        event=ref.event,
        ip=ip,
    )
    if not created and event_row.state in (
        PaymentEvent.State.PROCESSED,
        PaymentEvent.State.IGNORED,
    ):
        return event_row
    return notification_process(event_id=event_row.pk)


def notification_process(*, event_id: int) -> PaymentEvent:
    event_row = PaymentEvent.objects.get(pk=event_id)
    payment = Payment.objects.filter(
        provider=event_row.provider, provider_payment_id=event_row.provider_payment_id
    ).first()
    updates: dict = {"processed_at": clock.now()}
    if payment is None:
        updates.update(state=PaymentEvent.State.IGNORED, error="Платёж не найден")
    else:
        updates["payment"] = payment
        try:
            _, state = payment_sync_with_state(payment_id=payment.pk)
        except (ProviderError, PaymentError) as exc:
            updates.update(state=PaymentEvent.State.FAILED, error=str(exc)[:2000])
        else:
            if state is None or state.status == P.PENDING:
                # Nothing happened yet at the provider: a forged early «succeeded» must not
                # mark the event key done, or the genuine notification would be skipped.
                updates.update(state=PaymentEvent.State.NEW, error=NOT_YET)
            else:
                updates.update(state=PaymentEvent.State.PROCESSED, error="")
    PaymentEvent.objects.filter(pk=event_row.pk).update(**updates)
    event_row.refresh_from_db()
    return event_row

"""Settling: bring a payment in line with what the provider says, and tell the payer."""

import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from audit.services import audit_log
from dms_portal import clock
from invoices.errors import InvoiceStateError
from invoices.services.status import invoice_mark_paid, invoice_part_mark_paid
from notifications.services import notify

from ..errors import PaymentError
from ..models import Payment, PaymentEvent
from ..providers import ProviderPayment, get_provider
from .checkout import payment_close

log = logging.getLogger(__name__)
P = Payment.Status


def _flag(payment: Payment, problem: str) -> Payment:
    if payment.problem != problem:
        payment.problem = problem[:500]
        payment.save(update_fields=["problem"])
        audit_log(action="payment.flagged", target=payment, problem=problem)
        log.error("payment %s flagged: %s", payment.pk, problem)
    return payment


@transaction.atomic
def payment_apply(*, payment_id: int, state: ProviderPayment) -> Payment:
    """Bring our payment in line with what the provider says (after `fetch`). Idempotent."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if state.provider_payment_id != payment.provider_payment_id:
        raise PaymentError("Ответ провайдера относится к другому платежу")
    if state.status == P.PENDING:
        return payment
    if state.status == P.CANCELED:
        if payment.status == P.SUCCEEDED:
            return _flag(payment, "Провайдер сообщает об отмене уже оплаченного платежа")
        if payment.status == P.PENDING:
            return payment_close(payment_id=payment.pk, status=P.CANCELED)
        return payment
    if state.status != P.SUCCEEDED:
        raise PaymentError(f"Неизвестный статус платежа: {state.status}")
    if payment.status == P.SUCCEEDED:
        return payment  # a repeated notification or return: settled once already
    if state.currency != "RUB" or state.amount != payment.amount:
        return _flag(
            payment,
            f"Сумма у провайдера {state.amount} {state.currency} не равна сумме платежа "
            f"{payment.amount} RUB: счета не зачтены",
        )
    now = clock.now()
    if payment.status in (P.CANCELED, P.EXPIRED):
        # Money arrived after we had given up on it: settle only if no other payment has
        # taken these invoices since; otherwise it is a second charge and must be refunded.
        try:
            with transaction.atomic():
                payment.links.update(active=True)
        except IntegrityError:
            payment.status = P.SUCCEEDED
            payment.paid_at = state.paid_at or now
            payment.save(update_fields=["status", "paid_at"])
            return _flag(
                payment, "Оплата пришла после отмены, счета уже оплачиваются: нужен возврат"
            )
    payment.status = P.SUCCEEDED
    payment.paid_at = state.paid_at or now
    payment.finished_at = now
    if state.receipt_registered:
        payment.receipt = {**payment.receipt, "registered": True}
    payment.save(update_fields=["status", "paid_at", "finished_at", "receipt"])
    try:
        links_settle(payment=payment, reference=f"payment:{payment.pk}", actor=payment.payer)
    except InvoiceStateError as exc:
        return _flag(payment, f"{exc}: оплата не зачтена, нужен возврат")
    audit_log(
        action="payment.succeeded", actor=payment.payer, target=payment, amount=str(state.amount)
    )
    _notify_received(payment)
    return payment


def links_settle(*, payment: Payment, reference: str, actor) -> None:
    """Money confirmed for `payment` settles what its links charged for: whole invoices, or
    the instalment parts of split ones (SPEC §3.8). Raises InvoiceStateError, changing
    nothing, when the invoices no longer accept it."""
    links = list(payment.links.all())
    parts = {ln.instalment_part_id: ln.amount for ln in links if ln.instalment_part_id}
    whole = [ln.invoice_id for ln in links if not ln.instalment_part_id]
    with transaction.atomic():  # a refusal of either undoes both
        if parts:
            invoice_part_mark_paid(
                parts=parts, paid_at=payment.paid_at, reference=reference, actor=actor
            )
        if whole:
            invoice_mark_paid(
                invoice_ids=whole, paid_at=payment.paid_at, reference=reference, actor=actor
            )


def _notify_received(payment: Payment) -> None:
    links = list(payment.links.select_related("invoice__payer__user").order_by("invoice_id"))
    user = payment.payer or next(
        (link.invoice.payer.user for link in links if link.invoice.payer.user_id), None
    )
    phone = str(user.phone) if user else (links[0].invoice.payer.phone if links else "")
    email = user.email if user else ""
    notify(
        event="payment_received",
        context={
            "payment": payment,
            "numbers": ", ".join(link.invoice.number for link in links),
            "paid_on": clock.to_moscow_date(payment.paid_at),
            "site_url": settings.SITE_URL,
        },
        phone=phone or None,
        email=email or None,
        key=f"payment_received:{payment.pk}",
        user_id=user.pk if user else None,
    )


def _store_event(
    *, provider: str, source: str, key: str, raw: str, ref_id: str = "", event: str = "", ip=None
) -> tuple[PaymentEvent, bool]:
    event_row, created = PaymentEvent.objects.get_or_create(
        provider=provider,
        source=source,
        event_key=key[:200],
        defaults={
            "raw": raw,
            "event": event[:64],
            "provider_payment_id": ref_id[:64],
            "remote_ip": ip,
            "received_at": clock.now(),
        },
    )
    if not created:
        PaymentEvent.objects.filter(pk=event_row.pk).update(deliveries=F("deliveries") + 1)
    return event_row, created


def payment_sync(*, payment_id: int) -> Payment:
    """Ask the provider about the payment and act on its answer (return URL, reconciler,
    notifications all come through here)."""
    return payment_sync_with_state(payment_id=payment_id)[0]


def payment_sync_with_state(*, payment_id: int) -> tuple[Payment, ProviderPayment | None]:
    """`payment_sync`, also returning what the provider said (None: nothing to ask yet)."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment, None
    state = get_provider(payment.provider).fetch(payment)
    event_row, _ = _store_event(
        provider=payment.provider,
        source=PaymentEvent.Source.FETCH,
        key=f"{state.provider_payment_id}:{state.status}:{state.amount}",
        raw=json.dumps(state.raw, ensure_ascii=False, default=str),
        ref_id=state.provider_payment_id,
        event=state.status,
    )
    PaymentEvent.objects.filter(pk=event_row.pk, payment__isnull=True).update(payment=payment)
    return payment_apply(payment_id=payment.pk, state=state), state

"""Payment steps: start, checkout at the provider, settle from the provider's word, expire,
reconcile, notifications, bank transfers.

Exactly-once rests on three things, not on timing:
- `invoices_hold_for_payment` locks the invoices and refuses any that are not payable, and the
  partial unique constraint `one_live_payment_per_invoice` backs it in the database;
- every change of a Payment happens under its row lock, from its current state, so a
  notification, the user's return and the reconciler can all arrive at once and only the first
  settles;
- the provider's state is always fetched, never read from a notification body.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from audit.services import audit_log
from dms_portal import clock
from invoices.errors import InvoiceStateError
from invoices.models import Invoice
from invoices.services.status import (
    invoice_mark_paid,
    invoices_hold_for_payment,
    invoices_release_hold,
    payable_amount,
)
from notifications.services import notify
from policies.selectors import person_ids_for_user

from .errors import PaymentError, PaymentInvoiceNotFound, PaymentUnavailable
from .models import BankTransfer, Payment, PaymentEvent, PaymentInvoice
from .providers import ProviderError, ProviderPayment, ProviderUnavailable, get_provider
from .receipts import receipt_build

log = logging.getLogger(__name__)
P = Payment.Status


def _clean_ids(invoice_ids: Iterable) -> list[int]:
    try:
        ids = sorted({int(i) for i in invoice_ids})
    except (TypeError, ValueError) as exc:
        raise PaymentInvoiceNotFound("Счёт не найден") from exc
    if not ids:
        raise PaymentError("Выберите хотя бы один счёт для оплаты")
    if not 0 < ids[0] <= ids[-1] < 2**63:  # no such row, and the database cannot even compare
        raise PaymentInvoiceNotFound("Счёт не найден")
    return ids


def _hold_and_link(*, payment: Payment, invoice_ids: list[int], actor) -> list[PaymentInvoice]:
    """Hold the invoices for `payment` and record what is charged for each, from locked rows."""
    invoices = invoices_hold_for_payment(
        invoice_ids=invoice_ids, reference=f"payment:{payment.idempotence_key}", actor=actor
    )
    links = [PaymentInvoice(invoice=inv, amount=payable_amount(inv)) for inv in invoices]
    return links


@transaction.atomic
def payment_start(*, user, invoice_ids: Iterable, provider: str | None = None) -> Payment:
    """One payment for the chosen invoices; the amount is recomputed here from the invoices,
    whatever the browser sent. The invoices move to ОЖИДАЕТ ОПЛАТЫ."""
    ids = _clean_ids(invoice_ids)
    visible = Invoice.objects.filter(pk__in=ids, person_id__in=person_ids_for_user(user))
    if visible.count() != len(ids):
        raise PaymentInvoiceNotFound("Счёт не найден")
    payment = Payment(
        payer=user,
        provider=provider or settings.PAYMENT_PROVIDER,
        status=P.PENDING,
        created_at=clock.now(),
        amount=Decimal("0.00"),
    )
    try:
        links = _hold_and_link(payment=payment, invoice_ids=ids, actor=user)
    except InvoiceStateError as exc:
        raise PaymentError(str(exc)) from exc
    payment.amount = sum((link.amount for link in links), Decimal("0.00"))
    payment.receipt = receipt_build(
        links=[(link.invoice.number, link.amount) for link in links],
        phone=str(user.phone or ""),
        email=user.email or "",
    )
    payment.save()  # the idempotence key is committed before any provider call
    for link in links:
        link.payment = payment
    try:
        with transaction.atomic():
            PaymentInvoice.objects.bulk_create(links)
    except IntegrityError as exc:  # the database's guard behind the row locks
        raise PaymentError("Один из счетов уже оплачивается в другом окне") from exc
    audit_log(
        action="payment.start",
        actor=user,
        target=payment,
        amount=str(payment.amount),
        invoices=",".join(link.invoice.number for link in links),
    )
    return payment


def payment_checkout(*, payment: Payment, return_url: str) -> Payment:
    """Create the payment at the provider (or find the one created before, by the same key)
    and remember where to send the user. Temporary errors are retried with the same key."""
    if payment.status != P.PENDING:
        raise PaymentError("Этот платёж уже завершён")
    if payment.confirmation_url:
        return payment
    provider = get_provider(payment.provider)
    attempts = max(1, settings.PAYMENT_CREATE_ATTEMPTS)
    for attempt in range(1, attempts + 1):
        try:
            checkout = provider.create_payment(payment, return_url=return_url)
            break
        except ProviderUnavailable as exc:
            log.warning("payment %s: create attempt %s failed: %s", payment.pk, attempt, exc)
        except ProviderError as exc:
            payment_close(payment_id=payment.pk, status=P.CANCELED, problem=str(exc))
            raise PaymentError(
                "Платёжный сервис отклонил платёж. Счета снова доступны для оплаты."
            ) from exc
    else:
        raise PaymentUnavailable(
            "Платёжный сервис не отвечает. Попробуйте ещё раз через несколько минут: "
            "кнопка «Продолжить оплату» в истории платежей."
        )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != P.PENDING:
            # Expired while we waited: the user never gets the link, so nothing can be charged.
            raise PaymentError("Срок оплаты истёк. Выберите счета и оплатите ещё раз.")
        locked.provider_payment_id = checkout.provider_payment_id
        locked.confirmation_url = checkout.confirmation_url
        locked.save(update_fields=["provider_payment_id", "confirmation_url"])
        audit_log(action="payment.checkout", target=locked, provider_id=locked.provider_payment_id)
    return locked


def payment_close(*, payment_id: int, status: str, problem: str = "") -> Payment:
    """Cancel or expire a pending payment and free its invoices. A finished payment is left
    as it is (a logged no-op)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != P.PENDING:
            log.info("payment %s is %s already; not closing", payment.pk, payment.status)
            return payment
        invoice_ids = list(payment.links.values_list("invoice_id", flat=True))
        payment.status = status
        payment.finished_at = clock.now()
        payment.problem = problem[:500] if problem else payment.problem
        payment.save(update_fields=["status", "finished_at", "problem"])
        payment.links.update(active=False)
        invoices_release_hold(invoice_ids=invoice_ids, reference=f"payment:{payment.pk}:{status}")
        audit_log(action=f"payment.{status}", target=payment, problem=problem)
        return payment


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
    invoice_ids = list(payment.links.values_list("invoice_id", flat=True))
    try:
        invoice_mark_paid(
            invoice_ids=invoice_ids,
            paid_at=payment.paid_at,
            reference=f"payment:{payment.pk}",
            actor=payment.payer,
        )
    except InvoiceStateError as exc:
        return _flag(payment, f"{exc}: оплата не зачтена, нужен возврат")
    audit_log(
        action="payment.succeeded", actor=payment.payer, target=payment, amount=str(state.amount)
    )
    _notify_received(payment)
    return payment


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
    import json

    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment
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
    return payment_apply(payment_id=payment.pk, state=state)


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
            payment_sync(payment_id=payment.pk)
        except (ProviderError, PaymentError) as exc:
            updates.update(state=PaymentEvent.State.FAILED, error=str(exc)[:2000])
        else:
            updates.update(state=PaymentEvent.State.PROCESSED, error="")
    PaymentEvent.objects.filter(pk=event_row.pk).update(**updates)
    event_row.refresh_from_db()
    return event_row


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


@transaction.atomic
def bank_transfer_record(
    *, amount: Decimal, received_on: dt.date, reference: str, invoice_ids: Iterable, actor
) -> BankTransfer:
    """An operator enters money received by bank transfer; it settles the invoices the same
    way an online payment does. The amount must equal what is payable on them."""
    ids = _clean_ids(invoice_ids)
    if BankTransfer.objects.filter(reference=reference, received_on=received_on).exists():
        raise PaymentError("Этот перевод уже внесён")
    paid_at = dt.datetime.combine(received_on, dt.time(12, 0), tzinfo=clock.MOSCOW)
    payment = Payment(
        provider=Payment.Provider.BANK,
        status=P.PENDING,
        created_at=clock.now(),
        amount=amount,
        provider_payment_id=None,
    )
    try:
        links = _hold_and_link(payment=payment, invoice_ids=ids, actor=actor)
    except InvoiceStateError as exc:
        raise PaymentError(str(exc)) from exc
    total = sum((link.amount for link in links), Decimal("0.00"))
    if total != amount:
        raise PaymentError(
            f"Сумма перевода {amount} ₽ не равна сумме к оплате по выбранным счетам {total} ₽"
        )
    payer_person = links[0].invoice.payer
    payment.payer = payer_person.user
    payment.status = P.SUCCEEDED
    payment.paid_at = paid_at
    payment.finished_at = clock.now()
    payment.receipt = {"bank_reference": reference}
    payment.save()
    for link in links:
        link.payment = payment
    PaymentInvoice.objects.bulk_create(links)
    transfer = BankTransfer.objects.create(
        amount=amount,
        received_on=received_on,
        reference=reference,
        payment=payment,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=clock.now(),
    )
    invoice_mark_paid(
        invoice_ids=ids, paid_at=paid_at, reference=f"bank:{transfer.pk}", actor=actor
    )
    audit_log(
        action="payment.bank_transfer",
        actor=actor,
        target=payment,
        amount=str(amount),
        reference=reference,
    )
    _notify_received(payment)
    return transfer

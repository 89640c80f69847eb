"""Starting a payment: hold the invoices, create it at the provider, or close it again."""

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock
from invoices.errors import InvoiceStateError
from invoices.instalments.selectors import instalment_next_part
from invoices.models import Invoice
from invoices.services.status import (
    invoices_hold_for_payment,
    invoices_release_hold,
)
from policies.selectors import person_ids_for_user

from ..errors import PaymentError, PaymentInvoiceNotFound, PaymentUnavailable
from ..models import Payment, PaymentInvoice
from ..providers import ProviderError, ProviderUnavailable, get_provider
from ..receipts import receipt_build

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
    return [_link(invoice) for invoice in invoices]


def _link(invoice) -> PaymentInvoice:
    """What is charged for one held invoice: the next part of its schedule when it is split
    (SPEC §3.8), else all it asks for. Read under the invoice's row lock: a schedule changes
    only under that lock, and never while the invoice is held."""
    part = instalment_next_part(invoice)
    if part is None:
        return PaymentInvoice(invoice=invoice, amount=invoice.payable_amount())
    return PaymentInvoice(invoice=invoice, amount=part.amount, instalment_part=part)


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
        links=[(link.invoice.number, link.amount, link.invoice.penalty_total) for link in links],
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

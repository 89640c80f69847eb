"""Money received by bank transfer, entered by an operator in admin."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from invoices.errors import InvoiceStateError
from invoices.services.penalty import penalty_after_payment_waive

from ..errors import PaymentError
from ..models import BankTransfer, Payment, PaymentInvoice
from .checkout import _clean_ids, _hold_and_link
from .settle import _notify_received, links_settle

P = Payment.Status


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
        # The penalty stops on the day the money arrived, not the day it is entered here.
        penalty_after_payment_waive(
            invoice_ids=ids, paid_on=received_on, reference=reference, actor=actor
        )
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
    links_settle(payment=payment, reference=f"bank:{transfer.pk}", actor=actor)
    audit_log(
        action="payment.bank_transfer",
        actor=actor,
        target=payment,
        amount=str(amount),
        reference=reference,
    )
    _notify_received(payment)
    return transfer

"""Two tabs paying one invoice, and a notification racing the user's return, on PostgreSQL
with real row locks: each thread has its own connection and transaction."""

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEntry
from invoices.models import Invoice
from payments import services
from payments.errors import PaymentError
from payments.models import Payment, PaymentInvoice, SandboxCheckout

from .factories import make_invoice

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Start the calls at the same moment in separate threads (separate connections)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_tabs_paying_the_same_invoice_make_one_payment(postgres, demo, owner, attempt):
    shared = make_invoice(demo["ivanov"])
    other = make_invoice(demo["ivanova"])
    results = run_together(
        lambda: services.payment_start(user=owner, invoice_ids=[shared.pk, other.pk]),
        lambda: services.payment_start(user=owner, invoice_ids=[shared.pk]),
    )
    payments = [r for r in results if isinstance(r, Payment)]
    errors = [r for r in results if isinstance(r, PaymentError)]
    assert len(payments) == 1 and len(errors) == 1, results
    assert "уже выполняется" in str(errors[0])
    assert Payment.objects.count() == 1
    assert PaymentInvoice.objects.filter(invoice=shared, active=True).count() == 1
    assert Invoice.objects.get(pk=shared.pk).status == Invoice.Status.PENDING


def test_notification_and_return_at_once_settle_exactly_once(postgres, demo, owner, two_new):
    payment = services.payment_start(user=owner, invoice_ids=[i.pk for i in two_new])
    payment = services.payment_checkout(payment=payment, return_url="http://testserver/r/")
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    results = run_together(*[lambda: services.payment_sync(payment_id=payment.pk)] * 4)
    assert all(isinstance(r, Payment) for r in results), results
    assert AuditEntry.objects.filter(action="payment.succeeded").count() == 1
    assert AuditEntry.objects.filter(action="invoice.paid").count() == 2
    assert {Invoice.objects.get(pk=i.pk).status for i in two_new} == {Invoice.Status.PAID}


def test_the_database_refuses_a_second_live_payment_of_one_invoice(postgres, demo, owner):
    """The constraint behind the locks: even code that skipped the hold could not link it."""
    invoice = make_invoice(demo["ivanov"])
    payment = services.payment_start(user=owner, invoice_ids=[invoice.pk])
    rogue = Payment.objects.create(
        payer=owner, provider="sandbox", amount=1, created_at=payment.created_at
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInvoice.objects.create(payment=rogue, invoice=invoice, amount=1)
    assert connection.vendor == "postgresql"

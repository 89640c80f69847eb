"""«Оплатить частями» (SPEC §3.8): splitting, who may split what, and paying part by part
through the same provider code as any invoice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEntry
from invoices.errors import InvoiceStateError
from invoices.models import InstalmentPart, InstalmentPlan, Invoice
from payments.models import Payment, PaymentInvoice, SandboxCheckout

from .instalments import invoice_of, pay, payable, split

pytestmark = pytest.mark.django_db
S = Invoice.Status
D = Decimal


def parts_of(invoice):
    return list(
        InstalmentPart.objects.filter(invoice=invoice)
        .order_by("number")
        .values_list("number", "due_date", "amount", "status")
    )


def test_splitting_into_three_makes_a_month_apart_kopeck_exact_schedule(demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    Invoice.objects.filter(pk=invoice.pk).update(due_date=dt.date(2027, 1, 31))
    plan = split(invoice, owner)
    assert (plan.parts_count, plan.amount, plan.status) == (3, D("3000.01"), "active")
    assert parts_of(invoice) == [
        (1, dt.date(2027, 1, 31), D("1000.00"), "unpaid"),
        (2, dt.date(2027, 2, 28), D("1000.00"), "unpaid"),
        (3, dt.date(2027, 3, 31), D("1000.01"), "unpaid"),
    ]
    # Nothing is paid yet: the invoice still asks for all of it, by its own due date.
    assert payable(invoice) == D("3000.01")
    assert AuditEntry.objects.filter(action="invoice.instalments_created").count() == 1


def test_an_invoice_below_the_threshold_is_refused_with_a_clear_message(demo, owner):
    invoice = invoice_of(demo["ivanov"], "2999.99")
    with pytest.raises(InvoiceStateError) as err:
        split(invoice, owner)
    assert "Оплатить частями можно счёт от 3\xa0000,00\xa0₽" in str(err.value)
    assert "к оплате по этому счёту 2\xa0999,99\xa0₽" in str(err.value)
    assert not InstalmentPlan.objects.exists()


def test_exactly_the_threshold_may_be_split_and_the_threshold_is_the_contracts(demo, owner):
    assert split(invoice_of(demo["ivanov"], "3000.00"), owner, parts=2).parts_count == 2
    contract = demo["ivanov"].contract
    contract.instalment_threshold = D("5000.00")
    contract.save()
    with pytest.raises(InvoiceStateError, match="от 5\xa0000,00"):
        split(invoice_of(demo["ivanov"], "4999.99"), owner)


@pytest.mark.parametrize("parts", [0, 1, 4, -2])
def test_only_two_or_three_parts(demo, owner, parts):
    with pytest.raises(InvoiceStateError, match="2 или 3"):
        split(invoice_of(demo["ivanov"], "3000.00"), owner, parts=parts)


def test_a_second_split_is_refused_and_the_database_allows_one_active_schedule(demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    plan = split(invoice, owner)
    with pytest.raises(InvoiceStateError, match="уже разбит"):
        split(invoice, owner, parts=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstalmentPlan.objects.create(
            invoice=invoice, parts_count=2, amount=D("6000.00"), created_at=plan.created_at
        )
    assert InstalmentPlan.objects.count() == 1


@pytest.mark.parametrize("status", [S.PENDING, S.PAID, S.OVERDUE, S.DISPUTED, S.ANNULLED])
def test_only_a_new_invoice_may_be_split(demo, owner, status):
    invoice = invoice_of(demo["ivanov"], "6000.00", status=status)
    with pytest.raises(InvoiceStateError):
        split(invoice, owner)


def test_another_users_invoice_is_a_404_and_is_not_split(client, demo, owner, stranger):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    with pytest.raises(Invoice.DoesNotExist):
        split(invoice, stranger)
    client.force_login(stranger)
    url = reverse("invoices:instalments", args=[invoice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"parts": "3"}).status_code == 404
    assert not InstalmentPlan.objects.exists()


def test_the_sponsor_splits_his_childs_invoice(client, demo, owner):
    invoice = invoice_of(demo["ivanova"], "6000.00")
    client.force_login(owner)
    url = reverse("invoices:instalments", args=[invoice.pk])
    page = client.get(url).content.decode()
    assert "2\xa0000,00\xa0₽" in page and "3\xa0000,00\xa0₽" in page  # both schedules shown
    response = client.post(url, {"parts": "3"}, follow=True)
    assert "разбит на 3 части" in response.content.decode()
    assert InstalmentPlan.objects.get().invoice_id == invoice.pk


def test_the_form_refuses_garbage_and_says_why(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    client.force_login(owner)
    url = reverse("invoices:instalments", args=[invoice.pk])
    for bad in ("", "x", "5", "2.5"):
        response = client.post(url, {"parts": bad})
        assert response.status_code == 400 and "2 или 3" in response.content.decode()
    small = invoice_of(demo["ivanov"], "100.00")
    page = client.get(reverse("invoices:instalments", args=[small.pk])).content.decode()
    assert "Оплатить частями можно счёт от" in page and "Подтвердить" not in page


def test_three_parts_paid_one_by_one_and_the_invoice_is_paid_after_the_third(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    dates = [d for _, d, _, _ in parts_of(invoice)]
    first = pay(client, owner, invoice)
    assert first.amount == D("1000.00") and first.status == Payment.Status.SUCCEEDED
    invoice.refresh_from_db()
    assert (invoice.status, invoice.due_date, payable(invoice)) == (S.NEW, dates[1], D("2000.01"))
    assert invoice.paid_at is None
    assert pay(client, owner, invoice).amount == D("1000.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.due_date, payable(invoice)) == (S.NEW, dates[2], D("1000.01"))
    assert pay(client, owner, invoice).amount == D("1000.01")
    invoice.refresh_from_db()
    assert invoice.status == S.PAID and invoice.paid_at is not None
    # A paid invoice shows, like any paid invoice, what it asked for in all.
    assert payable(invoice) == D("3000.01")
    assert InstalmentPlan.objects.get().status == "completed"
    assert [s for *_, s in parts_of(invoice)] == ["paid"] * 3
    assert AuditEntry.objects.filter(action="invoice.part_paid").count() == 3
    assert AuditEntry.objects.filter(action="invoice.paid").count() == 1


def test_a_part_notified_twice_is_settled_once(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    pay(client, owner, invoice, notifications=3)
    assert [s for *_, s in parts_of(invoice)] == ["paid", "unpaid", "unpaid"]
    assert AuditEntry.objects.filter(action="invoice.part_paid").count() == 1
    assert payable(invoice) == D("2000.01")


def test_the_amount_sent_by_the_browser_is_ignored_the_next_part_is_charged(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "10000.00")
    split(invoice, owner)
    client.force_login(owner)
    client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk], "amount": "1.00"})
    link = PaymentInvoice.objects.get()
    assert link.amount == D("3333.33") and link.instalment_part.number == 1
    assert Payment.objects.get().amount == D("3333.33")


def test_a_second_tab_cannot_pay_the_part_in_flight(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner)
    client.force_login(owner)
    client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk]})
    response = client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk]}, follow=True)
    assert "Оплата счёта уже выполняется" in response.content.decode()
    assert Payment.objects.count() == 1
    # The database's own guard behind the row lock: one live payment per part.
    part = InstalmentPart.objects.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInvoice.objects.create(
            payment=Payment.objects.get(), invoice=invoice, amount=D("1.00"), instalment_part=part
        )


def test_a_split_invoice_cannot_be_split_while_a_part_is_being_paid(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner)
    client.force_login(owner)
    client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk]})
    with pytest.raises(InvoiceStateError, match="выполняется"):
        split(invoice, owner)


def test_a_bank_transfer_pays_the_next_part_too(demo, owner):
    from payments.services import bank_transfer_record

    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner, parts=2)
    bank_transfer_record(
        amount=D("3000.00"),
        received_on=dt.date(2026, 11, 20),
        reference="п/п 17",
        invoice_ids=[invoice.pk],
        actor=None,
    )
    assert [s for *_, s in parts_of(invoice)] == ["paid", "unpaid"]
    assert payable(invoice) == D("3000.00")


def test_money_for_a_part_arriving_after_expiry_settles_it_if_the_part_is_still_free(
    client, demo, owner
):
    from payments import services

    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner)
    payment = services.payment_start(user=owner, invoice_ids=[invoice.pk])
    payment = services.payment_checkout(payment=payment, return_url="http://testserver/r/")
    services.payment_close(payment_id=payment.pk, status=Payment.Status.EXPIRED)
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    services.payment_sync(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and not payment.problem
    assert [s for *_, s in parts_of(invoice)] == ["paid", "unpaid", "unpaid"]


def test_money_for_a_part_of_a_cancelled_schedule_is_flagged_for_refund(client, demo, owner):
    from invoices.instalments.services import instalment_plan_cancel
    from payments import services

    invoice = invoice_of(demo["ivanov"], "6000.00")
    plan = split(invoice, owner)
    payment = services.payment_start(user=owner, invoice_ids=[invoice.pk])
    payment = services.payment_checkout(payment=payment, return_url="http://testserver/r/")
    services.payment_close(payment_id=payment.pk, status=Payment.Status.EXPIRED)
    instalment_plan_cancel(plan_id=plan.pk, reason="Просьба застрахованного")
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    services.payment_sync(payment_id=payment.pk)
    payment.refresh_from_db()
    assert "часть 1 снята" in payment.problem and "нужен возврат" in payment.problem
    assert not InstalmentPart.objects.filter(status="paid").exists()
    assert payable(invoice) == D("6000.00")
    assert Invoice.objects.get(pk=invoice.pk).status == S.NEW


def test_an_invoice_carrying_a_penalty_is_paid_whole_not_in_parts(client, demo, owner):
    """A penalty accrued before a dispute moved the due date on stays owed on a НОВЫЙ invoice;
    parts would each carry it on their receipts, so splitting is refused and not offered."""
    from django.utils import timezone

    from invoices.models import PenaltyEntry

    invoice = invoice_of(demo["ivanov"], "3000.01")
    PenaltyEntry.objects.create(
        invoice=invoice,
        date=dt.date(2026, 11, 1),
        kind=PenaltyEntry.Kind.ACCRUAL,
        base=D("3000.01"),
        rate_percent=D("0.1"),
        amount=D("3.00"),
        created_at=timezone.now(),
    )
    with pytest.raises(InvoiceStateError) as err:
        split(invoice, owner)
    assert "неустойка: его можно оплатить только целиком" in str(err.value)
    assert not InstalmentPlan.objects.exists()
    client.force_login(owner)
    page = client.get(reverse("invoices:my_invoices")).content.decode()
    assert "в\xa0т.\xa0ч. неустойка" in page and "Оплатить частями</a>" not in page

"""«Мои расходы» sums (SPEC §3.8) in every invoice state: Начислено = Оплачено + К оплате,
read from `with_money`; month, clinic and person totals add up to the year to the kopeck."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.models import Invoice, InvoiceLine
from invoices.services.annul import invoice_annul
from invoices.services.disputes import (
    invoice_correction_create,
    invoice_dispute_close,
    invoice_dispute_open,
)
from invoices.services.status import invoice_mark_paid, invoices_hold_for_payment
from invoices.spending import _shares, spending_for_user, spending_years
from tests.payments.factories import make_invoice, make_invoices, make_user

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2026  # the factory dates lines 40 days before today (frozen: 20.11.2026)


@pytest.fixture
def owner(demo, frozen):
    return make_user(demo["ivanov"], phone="+79990000001")


def figures(user, year=YEAR):
    s = spending_for_user(user, year=year)
    return s.total.charged, s.total.paid, s.total.owed


def assert_consistent(spending):
    """Every breakdown is a sum of the same per-line figures: it adds up to the year."""
    total = spending.total
    assert total.charged == total.paid + total.owed
    for rows in (
        [t for _, t in spending.months],
        [t for _, t in spending.clinics],
        [t for _, t in spending.people],
    ):
        assert sum((t.charged for t in rows), D(0)) == total.charged
        assert sum((t.paid for t in rows), D(0)) == total.paid
        assert sum((t.owed for t in rows), D(0)) == total.owed
        for t in rows:
            assert t.charged == t.paid + t.owed


def test_a_new_invoice_is_charged_and_owed(owner, demo):
    make_invoice(demo["ivanov"])  # 300.00 + 90.00
    assert figures(owner) == (D("390.00"), D("0.00"), D("390.00"))


def test_a_paid_invoice_is_charged_and_paid(owner, demo):
    make_invoice(demo["ivanov"], status=Invoice.Status.PAID)
    assert figures(owner) == (D("390.00"), D("390.00"), D("0.00"))


def test_a_payment_settles_what_was_owed(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=dt.datetime.now(dt.UTC), reference="t")
    assert figures(owner) == (D("390.00"), D("390.00"), D("0.00"))


def test_a_payment_in_flight_is_still_owed(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    invoices_hold_for_payment(invoice_ids=[invoice.pk], reference="attempt-1")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PENDING
    assert figures(owner) == (D("390.00"), D("0.00"), D("390.00"))


def test_an_overdue_invoice_is_owed(owner, demo):
    make_invoice(demo["ivanov"], status=Invoice.Status.OVERDUE, due_in_days=-3)
    assert figures(owner) == (D("390.00"), D("0.00"), D("390.00"))


def test_the_deposit_counts_as_paid(owner, demo):
    # The child's invoice: 500.00 co-pay, 100.00 of it covered by her deposit.
    make_invoice(demo["ivanova"], lines=(("Приём педиатра", "2500.00"),), deposit=D("100.00"))
    assert figures(owner) == (D("500.00"), D("100.00"), D("400.00"))


def test_an_annulled_invoice_charges_nothing(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    invoice_annul(invoice=invoice, reason="Клиника отозвала реестр", lines_action="dismiss")
    assert figures(owner) == (D("0.00"), D("0.00"), D("0.00"))
    assert spending_for_user(owner, year=YEAR).empty
    assert spending_years(owner) == []


def test_a_disputed_invoice_is_still_charged_and_owed(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    first = invoice.lines.order_by("id").first()
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[first.pk])
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DISPUTED
    assert figures(owner) == (D("390.00"), D("0.00"), D("390.00"))


def test_an_accepted_correction_lowers_what_is_charged(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    first = invoice.lines.order_by("id").first()  # 300.00
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[first.pk])
    invoice_correction_create(
        invoice_id=invoice.pk, reductions={first.pk: D("120.50")}, reason="Иное количество"
    )
    invoice_dispute_close(invoice_id=invoice.pk)
    assert figures(owner) == (D("269.50"), D("0.00"), D("269.50"))
    by_line = Invoice.objects.with_money().get(pk=invoice.pk)
    assert by_line.payable == D("269.50")  # the page agrees with ИТОГО К ОПЛАТЕ


def test_a_correction_of_everything_unpaid_leaves_nothing(owner, demo):
    invoice = make_invoice(demo["ivanov"])
    lines = list(invoice.lines.order_by("id"))
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[line.pk for line in lines])
    invoice_correction_create(
        invoice_id=invoice.pk, reductions={line.pk: line.copay for line in lines}, reason="Не был"
    )
    invoice_dispute_close(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert figures(owner) == (D("0.00"), D("0.00"), D("0.00"))


def test_paid_then_disputed_stays_paid_and_is_never_owed(owner, demo):
    invoice = make_invoice(demo["ivanov"], status=Invoice.Status.PAID)
    first = invoice.lines.order_by("id").first()
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[first.pk])
    assert figures(owner) == (D("390.00"), D("390.00"), D("0.00"))
    # Accepted: the corrected co-pay had been paid, so it goes to the deposit; what stays
    # charged stays paid.
    _, credit = invoice_correction_create(
        invoice_id=invoice.pk, reductions={first.pk: D("300.00")}, reason="Не был"
    )
    invoice_dispute_close(invoice_id=invoice.pk)
    assert credit == D("300.00")
    assert figures(owner) == (D("90.00"), D("90.00"), D("0.00"))


def test_a_correction_above_the_unpaid_part_after_a_deposit(owner, demo):
    # 500.00 co-pay, 400.00 covered by the deposit, 100.00 due; 450.00 taken off: 50.00 stays
    # charged and the deposit covered it (the other 350.00 of the deposit comes back).
    invoice = make_invoice(
        demo["ivanova"], lines=(("Приём педиатра", "2500.00"),), deposit=D("400.00")
    )
    line = invoice.lines.get()
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[line.pk])
    invoice_correction_create(invoice_id=invoice.pk, reductions={line.pk: D("450.00")}, reason="-")
    invoice_dispute_close(invoice_id=invoice.pk)
    assert figures(owner) == (D("50.00"), D("50.00"), D("0.00"))


def test_every_state_together_adds_up(owner, demo):
    make_invoice(demo["ivanov"])
    make_invoice(demo["ivanov"], status=Invoice.Status.PAID)
    make_invoice(demo["ivanova"], lines=(("Приём педиатра", "2500.00"),), deposit=D("33.33"))
    disputed = make_invoice(demo["ivanov"], lines=(("Рентген", "1000.01"),))
    invoice_dispute_open(
        invoice_id=disputed.pk, line_ids=[disputed.lines.values_list("pk", flat=True).get()]
    )
    annulled = make_invoice(demo["ivanov"])
    invoice_annul(invoice=annulled, reason="Отзыв", lines_action="return")
    spending = spending_for_user(owner, year=YEAR)
    assert_consistent(spending)
    # The same money as `with_money`: co-pay − corrections of the charged invoices, and
    # ИТОГО К ОПЛАТЕ of those not paid.
    charged = Invoice.objects.exclude(status=Invoice.Status.ANNULLED).with_money()
    assert spending.total.charged == sum(i.copay_total - i.corrections_total for i in charged)
    assert spending.total.owed == sum(i.payable for i in charged if i.status != Invoice.Status.PAID)
    # 390 + 390 + 500 + 200.00 (20 % of 1000.01); the annulled one is not charged.
    assert spending.total.charged == D("1480.00")
    assert spending.total.paid == D("423.33")
    assert [p.full_name for p, _ in spending.people] == [
        "Иванов Иван Иванович",
        "Иванова Мария Ивановна",
    ]


def test_an_invoice_over_two_years_splits_kopeck_exactly(owner, demo):
    """Late lines: one invoice with lines of December 2025 and January 2026 and a deposit.
    Each year gets its lines; together the two years are exactly the invoice."""
    invoice = make_invoice(
        demo["ivanov"],
        lines=(("A", "0.05"), ("B", "0.05"), ("C", "0.05")),  # 0.01 co-pay each
        deposit=D("0.01"),
    )
    a, b, c = invoice.lines.order_by("id")
    InvoiceLine.objects.filter(pk=a.pk).update(service_date=dt.date(2025, 12, 30))
    InvoiceLine.objects.filter(pk__in=[b.pk, c.pk]).update(service_date=dt.date(2026, 1, 2))
    assert spending_years(owner) == [2026, 2025]
    old, new = spending_for_user(owner, year=2025), spending_for_user(owner, year=2026)
    assert_consistent(old)
    assert_consistent(new)
    assert old.total.charged + new.total.charged == D("0.03")
    assert old.total.paid + new.total.paid == D("0.01")
    assert old.total.owed + new.total.owed == D("0.02")
    assert (old.services, new.services) == (1, 2)
    assert dict(new.months)[1].charged == D("0.02")


def test_many_odd_lines_add_up_by_month_and_clinic(owner, demo):
    invoice = make_invoice(
        demo["ivanov"],
        lines=tuple((f"Услуга {k}", f"{7 + k}.{k:02d}") for k in range(1, 8)),
        deposit=D("1.00"),
    )
    for k, line in enumerate(invoice.lines.order_by("id")):
        line.service_date = dt.date(YEAR, 1 + k, 15)
        line.clinic_name = f"Клиника {k % 3}"
        line.save()
    spending = spending_for_user(owner, year=YEAR)
    assert_consistent(spending)
    assert spending.total.paid == D("1.00")
    assert len(spending.clinics) == 3


def test_shares_add_up_to_the_total():
    assert _shares(D("0.02"), [D("0.01")] * 3) == [D("0.01"), D("0.00"), D("0.01")]
    assert sum(_shares(D("100.00"), [D("33.33"), D("33.33"), D("33.34")])) == D("100.00")
    assert _shares(D("0.00"), [D("0.00"), D("0.00")]) == [D("0.00"), D("0.00")]


def test_another_users_invoices_are_not_counted(owner, demo):
    make_invoice(demo["ivanov"], lines=(("Приём", "100.00"),))
    petrov = make_user(demo["petrov"], phone="+79990000003")
    make_invoice(demo["petrov"], lines=(("Приём", "5000.00"),))
    make_invoice(demo["sidorova"], lines=(("Приём", "5000.00"),))
    assert figures(owner) == (D("20.00"), D("0.00"), D("20.00"))
    assert figures(petrov) == (D("2000.00"), D("0.00"), D("2000.00"))
    assert [p.full_name for p, _ in spending_for_user(owner, year=YEAR).people] == [
        "Иванов Иван Иванович"
    ]


def test_the_figures_take_the_same_queries_for_one_invoice_or_thirty(owner, demo):
    make_invoice(demo["ivanov"])
    with CaptureQueriesContext(connection) as one:
        spending_for_user(owner, year=YEAR)
    make_invoices(demo["ivanov"], 15)
    make_invoices(demo["ivanova"], 14, deposit=D("10.00"))
    with CaptureQueriesContext(connection) as many:
        spending = spending_for_user(owner, year=YEAR)
    assert len(many) == len(one) <= 4
    assert spending.services == 60
    assert_consistent(spending)

"""«Неустойка» accrual (SPEC §3.8, docs/rules.md): off by default; rate per day of delay on the
overdue co-pay, kopeck-exact per day; grace days; a cap; one accrual per day however often
the job runs; missed days caught up; nothing while a dispute is open, a payment is in flight,
or once paid or annulled."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from dms_portal.clock import MOSCOW
from invoices.models import Invoice, PenaltyEntry
from invoices.services.disputes import invoice_dispute_close, invoice_dispute_open
from invoices.services.penalty import penalty_accrue
from invoices.services.status import invoices_hold_for_payment, invoices_release_hold
from policies.models import Contract
from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
S = Invoice.Status
DUE = dt.date(2026, 11, 2)


def day(n: int) -> dt.date:
    """The n-th day after the due date."""
    return DUE + dt.timedelta(days=n)


def run(n: int, **kwargs) -> dict:
    """The daily job as it runs on day n after the due date (Moscow, 00:10)."""
    moment = dt.datetime.combine(day(n), dt.time(0, 10), tzinfo=MOSCOW)
    with time_machine.travel(moment, tick=False):
        return penalty_accrue(**kwargs)


def contract_with_penalty(demo, **settings) -> Contract:
    contract = demo["ivanov"].contract
    values = {
        "penalty_enabled": True,
        "penalty_rate_percent": Decimal("0.1"),
        "penalty_cap_percent": Decimal("10"),
        "penalty_grace_days": 0,
        **settings,
    }
    Contract.objects.filter(pk=contract.pk).update(**values)
    contract.refresh_from_db()
    return contract


def overdue_invoice(person, lines=None, status=S.OVERDUE) -> Invoice:
    """Co-pay 390.00 by default (1 500 + 450 at 20 %), due on DUE."""
    invoice = make_invoice(person, status=status, **({"lines": lines} if lines else {}))
    Invoice.objects.filter(pk=invoice.pk).update(due_date=DUE)
    invoice.refresh_from_db()
    return invoice


def ledger(invoice) -> list[tuple[dt.date, Decimal]]:
    return list(
        PenaltyEntry.objects.filter(invoice=invoice, kind="accrual")
        .order_by("date")
        .values_list("date", "amount")
    )


def penalty_of(invoice) -> Decimal:
    return Invoice.objects.with_money().get(pk=invoice.pk).penalty_total


def test_penalty_is_off_by_default_and_nothing_accrues(demo):
    contract = demo["ivanov"].contract
    assert contract.penalty_enabled is False
    assert contract.penalty_rate_percent == Decimal("0.100")
    assert contract.penalty_cap_percent == Decimal("10.00")
    assert contract.penalty_grace_days == 0
    invoice = overdue_invoice(demo["ivanov"])
    assert run(30) == {"invoices": 0, "days": 0, "amount": "0.00"}
    assert PenaltyEntry.objects.count() == 0
    assert penalty_of(invoice) == 0


def test_each_day_of_delay_costs_the_rate_of_the_overdue_copay(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(0)  # the due date itself is not a day of delay
    assert ledger(invoice) == []
    run(3)
    # 0.1 % of 390.00 = 0.39 a day, from the day after the due date to today.
    assert ledger(invoice) == [
        (day(1), Decimal("0.39")),
        (day(2), Decimal("0.39")),
        (day(3), Decimal("0.39")),
    ]
    entry = PenaltyEntry.objects.filter(invoice=invoice).first()
    assert (entry.base, entry.rate_percent) == (Decimal("390.00"), Decimal("0.100"))
    assert penalty_of(invoice) == Decimal("1.17")
    audit = AuditEntry.objects.get(action="invoice.penalty_accrued")
    assert audit.data["days"] == 3 and audit.data["amount"] == "1.17"


def test_a_days_penalty_is_rounded_half_up_to_kopecks(demo):
    contract_with_penalty(demo)
    # Co-pay 385.00: 0.1 % is 0.385 → 0.39 a day (not 0.38, not 0.385).
    invoice = overdue_invoice(demo["ivanov"], lines=(("Рентген", "1925.00"),))
    run(2)
    assert [amount for _, amount in ledger(invoice)] == [Decimal("0.39"), Decimal("0.39")]
    assert penalty_of(invoice) == Decimal("0.78")


def test_grace_days_cost_nothing(demo):
    contract_with_penalty(demo, penalty_grace_days=5)
    invoice = overdue_invoice(demo["ivanov"])
    run(5)
    assert ledger(invoice) == []
    run(6)
    assert ledger(invoice) == [(day(6), Decimal("0.39"))]


def test_the_cap_is_never_passed_and_the_last_day_takes_what_is_left(demo):
    # 0.4 % of 390.00 = 1.56 a day; the cap 1 % of 390.00 = 3.90: 1.56 + 1.56 + 0.78.
    contract_with_penalty(demo, penalty_rate_percent=Decimal("0.4"), penalty_cap_percent=1)
    invoice = overdue_invoice(demo["ivanov"])
    run(2)
    run(10)
    assert ledger(invoice) == [
        (day(1), Decimal("1.56")),
        (day(2), Decimal("1.56")),
        (day(3), Decimal("0.78")),
    ]
    assert penalty_of(invoice) == Decimal("3.90")
    assert run(11)["days"] == 0


def test_running_twice_on_one_day_accrues_once(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    assert run(2)["days"] == 2
    assert run(2) == {"invoices": 0, "days": 0, "amount": "0.00"}
    assert len(ledger(invoice)) == 2
    # The database refuses a second accrual of one day whatever code tries it.
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyEntry.objects.create(
            invoice=invoice,
            date=day(1),
            kind="accrual",
            amount=Decimal("0.39"),
            created_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
        )


def test_missed_days_are_caught_up_by_the_next_run(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(2)
    # The job did not run on days 3–5.
    assert run(6)["days"] == 4
    assert [d for d, _ in ledger(invoice)] == [day(n) for n in range(1, 7)]
    assert penalty_of(invoice) == Decimal("2.34")


def test_nothing_accrues_while_a_dispute_is_open_and_it_resumes_after(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(2)
    line = invoice.lines.first()
    with time_machine.travel(dt.datetime.combine(day(3), dt.time(9), tzinfo=MOSCOW), tick=False):
        invoice_dispute_open(invoice_id=invoice.pk, line_ids=[line.pk])
    run(3)
    run(7)
    assert [d for d, _ in ledger(invoice)] == [day(1), day(2)]
    # Rejected on day 8: the due clock resumes with at least 10 more days (SPEC §3.5)...
    with time_machine.travel(dt.datetime.combine(day(8), dt.time(9), tzinfo=MOSCOW), tick=False):
        invoice_dispute_close(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.due_date == day(18) and invoice.status == S.NEW
    run(18)
    assert [d for d, _ in ledger(invoice)] == [day(1), day(2)]
    # ...and the penalty resumes once that date has passed; the dispute's days never count.
    Invoice.objects.filter(pk=invoice.pk).update(status=S.OVERDUE)
    run(20)
    assert [d for d, _ in ledger(invoice)] == [day(1), day(2), day(19), day(20)]


def test_paid_and_annulled_invoices_accrue_nothing(demo):
    contract_with_penalty(demo)
    paid = overdue_invoice(demo["ivanov"], status=S.PAID)
    annulled = overdue_invoice(demo["ivanov"], status=S.ANNULLED)
    assert run(5)["days"] == 0
    assert ledger(paid) == [] and ledger(annulled) == []


def test_a_payment_in_flight_stops_the_accrual_and_a_failed_one_lets_it_catch_up(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(1)
    invoices_hold_for_payment(invoice_ids=[invoice.pk], reference="payment:x")
    # The amount of the payment in flight is fixed: no day is added under it.
    run(3)
    assert [d for d, _ in ledger(invoice)] == [day(1)]
    invoices_release_hold(invoice_ids=[invoice.pk], reference="payment:x:canceled")
    run(4)
    assert [d for d, _ in ledger(invoice)] == [day(1), day(2), day(3), day(4)]


def test_the_penalty_stops_once_the_invoice_is_paid(demo):
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(2)
    Invoice.objects.filter(pk=invoice.pk).update(status=S.PAID)
    run(9)
    assert len(ledger(invoice)) == 2


def test_an_invoice_not_yet_past_due_or_of_a_contract_without_penalty_accrues_nothing(demo):
    contract_with_penalty(demo)
    new = overdue_invoice(demo["ivanov"], status=S.NEW)
    Invoice.objects.filter(pk=new.pk).update(due_date=day(5))
    run(5)
    assert ledger(new) == []
    run(6)
    assert ledger(new) == [(day(6), Decimal("0.39"))]


def test_contract_settings_refuse_bad_values(demo):
    from django.core.exceptions import ValidationError

    contract = demo["ivanov"].contract
    for field, value in (
        ("penalty_rate_percent", Decimal("0")),
        ("penalty_rate_percent", Decimal("-0.1")),
        ("penalty_rate_percent", Decimal("6")),
        ("penalty_cap_percent", Decimal("0")),
        ("penalty_cap_percent", Decimal("101")),
        ("penalty_grace_days", 366),
    ):
        setattr(contract, field, value)
        with pytest.raises(ValidationError) as error:
            contract.full_clean()
        assert field in error.value.message_dict, field
        contract.refresh_from_db()


def test_a_waiver_made_today_does_not_stop_todays_accrual(demo):
    from invoices.services.penalty import penalty_waive

    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(2)
    moment = dt.datetime.combine(day(3), dt.time(0, 5), tzinfo=MOSCOW)
    with time_machine.travel(moment, tick=False):
        penalty_waive(invoice_id=invoice.pk, reason="Ошибка оператора", actor=None)
    run(3)
    assert [d for d, _ in ledger(invoice)] == [day(1), day(2), day(3)]
    assert penalty_of(invoice) == Decimal("0.39")


def test_no_penalty_while_an_instalment_plan_is_active_and_again_after_its_cancel(demo):
    """docs/rules.md: a split invoice's overdue part leads to reminders and the downgrade, never
    to a penalty a part would have to carry; an operator's cancel restores the ordinary rules."""
    from invoices.instalments.services import instalment_plan_cancel, instalment_plan_create

    contract_with_penalty(demo)
    Contract.objects.filter(pk=demo["ivanov"].contract_id).update(instalment_threshold=100)
    user = make_user(demo["ivanov"], phone="+79990000001")
    invoice = overdue_invoice(demo["ivanov"], status=S.NEW)
    with time_machine.travel(dt.datetime.combine(day(-5), dt.time(12), tzinfo=MOSCOW)):
        plan = instalment_plan_create(invoice_id=invoice.pk, parts=2, user=user)
    assert run(5)["invoices"] == 0
    assert ledger(invoice) == []
    instalment_plan_cancel(plan_id=plan.pk, reason="Просьба клиента")
    run(6)
    assert len(ledger(invoice)) == 6  # the days of delay since the first part's due date

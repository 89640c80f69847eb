"""The invoice run (SPEC §3.3): numbering, rounding, deposits, due dates, reruns, late lines."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from invoices.models import DepositEntry, Invoice, InvoiceLine, ServiceLine
from invoices.registry.importer import registry_import_file
from invoices.services.deposit import deposit_balance, deposit_payment_record
from invoices.services.invoicing import (
    invoice_numbers_allocate,
    invoice_run,
    last_closed_period,
)
from notifications.models import Message
from policies.models import Contract

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db

NOV_25 = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)  # 10:00 Moscow, a Wednesday


def load(tmp_path, rows, name="r.csv"):
    registry = registry_import_file(path=write_registry(tmp_path / name, rows))
    assert registry.rejected == registry.held == 0, list(registry.problems.values("reason"))
    return registry


def child(line_id, **kw):
    return line(
        line_id,
        policy="DMS-0002",
        last="Иванова",
        first="Мария",
        patronymic="Ивановна",
        birth="10.06.2015",
        **kw,
    )


def test_one_invoice_per_person_with_gap_free_numbers(roster, frozen, tmp_path):
    load(tmp_path, [line("A-1"), line("A-2", date="20.10.2026"), child("C-1")])
    invoices = invoice_run(period=(2026, 10), now=NOV_25)
    assert [i.number for i in invoices] == ["2026/10/1", "2026/10/2"]
    ivanov, ivanova = invoices
    assert ivanov.person == roster["ivanov"] and ivanov.payer == roster["ivanov"]
    assert ivanova.person == roster["ivanova"]
    assert ivanova.payer == roster["ivanov"]  # relatives' invoices belong to the sponsor
    assert ivanov.lines.count() == 2
    assert ivanov.copay_total == Decimal("0.40") and ivanov.amount_due == Decimal("0.40")
    assert ivanov.status == Invoice.Status.NEW and ivanov.paid_at is None
    assert set(ServiceLine.objects.values_list("status", flat=True)) == {"billed"}
    # a later run of the same period continues the sequence
    load(tmp_path, [line("A-3", date="21.10.2026")], name="r2.csv")
    assert [i.number for i in invoice_run(period=(2026, 10), now=NOV_25)] == ["2026/10/3"]


def test_copay_is_rounded_half_up_per_line(roster, frozen, tmp_path):
    load(
        tmp_path, [line("A-1", price="0,05"), line("A-2", price="0,02"), line("A-3", price="0,03")]
    )
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    copays = list(
        InvoiceLine.objects.order_by("service_line__line_id").values_list("copay", flat=True)
    )
    # 20 % of 0.05 = 0.01; of 0.02 = 0.004 → 0.00; of 0.03 = 0.006 → 0.01
    assert copays == [Decimal("0.01"), Decimal("0.00"), Decimal("0.01")]
    assert invoice.copay_total == Decimal("0.02")


def test_rerun_with_nothing_unbilled_creates_nothing(roster, frozen, tmp_path):
    load(tmp_path, [line("A-1")])
    assert len(invoice_run(period=(2026, 10), now=NOV_25)) == 1
    assert invoice_run(period=(2026, 10), now=NOV_25) == []
    assert Invoice.objects.count() == 1


def test_late_lines_of_earlier_months_are_billed_and_later_months_wait(roster, frozen, tmp_path):
    load(tmp_path, [line("OLD", date="15.08.2026"), line("OCT"), line("NOV", date="02.11.2026")])
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    billed = set(invoice.lines.values_list("service_line__line_id", flat=True))
    assert billed == {"OLD", "OCT"}
    assert ServiceLine.objects.get(line_id="NOV").status == "loaded"
    # lines loaded after the run go to the next run's new invoice
    load(tmp_path, [line("LATE", date="30.10.2026")], name="late.csv")
    (nov,) = invoice_run(period=(2026, 11), now=dt.datetime(2026, 12, 2, 7, tzinfo=dt.UTC))
    assert nov.number == "2026/11/1"
    assert set(nov.lines.values_list("service_line__line_id", flat=True)) == {"NOV", "LATE"}


def test_due_date_counts_business_days_from_formation(roster, frozen, tmp_path):
    load(tmp_path, [line("A-1")])
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    from franchise.calendar import add_business_days

    # 30 working days after Wed 25.11.2026: weekends and the New Year break do not count
    assert invoice.due_date == add_business_days(dt.date(2026, 11, 25), 30)
    assert invoice.due_date > dt.date(2027, 1, 8)
    assert invoice.due_date - dt.date(2026, 11, 25) > dt.timedelta(days=42)


def test_due_date_in_calendar_days(roster, frozen, tmp_path):
    Contract.objects.update(payment_term_kind=Contract.TermKind.CALENDAR, payment_term_days=10)
    load(tmp_path, [line("A-1")])
    # formed 26.11 00:30 Moscow = 25.11 21:30 UTC: the Moscow date counts
    (invoice,) = invoice_run(
        period=(2026, 10), now=dt.datetime(2026, 11, 25, 21, 30, tzinfo=dt.UTC)
    )
    assert invoice.due_date == dt.date(2026, 12, 6)


def test_deposit_offsets_but_never_below_zero(roster, frozen, tmp_path):
    deposit_payment_record(person=roster["ivanova"], amount=Decimal("5.00"), reference="п/п 1")
    load(tmp_path, [child("C-1", qty="2", price="2,50", amount="5,00")])  # co-pay 1.00
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    assert invoice.copay_total == Decimal("1.00")
    assert invoice.deposit_applied == Decimal("1.00")
    assert invoice.amount_due == Decimal("0.00")
    assert invoice.status == Invoice.Status.PAID and invoice.paid_at == NOV_25
    assert deposit_balance(roster["ivanova"]) == Decimal("4.00")
    application = DepositEntry.objects.get(kind="application")
    assert application.amount == Decimal("-1.00") and application.invoice == invoice


def test_partial_deposit_leaves_the_rest_to_pay(roster, frozen, tmp_path):
    deposit_payment_record(person=roster["ivanova"], amount=Decimal("0.50"))
    load(tmp_path, [child("C-1", qty="2", price="2,50", amount="5,00")])
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    assert (invoice.deposit_applied, invoice.amount_due) == (Decimal("0.50"), Decimal("0.50"))
    assert invoice.status == Invoice.Status.NEW
    assert deposit_balance(roster["ivanova"]) == Decimal("0.00")


def test_deposit_paid_later_settles_open_invoices_it_covers_oldest_first(roster, frozen, tmp_path):
    load(tmp_path, [child("C-1", date="10.09.2026")])  # co-pay 0.20
    (september,) = invoice_run(period=(2026, 9), now=dt.datetime(2026, 10, 5, 7, tzinfo=dt.UTC))
    load(tmp_path, [child("C-2", qty="5", amount="5,00")], name="oct.csv")  # co-pay 1.00
    (october,) = invoice_run(period=(2026, 10), now=NOV_25)
    deposit_payment_record(person=roster["ivanova"], amount=Decimal("0.70"))
    september.refresh_from_db()
    october.refresh_from_db()
    assert september.status == Invoice.Status.PAID
    assert october.status == Invoice.Status.NEW  # 0.50 left cannot cover 1.00: never edited
    assert october.amount_due == Decimal("1.00")
    assert deposit_balance(roster["ivanova"]) == Decimal("0.50")


def test_deposit_only_for_relatives_and_positive_amounts(roster):
    from invoices.errors import InvoiceError

    with pytest.raises(InvoiceError, match="только за полис родственника"):
        deposit_payment_record(person=roster["ivanov"], amount=Decimal("1.00"))
    with pytest.raises(InvoiceError, match="больше нуля"):
        deposit_payment_record(person=roster["ivanova"], amount=Decimal("-1.00"))
    with pytest.raises(InvoiceError):
        deposit_payment_record(person=roster["ivanova"], amount=Decimal("1.005"))


def test_invoice_ready_messages_are_queued_for_the_payer(
    roster, frozen, tmp_path, django_capture_on_commit_callbacks
):
    from accounts.models import User

    user = User.objects.create_user("+79990000001", "x", email="ivanov@example.com")
    roster["ivanov"].user = user
    roster["ivanov"].save()
    load(tmp_path, [child("C-1")])
    with django_capture_on_commit_callbacks(execute=True):
        (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    messages = Message.objects.filter(event="invoice_ready")
    assert {m.channel for m in messages} == {"sms", "email"}
    sms = messages.get(channel="sms")
    assert sms.recipient == "+79990000001"
    assert invoice.number in sms.body and "Иванова М.И." in sms.body


def test_last_closed_period_is_the_previous_moscow_month():
    # 01.12.2026 00:30 in Moscow is still 30.11 in UTC
    assert last_closed_period(dt.datetime(2026, 11, 30, 21, 30, tzinfo=dt.UTC)) == (2026, 11)
    assert last_closed_period(dt.datetime(2026, 1, 15, tzinfo=dt.UTC)) == (2025, 12)


def test_run_invoicing_command(roster, frozen, tmp_path, capsys):
    from django.core.management import call_command

    load(tmp_path, [line("A-1")])
    call_command("run_invoicing", "--period", "2026-10")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "invoices=1"
    call_command("run_invoicing")  # default: October, the last closed month on 20.11.2026
    assert capsys.readouterr().out.strip().splitlines()[-1] == "invoices=0"


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_share_numbers_or_lines(postgres, roster, tmp_path):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        rows = [line(f"A-{n}") for n in range(5)] + [child(f"C-{n}") for n in range(5)]
        load(tmp_path, rows)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(invoice_run(period=(2026, 10), now=NOV_25, notify=False))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r) for r in results) == [0, 2]
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == [1, 2]
    assert InvoiceLine.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_number_allocation_is_gap_free(postgres):
    from django.db import transaction

    taken, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    first = invoice_numbers_allocate(year=2026, month=10, count=3)
                    taken.extend(range(first, first + 3))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == list(range(1, 61))

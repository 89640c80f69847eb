"""The set-based nightly jobs: batches (BATCH made tiny so a handful of people crosses
several), reruns that queue nothing, and a payment that settles an invoice at the same time
as the overdue run (never overwritten to ПРОСРОЧЕН)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from debts.models import ProgrammeDowngrade
from debts.services import overdue, reminders
from debts.services.overdue import overdue_apply, restore_settled
from debts.services.reminders import reminders_send
from invoices.models import Invoice
from invoices.services.status import invoice_mark_paid
from notifications.models import Message
from policies.models import Program

from .conftest import moscow

DUE = dt.date(2026, 4, 14)
NIGHT = moscow(DUE + dt.timedelta(days=1), 1)
D = ProgrammeDowngrade.Status


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(overdue, "BATCH", 2)
    monkeypatch.setattr(reminders, "BATCH", 2)


def _kinds(*people):
    result = []
    for person in people:
        person.refresh_from_db()
        result.append(person.program.kind)
    return result


def _actions():
    return sorted(AuditEntry.objects.values_list("action", flat=True))


@pytest.mark.parametrize("auto_restore", [True, False])
def test_overdue_night_in_batches_then_reruns_change_and_send_nothing(
    people, make_invoice, small_batches, auto_restore
):
    ivanov, child, petrov = people["ivanov"], people["child"], people["petrov"]
    ivanov.contract.auto_restore = auto_restore
    ivanov.contract.save(update_fields=["auto_restore"])
    invoices = [
        make_invoice(ivanov, due=DUE),
        make_invoice(ivanov, due=DUE),
        make_invoice(child, due=DUE),
        make_invoice(petrov, due=DUE),
    ]
    with time_machine.travel(moscow(DUE, 10), tick=False):
        # Ivanov pays his own and the child's invoices (3 × SMS + e-mail); Petrov gets an SMS.
        assert reminders_send() == {"due_soon": 0, "due_today": 7, "overdue": 0}
        assert reminders_send() == {"due_soon": 0, "due_today": 0, "overdue": 0}
    with time_machine.travel(NIGHT, tick=False):
        result = overdue_apply()
    assert result == {"overdue": 4, "downgraded": 3, "noticed": 0, "restored_or_queued": 0}
    assert set(Invoice.objects.values_list("status", flat=True)) == {Invoice.Status.OVERDUE}
    assert _kinds(ivanov, child, petrov) == [Program.Kind.EMERGENCY] * 3
    # One audit entry per status change and per downgraded person.
    assert _actions() == ["invoice.overdue"] * 4 + ["programme.downgrade"] * 3
    downgrade = ProgrammeDowngrade.objects.get(person=ivanov)
    assert downgrade.invoice_numbers == f"{invoices[0].number}, {invoices[1].number}"
    notices = Message.objects.filter(event="downgrade_emergency")
    # Ivanov's and the child's notices go to Ivanov (SMS + e-mail each), Petrov's by SMS.
    assert notices.count() == 5
    assert (
        f"{invoices[0].number}, {invoices[1].number}"
        in notices.get(dedupe_key__startswith=f"downgrade:{downgrade.pk}:sms").body
    )
    messages, entries = Message.objects.count(), AuditEntry.objects.count()

    with time_machine.travel(NIGHT + dt.timedelta(hours=1), tick=False):
        assert overdue_apply() == {
            "overdue": 0,
            "downgraded": 0,
            "noticed": 0,
            "restored_or_queued": 0,
        }
    assert (Message.objects.count(), AuditEntry.objects.count()) == (messages, entries)
    assert ProgrammeDowngrade.objects.count() == 3

    invoice_mark_paid(invoice_ids=[i.pk for i in invoices[:3]], paid_at=NIGHT, reference="bank-1")
    with time_machine.travel(NIGHT + dt.timedelta(hours=8), tick=False):
        assert restore_settled() == 2  # Ivanov and the child; Petrov still owes
        assert restore_settled() == 0
    expected = D.RESTORED if auto_restore else D.AWAITING_OPERATOR
    assert dict(ProgrammeDowngrade.objects.values_list("person_id", "status")) == {
        ivanov.pk: expected,
        child.pk: expected,
        petrov.pk: D.ACTIVE,
    }
    kind = Program.Kind.FULL if auto_restore else Program.Kind.EMERGENCY
    assert _kinds(ivanov, child, petrov) == [kind, kind, Program.Kind.EMERGENCY]
    action, event = (
        ("programme.restore", "restore_full")
        if auto_restore
        else ("programme.restore_queued", "restore_pending")
    )
    assert AuditEntry.objects.filter(action=action).count() == 2
    assert set(AuditEntry.objects.filter(action=action).values_list("target_id", flat=True)) == {
        str(ivanov.pk),
        str(child.pk),
    }
    assert Message.objects.filter(event=event).count() == 4  # two people × SMS + e-mail
    if auto_restore:
        restored = ProgrammeDowngrade.objects.get(person=ivanov)
        assert restored.restore_mode == ProgrammeDowngrade.RestoreMode.AUTO
        assert restored.settled_at == restored.restored_at == NIGHT + dt.timedelta(hours=8)
    messages, entries = Message.objects.count(), AuditEntry.objects.count()
    with time_machine.travel(NIGHT + dt.timedelta(days=1), tick=False):
        overdue_apply()
    assert (Message.objects.count(), AuditEntry.objects.count()) == (messages, entries)


def test_invoice_falling_overdue_for_someone_already_downgraded_gets_one_notice_in_bulk(
    people, make_invoice, small_batches
):
    ivanov, petrov = people["ivanov"], people["petrov"]
    make_invoice(ivanov, due=DUE)
    make_invoice(petrov, due=DUE)
    later = [make_invoice(ivanov, due=DUE + dt.timedelta(days=20)) for _ in range(2)]
    later.append(make_invoice(petrov, due=DUE + dt.timedelta(days=20)))
    with time_machine.travel(NIGHT, tick=False):
        overdue_apply()
    day = moscow(DUE + dt.timedelta(days=21), 10)
    with time_machine.travel(day, tick=False):
        assert overdue_apply()["noticed"] == 3
        assert overdue_apply()["noticed"] == 0
    bodies = Message.objects.filter(event="overdue_invoice", channel="sms").values_list(
        "body", flat=True
    )
    assert len(bodies) == 3
    for invoice in later:
        assert sum(invoice.number in body for body in bodies) == 1


def test_payment_landing_between_the_lock_and_the_update_is_not_overwritten(people, make_invoice):
    """The UPDATE re-checks the state in its WHERE: a payment that got to the row after the
    batch was picked (possible wherever row locks are weaker than PostgreSQL's) keeps ОПЛАЧЕН."""
    ivanov, petrov = people["ivanov"], people["petrov"]
    paid = make_invoice(ivanov, due=DUE)
    other = make_invoice(petrov, due=DUE)
    fired = []

    def payment_first(execute, sql, params, many, context):
        if not fired and sql.startswith('UPDATE "invoices_invoice" SET "status"'):
            fired.append(sql)
            execute(
                'UPDATE "invoices_invoice" SET "status" = %s WHERE "id" = %s',
                [Invoice.Status.PAID, paid.pk],
                False,
                context,
            )
        return execute(sql, params, many, context)

    with time_machine.travel(NIGHT, tick=False), connection.execute_wrapper(payment_first):
        result = overdue_apply()
    assert fired
    assert result["overdue"] == 1 and result["downgraded"] == 1
    paid.refresh_from_db()
    other.refresh_from_db()
    assert (paid.status, other.status) == (Invoice.Status.PAID, Invoice.Status.OVERDUE)
    assert _kinds(ivanov, petrov) == [Program.Kind.FULL, Program.Kind.EMERGENCY]
    assert not AuditEntry.objects.filter(
        action="invoice.overdue", target_type="invoices.Invoice", target_id=str(paid.pk)
    )
    assert not Message.objects.filter(recipient="+79990000001")


@pytest.mark.django_db(transaction=True)
def test_payment_holding_the_invoice_during_the_night_run_is_skipped_then_paid(
    postgres, people, make_invoice
):
    """Real row locks: a payment confirmation holds the invoice (its transaction is open) while
    the nightly run works. The run skips the locked row (SKIP LOCKED) instead of waiting, the
    payment commits ОПЛАЧЕН, and the next run leaves it paid and the person on his programme."""
    ivanov, petrov = people["ivanov"], people["petrov"]
    paying = make_invoice(ivanov, due=DUE)
    other = make_invoice(petrov, due=DUE)
    locked, finish = threading.Event(), threading.Event()
    outcome: list = []

    def payment():
        try:
            with transaction.atomic():
                invoice_mark_paid(invoice_ids=[paying.pk], paid_at=NIGHT, reference="bank-2")
                locked.set()
                finish.wait(20)
            outcome.append("committed")
        except Exception as exc:  # noqa: BLE001 - the test reports what the thread got
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=payment)
    with time_machine.travel(NIGHT, tick=False):
        thread.start()
        assert locked.wait(20)
        result = overdue_apply()
        finish.set()
        thread.join(20)
        assert outcome == ["committed"]
        assert result["overdue"] == 1 and result["downgraded"] == 1
        again = overdue_apply()
    assert again["overdue"] == 0 and again["downgraded"] == 0
    paying.refresh_from_db()
    other.refresh_from_db()
    assert (paying.status, other.status) == (Invoice.Status.PAID, Invoice.Status.OVERDUE)
    assert _kinds(ivanov, petrov) == [Program.Kind.FULL, Program.Kind.EMERGENCY]
    assert list(
        AuditEntry.objects.filter(
            target_type="invoices.Invoice", target_id=str(paying.pk)
        ).values_list("action")
    ) == [("invoice.paid",)]

"""The whole debt path under time travel: invoice ready → reminders → overdue →
emergency-only → payment → restored (auto-restore contract) / queued for an operator."""

import datetime as dt

import pytest
import time_machine

from debts.models import ProgrammeDowngrade
from debts.selectors import downgrade_for
from debts.services.overdue import downgrade_restore, overdue_apply, person_restore_if_settled
from debts.services.reminders import reminders_send
from debts.tasks import restore_settled
from invoices.models import Invoice
from invoices.services.invoicing import invoices_notify_ready
from invoices.services.status import invoice_mark_paid
from notifications.models import Message
from notifications.tasks import enqueue_due_messages
from policies.models import Program

from .conftest import moscow

FORMED = dt.date(2026, 3, 3)
DUE = dt.date(2026, 4, 14)
D = ProgrammeDowngrade.Status


def _day(days_after_due: int, hour: int = 10, minute: int = 0):
    return time_machine.travel(
        moscow(DUE + dt.timedelta(days=days_after_due), hour, minute), tick=False
    )


def _sms_events():
    return list(
        Message.objects.filter(channel="sms", recipient="+79990000001")
        .order_by("id")
        .values_list("event", flat=True)
    )


def _walk_to_downgrade(people, make_invoice, django_capture_on_commit_callbacks):
    ivanov = people["ivanov"]
    invoice = make_invoice(ivanov, due=DUE, formed=FORMED, amount="240.00")
    with time_machine.travel(moscow(FORMED, 12), tick=False):
        # What the invoice run queues when it forms the invoice («счёт сформирован»).
        invoices_notify_ready(invoice_ids=[invoice.pk])
    for days in (-8, -7, -3, 0, 0):
        with _day(days):
            reminders_send()
    with _day(1, 0, 30), django_capture_on_commit_callbacks(execute=True):
        overdue_apply()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OVERDUE
    ivanov.refresh_from_db()
    assert ivanov.program.kind == Program.Kind.EMERGENCY
    sms = Message.objects.get(event="downgrade_emergency", channel="sms")
    assert sms.status == Message.Status.QUEUED  # quiet hours until 09:00
    with _day(1, 8, 55):
        enqueue_due_messages()
    sms.refresh_from_db()
    assert sms.status == Message.Status.QUEUED
    with _day(1, 9, 0):
        enqueue_due_messages()
    sms.refresh_from_db()
    assert sms.status == Message.Status.SENT
    assert sms.sent_at == moscow(DUE + dt.timedelta(days=1), 9)
    for days in (7, 8, 14):
        with _day(days):
            reminders_send()
    assert _sms_events() == [
        "invoice_ready",
        "reminder_due_soon",
        "reminder_due_today",
        "downgrade_emergency",
        "reminder_overdue",
        "reminder_overdue",
    ]
    return invoice


def test_debt_path_with_auto_restore(people, make_invoice, django_capture_on_commit_callbacks):
    ivanov = people["ivanov"]
    invoice = _walk_to_downgrade(people, make_invoice, django_capture_on_commit_callbacks)
    assert downgrade_for(ivanov).status == D.ACTIVE
    with _day(15, 14):
        invoice_mark_paid(
            invoice_ids=[invoice.pk], paid_at=moscow(DUE + dt.timedelta(days=15), 14), reference="p"
        )
        # The hook a payment may call right away; the periodic task would do the same.
        downgrade = person_restore_if_settled(ivanov)
    assert downgrade.status == D.RESTORED
    assert downgrade.restore_mode == ProgrammeDowngrade.RestoreMode.AUTO
    ivanov.refresh_from_db()
    assert ivanov.program.kind == Program.Kind.FULL
    assert downgrade_for(ivanov) is None
    assert _sms_events()[-1] == "restore_full"
    with _day(21):
        assert reminders_send()["overdue"] == 0  # paid: no more reminders


def test_debt_path_with_manual_restore(people, make_invoice, django_capture_on_commit_callbacks):
    from accounts.models import User

    ivanov = people["ivanov"]
    contract = ivanov.contract
    contract.auto_restore = False
    contract.save(update_fields=["auto_restore"])
    invoice = _walk_to_downgrade(people, make_invoice, django_capture_on_commit_callbacks)
    with _day(15, 14):
        invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=moscow(DUE), reference="p")
    with _day(15, 14, 10):
        assert restore_settled() == 1  # the periodic task
    downgrade = ProgrammeDowngrade.objects.get()
    assert downgrade.status == D.AWAITING_OPERATOR
    assert downgrade.settled_at == moscow(DUE + dt.timedelta(days=15), 14, 10)
    ivanov.refresh_from_db()
    assert ivanov.program.kind == Program.Kind.EMERGENCY
    assert _sms_events()[-1] == "restore_pending"
    operator = User.objects.create_user("+79995550000", "x", is_staff=True)
    with _day(16, 11):
        downgrade = downgrade_restore(downgrade_id=downgrade.pk, by=operator)
        assert downgrade_restore(downgrade_id=downgrade.pk, by=operator).status == D.RESTORED
    assert downgrade.restore_mode == ProgrammeDowngrade.RestoreMode.OPERATOR
    assert downgrade.restored_by == operator
    ivanov.refresh_from_db()
    assert ivanov.program.kind == Program.Kind.FULL
    assert _sms_events()[-1] == "restore_full"


@pytest.mark.parametrize("auto", [True, False])
def test_a_new_overdue_invoice_after_restore_downgrades_again(people, make_invoice, auto):
    ivanov = people["ivanov"]
    first = make_invoice(ivanov, due=DUE)
    with _day(1):
        overdue_apply()
        invoice_mark_paid(invoice_ids=[first.pk], paid_at=moscow(DUE), reference="p")
        person_restore_if_settled(ivanov)
        if not auto:
            downgrade_restore(downgrade_id=ProgrammeDowngrade.objects.get().pk, by=None)
    make_invoice(ivanov, due=DUE + dt.timedelta(days=30))
    with _day(31):
        overdue_apply()
    assert list(ProgrammeDowngrade.objects.order_by("at").values_list("status", flat=True)) == [
        D.RESTORED,
        D.ACTIVE,
    ]

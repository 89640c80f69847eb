import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from audit.models import AuditEntry
from debts.errors import DebtError
from debts.models import ProgrammeDowngrade
from debts.services.overdue import (
    downgrade_restore,
    overdue_apply,
    person_restore_if_settled,
    restore_settled,
)
from invoices.models import Invoice
from invoices.services.status import invoice_mark_paid, invoices_hold_for_payment
from notifications.models import Message
from policies.models import Program

from .conftest import moscow

DUE = dt.date(2026, 4, 14)
D = ProgrammeDowngrade.Status


def _programme_kind(person):
    person.refresh_from_db()
    return person.program.kind


def test_invoice_unpaid_after_due_date_becomes_overdue_and_person_goes_emergency_only(
    people, make_invoice
):
    ivanov = people["ivanov"]
    invoice = make_invoice(ivanov, due=DUE, amount="80.00")
    with time_machine.travel(moscow(DUE, 23), tick=False):
        assert overdue_apply()["overdue"] == 0  # the due date itself is still in time
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 0, 30), tick=False):
        result = overdue_apply()
    assert result == {"overdue": 1, "downgraded": 1, "noticed": 0, "restored_or_queued": 0}
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OVERDUE
    assert _programme_kind(ivanov) == Program.Kind.EMERGENCY
    downgrade = ProgrammeDowngrade.objects.get(person=ivanov)
    assert downgrade.status == D.ACTIVE
    assert downgrade.from_program.kind == Program.Kind.FULL
    assert downgrade.invoice_numbers == invoice.number
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invoice.overdue", "programme.downgrade"} <= actions
    sms = Message.objects.get(event="downgrade_emergency", channel="sms")
    assert "DMS-0001" in sms.body and "8 800 000-00-01" in sms.body
    # 00:30 is inside quiet hours: the SMS waits for 09:00 Moscow; the e-mail does not.
    assert sms.scheduled_for == moscow(DUE + dt.timedelta(days=1), 9)
    assert Message.objects.get(event="downgrade_emergency", channel="email").scheduled_for is None


def test_apply_overdue_twice_downgrades_and_notifies_once(people, make_invoice):
    make_invoice(people["ivanov"], due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 1), tick=False):
        overdue_apply()
        assert overdue_apply() == {
            "overdue": 0,
            "downgraded": 0,
            "noticed": 0,
            "restored_or_queued": 0,
        }
    assert ProgrammeDowngrade.objects.count() == 1
    assert Message.objects.filter(event="downgrade_emergency").count() == 2  # sms + e-mail


def test_disputed_invoice_is_not_made_overdue(people, make_invoice):
    invoice = make_invoice(people["ivanov"], due=DUE, status=Invoice.Status.DISPUTED)
    invoice.due_paused_at = moscow(dt.date(2026, 4, 10))
    invoice.save(update_fields=["due_paused_at"])
    with time_machine.travel(moscow(DUE + dt.timedelta(days=30), 1), tick=False):
        overdue_apply()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DISPUTED
    assert _programme_kind(people["ivanov"]) == Program.Kind.FULL


def test_relatives_overdue_invoice_downgrades_the_relative_and_tells_the_sponsor(
    people, make_invoice
):
    make_invoice(people["child"], due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        overdue_apply()
    assert _programme_kind(people["child"]) == Program.Kind.EMERGENCY
    assert _programme_kind(people["ivanov"]) == Program.Kind.FULL
    assert set(Message.objects.values_list("recipient", flat=True)) == {
        "+79990000001",
        "ivanov@example.com",
    }
    assert "DMS-0002" in Message.objects.get(channel="sms").body


def test_second_invoice_falling_overdue_while_downgraded_gets_its_own_notice(people, make_invoice):
    make_invoice(people["ivanov"], due=DUE)
    second = make_invoice(people["ivanov"], due=DUE + dt.timedelta(days=20))
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        overdue_apply()
    with time_machine.travel(moscow(DUE + dt.timedelta(days=21), 10), tick=False):
        assert overdue_apply()["noticed"] == 1
    assert second.number in Message.objects.get(event="overdue_invoice", channel="sms").body
    assert ProgrammeDowngrade.objects.count() == 1


def test_contract_without_emergency_programme_leaves_the_programme_alone(people, make_invoice):
    Program.objects.filter(kind=Program.Kind.EMERGENCY).delete()
    make_invoice(people["ivanov"], due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        result = overdue_apply()
    assert result["downgraded"] == 0
    assert result["noticed"] == 1  # the person still learns the invoice is overdue
    assert _programme_kind(people["ivanov"]) == Program.Kind.FULL


def test_payment_in_flight_past_due_does_not_restore_until_confirmed(people, make_invoice):
    ivanov = people["ivanov"]
    invoice = make_invoice(ivanov, due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=2), 10), tick=False):
        overdue_apply()
        invoices_hold_for_payment(invoice_ids=[invoice.pk], reference="pay-1")
        assert person_restore_if_settled(ivanov) is None
        assert _programme_kind(ivanov) == Program.Kind.EMERGENCY
        invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=moscow(DUE), reference="pay-1")
        assert person_restore_if_settled(ivanov).status == D.RESTORED
    assert _programme_kind(ivanov) == Program.Kind.FULL


def test_restore_waits_for_every_overdue_invoice(people, make_invoice):
    ivanov = people["ivanov"]
    first = make_invoice(ivanov, due=DUE)
    second = make_invoice(ivanov, due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=3), 10), tick=False):
        overdue_apply()
        invoice_mark_paid(invoice_ids=[first.pk], paid_at=moscow(DUE), reference="a")
        assert restore_settled() == 0
        assert _programme_kind(ivanov) == Program.Kind.EMERGENCY
        invoice_mark_paid(invoice_ids=[second.pk], paid_at=moscow(DUE), reference="b")
        assert restore_settled() == 1
        assert restore_settled() == 0
    assert _programme_kind(ivanov) == Program.Kind.FULL


def test_operator_cannot_restore_a_person_who_still_owes(people, make_invoice):
    make_invoice(people["ivanov"], due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        overdue_apply()
        downgrade = ProgrammeDowngrade.objects.get()
        with pytest.raises(DebtError, match="есть неоплаченные просроченные счета"):
            downgrade_restore(downgrade_id=downgrade.pk, by=None)
    assert _programme_kind(people["ivanov"]) == Program.Kind.EMERGENCY


def test_restore_keeps_a_programme_an_operator_changed_by_hand(people, make_invoice):
    ivanov = people["ivanov"]
    invoice = make_invoice(ivanov, due=DUE)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        overdue_apply()
        full = Program.objects.get(kind=Program.Kind.FULL)
        ivanov.program = full
        ivanov.save(update_fields=["program"])
        invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=moscow(DUE), reference="x")
        downgrade = person_restore_if_settled(ivanov)
    assert downgrade.status == D.RESTORED
    entry = AuditEntry.objects.get(action="programme.restore")
    assert entry.data["program_changed"] is False


def test_apply_overdue_command_prints_counts(people, make_invoice):
    from io import StringIO

    make_invoice(people["ivanov"], due=DUE)
    out = StringIO()
    call_command("apply_overdue", "--date", "2026-04-15", stdout=out)
    assert out.getvalue().strip() == "overdue=1 downgraded=1 noticed=0 restored_or_queued=0"

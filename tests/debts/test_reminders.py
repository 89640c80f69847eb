import datetime as dt

import pytest
import time_machine

from debts.services.reminders import Reminder, reminder_for, reminders_send
from invoices.models import Invoice
from notifications.models import Message

from .conftest import moscow

DUE = dt.date(2026, 4, 14)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 4, 6), None),
        (dt.date(2026, 4, 7), Reminder("due_soon", dt.date(2026, 4, 7))),
        (dt.date(2026, 4, 9), Reminder("due_soon", dt.date(2026, 4, 7))),  # caught up
        (dt.date(2026, 4, 10), None),
        (dt.date(2026, 4, 14), Reminder("due_today", DUE)),
        (dt.date(2026, 4, 15), None),  # the overdue notice of apply_overdue covers day 1
        (dt.date(2026, 4, 21), Reminder("overdue", dt.date(2026, 4, 21))),
        (dt.date(2026, 4, 23), Reminder("overdue", dt.date(2026, 4, 21))),
        (dt.date(2026, 4, 24), None),
        (dt.date(2026, 4, 28), Reminder("overdue", dt.date(2026, 4, 28))),
        (dt.date(2026, 7, 14), Reminder("overdue", dt.date(2026, 7, 14))),
    ],
)
def test_reminder_schedule_is_a_week_before_on_the_day_and_weekly_when_overdue(today, expected):
    assert reminder_for(due_date=DUE, today=today) == expected


def test_reminders_run_twice_queue_one_sms_and_one_email(people, make_invoice):
    invoice = make_invoice(people["ivanov"], due=DUE, amount="123.40")
    with time_machine.travel(moscow(dt.date(2026, 4, 7), 10), tick=False):
        assert reminders_send() == {"due_soon": 2, "due_today": 0, "overdue": 0}
        assert reminders_send() == {"due_soon": 0, "due_today": 0, "overdue": 0}
    messages = Message.objects.filter(event="reminder_due_soon").order_by("channel")
    assert [(m.channel, m.recipient) for m in messages] == [
        ("email", "ivanov@example.com"),
        ("sms", "+79990000001"),
    ]
    sms = messages.get(channel="sms")
    assert invoice.number in sms.body
    assert "123,40 ₽" in sms.body
    assert "14.04.2026" in sms.body
    assert sms.user_id == people["user"].pk
    assert sms.dedupe_key == f"reminder:{invoice.pk}:due_soon:2026-04-07:sms:+79990000001"


def test_relatives_invoice_reminds_the_sponsor_who_pays_it(people, make_invoice):
    make_invoice(people["child"], due=DUE)
    with time_machine.travel(moscow(DUE, 10), tick=False):
        reminders_send()
    assert set(Message.objects.values_list("event", "recipient")) == {
        ("reminder_due_today", "+79990000001"),
        ("reminder_due_today", "ivanov@example.com"),
    }


def test_unregistered_payer_gets_sms_on_the_roster_phone(people, make_invoice):
    make_invoice(people["petrov"], due=DUE)
    with time_machine.travel(moscow(DUE, 10), tick=False):
        reminders_send()
    assert list(Message.objects.values_list("channel", "recipient", "user_id")) == [
        ("sms", "+79990000003", None)
    ]


@pytest.mark.parametrize(
    "status",
    [Invoice.Status.PAID, Invoice.Status.ANNULLED, Invoice.Status.DISPUTED, Invoice.Status.PENDING],
)
def test_no_reminder_for_paid_annulled_disputed_or_in_flight_invoices(people, make_invoice, status):
    make_invoice(people["ivanov"], due=DUE, status=status)
    with time_machine.travel(moscow(DUE, 10), tick=False):
        assert reminders_send() == {"due_soon": 0, "due_today": 0, "overdue": 0}
    assert not Message.objects.exists()


def test_no_reminder_while_a_dispute_pauses_the_due_clock(people, make_invoice):
    invoice = make_invoice(people["ivanov"], due=DUE)
    invoice.due_paused_at = moscow(dt.date(2026, 4, 1))
    invoice.save(update_fields=["due_paused_at"])
    with time_machine.travel(moscow(DUE, 10), tick=False):
        reminders_send()
    assert not Message.objects.exists()


def test_no_reminder_when_corrections_left_nothing_to_pay(people, make_invoice):
    from invoices.models import InvoiceCorrection

    invoice = make_invoice(people["ivanov"], due=DUE, amount="50.00")
    InvoiceCorrection.objects.create(
        invoice=invoice,
        number="К-1",
        created_at=moscow(dt.date(2026, 4, 1)),
        reason="Услуга не оказана",
        amount="50.00",
    )
    with time_machine.travel(moscow(DUE, 10), tick=False):
        reminders_send()
    assert not Message.objects.exists()


def test_overdue_reminder_repeats_weekly_with_new_keys(people, make_invoice):
    make_invoice(people["ivanov"], due=DUE, status=Invoice.Status.OVERDUE)
    for day in (dt.date(2026, 4, 21), dt.date(2026, 4, 22), dt.date(2026, 4, 28)):
        with time_machine.travel(moscow(day, 10), tick=False):
            reminders_send()
    sms = Message.objects.filter(event="reminder_overdue", channel="sms").order_by("id")
    assert [m.dedupe_key.split(":")[3] for m in sms] == ["2026-04-21", "2026-04-28"]
    assert "просрочен на 7 дн." in sms[0].body
    assert "просрочен на 14 дн." in sms[1].body


def test_send_reminders_command_runs_the_same_code(people, make_invoice):
    from io import StringIO

    from django.core.management import call_command

    make_invoice(people["ivanov"], due=DUE)
    out = StringIO()
    with time_machine.travel(moscow(DUE, 10), tick=False):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "due_soon=0 due_today=2 overdue=0"

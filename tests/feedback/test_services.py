import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEntry
from dms_portal import clock
from feedback import services
from feedback.errors import FeedbackError
from feedback.models import Appeal, AppealEvent
from invoices.models import DepositEntry, Invoice
from notifications.models import Message

from .factories import make_invoice

pytestmark = pytest.mark.django_db
S = Invoice.Status


def dispute(world, invoice=None, lines=None, user=None):
    invoice = invoice or world["invoice"]
    lines = lines if lines is not None else [invoice.lines.first().pk]
    return services.appeal_create(
        user=user or world["owner"],
        person=invoice.person,
        kind=Appeal.Kind.SERVICE_DISPUTE,
        text="Не был на приёме",
        invoice=invoice,
        line_ids=lines,
        reason=Appeal.Reason.NOT_RENDERED,
    )


def question(world):
    return services.appeal_create(
        user=world["owner"], person=world["ivanov"], kind=Appeal.Kind.QUESTION, text="Вопрос?"
    )


# --- SLA ---------------------------------------------------------------------------------------


def test_deadline_is_fifteen_calendar_days_after_the_moscow_date_of_filing(world):
    # 22:30 UTC on 01.03 is already 02.03 in Moscow.
    with time_machine.travel(dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC), tick=False):
        appeal = question(world)
    assert appeal.deadline == dt.date(2026, 3, 17)


def test_appeal_is_overdue_only_after_its_deadline_and_only_while_open(world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        appeal = question(world)
    with time_machine.travel(dt.datetime(2026, 3, 17, 12, 0, tzinfo=dt.UTC), tick=False):
        assert not appeal.is_overdue
    with time_machine.travel(dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC), tick=False):
        assert appeal.is_overdue
        services.appeal_reply(appeal_id=appeal.pk, text="Ответ", by=world["expert"], close=True)
        appeal.refresh_from_db()
        assert appeal.status == Appeal.Status.ANSWERED
        assert not appeal.is_overdue


def test_extension_requires_a_reason_and_leaves_the_deadline_alone_without_one(world):
    appeal = question(world)
    new = appeal.deadline + dt.timedelta(days=10)
    for reason in ("", "   "):
        with pytest.raises(FeedbackError, match="причину продления"):
            services.appeal_extend(
                appeal_id=appeal.pk, new_deadline=new, reason=reason, by=world["expert"]
            )
    appeal.refresh_from_db()
    assert appeal.deadline == new - dt.timedelta(days=10)
    assert not appeal.events.filter(kind=AppealEvent.Kind.EXTENDED).exists()


def test_extension_moves_the_deadline_tells_the_user_and_is_in_history(world):
    appeal = question(world)
    new = appeal.deadline + dt.timedelta(days=10)
    services.appeal_extend(
        appeal_id=appeal.pk,
        new_deadline=new,
        reason="Запрошены документы у клиники",
        by=world["expert"],
    )
    appeal.refresh_from_db()
    assert appeal.deadline == new
    event = appeal.events.get(kind=AppealEvent.Kind.EXTENDED)
    assert not event.internal and "Запрошены документы у клиники" in event.text
    sms = Message.objects.get(event="feedback_extended", channel="sms")
    assert sms.recipient == str(world["owner"].phone)
    assert new.strftime("%d.%m.%Y") in sms.body and "Запрошены документы" in sms.body
    assert AuditEntry.objects.filter(action="appeal.extend").exists()


def test_extension_cannot_move_the_deadline_earlier(world):
    appeal = question(world)
    with pytest.raises(FeedbackError, match="позже текущего"):
        services.appeal_extend(
            appeal_id=appeal.pk, new_deadline=appeal.deadline, reason="x", by=world["expert"]
        )


def test_internal_comment_is_kept_apart_and_nobody_is_notified(world):
    appeal = question(world)
    before = Message.objects.count()
    services.appeal_comment(appeal_id=appeal.pk, text="Позвонить в клинику", by=world["expert"])
    assert appeal.events.get(kind=AppealEvent.Kind.COMMENT).internal
    assert Message.objects.count() == before


def test_every_user_facing_step_notifies_the_user(world):
    appeal = dispute(world)
    services.appeal_assign(appeal_id=appeal.pk, expert=world["expert"], by=world["expert"])
    services.appeal_reply(appeal_id=appeal.pk, text="Запросили выписку", by=world["expert"])
    services.appeal_reject(appeal_id=appeal.pk, answer="Услуга оказана", by=world["expert"])
    events = set(Message.objects.filter(channel="sms").values_list("event", flat=True))
    assert events == {
        "feedback_received",
        "feedback_assigned",
        "feedback_reply",
        "feedback_rejected",
    }
    assert Message.objects.filter(channel="email", recipient="ivanov@example.com").count() == 4


# --- dispute states ---------------------------------------------------------------------------


def test_dispute_marks_the_invoice_disputed_and_pauses_its_due_clock(world):
    appeal = dispute(world)
    invoice = world["invoice"]
    invoice.refresh_from_db()
    assert invoice.status == S.DISPUTED
    assert invoice.due_paused_at is not None
    assert appeal.lines.count() == 1 and appeal.deadline == clock.moscow_today() + dt.timedelta(
        days=15
    )
    assert AuditEntry.objects.filter(
        action="invoice.dispute_open", target_id=str(invoice.pk)
    ).exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [(S.PENDING, "выполняется оплата"), (S.ANNULLED, "аннулирован")],
)
def test_pending_and_annulled_invoices_cannot_be_disputed(world, status, message):
    invoice = make_invoice(world["ivanov"], status=status)
    with pytest.raises(FeedbackError, match=message):
        dispute(world, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == status
    assert not Appeal.objects.exists()


def test_a_line_has_one_open_dispute_but_another_line_may_be_disputed(world):
    first = dispute(world)
    line_a, line_b = world["invoice"].lines.all()
    with pytest.raises(FeedbackError, match="уже оспаривается"):
        dispute(world, lines=[line_a.pk])
    second = dispute(world, lines=[line_b.pk])
    # Deciding the first leaves the invoice disputed while the second is open.
    services.appeal_reject(appeal_id=first.pk, answer="Нет", by=world["expert"])
    world["invoice"].refresh_from_db()
    assert world["invoice"].status == S.DISPUTED
    services.appeal_reject(appeal_id=second.pk, answer="Нет", by=world["expert"])
    world["invoice"].refresh_from_db()
    assert world["invoice"].status == S.NEW
    # A decided line can be disputed again.
    dispute(world, lines=[line_a.pk])


def test_lines_of_another_invoice_are_refused(world):
    other = make_invoice(world["ivanov"])
    with pytest.raises(FeedbackError, match="Выберите услуги"):
        dispute(world, lines=[other.lines.first().pk])
    assert not Appeal.objects.exists()


# --- outcomes --------------------------------------------------------------------------------


def test_accepted_dispute_adds_a_correction_and_reduces_what_is_payable(world):
    invoice = world["invoice"]  # co-pay 200.00 + 100.00
    appeal = dispute(world)
    services.appeal_accept(appeal_id=appeal.pk, answer="Услуга снята", by=world["expert"])
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("300.00")  # the invoice itself is never edited
    correction = invoice.corrections.get()
    assert correction.number == f"К-{invoice.number}-1"
    assert correction.amount == Decimal("200.00")
    assert correction.lines.get().copay_reduction == Decimal("200.00")
    assert Invoice.objects.with_money().get(pk=invoice.pk).payable_amount() == Decimal("100.00")
    assert invoice.status == S.NEW and invoice.due_paused_at is None
    assert not DepositEntry.objects.exists()
    appeal.refresh_from_db()
    assert (
        appeal.status == Appeal.Status.ACCEPTED and not appeal.lines.filter(is_open=True).exists()
    )
    assert "К оплате" in appeal.events.get(kind=AppealEvent.Kind.ACCEPTED).text


def test_accept_may_reduce_a_line_only_partly(world):
    appeal = dispute(world)
    line = appeal.lines.get().invoice_line
    services.appeal_accept(
        appeal_id=appeal.pk,
        answer="Снижено",
        by=world["expert"],
        reductions={line.pk: Decimal("50.00")},
    )
    assert Invoice.objects.with_money().get(pk=world["invoice"].pk).payable_amount() == Decimal(
        "250.00"
    )


def test_accepting_every_line_of_an_unpaid_invoice_settles_it(world):
    invoice = make_invoice(world["ivanov"], lines=(("Рентген", "100.00"),))
    appeal = dispute(world, invoice=invoice)
    services.appeal_accept(appeal_id=appeal.pk, answer="Снято", by=world["expert"])
    invoice.refresh_from_db()
    assert Invoice.objects.with_money().get(pk=invoice.pk).payable_amount() == Decimal("0.00")
    assert invoice.status == S.PAID


def test_accepted_dispute_of_a_paid_line_credits_the_deposit_of_the_persons_policy(world):
    invoice = make_invoice(
        world["ivanov"], status=S.PAID, lines=(("ЭКГ", "750.00"), ("УЗИ", "1000.00"))
    )
    appeal = dispute(world, invoice=invoice)
    invoice.refresh_from_db()
    # Paid stays paid while disputed (issue #12): the open appeal is its «спор» mark.
    assert invoice.status == S.PAID and invoice.due_paused_at is None
    assert Invoice.objects.with_dispute_mark().get(pk=invoice.pk).in_dispute
    services.appeal_accept(appeal_id=appeal.pk, answer="Снято", by=world["expert"])
    invoice.refresh_from_db()
    assert invoice.status == S.PAID
    entry = DepositEntry.objects.get()
    assert entry.kind == DepositEntry.Kind.CREDIT
    assert entry.amount == Decimal("150.00")
    assert entry.person == world["ivanov"] and entry.invoice == invoice
    assert invoice.corrections.get().settlement == "deposit"


def test_paid_co_pay_can_be_left_for_a_refund_through_the_provider(world):
    invoice = make_invoice(world["ivanov"], status=S.PAID)
    appeal = dispute(world, invoice=invoice)
    services.appeal_accept(
        appeal_id=appeal.pk, answer="Снято", by=world["expert"], settlement="refund"
    )
    assert invoice.corrections.get().settlement == "refund"
    assert not DepositEntry.objects.exists()
    assert AuditEntry.objects.filter(action="invoice.refund_requested").exists()


def test_only_the_part_covered_by_the_deposit_returns_to_it_on_an_unpaid_invoice(world):
    # Child: co-pay 1.00, 0.50 already covered by her deposit, 0.50 left to pay.
    invoice = make_invoice(
        world["ivanova"], lines=(("Осмотр", "2.50"), ("Справка", "2.50")), deposit=Decimal("0.50")
    )
    appeal = dispute(world, invoice=invoice, lines=[line.pk for line in invoice.lines.all()])
    services.appeal_accept(appeal_id=appeal.pk, answer="Снято", by=world["expert"])
    entry = DepositEntry.objects.get()
    assert entry.person == world["ivanova"] and entry.amount == Decimal("0.50")


def test_rejection_resumes_the_due_clock_with_the_days_that_were_left(world):
    invoice = world["invoice"]  # due in 20 days
    start = clock.now()
    appeal = dispute(world)
    with time_machine.travel(start + dt.timedelta(days=5), tick=False):
        services.appeal_reject(appeal_id=appeal.pk, answer="Оказана", by=world["expert"])
        invoice.refresh_from_db()
        assert invoice.status == S.NEW
        assert invoice.due_date == clock.moscow_today() + dt.timedelta(days=20)
        assert invoice.due_paused_at is None
        assert "оплатить до" in appeal.events.get(kind=AppealEvent.Kind.REJECTED).text


def test_rejection_gives_at_least_ten_days_even_to_an_overdue_invoice(world):
    invoice = make_invoice(world["ivanov"], status=S.OVERDUE, due_in_days=-3)
    appeal = dispute(world, invoice=invoice)
    services.appeal_reject(appeal_id=appeal.pk, answer="Оказана", by=world["expert"])
    invoice.refresh_from_db()
    assert invoice.status == S.NEW
    assert invoice.due_date == clock.moscow_today() + dt.timedelta(days=10)


def test_decisions_need_an_answer_and_an_open_dispute(world):
    appeal = dispute(world)
    with pytest.raises(FeedbackError, match="ответ"):
        services.appeal_reject(appeal_id=appeal.pk, answer=" ", by=world["expert"])
    services.appeal_reject(appeal_id=appeal.pk, answer="Нет", by=world["expert"])
    with pytest.raises(FeedbackError, match="уже закрыто"):
        services.appeal_accept(appeal_id=appeal.pk, answer="Да", by=world["expert"])
    with pytest.raises(FeedbackError, match="только по несогласию"):
        services.appeal_accept(appeal_id=question(world).pk, answer="Да", by=world["expert"])


def test_a_dispute_cannot_be_closed_by_a_plain_reply(world):
    appeal = dispute(world)
    with pytest.raises(FeedbackError, match="закрывается решением"):
        services.appeal_reply(appeal_id=appeal.pk, text="Ответ", by=world["expert"], close=True)

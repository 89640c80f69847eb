import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from dms_portal import clock
from feedback import services
from feedback.models import Appeal, AppealEvent
from invoices.models import Invoice
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:feedback_appeal_changelist")


def file_dispute(world):
    invoice = world["invoice"]
    return services.appeal_create(
        user=world["owner"],
        person=invoice.person,
        kind=Appeal.Kind.SERVICE_DISPUTE,
        text="",
        invoice=invoice,
        line_ids=[invoice.lines.first().pk],
        reason=Appeal.Reason.OTHER_QUANTITY,
    )


def step_url(appeal, step):
    return reverse("admin:feedback_appeal_workflow", args=[appeal.pk, step])


@pytest.fixture
def staff(client, world):
    staff_login(client, world["expert"])
    return client


def test_queue_highlights_overdue_appeals_and_filters_them(staff, world):
    with time_machine.travel(clock.now() - dt.timedelta(days=20), tick=False):
        late = file_dispute(world)
    fresh = services.appeal_create(
        user=world["owner"], person=world["ivanov"], kind="question", text="Вопрос"
    )
    page = staff.get(QUEUE).content.decode()
    assert "fb-deadline-overdue" in page and "просрочено на 5 дней" in page
    assert "Просрочено" in page  # the filter's title
    only_late = staff.get(QUEUE, {"overdue": "yes"}).content.decode()
    assert f'aria-label="Обращение № {late.pk}"' in only_late
    assert f'aria-label="Обращение № {fresh.pk}"' not in only_late


def test_extension_without_reason_is_refused_in_admin(staff, world):
    appeal = file_dispute(world)
    new = (appeal.deadline + dt.timedelta(days=5)).isoformat()
    response = staff.post(
        step_url(appeal, "extend"), {"extend-new_deadline": new, "extend-reason": ""}
    )
    assert response.status_code == 200
    assert "Укажите причину продления срока" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.deadline != dt.date.fromisoformat(new)
    response = staff.post(
        step_url(appeal, "extend"),
        {"extend-new_deadline": new, "extend-reason": "Ждём ответа клиники"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.deadline == dt.date.fromisoformat(new)


def test_expert_workflow_in_admin_ends_with_a_correction(staff, client, world):
    appeal = file_dispute(world)
    assert (
        staff.post(step_url(appeal, "assign"), {"assign-expert": world["expert"].pk}).status_code
        == 302
    )
    assert (
        staff.post(step_url(appeal, "comment"), {"comment-text": "Секретная заметка"}).status_code
        == 302
    )
    page = staff.get(reverse("admin:feedback_appeal_change", args=[appeal.pk])).content.decode()
    assert "Секретная заметка" in page and "Решение по несогласию" in page
    line = appeal.lines.get().invoice_line
    response = staff.post(
        step_url(appeal, "decide"),
        {
            "decide-decision": "accept",
            "decide-answer": "Количество исправлено",
            "decide-settlement": "deposit",
            f"decide-line_{line.pk}": "200.00",
        },
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ACCEPTED and appeal.assigned_to == world["expert"]
    invoice = Invoice.objects.get(pk=world["invoice"].pk)
    assert Invoice.objects.with_money().get(pk=invoice.pk).payable_amount() == Decimal("100.00")
    # The user sees the answer and the correction, not the internal comment.
    client.force_login(world["owner"])
    page = client.get(reverse("feedback:detail", args=[appeal.pk])).content.decode()
    assert "Количество исправлено" in page and f"К-{invoice.number}-1" in page
    assert "Секретная заметка" not in page
    assert AppealEvent.objects.filter(appeal=appeal, internal=True).count() == 1


def test_decision_reduction_above_the_co_pay_is_refused(staff, world):
    appeal = file_dispute(world)
    line = appeal.lines.get().invoice_line
    response = staff.post(
        step_url(appeal, "decide"),
        {
            "decide-decision": "accept",
            "decide-answer": "Да",
            "decide-settlement": "deposit",
            f"decide-line_{line.pk}": "999.00",
        },
    )
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.is_open and not Invoice.objects.get(pk=world["invoice"].pk).corrections.exists()


def test_non_staff_cannot_reach_the_workflow(client, world):
    appeal = file_dispute(world)
    client.force_login(world["owner"])
    response = client.post(step_url(appeal, "comment"), {"comment-text": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not appeal.events.filter(kind=AppealEvent.Kind.COMMENT).exists()


def test_assign_to_me_action_takes_open_appeals_only(staff, world):
    open_one = file_dispute(world)
    closed = services.appeal_create(
        user=world["owner"], person=world["ivanov"], kind="other", text="Спасибо"
    )
    services.appeal_reply(appeal_id=closed.pk, text="Пожалуйста", by=world["expert"], close=True)
    response = staff.post(
        QUEUE,
        {"action": "assign_to_me", "_selected_action": [open_one.pk, closed.pk]},
        follow=True,
    )
    assert "Назначено вам: 1 обращение." in response.content.decode()
    open_one.refresh_from_db()
    closed.refresh_from_db()
    assert open_one.assigned_to == world["expert"] and open_one.status == Appeal.Status.IN_REVIEW
    assert closed.assigned_to is None


def test_a_staff_member_in_the_experts_group_can_work_the_queue(client, world, staff_group):

    from .factories import make_user

    expert = make_user(staff=True)
    expert.groups.add(staff_group("Эксперты"))
    appeal = file_dispute(world)
    staff_login(client, expert)
    assert client.get(QUEUE).status_code == 200
    response = client.post(step_url(appeal, "comment"), {"comment-text": "Беру в работу"})
    assert response.status_code == 302
    assert appeal.events.filter(kind=AppealEvent.Kind.COMMENT).exists()
    plain_staff = make_user(staff=True)
    staff_login(client, plain_staff)
    assert client.post(step_url(appeal, "comment"), {"comment-text": "x"}).status_code == 403

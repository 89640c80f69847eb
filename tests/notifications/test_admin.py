import pytest
from django.urls import reverse

from notifications.models import Message
from tests.staff import staff_login


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_superuser("+79995550000", "Operator-2026!")


def test_message_log_resend_action(operator, client, django_capture_on_commit_callbacks):
    message = Message.objects.create(
        event="reminder_overdue",
        channel="sms",
        recipient="+79990000001",
        body="Текст",
        status=Message.Status.UNKNOWN,
    )
    staff_login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "resend", "_selected_action": [message.pk]},
            follow=True,
        )
    assert "Поставлено в очередь: 1 сообщение." in response.content.decode()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_message_log_hides_code_bodies(operator, client):
    code = Message.objects.create(
        event="accounts_registration_code",
        channel="sms",
        recipient="+79990000001",
        body="Код 123456",
        sensitive=True,
        status=Message.Status.SENT,
    )
    staff_login(client, operator)
    page = client.get(reverse("admin:notifications_message_change", args=[code.pk]))
    assert page.status_code == 200
    assert "123456" not in page.content.decode()

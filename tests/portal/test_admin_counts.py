"""Counts in the admin's own messages and columns agree in number (issue #13)."""

import pytest
from django.urls import reverse

from dms_portal.russian import count_noun
from invoices.admin.registries import ServiceRegistryAdmin
from invoices.models import ServiceRegistry
from notifications.models import Message
from tests.staff import staff_login


@pytest.mark.parametrize(
    ("noun", "forms"),
    [
        ("реестр", ("1 реестр", "2 реестра", "5 реестров")),
        ("заявка", ("1 заявка", "2 заявки", "5 заявок")),
        ("программа", ("1 программа", "2 программы", "5 программ")),
        ("сообщение", ("1 сообщение", "2 сообщения", "5 сообщений")),
        ("из строк", ("из 1 строки", "из 2 строк", "из 5 строк")),
    ],
)
def test_admin_nouns_take_the_three_russian_forms(noun, forms):
    assert tuple(count_noun(n, noun) for n in (1, 2, 5)) == forms


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [
        (0, 1, "0 из 1 строки (0 %)"),
        (1, 2, "1 из 2 строк (50 %)"),
        (1234, 5021, "1 234 из 5 021 строки (24 %)"),
    ],
)
def test_registry_progress_agrees_with_its_total(done, total, shown):
    registry = ServiceRegistry(
        status=ServiceRegistry.Status.RUNNING, rows_done=done, rows_total=total
    )
    assert ServiceRegistryAdmin.progress(None, registry) == shown


@pytest.mark.django_db
@pytest.mark.parametrize(("sent", "text"), [(2, "2 сообщения"), (5, "5 сообщений")])
def test_resend_message_counts_its_messages(
    client, django_user_model, django_capture_on_commit_callbacks, sent, text
):
    operator = django_user_model.objects.create_superuser("+79995550000", "Operator-2026!")
    ids = [
        Message.objects.create(
            event="reminder_overdue",
            channel="sms",
            recipient=f"+7999000000{n}",
            body="Текст",
            status=Message.Status.UNKNOWN,
        ).pk
        for n in range(sent)
    ]
    staff_login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "resend", "_selected_action": ids},
            follow=True,
        )
    assert f"Поставлено в очередь: {text}." in response.content.decode()

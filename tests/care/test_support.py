"""«Поддержка»: one conversation per user, answered in admin, unread counters on both sides,
an e-mail when the user is away, attachments checked like appeals'."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from care import support
from care.errors import CareError
from care.models import Conversation, SupportMessage
from care.selectors import support_unread_for_staff, support_unread_for_user
from dms_portal import clock
from notifications.models import Message
from tests.staff import staff_login

PDF = b"%PDF-1.4\n%test\n"


def test_user_writes_staff_answers_and_counters_follow(world, client):
    client.force_login(world["owner"])
    client.post(reverse("care:support"), {"text": "Как записаться к стоматологу?"})
    conversation = Conversation.objects.get(user=world["owner"])
    assert support_unread_for_staff(conversation) == 1
    staff_login(client, world["desk"])
    client.get(reverse("admin:care_conversation_change", args=[conversation.pk]))
    assert support_unread_for_staff(conversation) == 0
    response = client.post(
        reverse("admin:care_conversation_change", args=[conversation.pk]),
        {"reply": "Через «Запись к врачу»."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert support_unread_for_user(world["owner"]) == 1
    client.force_login(world["owner"])
    assert (
        'aria-label="непрочитанных: 1"'
        in client.get(reverse("policies:my_policies")).content.decode()
    )
    page = client.get(reverse("care:support")).content.decode()
    assert "Через «Запись к врачу»." in page
    assert support_unread_for_user(world["owner"]) == 0


def test_answer_is_emailed_only_when_the_user_is_away(world):
    support.support_post(user=world["owner"], text="Вопрос")
    conversation = Conversation.objects.get(user=world["owner"])
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 1")
    assert not Message.objects.filter(event="care_support_reply").exists()  # he is here
    Conversation.objects.filter(pk=conversation.pk).update(
        user_seen_at=clock.now() - dt.timedelta(minutes=10)
    )
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 2")
    mail = Message.objects.get(event="care_support_reply")
    assert mail.channel == "email" and "Ответ 2" in mail.body


def test_polling_returns_new_answers_and_marks_them_read(world, client):
    support.support_post(user=world["owner"], text="Вопрос")
    conversation = Conversation.objects.get(user=world["owner"])
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ")
    client.force_login(world["owner"])
    fragment = client.get(reverse("care:support_messages")).content.decode()
    assert "Ответ" in fragment and "<html" not in fragment
    assert support_unread_for_user(world["owner"]) == 0


def test_attachments_pass_the_shared_checks(world, client):
    client.force_login(world["owner"])
    bad = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("care:support"), {"text": "файл", "attachments": [bad]})
    assert "не является PDF, JPG или PNG" in response.content.decode()
    assert not SupportMessage.objects.exists()
    good = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    client.post(reverse("care:support"), {"text": "", "attachments": [good]})
    attachment = SupportMessage.objects.get().attachments.get()
    assert attachment.content_type == "application/pdf"
    assert client.get(reverse("care:support_attachment", args=[attachment.pk])).status_code == 200
    client.force_login(world["stranger"])
    assert client.get(reverse("care:support_attachment", args=[attachment.pk])).status_code == 404


def test_a_user_sees_only_his_own_conversation(world, client):
    support.support_post(user=world["owner"], text="Секретный вопрос Иванова")
    client.force_login(world["stranger"])
    assert "Секретный вопрос" not in client.get(reverse("care:support")).content.decode()
    assert "Секретный вопрос" not in client.get(reverse("care:support_messages")).content.decode()


def test_empty_message_is_refused(world):
    with pytest.raises(CareError, match="Напишите"):
        support.support_post(user=world["owner"], text="  ")


def test_the_badge_count_is_cached_per_user_and_follows_every_change(
    world, client, django_assert_num_queries
):
    """The count is kept in the cache under the user's own key (issue #19): another user never
    sees it, and an answer, reading the chat or deleting the conversation changes it at once."""
    owner, stranger = world["owner"], world["stranger"]
    support.support_post(user=owner, text="Вопрос")
    conversation = Conversation.objects.get(user=owner)
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 1")
    assert support_unread_for_user(owner) == 1
    with django_assert_num_queries(0):  # from the cache now
        assert support_unread_for_user(owner) == 1
    assert support_unread_for_user(stranger) == 0
    client.force_login(stranger)
    assert "непрочитанных" not in client.get(reverse("faq:index")).content.decode()

    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 2")
    assert support_unread_for_user(owner) == 2
    support.support_mark_read(conversation=conversation, by_staff=False)
    assert support_unread_for_user(owner) == 0
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 3")
    assert support_unread_for_user(owner) == 1
    SupportMessage.objects.filter(conversation=conversation, text="Ответ 3").delete()
    assert support_unread_for_user(owner) == 0
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="Ответ 4")
    assert support_unread_for_user(owner) == 1
    conversation.delete()
    assert support_unread_for_user(owner) == 0

import pytest
from django.template.loader import render_to_string

from notifications.models import Message
from notifications.selectors import user_messages

pytestmark = pytest.mark.django_db


def _message(**fields):
    base = {"event": "e", "channel": "sms", "recipient": "+79990000001", "body": "Текст"}
    return Message.objects.create(**{**base, **fields})


def test_user_messages_are_only_his_newest_first():
    older = _message(user_id=1, body="Первое")
    newer = _message(user_id=1, body="Второе")
    _message(user_id=2, body="Чужое")
    _message(user_id=None, body="Без пользователя")
    assert list(user_messages(1)) == [newer, older]


def test_history_partial_hides_codes_and_shows_texts():
    _message(user_id=1, body="Счёт 2026/03/1 сформирован")
    _message(user_id=1, body="Ваш код 123456", sensitive=True)
    _message(user_id=1, channel="email", recipient="a@b.ru", subject="Тема письма", body="x")
    html = render_to_string(
        "notifications/_history.html", {"notification_messages": user_messages(1)}
    )
    assert "История уведомлений" in html
    assert "Счёт 2026/03/1 сформирован" in html
    assert "123456" not in html and "Код подтверждения (текст не хранится)" in html
    assert "Тема письма" in html and "E-mail" in html


def test_history_partial_says_when_empty():
    html = render_to_string("notifications/_history.html", {"notification_messages": []})
    assert "Уведомлений пока не было." in html


def test_history_tag_renders_the_users_own_messages(django_user_model):
    from django.template import Context, Template

    user = django_user_model.objects.create_user("+79990000001", "x")
    _message(user_id=user.pk, body="Моё сообщение")
    _message(user_id=user.pk + 1, body="Чужое сообщение")
    html = Template("{% load notifications_tags %}{% notification_history user %}").render(
        Context({"user": user})
    )
    assert "Моё сообщение" in html and "Чужое сообщение" not in html


def test_history_shows_phones_as_russian_reads_them_and_emails_untouched():
    _message(user_id=1, recipient="+79990000001")
    _message(user_id=1, channel="email", recipient="u1234567890@b.ru", body="x")
    html = render_to_string(
        "notifications/_history.html", {"notification_messages": user_messages(1)}
    )
    assert "+7 999 000-00-01" in html and "+79990000001" not in html
    assert "u1234567890@b.ru" in html

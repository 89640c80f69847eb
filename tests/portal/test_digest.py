"""The monthly digest «Ваш личный кабинет ДМС за <месяц>» (SPEC §3.8): what it says, once per
account and month, nothing when there is nothing to report, the opt-out, others' data."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from feedback.services import appeal_create
from invoices.models import Invoice
from invoices.registry.importer import registry_create, registry_import
from notifications.models import Message
from portal.digest import Month, digest_for_user, digest_send
from tests.invoices.conftest import activate, line, write_registry
from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db

NOV_20 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 Moscow
DEC_1 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)  # 10:00 Moscow, the beat's time
JAN_1 = dt.datetime(2027, 1, 1, 7, 0, tzinfo=dt.UTC)
SUBJECT = "Ваш личный кабинет ДМС за ноябрь 2026 г."


def digests():
    return list(Message.objects.filter(event="monthly_digest").order_by("id"))


@pytest.fixture
def owner(demo):
    activate(demo["ivanov"])
    activate(demo["ivanova"])
    return make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")


@pytest.fixture
def november(owner, demo, tmp_path):
    """In November: a registry with a new line of the child, an invoice formed (and owed),
    an appeal filed. Also an old invoice of September, paid: nothing new about it."""
    with time_machine.travel(NOV_20, tick=False):
        path = write_registry(
            tmp_path / "r.csv",
            [
                line(
                    "N-1",
                    policy="DMS-0002",
                    last="Иванова",
                    first="Мария",
                    patronymic="Ивановна",
                    birth="10.06.2015",
                    date="10.11.2026",
                    price="2500,00",
                    name="Приём педиатра",
                )
            ],
        )
        registry_import(registry_id=registry_create(path=path).pk, fast=False)
        invoice = make_invoice(demo["ivanov"], formed_days_ago=5, due_in_days=25)
        make_invoice(demo["ivanov"], status=Invoice.Status.PAID, formed_days_ago=70)
        appeal = appeal_create(user=owner, person=demo["ivanov"], kind="question", text="Вопрос")
    return invoice, appeal


def test_the_digest_says_what_happened_last_month(owner, november):
    invoice, appeal = november
    with time_machine.travel(DEC_1, tick=False):
        counts = digest_send()
    assert counts == {"sent": 1, "nothing_to_report": 0, "already_sent": 0}
    [message] = digests()
    assert message.channel == "email" and message.recipient == "ivanov@example.com"
    assert message.user_id == owner.pk
    assert message.subject == SUBJECT
    body = message.body.replace("\u00a0", " ")
    assert "Предстоящие начисления: 1 услуга, ожидаемая сооплата 500,00 ₽" in body
    assert f"— № {invoice.number} от 15.11.2026, Иванов Иван Иванович: НОВЫЙ" in body
    assert "итого к оплате 390,00 ₽" in body
    assert f"— счёт № {invoice.number}: 390,00 ₽, оплатить до 15.12.2026" in body
    assert f"— № {appeal.number} «Вопрос» от 20.11.2026: Новое" in body
    assert "«Личные данные», «Ежемесячная сводка»" in body


def test_the_plain_text_e_mail_is_not_html_escaped(owner, november, demo):
    demo["ivanov"].last_name = 'Иванов-"Старший" & Ко'
    demo["ivanov"].save()
    with time_machine.travel(DEC_1, tick=False):
        digest_send()
    [message] = digests()
    assert 'Иванов-"Старший" & Ко' in message.body and "&quot;" not in message.body


def test_the_digest_is_sent_once_a_month(owner, november):
    with time_machine.travel(DEC_1, tick=False):
        digest_send()
        assert digest_send() == {"sent": 0, "nothing_to_report": 0, "already_sent": 1}
        # A new e-mail address does not earn a second copy of the same month.
        owner.email = "new@example.com"
        owner.save()
        assert digest_send()["sent"] == 0
    assert len(digests()) == 1
    # December's digest is another month: the invoice is still owed, so there is news.
    with time_machine.travel(JAN_1, tick=False):
        assert digest_send()["sent"] == 1
    assert [m.subject for m in digests()] == [SUBJECT, "Ваш личный кабинет ДМС за декабрь 2026 г."]
    assert digests()[1].recipient == "new@example.com"


def test_nothing_to_report_sends_nothing(owner, demo):
    with time_machine.travel(NOV_20, tick=False):
        make_invoice(demo["ivanov"], status=Invoice.Status.PAID, formed_days_ago=70)
    with time_machine.travel(DEC_1, tick=False):
        assert digest_for_user(owner, month=Month(2026, 11)).empty
        assert digest_send() == {"sent": 0, "nothing_to_report": 1, "already_sent": 0}
    assert digests() == []


def test_an_opted_out_account_gets_nothing(client, owner, november):
    client.force_login(owner)
    assert (
        'name="monthly_digest" id="id_monthly_digest" checked'
        in client.get(reverse("accounts:profile")).content.decode()
    )
    response = client.post(reverse("accounts:profile_digest"), {})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.monthly_digest is False
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="monthly_digest" id="id_monthly_digest">' in page
    with time_machine.travel(DEC_1, tick=False):
        assert digest_send() == {"sent": 0, "nothing_to_report": 0, "already_sent": 0}
    assert digests() == []
    client.post(reverse("accounts:profile_digest"), {"monthly_digest": "on"})
    owner.refresh_from_db()
    assert owner.monthly_digest is True


def test_the_opt_out_needs_a_login_and_a_post(client, owner):
    assert client.post(reverse("accounts:profile_digest"), {}).status_code == 302
    owner.refresh_from_db()
    assert owner.monthly_digest is True
    client.force_login(owner)
    assert client.get(reverse("accounts:profile_digest")).status_code == 405


def test_an_account_without_e_mail_gets_nothing(owner, november):
    owner.email = ""
    owner.save()
    with time_machine.travel(DEC_1, tick=False):
        assert digest_send()["sent"] == 0
    assert digests() == []


def test_another_family_is_not_in_the_digest(owner, november, demo):
    petrov = make_user(demo["petrov"], phone="+79990000003", email="petrov@example.com")
    with time_machine.travel(NOV_20, tick=False):
        theirs = make_invoice(demo["sidorova"], lines=(("Приём", "7777.00"),))
    with time_machine.travel(DEC_1, tick=False):
        assert digest_send()["sent"] == 2
    mine = Message.objects.get(event="monthly_digest", user_id=owner.pk).body
    his = Message.objects.get(event="monthly_digest", user_id=petrov.pk).body
    assert theirs.number not in mine and "1 555,40" not in mine.replace("\u00a0", " ")
    assert theirs.number in his and "Предстоящие начисления" not in his
    assert november[0].number not in his


def test_the_command_sends_a_chosen_month_and_refuses_a_bad_one(owner, november, capsys):
    with time_machine.travel(DEC_1, tick=False):
        call_command("digest_send", "--month", "2026-11")
        assert "Отправлено: 1" in capsys.readouterr().out
        for bad in ("2026-13", "ноябрь", "1800-01"):
            with pytest.raises(CommandError):
                call_command("digest_send", "--month", bad)
    assert len(digests()) == 1


def test_month_previous_and_bounds():
    assert Month.previous(dt.date(2027, 1, 1)) == Month(2026, 12)
    assert Month.previous(dt.date(2026, 3, 31)) == Month(2026, 2)
    december = Month(2026, 12)
    assert december.end - december.start == dt.timedelta(days=31)
    assert december.name == "декабрь 2026 г."

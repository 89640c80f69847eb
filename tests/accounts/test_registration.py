"""Registration (SPEC §3.1) through the pages, as the browser would post them."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import ConsentRecord, OneTimeCode, PendingRegistration, User
from audit.models import AuditEntry
from notifications.models import Message

from .conftest import PETROV_PHONE, codes_sent, last_code

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
CONFIRM = reverse("accounts:register_confirm")
RESEND = reverse("accounts:register_resend")


def page(response) -> str:
    return response.content.decode()


def start(client, form):
    return client.post(REGISTER, form)


def test_registration_page_has_the_guides_fields_and_button(client, demo):
    html = page(client.get(REGISTER))
    for label in [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Полис / таб. номер",
        "Моб. телефон",
        "E-mail",
        "Пароль",
        "Повторите пароль",
        "Я согласен и подтверждаю ознакомление с",
        "политикой обработки ПДн",
        "Зарегистрироваться",
    ]:
        assert label in html
    assert reverse("accounts:consent_text") in html


def test_full_registration_creates_the_account_only_after_the_code(client, demo, petrov_form):
    response = start(client, petrov_form)
    assert response.status_code == 302 and response.url == CONFIRM
    assert not User.objects.filter(phone=PETROV_PHONE).exists()
    pending = PendingRegistration.objects.get()
    assert pending.password_hash != petrov_form["password1"]

    confirm_page = page(client.get(CONFIRM))
    assert "Подтверждение телефона" in confirm_page and "Код из SMS" in confirm_page
    assert "Отправить код повторно" in confirm_page and "+7 999 555-00-03" in confirm_page

    response = client.post(CONFIRM, {"code": last_code(PETROV_PHONE)})
    assert response.status_code == 302 and response.url == reverse("policies:my_policies")
    user = User.objects.get(phone=PETROV_PHONE)
    assert user.is_active and user.check_password("Sosna-Luna-42")
    assert user.email == "petrov@example.com" and user.phone_confirmed_at is not None
    demo["petrov"].refresh_from_db()
    assert demo["petrov"].user == user
    consent = ConsentRecord.objects.get(person=demo["petrov"])
    assert consent.document.version == "1" and consent.content_hash == consent.document.content_hash
    assert consent.ip == "127.0.0.1" and consent.withdrawn_at is None
    assert AuditEntry.objects.filter(action="accounts.registered", actor=user).exists()
    assert not PendingRegistration.objects.exists()
    # Logged in, with a browser-session cookie.
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.get_expire_at_browser_close()
    # The e-mail gets its confirmation link.
    assert Message.objects.filter(event="accounts_email_confirm", recipient=user.email).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"last_name": "ПЕТРОВ", "first_name": "петр"},
        {"first_name": "Петр", "number": "1003"},
        {"last_name": "  петров ", "number": "dms-0003"},
        {"birth_date": "1990-05-15"},
        {"birth_date": "15051990"},
    ],
)
def test_roster_match_ignores_case_yo_and_takes_policy_or_employee_number(
    client, demo, petrov_form, changes
):
    response = start(client, {**petrov_form, **changes})
    assert response.status_code == 302, page(response)


@pytest.mark.parametrize(
    "changes",
    [
        {"last_name": "Петренко"},
        {"birth_date": "1990-05-16"},
        {"number": "DMS-0001"},  # someone else's policy
        {"number": "1001"},
    ],
)
def test_unknown_person_is_refused_clearly_and_nothing_is_created(
    client, demo, petrov_form, changes
):
    html = page(start(client, {**petrov_form, **changes}))
    assert "Мы не нашли вас в списке застрахованных" in html
    assert not PendingRegistration.objects.exists() and codes_sent(PETROV_PHONE) == 0


def test_minor_is_refused_with_the_guides_message(client, demo):
    form = {
        "last_name": "Сидорова",
        "first_name": "Анна",
        "birth_date": "2010-02-20",
        "number": "DMS-0004",
        "phone": "9995550004",
        "email": "anna@example.com",
        "password1": "Sosna-Luna-42",
        "password2": "Sosna-Luna-42",
        "consent": "on",
    }
    html = page(start(client, form))
    assert "Регистрация доступна только с 18 лет" in html
    assert not PendingRegistration.objects.exists() and User.objects.count() == 0


def test_eighteenth_birthday_is_the_first_day_registration_is_possible(client, demo):
    from policies.models import InsuredPerson

    person = InsuredPerson.objects.get(policy_number="DMS-0004")
    form = {
        "last_name": "Сидорова",
        "first_name": "Анна",
        "birth_date": "2010-02-20",
        "number": "DMS-0004",
        "phone": "9995550004",
        "email": "anna@example.com",
        "password1": "Sosna-Luna-42",
        "password2": "Sosna-Luna-42",
        "consent": "on",
    }
    with time_machine.travel(dt.datetime(2028, 2, 19, 12, 0, tzinfo=dt.UTC), tick=False):
        assert "только с 18 лет" in page(start(client, form))
    with time_machine.travel(dt.datetime(2028, 2, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        assert start(client, form).status_code == 302
    assert PendingRegistration.objects.get().person == person


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "Sosna-Luna-43"}, "Пароли не совпадают."),
        ({"password1": "12345678", "password2": "12345678"}, "Введённый пароль"),
        ({"password1": "Ab1", "password2": "Ab1"}, "слишком короткий"),
        ({"consent": ""}, "дайте согласие на обработку персональных данных"),
        ({"phone": "12345"}, "Введите номер мобильного телефона"),
        ({"email": "not-an-email"}, "Введите правильный адрес e-mail"),
        ({"birth_date": "2999-01-01"}, "Проверьте дату рождения."),
        ({"birth_date": "вчера"}, "Введите дату рождения"),
        ({"last_name": ""}, "Заполните это поле."),
        ({"number": ""}, "Заполните это поле."),
    ],
)
def test_bad_input_gets_a_clear_russian_message_and_creates_nothing(
    client, demo, petrov_form, changes, message
):
    html = page(start(client, {**petrov_form, **changes}))
    assert message in html
    assert not PendingRegistration.objects.exists() and User.objects.count() == 0
    assert codes_sent(PETROV_PHONE) == 0


def test_person_with_an_account_is_told_so_and_pointed_to_recovery(client, ivanov):
    form = {
        "last_name": "Иванов",
        "first_name": "Иван",
        "birth_date": "1985-01-01",
        "number": "DMS-0001",
        "phone": "9995550011",
        "email": "x@example.com",
        "password1": "Sosna-Luna-42",
        "password2": "Sosna-Luna-42",
        "consent": "on",
    }
    html = page(start(client, form))
    assert "Вы уже зарегистрированы в личном кабинете" in html
    assert reverse("accounts:password_forgot") in html and "Забыли пароль?" in html
    assert not PendingRegistration.objects.exists() and codes_sent("+79995550011") == 0


def test_taken_phone_gets_the_same_screen_no_account_and_its_owner_an_sms(
    client, ivanov, petrov_form
):
    free = page(client.get(CONFIRM, follow=True))  # no pending yet: back to the form
    assert "Заполните форму регистрации." in free
    response = start(client, {**petrov_form, "phone": "+7 999 000-00-01"})
    assert response.status_code == 302 and response.url == CONFIRM
    html = page(client.get(CONFIRM))
    assert "Мы отправили код в SMS на номер" in html and "+7 999 000-00-01" in html
    assert "Подтверждение телефона" in html
    # No code went to the number; its owner was told instead.
    assert codes_sent("+79990000001") == 0
    warning = Message.objects.get(event="accounts_phone_taken")
    assert warning.recipient == "+79990000001" and "пытался зарегистрировать" in warning.body
    # Whatever is typed is wrong, exactly like a mistyped real code.
    html = page(client.post(CONFIRM, {"code": "123456"}))
    assert "Неверный код. Осталось попыток: 4." in html
    assert User.objects.count() == 1
    from policies.models import InsuredPerson

    assert InsuredPerson.objects.get(policy_number="DMS-0003").user is None


def test_same_screen_for_free_and_taken_phone(client, ivanov, petrov_form):
    from django.test import Client

    free_client, taken_client = Client(), Client()
    free_page = page(free_client.post(REGISTER, petrov_form, follow=True))
    taken_page = page(
        taken_client.post(REGISTER, {**petrov_form, "phone": "9990000001"}, follow=True)
    )
    normalize = lambda html: (  # noqa: E731
        html.replace("+7 999 000-00-01", "PHONE")
        .replace("+7 999 555-00-03", "PHONE")
        .split('name="csrfmiddlewaretoken"')[0]
    )
    assert normalize(free_page) == normalize(taken_page)


def test_wrong_code_five_times_burns_it_and_creates_no_user(client, demo, petrov_form):
    start(client, petrov_form)
    code = last_code(PETROV_PHONE)
    bad = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        assert f"Осталось попыток: {left}." in page(client.post(CONFIRM, {"code": bad}))
    html = page(client.post(CONFIRM, {"code": bad}))
    assert "введено 5 неверных кодов" in html and "Начать заново" in html
    assert "введено 5 неверных кодов" in page(client.post(CONFIRM, {"code": code}))
    assert not User.objects.exists()


def test_code_must_be_six_digits(client, demo, petrov_form):
    start(client, petrov_form)
    assert "Введите 6 цифр из SMS." in page(client.post(CONFIRM, {"code": "12ab"}))
    assert OneTimeCode.objects.get().failed_attempts == 0


def test_expired_code_is_refused_and_resend_helps(client, demo, petrov_form):
    start_at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start_at, tick=False) as traveller:
        start(client, petrov_form)
        code = last_code(PETROV_PHONE)
        traveller.shift(dt.timedelta(minutes=11))
        assert "Срок действия кода истёк" in page(client.post(CONFIRM, {"code": code}))
        assert not User.objects.exists()
        html = page(client.post(RESEND, follow=True))
        assert "Новый код отправлен в SMS на номер +7 999 555-00-03" in html
        assert codes_sent(PETROV_PHONE) == 2
        assert client.post(CONFIRM, {"code": last_code(PETROV_PHONE)}).status_code == 302
    assert User.objects.filter(phone=PETROV_PHONE).exists()


def test_resend_too_soon_says_when(client, demo, petrov_form):
    start(client, petrov_form)
    html = page(client.post(RESEND, follow=True))
    assert "Код уже отправлен. Повторно отправить можно через" in html
    assert codes_sent(PETROV_PHONE) == 1


def test_another_browser_cannot_use_the_code(client, demo, petrov_form):
    from django.test import Client

    start(client, petrov_form)
    code = last_code(PETROV_PHONE)
    thief = Client()
    session = thief.session
    session["accounts_pending_registration"] = PendingRegistration.objects.get().pk
    session.save()
    html = page(thief.post(CONFIRM, {"code": code}))
    assert "Код не запрошен или уже использован" in html
    assert not User.objects.exists()


def test_two_people_cannot_end_up_with_one_phone(client, demo, petrov_form):
    """Both forms pass while the phone is free; the second confirmation finds it taken."""
    from django.test import Client

    from accounts.models import User as UserModel

    start(client, petrov_form)
    code = last_code(PETROV_PHONE)
    UserModel.objects.create_user(PETROV_PHONE, "Other-Pass-2026")
    response = client.post(CONFIRM, {"code": code}, follow=True)
    assert "Не удалось завершить регистрацию с этим номером телефона" in page(response)
    demo["petrov"].refresh_from_db()
    assert demo["petrov"].user is None
    assert Client().get(REGISTER).status_code == 200


def test_logged_in_user_is_sent_away_from_registration(ivanov_client):
    assert ivanov_client.get(REGISTER).url == reverse("policies:my_policies")


def test_consent_text_is_public_and_has_every_part(client, demo):
    html = page(client.get(reverse("accounts:consent_text")))
    for part in [
        "Оператор",
        "Цель обработки",
        "Категории персональных данных",
        "Лица, обрабатывающие данные по поручению оператора",
        "Срок действия согласия",
        "Порядок отзыва согласия",
        "SHA-256",
        "Версия 1",
    ]:
        assert part in html
    assert client.get(reverse("accounts:consent_text_version", args=["99"])).status_code == 404


def test_one_address_cannot_probe_the_roster_in_bulk(demo, petrov_form):
    from django.test import Client

    prober = Client(REMOTE_ADDR="203.0.113.80")
    for day in range(1, 21):
        html = page(prober.post(REGISTER, {**petrov_form, "birth_date": f"{day:02d}.01.1990"}))
        assert "Мы не нашли вас в списке застрахованных" in html
    html = page(prober.post(REGISTER, petrov_form))  # even the right data now waits
    assert "Слишком много попыток регистрации с этого адреса" in html
    assert not PendingRegistration.objects.exists()
    other = Client(REMOTE_ADDR="198.51.100.80")
    assert other.post(REGISTER, petrov_form).status_code == 302


def test_an_hour_old_registration_must_be_filled_in_again(client, demo, petrov_form):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        start(client, petrov_form)
        t.shift(dt.timedelta(hours=1, minutes=1))
        response = client.post(RESEND, follow=True)
        assert "Время на подтверждение истекло" in page(response)
        assert response.redirect_chain[-1][0] == REGISTER
        assert client.get(CONFIRM).url == REGISTER
    assert not User.objects.exists()

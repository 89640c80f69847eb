"""Russian as a reader expects (issue #13): plural forms through the gettext catalogue,
declined names, «октябрь 2026», phones «+7 999 000-00-01» — on real templates."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from dms_portal.russian import count_noun, name_declined, period_name, phone_display


@pytest.mark.parametrize(
    ("n", "noun", "text"),
    [
        (1, "счёт", "1 счёт"), (2, "счёт", "2 счёта"), (5, "счёт", "5 счетов"),
        (11, "счёт", "11 счетов"), (21, "счёт", "21 счёт"), (22, "счёт", "22 счёта"),
        (112, "счёт", "112 счетов"), (3, "строка", "3 строки"), (1, "строка", "1 строка"),
        (25, "строка", "25 строк"), (4, "день", "4 дня"), (15, "день", "15 дней"),
    ],
)  # fmt: skip
def test_plural_forms_come_from_the_russian_catalogue(n, noun, text):
    with translation.override("ru"):
        assert count_noun(n, noun) == text


def test_the_catalogue_is_compiled_and_used():
    # Without the catalogue gettext falls back to the English rule: «2 счетов».
    with translation.override("ru"):
        assert translation.ngettext("%(count)s счёт", "%(count)s счетов", 2) == "%(count)s счёта"


@pytest.mark.parametrize(
    ("parts", "case", "text"),
    [
        (("Иванов", "Иван", "Иванович"), "dative", "Иванову Ивану Ивановичу"),
        (("Иванова", "Мария", "Ивановна"), "dative", "Ивановой Марии Ивановне"),
        (("Петров", "Пётр", "Петрович"), "genitive", "Петрова Петра Петровича"),
        (("Сидорова", "Анна", "Сергеевна"), "instrumental", "Сидоровой Анной Сергеевной"),
    ],
)
def test_names_decline(parts, case, text):
    last, first, middle = parts
    assert name_declined(last=last, first=first, middle=middle, case=case) == text


def test_period_and_phone():
    assert period_name(2026, 10) == "октябрь 2026"
    assert period_name(2027, 1) == "январь 2027"
    for raw in ["+79990000001", "89990000001", "9990000001", "+7 (999) 000-00-01"]:
        assert phone_display(raw) == "+7 999 000-00-01"
    assert phone_display("+44 20 7946 0000") == "+44 20 7946 0000"


@pytest.mark.django_db
def test_invoice_ready_email_declines_the_insured_name(demo):
    invoice = SimpleNamespace(
        number="2026/10/3",
        formed_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
        copay_total=Decimal("10.00"),
        deposit_applied=Decimal("0"),
        amount_due=Decimal("10.00"),
        due_date=dt.date(2026, 12, 15),
    )
    for person, declined in [
        (demo["ivanov"], "застрахованному Иванову Ивану Ивановичу"),
        (demo["ivanova"], "застрахованному Ивановой Марии Ивановне"),
    ]:
        text = render_to_string(
            "notifications/invoice_ready.email.txt", {"invoice": invoice, "person": person}
        )
        assert declined in text
        assert "Сумма сооплаты" in text and "соплаты" not in text.replace("сооплаты", "")


@pytest.mark.parametrize(
    ("numbers", "count", "said"),
    [("2026/10/3", 1, "Не оплачен счёт 2026/10/3"), ("2026/10/3, 2026/11/4", 2, "Не оплачены счета 2026/10/3, 2026/11/4")],
)  # fmt: skip
def test_downgrade_sms_and_email_agree_with_the_count(numbers, count, said):
    context = {
        "invoice_numbers": numbers,
        "invoice_count": count,
        "total": Decimal("1.00"),
        "policy_number": "DMS-0001",
        "desk_phone": "+7 495 000-00-00",
        "site_url": "http://127.0.0.1:8000",
        "insurer": {"name": "СК", "phone": "8 800"},
        "person_name": "Иванов И. И.",
        "from_program": "Полная",
        "to_program": "Экстренная",
    }
    sms = render_to_string("notifications/downgrade_emergency.sms.txt", context)
    assert sms.startswith(said)
    email = render_to_string("notifications/downgrade_emergency.email.txt", context)
    assert (
        said.replace("Не оплачен ", "Не оплачен в срок ")
        .replace("Не оплачены ", "Не оплачены в срок ")
        .split(" 2026")[0]
        in email
    )


def test_template_filters_render_the_same_words():
    html = Template(
        '{% load portal_tags %}{{ n|counted:"строка" }}|{{ phone|phone }}|{{ month|period }}'
    ).render(Context({"n": 3, "phone": "+79990000001", "month": dt.date(2026, 10, 1)}))
    assert html == "3 строки|+7 999 000-00-01|октябрь 2026"


def test_large_counts_are_grouped_and_agree():
    with translation.override("ru"):
        assert count_noun(12345, "строка") == "12 345 строк"
        assert count_noun(1001, "строка") == "1 001 строка"


def test_registry_import_progress_in_admin_agrees_in_number():
    from django.contrib import admin

    from invoices.models import ServiceRegistry

    model_admin = admin.site._registry[ServiceRegistry]
    done = ServiceRegistry.Status.DONE
    with translation.override("ru"):
        assert model_admin.progress(ServiceRegistry(status=done, rows_done=3)) == "3 строки"
        assert model_admin.progress(ServiceRegistry(status=done, rows_done=21)) == "21 строка"

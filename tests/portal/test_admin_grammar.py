"""Russian grammar of the admin's own phrases (testers' report): Django puts a model's
nominative verbose_name into phrases that need another case («Выберите задержанная услуга для
изменения», «11 цены услуг», «22 Октябрь»). The change list is titled by the plural name, the
count has no noun, the form titles put the name after a colon, days take the genitive month."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.text import capfirst

from franchise.models import CalendarOverride
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser(phone="+79990009997", password="x")
    staff_login(client, user)
    return user


@pytest.fixture
def october(db):
    return [
        CalendarOverride.objects.create(date=datetime.date(2026, 10, day), is_working=False)
        for day in (5, 22, 23)
    ]


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_change_list_is_titled_by_its_plural_name(client, superuser):
    wrong = []
    for model in admin.site._registry:
        html = client.get(_changelist(model)).content.decode()
        plural = escape(capfirst(model._meta.verbose_name_plural))
        if (
            f"<h1>{plural}</h1>" not in html
            or f"<title>{plural} | {admin.site.site_title}</title>" not in html
            or "для изменения" in html
            or "для просмотра" in html
        ):
            wrong.append(model._meta.label)
    assert wrong == []


def test_count_under_the_list_has_no_noun_to_decline(client, superuser, october):
    html = client.get(_changelist(CalendarOverride)).content.decode()
    assert "Всего: 3" in html
    assert "3 производственный календарь" not in html
    assert "Выбрано 0 из 3" in html and "объектов" not in html


def test_empty_list_says_all_zero(client, superuser):
    html = client.get(_changelist(CalendarOverride)).content.decode()
    assert "Всего: 0" in html


def test_date_hierarchy_days_take_the_genitive_month(client, superuser, october):
    html = client.get(
        _changelist(CalendarOverride), {"date__year": 2026, "date__month": 10}
    ).content.decode()
    assert "22 октября" in html and "5 октября" in html
    assert "Октябрь</a>" not in html and "22 Октябрь" not in html


def test_dates_stay_day_month_year():
    day = datetime.date(2026, 10, 22)
    moment = datetime.datetime(2026, 10, 22, 9, 5)
    assert formats.date_format(day) == "22.10.2026"
    assert formats.localize(day) == "22.10.2026"
    assert formats.date_format(moment, "DATETIME_FORMAT") == "22.10.2026 09:05"
    assert formats.date_format(day, "MONTH_DAY_FORMAT") == "22 октября"
    # A month with its year stays nominative, as Russian has it: «Октябрь 2026 г.».
    assert formats.date_format(day, "YEAR_MONTH_FORMAT") == "Октябрь 2026 г."


def test_form_titles_put_the_model_name_after_a_colon(client, superuser, october):
    name = CalendarOverride._meta.verbose_name
    add = client.get(reverse("admin:franchise_calendaroverride_add")).content.decode()
    assert f"<h1>Добавление: {name}</h1>" in add
    assert f"<title>Добавление: {name} | {admin.site.site_title}</title>" in add
    change = client.get(
        reverse("admin:franchise_calendaroverride_change", args=[october[1].pk])
    ).content.decode()
    assert f"<h1>Изменение: {name}</h1>" in change
    assert f"Изменить {name}" not in change


def test_list_add_button_and_messages_agree_with_any_gender(client, superuser):
    name = CalendarOverride._meta.verbose_name
    listing = client.get(_changelist(CalendarOverride)).content.decode()
    assert f"Добавить: {name}" in listing
    response = client.post(
        reverse("admin:franchise_calendaroverride_add"),
        {"date": "22.10.2026", "is_working": "on", "note": "Перенос"},
        follow=True,
    )
    html = response.content.decode()
    # The object's name is a link to it: «<a href=…>22.10.2026: рабочий</a>».
    assert f"Добавлено: {name} «<a href=" in html and "22.10.2026: рабочий</a>»." in html
    assert "был успешно" not in html


def test_delete_pages_name_the_model_in_brackets(client, superuser, october):
    name = CalendarOverride._meta.verbose_name
    one = client.get(
        reverse("admin:franchise_calendaroverride_delete", args=[october[1].pk])
    ).content.decode()
    assert f"Удалить «22.10.2026: выходной» ({name})?" in one
    many = client.post(
        _changelist(CalendarOverride),
        {"action": "delete_selected", "_selected_action": [o.pk for o in october]},
    ).content.decode()
    assert "Удалить выбранные записи (производственный календарь: исключения)?" in many
    done = client.post(
        _changelist(CalendarOverride),
        {"action": "delete_selected", "_selected_action": [o.pk for o in october], "post": "yes"},
        follow=True,
    ).content.decode()
    assert "Удалено: 3 (производственный календарь: исключения)." in done


def test_missing_object_message_has_no_gender(client, superuser):
    response = client.get(
        reverse("admin:franchise_calendaroverride_change", args=[999999]), follow=True
    )
    html = response.content.decode()
    name = CalendarOverride._meta.verbose_name
    assert f"Не найдено: {name} с ID «999999». Возможно, запись удалена." in html

"""«Стоимость услуги» (SPEC §3.8): the price valid today found by any word form and by clinic,
«Ваша доля» = the person's contract percent of it, kopeck-exact; only one's own people."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from clinics.models import Clinic
from clinics.prices import price_rows, price_search
from invoices.pricelist import pricelist_load
from policies.models import Contract, Program

pytestmark = pytest.mark.django_db

PRICES = (
    "Код ЛПУ;Код услуги;Наименование услуги;Цена;Действует с\n"
    "7701000001;B01.047.001;Приём врача-терапевта первичный;1 520,80;01.01.2026\n"
    "7701000001;B01.047.001;Приём врача-терапевта первичный;1 600,00;01.01.2099\n"
    "7701000001;B03.016.003;Общий анализ крови;650,00;01.01.2026\n"
    "7701000001;A02.31.001;Измерение температуры;0,05;01.01.2026\n"
    "7701000002;B01.064.003;Приём врача-стоматолога первичный;1 700,00;01.01.2026\n"
)


@pytest.fixture
def world(demo, ivanov_user, petrov_user):
    health = Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»")
    smile = Clinic.objects.create(code="7701000002", name="Стоматология «Улыбка»")
    pricelist_load(file=ContentFile(PRICES.encode(), name="prices.csv"))
    return {**demo, "owner": ivanov_user, "stranger": petrov_user, "health": health, "smile": smile}


@pytest.fixture
def owner(client, world):
    client.force_login(world["owner"])
    return client


def page(client, **params):
    response = client.get(reverse("clinics:prices"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_other_word_forms_find_the_service_with_its_share(world):
    for query in ("приём терапевта", "приема терапевтов", "ПРИЁМОМ ТЕРАПЕВТОМ", "терапевт"):
        found = price_search(query=query)
        assert [p.service_code for p in found] == ["B01.047.001"], query
    rows = price_rows(price_search(query="приема терапевтов"), world["ivanov"])
    # The list valid today (not the one from 2099); 20 % of 1 520,80 ₽ = 304,16 ₽ exactly.
    assert (rows[0].price.price, rows[0].share) == (Decimal("1520.80"), Decimal("304.16"))


def test_the_share_rounds_half_up_to_kopecks_like_the_invoice_run(world):
    (row,) = price_rows(price_search(query="температуры"), world["ivanov"])
    assert row.share == Decimal("0.01")  # 20 % of 0,05 ₽ = 0,01 ₽


def test_a_newer_list_supersedes_from_its_first_day(world):
    with time_machine.travel(dt.datetime(2099, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        (row,) = price_rows(price_search(query="терапевта"), world["ivanov"])
    assert (row.price.price, row.share) == (Decimal("1600.00"), Decimal("320.00"))


def test_the_page_shows_price_share_and_the_registry_note(owner):
    html = page(owner, q="приема терапевтов")
    assert "Приём врача-терапевта первичный" in html and "Клиника «Здоровье»" in html
    assert "1\u00a0520,80\u00a0₽" in html and "304,16\u00a0₽" in html
    assert "Ваша доля" in html
    assert "Итоговая сумма определяется реестром клиники" in html


def test_the_clinic_filter_alone_lists_its_prices(owner, world):
    html = page(owner, clinic=world["smile"].pk)
    assert "Приём врача-стоматолога первичный" in html and "врача-терапевта" not in html
    html = page(owner, q="стоматолога", clinic=world["health"].pk)
    assert "В этой клинике" not in html and "По запросу «стоматолога» цен не найдено" in html
    # A clinic id that is not among the clinics with prices means «Все клиники».
    assert "Приём врача-стоматолога" in page(owner, q="стоматолога", clinic="999999")


def test_empty_and_fruitless_searches_say_what_to_do(owner):
    assert "Введите название услуги" in page(owner)
    assert "цен не найдено. Проверьте название услуги" in page(owner, q="томография")
    assert "цен не найдено. Проверьте название услуги" in page(owner, q="«—!»")


def test_no_price_lists_yet_points_to_the_medical_desk(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    assert "Прейскуранты клиник пока не загружены" in page(client)


def test_a_person_choice_appears_only_when_the_percents_differ(owner, world):
    assert 'name="person"' not in page(owner, q="терапевта")
    contract = world["ivanova"].contract
    other = Contract.objects.create(
        employer=contract.employer,
        number="ДМС-2026-030",
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        franchise_percent=Decimal("30.00"),
    )
    child = world["ivanova"]
    child.contract = other
    child.program = Program.objects.create(contract=other, kind=Program.Kind.FULL, name="Полная")
    child.save()
    html = page(owner, q="терапевта", person=child.pk)
    assert 'name="person"' in html
    assert "456,24\u00a0₽" in html  # 30 % of 1 520,80 ₽


def test_another_familys_person_is_a_404_and_anonymous_goes_to_login(owner, world, client):
    url = reverse("clinics:prices")
    assert owner.get(url, {"person": world["ivanova"].pk}).status_code == 200
    assert owner.get(url, {"person": world["sidorova"].pk}).status_code == 404
    assert owner.get(url, {"person": world["petrov"].pk}).status_code == 404
    assert owner.get(url, {"person": "x"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_my_policies_links_to_the_price_page(owner):
    html = owner.get(reverse("policies:my_policies")).content.decode()
    assert f'href="{reverse("clinics:prices")}"' in html and "Стоимость услуги" in html


def test_on_emergency_only_care_the_page_says_planned_visits_are_not_covered(owner, world):
    assert "плановое обращение в клиники недоступно" not in page(owner, q="терапевта")
    ivanov = world["ivanov"]
    ivanov.program = Program.objects.get(contract=ivanov.contract, kind=Program.Kind.EMERGENCY)
    ivanov.save()
    html = page(owner, q="терапевта")
    assert "плановое обращение в клиники недоступно" in html and "304,16\u00a0₽" in html

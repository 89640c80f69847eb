"""Петров activates his deductible and Сидорова's from «Мои полисы»; Иванов sees his.

Петров's registration is the accounts app's browser test; here he is already registered and
logged in (a session made by the test client and handed to the browser as its cookie).
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from franchise.calendar import next_working_day_after
from franchise.demo import seed_activations
from franchise.models import FranchiseActivation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_petrov_activates_his_and_sidorovas_deductible(
    live_server, page, screenshot, demo, petrov_user, ivanov_user
):
    log_in(page, live_server, petrov_user)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Мои полисы").first.click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()

    petrov = page.get_by_role("region", name="Петров Пётр Петрович")
    sidorova = page.get_by_role("region", name="Сидорова Анна Сергеевна")
    expect(petrov).to_contain_text("DMS-0003")
    expect(sidorova).to_contain_text("DMS-0004")
    expect(petrov).to_contain_text("Не активирована")
    expect(page.get_by_role("region", name="Порядок активации франшизы")).to_contain_text(
        "со следующего рабочего дня"
    )
    screenshot(page, "my-policies-not-activated", widths=(1280, 390, 360))

    # A crafted POST: someone edits the form to point at Иванов's person. The server says 404.
    sidorova.get_by_label("Я подтверждаю и даю согласие").check()
    page.eval_on_selector(
        f"#policy-{demo['sidorova'].pk} form",
        "(form, id) => { form.action = `/franchise/activate/${id}/`; }",
        demo["ivanov"].pk,
    )
    sidorova.get_by_role("button", name="Отправить").click()
    expect(page.get_by_role("heading", name="Страница не найдена")).to_be_visible()
    assert not FranchiseActivation.objects.exists()

    page.goto(live_server.url + "/policies/")
    send = petrov.get_by_role("button", name="Отправить")
    expect(send).to_be_disabled()
    petrov.get_by_label("Я подтверждаю и даю согласие").check()
    expect(send).to_be_enabled()
    send.click()

    expected = f"Будет активна с {next_working_day_after():%d.%m.%Y}"
    expect(petrov).to_contain_text(expected)
    expect(page.get_by_role("alert")).to_contain_text("Франшиза по полису DMS-0003")
    expect(petrov.get_by_role("button", name="Отправить")).to_have_count(0)
    expect(sidorova).to_contain_text("Не активирована")

    sidorova.get_by_label("Я подтверждаю и даю согласие").check()
    sidorova.get_by_role("button", name="Отправить").click()
    expect(sidorova).to_contain_text(expected)
    expect(page.get_by_role("button", name="Отправить")).to_have_count(0)
    screenshot(page, "my-policies-activated")

    activated = set(FranchiseActivation.objects.values_list("person__policy_number", flat=True))
    assert activated == {"DMS-0003", "DMS-0004"}

    # Иванов (demo activations) sees both of his family's policies active from 12.01.2026.
    seed_activations()
    log_in(page, live_server, ivanov_user)
    page.goto(live_server.url + "/policies/")
    for name in ("Иванов Иван Иванович", "Иванова Мария Ивановна"):
        expect(page.get_by_role("region", name=name)).to_contain_text("Активирована с 12.01.2026")
    expect(page.get_by_role("region", name="Петров Пётр Петрович")).to_have_count(0)
    screenshot(page, "my-policies")

"""The care flows clicked through as the insured and the medical desk do it (issue 17)."""

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from care import services, support
from care.models import Conversation, DoctorRequest
from dms_portal import clock
from notifications.models import Message
from tests.staff import staff_login

from .conftest import to_emergency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(context, live_server, user) -> None:
    """Copy a force-logged-in session into the browser (login itself is tested elsewhere)."""
    client = Client()
    # Staff need the admin's second factor too (issue #18).
    staff_login(client, user) if user.is_staff else client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def pages(browser, live_server, world):
    """page_for(user) → a page in its own browser context, logged in as that user."""
    contexts = []

    def page_for(user, width=1280):
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
        contexts.append(context)
        login(context, live_server, user)
        return context.new_page()

    yield page_for
    for context in contexts:
        context.close()


def _slot(days=3) -> dt.datetime:
    return clock.moscow_now().replace(hour=10, minute=30, second=0, microsecond=0) + dt.timedelta(
        days=days
    )


def _send_request(page, live_server, specialty="Терапевт"):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Запись к врачу").click()
    page.get_by_label("Застрахованный").select_option(label="Иванов Иван Иванович")
    page.get_by_label("Клиника").select_option(label="Клиника «Здоровье»")
    page.get_by_label("Специальность").fill(specialty)
    page.get_by_label("Желаемые даты").fill("20–22 января, утром")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_text("отправлена на медицинский пульт")).to_be_visible()
    return DoctorRequest.objects.latest("id")


def test_doctor_request_goes_to_the_desk_and_back(pages, live_server, world, screenshot):
    user = pages(world["owner"])
    request = _send_request(user, live_server)
    expect(user.locator(f"#request-{request.pk}").get_by_text("Новая")).to_be_visible()

    desk = pages(world["desk"])
    desk.goto(live_server.url + "/admin/care/doctorrequest/")
    desk.get_by_role("link", name=str(request.pk), exact=True).click()
    expect(desk.get_by_text("Полис DMS-0001")).to_be_visible()  # the person's policy data
    slot = _slot()
    desk.get_by_label("Дата и время приёма").fill(f"{slot:%Y-%m-%dT%H:%M}")
    desk.get_by_role("button", name="Подтвердить").click()
    screenshot(desk, "care-desk-queue")

    user.reload()
    card = user.locator(f"#request-{request.pk}")
    expect(card.get_by_text("Подтверждена")).to_be_visible()
    expect(card.get_by_text(f"Время приёма: {slot:%d.%m.%Y %H:%M}")).to_be_visible()
    sms = Message.objects.get(event="care_confirmed", channel="sms")
    assert sms.recipient == "+79990000001" and f"{slot:%d.%m.%Y %H:%M}" in sms.body
    screenshot(user, "care-requests")


def test_a_proposed_time_accepted_by_the_user(pages, live_server, world):
    user = pages(world["owner"])
    request = _send_request(user, live_server, specialty="Окулист")
    desk = pages(world["desk"])
    desk.goto(live_server.url + f"/admin/care/doctorrequest/{request.pk}/change/")
    slot = _slot(5)
    desk.get_by_label("Дата и время приёма").fill(f"{slot:%Y-%m-%dT%H:%M}")
    desk.get_by_role("button", name="Предложить другое время").click()
    expect(desk.locator(".messagelist, .errornote").first).to_be_visible()

    user.reload()
    card = user.locator(f"#request-{request.pk}")
    expect(card.get_by_text("Предложено другое время")).to_be_visible()
    card.get_by_role("button", name="Принять время").click()
    expect(user.get_by_text("Время приёма подтверждено")).to_be_visible()
    expect(user.locator(f"#request-{request.pk}").get_by_text("Подтверждена")).to_be_visible()
    assert Message.objects.filter(event="care_accepted", channel="sms").exists()


def test_an_sos_request_is_first_in_the_desks_queue(pages, live_server, world, screenshot):
    services.doctor_request_create(
        user=world["owner"],
        person=world["ivanov"],
        clinic=world["clinic"],
        specialty="Терапевт",
        desired_dates="завтра",
    )
    user = pages(world["owner"], width=390)
    user.goto(live_server.url + "/policies/")
    user.get_by_role("link", name="SOS").click()  # in the header at 390 px, menu folded
    expect(user.get_by_role("link", name="Позвонить: 8 800 000-00-01")).to_have_attribute(
        "href", "tel:88000000001"
    )
    user.get_by_label("Что случилось").fill("Высокая температура, 39,5")
    user.get_by_label("Где вы").fill("Москва, ул. Тверская, д. 1, кв. 5")
    user.get_by_label("Телефон для связи").fill("+7 999 000-00-01")
    screenshot(user, "care-sos")
    user.get_by_role("button", name="Отправить SOS").click()
    expect(user.get_by_text("передан на медицинский пульт")).to_be_visible()

    desk = pages(world["desk"])
    desk.goto(live_server.url + "/admin/care/doctorrequest/")
    first = desk.locator("#result_list tbody tr").first
    expect(first.get_by_text("SOS")).to_be_visible()
    expect(first.get_by_text("Иванов Иван Иванович")).to_be_visible()
    screenshot(desk, "care-desk-sos")


def test_support_round_trip_with_unread_counters(pages, live_server, world, screenshot):
    user = pages(world["owner"])
    user.goto(live_server.url + "/")
    user.get_by_role("link", name="Поддержка").click()
    user.get_by_label("Сообщение").fill("Подскажите, какие клиники рядом с домом?")
    user.get_by_role("button", name="Отправить").click()
    expect(user.get_by_text("какие клиники рядом с домом")).to_be_visible()

    desk = pages(world["desk"])
    desk.goto(live_server.url + "/admin/care/conversation/")
    row = desk.locator("#result_list tbody tr").first
    expect(row.locator("td.field-unread")).to_have_text("1")
    row.locator("th a").click()
    desk.get_by_label("Ответ").fill("Откройте «Клиники» и найдите по адресу.")
    desk.get_by_role("button", name="Сохранить", exact=True).click()
    conversation = Conversation.objects.get(user=world["owner"])
    assert conversation.messages.filter(from_staff=False, read_at__isnull=True).count() == 0

    # The open chat shows the answer without a reload (polling).
    expect(user.get_by_text("Откройте «Клиники» и найдите по адресу.")).to_be_visible(timeout=10000)
    screenshot(user, "care-support")
    # On another page the unread badge counted it before the chat was seen: now it is gone.
    user.goto(live_server.url + "/policies/")
    expect(user.locator(".portal-unread")).to_have_count(0)
    support.support_reply(conversation_id=conversation.pk, by=world["desk"], text="И ещё одно")
    user.reload()
    expect(user.get_by_role("link", name="Поддержка")).to_contain_text("1")


def test_refusal_on_the_emergency_only_programme(pages, live_server, world, screenshot):
    to_emergency(world["ivanov"])
    to_emergency(world["ivanova"])
    user = pages(world["owner"])
    user.goto(live_server.url + "/care/requests/")
    expect(user.get_by_text("Иванов Иван Иванович: запись к врачу недоступна")).to_be_visible()
    expect(user.get_by_text("звоните на медицинский пульт 8 800 000-00-01").first).to_be_visible()
    expect(user.get_by_role("button", name="Отправить заявку")).to_have_count(0)
    screenshot(user, "care-requests-refused")

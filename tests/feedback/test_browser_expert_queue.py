"""The experts' queue fits a 1280 px window with realistic data (issue #13): no sideways scroll
of the page or of the results table."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from dms_portal import clock
from feedback import services
from feedback.models import Appeal

from .test_browser_feedback import login

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_expert_queue_fits_1280_with_long_names(browser, live_server, world):
    expert = world["expert"]
    expert.first_name, expert.last_name = "Александра", "Константинопольская-Преображенская"
    expert.save()
    for person in (world["ivanov"], world["ivanova"]):
        person.last_name = "Старокозьмодемьянский-Верещагин"
        person.save()
    with time_machine.travel(clock.now() - dt.timedelta(days=17), tick=False):
        late = services.appeal_create(
            user=world["owner"],
            person=world["ivanov"],
            kind=Appeal.Kind.CONTACT_CHANGE,
            text="Новый адрес",
        )
    services.appeal_assign(appeal_id=late.pk, expert=expert, by=expert)
    for kind in (Appeal.Kind.QUESTION, Appeal.Kind.QUESTION, Appeal.Kind.OTHER):
        services.appeal_create(
            user=world["owner"],
            person=world["ivanova"],
            kind=kind,
            text="Текст",
            invoice=world["invoice"] if kind == Appeal.Kind.QUESTION else None,
        )
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    login(context, live_server, expert)
    page = context.new_page()
    page.goto(live_server.url + "/admin/feedback/appeal/")
    expect(page.get_by_text("просрочено на 2 дня")).to_be_visible()
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feedback-admin-queue-1280.png"), full_page=True)
    widths = page.evaluate(
        """() => {
            const box = document.querySelector('.results');
            return {page: document.documentElement.scrollWidth,
                    box: box.scrollWidth, boxClient: box.clientWidth};
        }"""
    )
    assert widths["page"] <= 1280, widths
    assert widths["box"] <= widths["boxClient"], widths
    context.close()

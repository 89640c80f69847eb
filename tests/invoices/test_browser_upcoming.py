"""«Предстоящие начисления» in a real browser (SPEC §3.8): lines after an import with 20 % of
their cost and the total; «Повтор услуги» on the upcoming page and in the invoice details;
«Это был не я» opens the filled dispute; the disputed line stays out of the invoice run while
the others go into an invoice."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from feedback.models import Appeal
from invoices.models import Invoice, ServiceLine
from invoices.registry.importer import registry_create, registry_import
from invoices.services.invoicing import invoice_run
from tests.payments.factories import make_user

from .conftest import activate, line, write_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = {
    "policy": "DMS-0002",
    "last": "Иванова",
    "first": "Мария",
    "birth": "10.06.2015",
    "patronymic": "Ивановна",
}


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def family(demo, tmp_path):
    activate(demo["ivanov"])
    activate(demo["ivanova"])
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    rows = [
        # The same visit sent twice under two line ids: «Повтор услуги» on both.
        line("V-1", date="14.10.2026", price="1500,00", name="Приём терапевта"),
        line("V-2", date="14.10.2026", price="1500,00", name="Приём терапевта"),
        line("V-3", date="16.10.2026", price="2500,00", name="Приём педиатра", **CHILD),
    ]
    path = write_registry(tmp_path / "registry.csv", rows)
    registry_import(registry_id=registry_create(path=path).pk, fast=False)
    return owner


def test_upcoming_lines_then_not_me_then_the_run(live_server, page, family, screenshot):
    log_in(page, live_server, family)
    page.goto(live_server.url + "/invoices/")
    page.get_by_role("link", name="Предстоящие начисления").click()
    expect(page.get_by_text("Это ещё не счёт.")).to_be_visible()
    # 20 % of 1 500,00 + 1 500,00 + 2 500,00
    expect(page.locator(".upcoming-total")).to_have_text(
        re.compile(r"Итого ожидается\s1\s100,00\s₽")
    )
    therapist = page.locator("tr", has_text="Приём терапевта")
    expect(therapist).to_have_count(2)
    for k in range(2):
        expect(therapist.nth(k)).to_contain_text("300,00")
        expect(therapist.nth(k)).to_contain_text("Повтор услуги")
    child_row = page.locator("tr", has_text="Приём педиатра")
    expect(child_row).to_contain_text("500,00")
    expect(page.get_by_role("heading", name="Иванова Мария Ивановна")).to_be_visible()
    screenshot(page, "upcoming-charges")

    child_row.get_by_role("link", name="Это был не я").click()
    expect(page.get_by_text("Оспариваемая услуга (ещё не в счёте)")).to_be_visible()
    expect(page.get_by_label("Услуга не оказывалась")).to_be_checked()
    expect(page.locator(".fb-upcoming-line")).to_contain_text("Приём педиатра")
    screenshot(page, "upcoming-not-me-dispute")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text(re.compile(r"Обращение № \d+ отправлено"))).to_be_visible()
    assert Appeal.objects.get().service_line.line_id == "V-3"

    page.goto(live_server.url + "/invoices/upcoming/")
    expect(page.locator("tr", has_text="Приём педиатра")).to_contain_text("оспаривается")
    expect(page.locator(".upcoming-total")).to_have_text(re.compile(r"600,00\s₽"))
    screenshot(page, "upcoming-disputed")

    invoices = invoice_run(period=(2026, 10), notify=False)
    assert [inv.person.policy_number for inv in invoices] == ["DMS-0001"]
    page.reload()
    expect(page.locator("tr", has_text="Приём терапевта")).to_have_count(0)
    expect(page.locator("tr", has_text="Приём педиатра")).to_contain_text("оспаривается")
    assert ServiceLine.objects.get(line_id="V-3").status == ServiceLine.Status.LOADED

    invoice = Invoice.objects.get()
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    rows = page.locator("table.invoice-lines tbody tr")
    expect(rows).to_have_count(2)
    for k in range(2):
        expect(rows.nth(k)).to_contain_text("Повтор услуги")
    screenshot(page, "invoice-details-flags")
    rows.first.get_by_role("link", name="Это был не я").click()
    expect(page.get_by_label("Услуга не оказывалась")).to_be_checked()
    expect(page.locator(".fb-line input:checked")).to_have_count(1)

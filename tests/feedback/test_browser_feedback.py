"""The appeal flows clicked through as the insured and the expert do it (issue 6, «Must show»)."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import expect

from dms_portal import clock
from feedback import services
from feedback.models import Appeal
from invoices.models import DepositEntry, Invoice
from tests.staff import staff_login

from .factories import PDF_BYTES, make_invoice

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
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
def expert_page(browser, live_server, world):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    login(context, live_server, world["expert"])
    page = context.new_page()
    yield page
    context.close()


def expert_decides(page, live_server, appeal_no, decision, answer, assign=True):
    page.goto(live_server.url + "/admin/feedback/appeal/?open=yes")
    page.get_by_role("link", name=f"Обращение № {appeal_no}", exact=True).click()
    if assign:
        page.get_by_label("Эксперт").select_option(index=1)
        page.get_by_role("button", name="Назначить").click()
        expect(page.get_by_text("Эксперт назначен")).to_be_visible()
        page.get_by_label("Внутренний комментарий (заявитель его не видит)").fill(
            "Запросили у клиники медкарту"
        )
        page.get_by_role("button", name="Добавить комментарий").click()
        expect(page.get_by_text("Внутренний комментарий добавлен")).to_be_visible()
    page.get_by_label(decision).check()
    page.locator("#id_decide-answer").fill(answer)
    if assign:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "feedback-admin-appeal-1280.png"), full_page=True)
    page.get_by_role("button", name="Принять решение").click()
    expect(page.locator(".messagelist")).to_contain_text("Обращение")


def appeal_number_from(page) -> str:
    heading = page.get_by_role("heading", level=1).inner_text()
    return re.search(r"№ (\d+)", heading).group(1)


def test_user_disputes_a_line_expert_accepts_user_sees_correction_and_paid_line_is_credited(
    live_server, page, world, expert_page, screenshot, tmp_path
):
    invoice = world["invoice"]  # «Приём терапевта» 200,00 ₽ + «Анализ крови» 100,00 ₽
    paid = make_invoice(world["ivanov"], status=Invoice.Status.PAID, lines=(("ЭКГ", "750.00"),))
    login(page.context, live_server, world["owner"])

    # From «Мои счета» details, the «Несогласие с услугой» link opens the form prefilled.
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    page.get_by_role("link", name="Несогласие с услугой").click()
    expect(page.get_by_role("heading", name="Формы обратной связи")).to_be_visible()
    for kind in ("Вопрос", "Несогласие с услугой", "Изменение контактных данных", "Другое"):
        expect(page.get_by_text(kind, exact=True).first).to_be_visible()
    expect(page.get_by_label("Несогласие с услугой")).to_be_checked()
    expect(page.get_by_label("Счёт", exact=True)).to_have_value(str(invoice.pk))
    page.get_by_label(re.compile("Анализ крови")).check()
    page.get_by_label("Услуга оказана в другом количестве").check()
    page.get_by_label("Текст обращения").fill("Анализ делали один раз, а не два.")
    attachment = tmp_path / "napravlenie.pdf"
    attachment.write_bytes(PDF_BYTES)
    page.get_by_label("Файлы (PDF, JPG, PNG)").set_input_files(str(attachment))
    screenshot(page, "feedback-form")
    page.get_by_role("button", name="Отправить").click()

    expect(page.get_by_text(re.compile(r"Обращение № \d+ отправлено"))).to_be_visible()
    appeal_no = appeal_number_from(page)
    expect(page.locator(".fb-invoice-status")).to_have_text("ОСПАРИВАЕТСЯ")
    expect(page.get_by_text("Обращение зарегистрировано")).to_be_visible()
    expect(page.get_by_role("link", name="napravlenie.pdf")).to_be_visible()

    # «Мои счета»: the disputed invoice shows ОСПАРИВАЕТСЯ and cannot be selected for payment.
    page.goto(live_server.url + "/invoices/")
    row = page.get_by_role("row").filter(has_text=invoice.number)
    expect(row).to_contain_text("ОСПАРИВАЕТСЯ")
    expect(page.get_by_label(f"Выбрать счёт {invoice.number}")).to_be_disabled()

    # The expert accepts in admin.
    expert_decides(expert_page, live_server, appeal_no, "Удовлетворить", "Анализ снят со счёта.")

    # The user sees the answer, the correction and the reduced amount due.
    page.goto(live_server.url + "/feedback/")
    expect(page.get_by_text("Удовлетворено").first).to_be_visible()
    screenshot(page, "feedback-appeals")
    page.get_by_role("link", name=f"Обращение № {appeal_no}").click()
    expect(page.get_by_text("Анализ снят со счёта.").first).to_be_visible()
    correction_no = f"К-{invoice.number}-1"
    expect(page.get_by_text(f"Корректировка {correction_no}").first).to_be_visible()
    expect(page.get_by_test_id("payable")).to_have_text("200,00\u00a0₽")
    expect(page.get_by_text("Запросили у клиники медкарту")).to_have_count(0)
    screenshot(page, "feedback-history")
    page.goto(live_server.url + "/invoices/")
    row = page.get_by_role("row").filter(has_text=invoice.number)
    expect(row).to_contain_text("НОВЫЙ")
    expect(row).to_contain_text("200,00\u00a0₽")
    expect(page.get_by_label(f"Выбрать счёт {invoice.number}")).to_be_enabled()

    # A dispute of an already paid line ends with the credit on the deposit.
    page.goto(live_server.url + "/feedback/")
    page.get_by_text("Несогласие с услугой", exact=True).click()
    page.get_by_label("Счёт", exact=True).select_option(str(paid.pk))
    page.get_by_label(re.compile("ЭКГ")).check()
    page.get_by_label("Услуга не оказывалась").check()
    page.get_by_role("button", name="Отправить").click()
    paid_appeal_no = appeal_number_from(page)
    # Paid stays paid while disputed, with the mark «спор» (issue #12).
    expect(page.locator(".fb-invoice-status")).to_have_text("ОПЛАЧЕН")
    expect(page.locator(".dispute-mark")).to_have_text("спор")
    expert_decides(
        expert_page,
        live_server,
        paid_appeal_no,
        "Удовлетворить",
        "ЭКГ не проводилась.",
        assign=False,
    )
    page.reload()
    expect(page.get_by_text("150,00\u00a0₽ зачислено на депозит полиса DMS-0001")).to_be_visible()
    expect(page.locator(".fb-invoice-status")).to_have_text("ОПЛАЧЕН")
    credit = DepositEntry.objects.get(invoice=paid)
    assert credit.kind == DepositEntry.Kind.CREDIT and credit.amount == Decimal("150.00")
    assert credit.person == world["ivanov"]


def test_rejection_resumes_the_due_date_with_at_least_ten_days(
    live_server, page, world, expert_page, screenshot
):
    overdue = make_invoice(
        world["ivanov"], status=Invoice.Status.OVERDUE, due_in_days=-3, lines=(("МРТ", "5000.00"),)
    )
    login(page.context, live_server, world["owner"])
    page.goto(f"{live_server.url}/feedback/?invoice={overdue.pk}&kind=service_dispute")
    page.get_by_label(re.compile("МРТ")).check()
    page.get_by_label("Оказана другая услуга").check()
    page.get_by_role("button", name="Отправить").click()
    appeal_no = appeal_number_from(page)
    expect(page.get_by_text("приостановлен на время рассмотрения")).to_be_visible()

    expert_decides(
        expert_page, live_server, appeal_no, "Отклонить", "Услуга оказана по направлению."
    )

    new_due = (clock.moscow_today() + dt.timedelta(days=10)).strftime("%d.%m.%Y")
    page.reload()
    expect(page.get_by_text("Отклонено").first).to_be_visible()
    expect(page.get_by_text(f"нужно оплатить до {new_due}")).to_be_visible()
    expect(page.locator(".fb-invoice-status")).to_have_text("НОВЫЙ")
    page.goto(live_server.url + "/invoices/")
    row = page.get_by_role("row").filter(has_text=overdue.number)
    expect(row).to_contain_text("НОВЫЙ")
    expect(row).to_contain_text(new_due)
    expect(page.get_by_label(f"Выбрать счёт {overdue.number}")).to_be_enabled()


def test_expert_queue_marks_overdue_appeals(live_server, world, expert_page):
    with time_machine.travel(clock.now() - dt.timedelta(days=17), tick=False):
        late = services.appeal_create(
            user=world["owner"],
            person=world["ivanov"],
            kind=Appeal.Kind.QUESTION,
            text="Где ответ?",
        )
    services.appeal_create(
        user=world["owner"], person=world["ivanova"], kind=Appeal.Kind.OTHER, text="Справка"
    )
    expert_page.set_viewport_size({"width": 1600, "height": 900})
    expert_page.goto(live_server.url + "/admin/feedback/appeal/")
    expect(expert_page.get_by_text("просрочено на 2 дня")).to_be_visible()
    expert_page.locator('[data-filter-title="Просрочено"]').get_by_role("link", name="Да").click()
    expect(expert_page.get_by_role("link", name=f"Обращение № {late.pk}")).to_be_visible()
    expect(expert_page.locator("#result_list tbody tr")).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expert_page.screenshot(path=str(ARTIFACTS / "feedback-admin-queue-1600.png"), full_page=True)


def test_user_files_a_contact_change_appeal_and_sees_it_in_the_list(live_server, page, world):
    login(page.context, live_server, world["owner"])
    page.goto(live_server.url + "/feedback/")
    hint = page.get_by_text("можно сменить самостоятельно в разделе")
    expect(hint).to_be_hidden()
    page.get_by_text("Изменение контактных данных", exact=True).click()
    expect(hint).to_be_visible()
    expect(page.get_by_label("Счёт", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Опишите ваше обращение", exact=True)).to_be_visible()
    page.get_by_label("Застрахованный").select_option(label="Иванова Мария Ивановна (DMS-0002)")
    page.get_by_label("Текст обращения").fill("У дочери новый паспорт")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Обращение зарегистрировано")).to_be_visible()
    expect(page.get_by_text("Иванова Мария Ивановна")).to_be_visible()
    page.get_by_role("link", name="← Формы обратной связи").click()
    card = page.locator("article").filter(has_text="Изменение контактных данных")
    expect(card).to_contain_text("Новое")
    expect(card).to_contain_text("ответ до")

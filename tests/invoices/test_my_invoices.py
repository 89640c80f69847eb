"""«Мои счета»: columns, access rule, filters, details, exports, constant queries."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from invoices.models import Invoice
from tests.payments.factories import make_invoice, make_invoices, make_user

pytestmark = pytest.mark.django_db
URL = "/invoices/"
COLUMNS = [
    "ВЫБРАТЬ",
    "НОМЕР СЧЕТА",
    "СЧЕТ",
    "ДАТА ФОРМИРОВАНИЯ",
    "ЗАСТРАХОВАННЫЙ",
    "Категория",
    "СУММА СООПЛАТЫ",
    "Гарантийный взнос",
    "Корректировка",
    "ИТОГО К ОПЛАТЕ",
    "СТАТУС",
    "Оплатить до",
]


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], phone="+79990000001")


@pytest.fixture
def stranger(demo):
    return make_user(demo["petrov"], phone="+79990000003")


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_the_guide_columns_verbatim_and_the_banner(client, demo, owner):
    make_invoice(demo["ivanov"])
    html = page(client, owner)
    # Headers may wrap on two lines (<br>, soft hyphens); the guide's words stay.
    headers = [
        re.sub(r"\s*<br>\s*", " ", h).replace("&shy;", "")
        for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    ]
    assert headers == COLUMNS
    assert "30 рабочих дней" in html
    assert "Гарантийный взнос (депозит)" in html
    assert "История платежей" in html
    assert 'id="pay-button" disabled>ОПЛАТИТЬ 0,00' in html


def test_user_sees_his_and_his_childs_invoices_but_not_a_strangers(client, demo, owner, stranger):
    mine = make_invoice(demo["ivanov"])
    child = make_invoice(demo["ivanova"])
    other = make_invoice(demo["petrov"])
    html = page(client, owner)
    assert f"Выбрать счёт {mine.number}" in html
    assert f"Выбрать счёт {child.number}" in html
    assert f"Выбрать счёт {other.number}" not in html
    # Newest first.
    assert html.index(child.number) < html.index(mine.number)


def test_paid_pending_disputed_and_annulled_cannot_be_selected_and_say_why(client, demo, owner):
    S = Invoice.Status
    reasons = {
        S.PAID: "Счёт уже оплачен",
        S.PENDING: "Оплата счёта уже выполняется",
        S.DISPUTED: "Счёт оспаривается",
        S.ANNULLED: "Счёт аннулирован",
    }
    made = {status: make_invoice(demo["ivanov"], status=status) for status in reasons}
    payable = make_invoice(demo["ivanov"])
    html = page(client, owner)
    for status, invoice in made.items():
        box = html.split(f'aria-label="Выбрать счёт {invoice.number}"')[0].rsplit("<input", 1)[1]
        assert "disabled" in box and f'title="{reasons[status]}"'.split('"')[1] in html
        assert f'id="why-{invoice.pk}">{reasons[status]}<' in html
        assert f'aria-label="Счёт {invoice.number}"' in html  # details still open
    box = html.split(f'aria-label="Выбрать счёт {payable.number}"')[0].rsplit("<input", 1)[1]
    assert "disabled" not in box and 'data-amount="390.00"' in box


def test_filters_by_status_person_and_period(client, demo, owner):
    old = make_invoice(demo["ivanov"], formed_days_ago=60)
    paid = make_invoice(demo["ivanov"], status=Invoice.Status.PAID)
    child = make_invoice(demo["ivanova"])
    html = page(client, owner, "?status=paid")
    assert paid.number in html and child.number not in html and old.number not in html
    html = page(client, owner, f"?person={demo['ivanova'].pk}")
    assert child.number in html and paid.number not in html
    since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    html = page(client, owner, f"?date_from={since}")
    assert old.number not in html and paid.number in html


def test_deposit_offsets_the_childs_invoice(client, demo, owner):
    invoice = make_invoice(demo["ivanova"], deposit=Decimal("90.00"))
    html = page(client, owner)
    assert invoice.amount_due == Decimal("300.00")
    box = html.split(f'aria-label="Выбрать счёт {invoice.number}"')[0].rsplit("<input", 1)[1]
    assert 'data-amount="300.00"' in box
    assert "90,00\xa0₽" in html


def test_details_list_the_lines_and_link_the_dispute_form(client, demo, owner):
    invoice = make_invoice(demo["ivanov"])
    client.force_login(owner)
    html = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    for text in (
        "Приём врача-терапевта первичный",
        "Общий анализ крови",
        "Клиника «Здоровье»",
        "1\xa0500,00\xa0₽",
        "300,00\xa0₽",
        "90,00\xa0₽",
        "390,00\xa0₽",
        ">Файл<",
        ">PDF<",
    ):
        assert text in html
    assert f"/feedback/?invoice={invoice.pk}&amp;kind=service_dispute" in html
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 200


def test_every_per_invoice_url_is_404_for_another_users_invoice(client, demo, owner, stranger):
    other = make_invoice(demo["petrov"])
    client.force_login(owner)
    for name in ("invoices:detail", "invoices:xlsx", "invoices:pdf"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404, name
    assert client.get(f"/invoices/{other.pk}/?partial=1").status_code == 404


def test_invoice_xlsx_has_russian_headers_formats_lines_and_totals(client, demo, owner):
    invoice = make_invoice(demo["ivanov"])
    client.force_login(owner)
    response = client.get(reverse("invoices:xlsx", args=[invoice.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    invoices, lines = wb["Счета"], wb["Услуги"]
    # The export has «Неустойка» (SPEC §3.8) before ИТОГО К ОПЛАТЕ in every file; the page
    # shows it inside the ИТОГО cell only where there is one. «Оплачено частями» comes last.
    assert [c.value for c in invoices[1]] == (
        COLUMNS[1:2] + COLUMNS[3:9] + ["Неустойка"] + COLUMNS[9:] + ["Оплачено частями"]
    )
    row = [c.value for c in invoices[2]]
    assert row[0] == invoice.number and row[2] == "Иванов Иван Иванович"
    assert row[4] == Decimal("390.00") or row[4] == 390
    assert invoices.cell(2, 2).number_format == "DD.MM.YYYY"
    assert "0.00" in invoices.cell(2, 5).number_format
    body = [[c.value for c in r] for r in lines.iter_rows(min_row=2)]
    assert [r[3] for r in body[:2]] == ["Приём врача-терапевта первичный", "Общий анализ крови"]
    assert body[-1][0] == "Итого" and body[-1][6] == 390


def test_export_all_contains_every_invoice_of_the_family_only(client, demo, owner, stranger):
    mine = make_invoices(demo["ivanov"], 3) + [make_invoice(demo["ivanova"])]
    other = make_invoice(demo["petrov"])
    client.force_login(owner)
    response = client.get(reverse("invoices:export_xlsx"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    numbers = [r[0].value for r in wb["Счета"].iter_rows(min_row=2)][:-1]
    assert sorted(numbers) == sorted(i.number for i in mine)
    assert other.number not in numbers
    assert len(list(wb["Услуги"].iter_rows(min_row=2))) == 4 * 2 + 1


def test_page_queries_do_not_grow_with_the_number_of_invoices(client, demo, owner):
    make_invoices(demo["ivanov"], 3)
    client.force_login(owner)
    client.get(URL)  # the menu's cached counters (issue #19) are filled by the first page
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    make_invoices(demo["ivanov"], 60)
    make_invoices(demo["ivanova"], 20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.content.decode().count("Выбрать счёт ") == 83
    assert len(many) == len(few)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302


def test_corrections_reduce_the_amount_to_pay(client, demo, owner):
    from django.utils import timezone

    from invoices.models import InvoiceCorrection

    invoice = make_invoice(demo["ivanov"])
    InvoiceCorrection.objects.create(
        invoice=invoice,
        number="К-1",
        created_at=timezone.now(),
        reason="Экспертиза: услуга не оказана",
        amount=Decimal("90.00"),
    )
    html = page(client, owner)
    box = html.split(f'aria-label="Выбрать счёт {invoice.number}"')[0].rsplit("<input", 1)[1]
    assert 'data-amount="300.00"' in box
    client.force_login(owner)
    details = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    assert "Корректировка К-1" in details and "300,00\xa0₽" in details


def test_pdf_of_own_invoice_is_served(client, demo, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = make_invoice(demo["ivanov"])
    client.force_login(owner)
    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_deposit_balance_is_in_the_banner(client, demo, owner):
    from django.utils import timezone

    from invoices.models import DepositEntry

    DepositEntry.objects.create(
        person=demo["ivanova"], kind="payment", amount=Decimal("500.00"), created_at=timezone.now()
    )
    html = page(client, owner)
    assert "Остаток гарантийного взноса: Иванова М.И. — 500,00\xa0₽" in html


def test_chosen_filters_stay_selected_and_bad_ones_are_explained(client, demo, owner):
    make_invoice(demo["ivanov"])
    html = page(client, owner, f"?status=new&person={demo['ivanov'].pk}&date_from=2026-01-01")
    assert '<option value="new" selected>НОВЫЙ</option>' in html
    assert f'<option value="{demo["ivanov"].pk}" selected>' in html
    assert 'value="01.01.2026"' in html  # an old ISO link is shown the Russian way
    html = page(client, owner, "?date_from=2026-05-01&date_to=2026-04-01")
    assert "Фильтр не применён: Дата «с» позже даты «по»" in html
    html = page(client, owner, "?date_from=вчера")
    assert "Фильтр не применён" in html and "Выбрать счёт" in html
    # Another family's person id is not a choice: the filter is refused, nothing leaks.
    html = page(client, owner, f"?person={demo['petrov'].pk}")
    assert "Фильтр не применён" in html


def test_filter_dates_are_text_in_russian_format(client, demo, owner):
    old = make_invoice(demo["ivanov"], formed_days_ago=60)
    fresh = make_invoice(demo["ivanov"])
    since = (dt.date.today() - dt.timedelta(days=30)).strftime("%d.%m.%Y")
    html = page(client, owner, f"?date_from={since}")
    assert fresh.number in html and old.number not in html
    field = html.split('id="id_date_from"')[0].rsplit("<input", 1)[1]
    assert 'type="text"' in field
    assert 'type="date"' not in html and 'placeholder="ДД.ММ.ГГГГ"' in html
    html = page(client, owner, "?date_from=01.10.2026")
    assert "Фильтр не применён" not in html and 'value="01.10.2026"' in html
    html = page(client, owner, "?date_from=31.02.2026")
    assert "Фильтр не применён: Введите дату как ДД.ММ.ГГГГ" in html
    assert 'value="31.02.2026"' in html  # the typo stays in the box to be corrected

"""A long invoice: the details window pages its lines (totals stay the whole invoice's) and
the XLSX streams every line."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
N = 250


@pytest.fixture
def long_invoice(demo):
    user = make_user(demo["ivanov"], phone="+79990000001")
    lines = tuple((f"Услуга {i:03d}", "10.00") for i in range(N))
    return user, make_invoice(demo["ivanov"], lines=lines)


def details(client, invoice, query=""):
    response = client.get(f"/invoices/{invoice.pk}/?partial=1{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_details_show_100_lines_a_page_with_navigation_and_whole_invoice_totals(
    client, long_invoice
):
    user, invoice = long_invoice
    client.force_login(user)
    html = details(client, invoice)
    assert html.count('data-label="Наименование услуги"') == 100
    assert "Услуга 000" in html and "Услуга 100" not in html
    assert "Услуги 1–100 из 250" in html
    assert 'aria-label="Следующая страница"' in html and 'data-page="3"' in html
    assert "2\xa0500,00\xa0₽" in html  # Стоимость услуг of all 250 lines, not of the page
    last = details(client, invoice, "&page=3")
    assert last.count('data-label="Наименование услуги"') == 50
    assert "Услуга 249" in last and "Услуги 201–250 из 250" in last
    assert "2\xa0500,00\xa0₽" in last
    assert 'aria-label="Следующая страница"' not in last


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9" * 30, "3.5", ""])
def test_a_bad_page_number_shows_a_page_not_an_error(client, long_invoice, page):
    user, invoice = long_invoice
    client.force_login(user)
    html = details(client, invoice, f"&page={page}")
    assert html.count('data-label="Наименование услуги"') in (100, 50)
    assert client.get(f"/invoices/{invoice.pk}/?page={page}").status_code == 200


def test_short_invoice_has_no_pager(client, demo):
    user = make_user(demo["ivanov"], phone="+79990000001")
    invoice = make_invoice(demo["ivanov"])
    client.force_login(user)
    assert "invoice-pager" not in details(client, invoice)


def test_xlsx_of_a_long_invoice_has_every_line_and_the_totals(client, long_invoice):
    user, invoice = long_invoice
    client.force_login(user)
    response = client.get(reverse("invoices:xlsx", args=[invoice.pk]))
    assert response.streaming
    assert 'filename="schet-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in r] for r in book["Услуги"].iter_rows(min_row=2)]
    assert len(rows) == N + 1
    assert [r[3] for r in rows[:2]] == ["Услуга 000", "Услуга 001"]
    assert rows[-1][0] == "Итого" and rows[-1][5] == 2500

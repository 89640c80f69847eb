"""«Мои расходы» page and XLSX: the figures, the chart, the year picker and its bad input,
the empty year, and only the user's own and his relatives' data."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ReadAccess
from invoices.models import Invoice
from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
URL = reverse("invoices:spending")
XLSX_URL = reverse("invoices:spending_xlsx")


@pytest.fixture
def owner(demo, frozen):
    return make_user(demo["ivanov"], phone="+79990000001")


@pytest.fixture
def family(owner, demo):
    make_invoice(demo["ivanov"], status=Invoice.Status.PAID)  # 390.00 paid
    make_invoice(demo["ivanova"], lines=(("Приём педиатра", "2500.00"),), deposit=D("100.00"))
    return owner


D = Decimal


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("\u00a0", " "))


def test_the_page_shows_the_year_figures_the_chart_and_the_table(client, family):
    client.force_login(family)
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert 'aria-current="page" href="/invoices/spending/">Мои расходы</a>' in page
    # 390.00 + 500.00 charged; 390.00 paid + 100.00 by the deposit; 400.00 to pay.
    assert '<dt>Начислено</dt><dd class="text-nowrap">890,00 ₽</dd>' in page
    assert '<dt>Оплачено</dt><dd class="text-nowrap">490,00 ₽</dd>' in page
    assert '<dt>К оплате</dt><dd class="text-nowrap">400,00 ₽</dd>' in page
    assert '<svg role="img"' in page and '<title id="spending-chart-title">' in page
    assert "Сооплата по месяцам 2026 года. октябрь: начислено 890,00 ₽" in page
    assert re.search(r'<rect class="bar-paid" x="[\d.]+" y="[\d.]+"', page)  # no «12,5»
    assert "Клиника «Здоровье»" in page and "Иванова Мария Ивановна" in page
    assert '<option value="2026" selected>' in page
    assert f'href="{XLSX_URL}?year=2026">Скачать XLSX</a>' in page


def test_the_xlsx_has_the_same_numbers_and_a_bar_chart(client, family):
    client.force_login(family)
    response = client.get(XLSX_URL, {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="moi-raskhody-2026.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Мои расходы"]
    rows = {r[0]: r[1:4] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["октябрь"] == (D("890"), D("490"), D("400"))
    assert rows["Итого"] == (D("890"), D("490"), D("400"))
    assert rows["январь"] == (0, 0, 0)
    assert [type(c).__name__ for c in sheet._charts] == ["BarChart"]
    people = list(book["По застрахованным"].iter_rows(min_row=2, values_only=True))
    assert people[0] == ("Иванов Иван Иванович", 390, 390, 0)
    assert people[1] == ("Иванова Мария Ивановна", 500, 100, 400)
    assert people[-1] == ("Итого", 890, 490, 400)
    read = ReadAccess.objects.get(kind="spending_xlsx")
    assert (read.actor_id, read.object_id) == (family.pk, str(family.pk))


def test_a_clinic_name_that_looks_like_a_formula_stays_text(client, owner, demo):
    invoice = make_invoice(demo["ivanov"])
    invoice.lines.update(clinic_name='=HYPERLINK("http://evil","x")')
    client.force_login(owner)
    book = load_workbook(io.BytesIO(client.get(XLSX_URL, {"year": "2026"}).content))
    cell = book["По клиникам"]["A2"]
    assert cell.value == '=HYPERLINK("http://evil","x")' and cell.data_type == "s"


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "Год указан неверно: выберите год из списка."),
        ("", "Выберите год."),
        ("1800", "Год должен быть от 2000 до 2027: выберите год из списка."),
        ("3000", "Год должен быть от 2000 до 2027: выберите год из списка."),
        ("2026.5", "Год указан неверно: выберите год из списка."),
        ("99999999999999999999", "Год должен быть от 2000 до 2027"),
    ],
)
def test_a_bad_year_is_a_clear_answer_not_an_error(client, family, year, message):
    client.force_login(family)
    response = client.get(URL, {"year": year})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert '<select class="form-select" id="spending-year" name="year" aria-invalid="true"' in page
    assert "Начислено</dt>" not in page
    # The page's error summary (issue #20): «Ошибка:» in the title, a link to the picker.
    assert "<title>Ошибка: Мои расходы" in page
    assert 'href="#spending-year"' in page
    download = client.get(XLSX_URL, {"year": year})
    assert download.status_code == 400
    assert message in download.content.decode()


def test_an_empty_year_says_so_and_what_to_do(client, family):
    client.force_login(family)
    page = text(client.get(URL, {"year": "2024"}))
    assert "За 2024 год расходов нет" in page
    assert "«Предстоящие начисления»" in page
    assert 'Расходы есть за <a href="?year=2026">2026</a>' in page
    assert "Скачать XLSX" not in page
    # The picker offers the years with data, this year and the one asked for.
    assert re.findall(r'<option value="(\d+)"', page) == ["2026", "2024"]


def test_the_default_year_is_the_moscow_year(client, family):
    # 31.12.2026 22:30 UTC is already 1 January 2027 in Moscow.
    with time_machine.travel(dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(family)
        page = text(client.get(URL))
    assert '<option value="2027" selected>' in page
    assert "За 2027 год расходов нет" in page
    assert re.findall(r'<option value="(\d+)"', page) == ["2027", "2026"]


def test_another_users_spending_is_not_shown(client, family, demo):
    petrov = make_user(demo["petrov"], phone="+79990000003")
    client.force_login(petrov)
    page = text(client.get(URL, {"year": "2026"}))
    assert "За 2026 год расходов нет" in page
    assert "Иванов" not in page
    book_response = client.get(XLSX_URL, {"year": "2026"})
    book = load_workbook(io.BytesIO(book_response.content))
    assert [r for r in book["По застрахованным"].iter_rows(min_row=2, values_only=True)] == [
        ("Итого", 0, 0, 0)
    ]


def test_the_page_needs_a_login(client):
    assert client.get(URL).status_code == 302
    assert client.get(XLSX_URL).status_code == 302

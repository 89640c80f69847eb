"""Clinic price lists (SPEC §3.8): the registries' reading and field checks with the price
list's columns, a per-row report, idempotent reloads and «Действует с»."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from clinics.models import Clinic, PriceList, ServicePrice
from clinics.prices import prices_valid_on
from invoices.pricelist import PriceListError, pricelist_load, pricelist_load_path

pytestmark = pytest.mark.django_db

HEADER = "Код ЛПУ;Код услуги;Наименование услуги;Цена;Действует с\n"


@pytest.fixture
def clinics(db):
    return {
        "health": Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»"),
        "smile": Clinic.objects.create(code="7701000002", name="Стоматология «Улыбка»"),
    }


def load(text: str, name="prices.csv"):
    return pricelist_load(file=ContentFile(text.encode("utf-8"), name=name))


def test_a_valid_file_loads_every_row_with_its_stems(clinics):
    price_list, earlier = load(
        HEADER
        + "7701000001;B01.047.001;Приём врача-терапевта первичный;1 520,80;01.01.2026\n"
        + "7701000002;B01.064.003;Приём врача-стоматолога;1700;2026-02-01\n"
    )
    assert earlier is False
    assert (price_list.loaded, price_list.unchanged, price_list.rejected) == (2, 0, 0)
    assert price_list.rows_total == 2
    price = ServicePrice.objects.get(service_code="B01.047.001")
    assert price.price == Decimal("1520.80") and price.clinic == clinics["health"]
    assert price.valid_from == dt.date(2026, 1, 1) and price.price_list == price_list
    assert " терапевт" in price.search_stems


def test_bad_rows_are_reported_with_row_column_and_reason(clinics):
    price_list, _ = load(
        HEADER
        + "7701000001;A1;Good;100,00;01.01.2026\n"  # row 2: loads
        + "7701000001;A2;Bad price;сто;01.01.2026\n"
        + "7701000001;A3;Negative;-5;01.01.2026\n"
        + "7701000001;A4;Too precise;1,005;01.01.2026\n"
        + "7709999999;A5;Unknown clinic;100;01.01.2026\n"
        + "7701000001;A6;Bad date;100;31.02.2026\n"
        + "7701000001;;No code;100;01.01.2026\n"
        + "7701000001;A1;Duplicate of row 2;120,00;01.01.2026\n"
    )
    assert (price_list.loaded, price_list.rejected, price_list.duplicates) == (1, 6, 1)
    problems = [(p.row_number, p.column, p.reason) for p in price_list.problems.all()]
    assert problems == [
        (3, "Цена", "Неверное число «сто»"),
        (4, "Цена", "Цена не может быть отрицательной"),
        (5, "Цена", "Больше двух знаков после запятой"),
        (6, "Код ЛПУ", "Клиники с кодом «7709999999» нет в справочнике клиник"),
        (7, "Действует с", "Неверная дата «31.02.2026» (ожидается ДД.ММ.ГГГГ)"),
        (8, "Код услуги", "Не заполнено обязательное поле"),
        (9, "", "Повтор строки 2: та же клиника, код услуги и дата «Действует с»"),
    ]
    # The first of the duplicates counts: 100,00, not the repeat's 120,00.
    assert ServicePrice.objects.get().price == Decimal("100.00")


def test_a_file_without_the_columns_is_not_read_and_leaves_nothing(clinics):
    with pytest.raises(PriceListError, match="«Действует с»"):
        load("Код ЛПУ;Код услуги;Наименование услуги;Цена\n7701000001;A1;x;1\n")
    with pytest.raises(PriceListError, match="пуст"):
        load("")
    assert not PriceList.objects.exists() and not ServicePrice.objects.exists()


def test_reloading_is_idempotent_by_file_and_by_row(clinics):
    text = HEADER + "7701000001;A1;Осмотр;100,00;01.01.2026\n"
    first, _ = load(text)
    again, earlier = load(text, name="renamed.csv")
    assert earlier is True and again == first
    assert PriceList.objects.count() == 1 and ServicePrice.objects.count() == 1
    # The same rows in another file (another line added): nothing stored changes.
    second, earlier = load(text + "7701000001;A2;Анализ;50;01.01.2026\n")
    assert earlier is False
    assert (second.loaded, second.unchanged) == (1, 1)
    assert ServicePrice.objects.get(service_code="A1").price_list == first
    # A corrected price for the same day replaces it.
    third, _ = load(HEADER + "7701000001;A1;Осмотр;110,00;01.01.2026\n")
    assert (third.loaded, third.unchanged) == (1, 0)
    assert ServicePrice.objects.get(service_code="A1").price == Decimal("110.00")
    assert ServicePrice.objects.count() == 2


def test_the_price_valid_on_a_day_is_the_latest_valid_from_not_after_it(clinics):
    load(
        HEADER
        + "7701000001;A1;Осмотр;100;01.01.2026\n"
        + "7701000001;A1;Осмотр;120;01.06.2026\n"
        + "7701000001;A1;Осмотр;150;01.01.2099\n"  # sent ahead: a future «Действует с» is fine
        + "7701000002;A1;Осмотр;90;01.03.2026\n"
    )

    def prices(day):
        return sorted((p.clinic.code, p.price) for p in prices_valid_on(day))

    assert prices(dt.date(2025, 12, 31)) == []
    assert prices(dt.date(2026, 1, 1)) == [("7701000001", Decimal("100.00"))]
    assert prices(dt.date(2026, 5, 31)) == [
        ("7701000001", Decimal("100.00")),
        ("7701000002", Decimal("90.00")),
    ]
    assert prices(dt.date(2026, 6, 1)) == [
        ("7701000001", Decimal("120.00")),
        ("7701000002", Decimal("90.00")),
    ]
    assert prices(dt.date(2099, 1, 1))[0] == ("7701000001", Decimal("150.00"))


def test_an_xlsx_price_list_with_date_cells_loads(clinics, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["clinic_code", "service_code", "service_name", "price", "valid_from"])
    sheet.append(["7701000001", "A1", "Осмотр", 1520.8, dt.datetime(2026, 1, 1)])
    path = tmp_path / "prices.xlsx"
    workbook.save(path)
    price_list, _ = pricelist_load_path(path=path)
    assert price_list.loaded == 1
    assert ServicePrice.objects.get().price == Decimal("1520.80")


def test_the_command_prints_the_problems_and_the_summary_line(clinics, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(
        HEADER + "7701000001;A1;Осмотр;100;01.01.2026\n7701000001;A2;Анализ;x;01.01.2026\n",
        encoding="cp1251",
    )
    out = StringIO()
    call_command("load_pricelist", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines == [
        "строка 3: Цена: Неверное число «x»",
        "loaded=1 unchanged=0 rejected=1 duplicates=0",
    ]
    out = StringIO()
    call_command("load_pricelist", str(path), stdout=out)
    assert "уже загружен" in out.getvalue()
    assert out.getvalue().strip().splitlines()[-1] == "loaded=1 unchanged=0 rejected=1 duplicates=0"
    with pytest.raises(CommandError, match="не найден"):
        call_command("load_pricelist", str(tmp_path / "missing.csv"))


def test_the_sample_price_list_loads_for_the_demo_clinic(db):
    from clinics.demo import seed_clinics
    from invoices.demo import DEMO_PRICE_LIST

    seed_clinics()
    out = StringIO()
    call_command("load_pricelist", str(DEMO_PRICE_LIST), stdout=out)
    assert out.getvalue().strip() == "loaded=11 unchanged=0 rejected=0 duplicates=0"

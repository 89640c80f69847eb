"""Line checks at import (SPEC §3.8): each check flags its odd lines and leaves ordinary lines
without a flag; the PostgreSQL pipeline and the batched path flag alike."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import load_workbook

from invoices.models import ServiceLine
from invoices.registry.importer import registry_create, registry_import
from invoices.registry.linecheck import FLAG_FIELDS, USUAL, flags_of, percentile
from invoices.registry.report import registry_problems_xlsx

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["batched", "pipeline"])
def fast(request):
    if request.param and connection.vendor != "postgresql":
        pytest.skip("the COPY pipeline needs PostgreSQL")
    return request.param


def load(tmp_path, rows, fast, name="r.csv"):
    path = write_registry(tmp_path / name, rows)
    registry = registry_import(registry_id=registry_create(path=path).pk, fast=fast)
    assert registry.status == "done", registry.error
    return registry


def flags():
    return {
        sl.line_id: {f.label for f in flags_of(sl)} for sl in ServiceLine.objects.order_by("id")
    }


def ordinary(count, *, prefix="O", qty="1", price="1000,00"):
    """`count` unremarkable lines of one code, each on its own day (no repeats)."""
    return [
        line(f"{prefix}-{i}", date=f"{1 + i % 28:02d}.{9 + i // 28:02d}.2026", qty=qty, price=price)
        for i in range(count)
    ]


def test_ordinary_lines_carry_no_flag(roster, frozen, tmp_path, fast):
    load(tmp_path, ordinary(30), fast)
    assert all(not found for found in flags().values())


def test_repeat_flags_both_lines_of_the_same_service_date_and_clinic(
    roster, frozen, tmp_path, fast
):
    rows = [line("A-1", date="10.10.2026"), line("A-2", date="10.10.2026")]
    rows += [line("B-1", date="11.10.2026"), line("B-2", date="12.10.2026")]
    load(tmp_path, rows, fast)
    found = flags()
    assert found["A-1"] == found["A-2"] == {"Повтор услуги"}
    assert found["B-1"] == found["B-2"] == set()


def test_repeat_across_imports_flags_the_older_line_too(roster, frozen, tmp_path, fast):
    load(tmp_path, [line("A-1"), line("C-1", date="01.10.2026")], fast, "first.csv")
    load(tmp_path, [line("A-9"), line("C-2", date="02.10.2026")], fast, "second.csv")
    found = flags()
    assert found["A-1"] == found["A-9"] == {"Повтор услуги"}
    assert found["C-1"] == found["C-2"] == set()


def test_the_same_line_sent_again_is_a_duplicate_not_a_repeat(roster, frozen, tmp_path, fast):
    load(tmp_path, [line("A-1")], fast, "first.csv")
    second = load(tmp_path, [line("A-1")], fast, "second.csv")
    assert second.duplicates == 1
    assert flags() == {"A-1": set()}


def test_two_clinics_on_one_day(roster, frozen, tmp_path, fast):
    rows = [
        line("T-1", date="10.10.2026"),
        line("T-2", date="10.10.2026", clinic="7701000002"),
        line("T-3", date="11.10.2026"),
        line("T-4", date="12.10.2026", clinic="7701000002"),
    ]
    load(tmp_path, rows, fast)
    found = flags()
    assert found["T-1"] == found["T-2"] == {"Две клиники в один день"}
    assert found["T-3"] == found["T-4"] == set()


def test_unusual_quantity_and_price_against_the_code_usual(roster, frozen, tmp_path, fast):
    rows = ordinary(25)
    rows += [
        line("Q-1", date="20.10.2026", qty="10", price="1000,00", amount="10000,00"),
        line("P-1", date="21.10.2026", price="5000,00"),
        # within 1.5 × usual: ordinary
        line("Q-2", date="22.10.2026", qty="1", price="1400,00"),
    ]
    load(tmp_path, rows, fast)
    found = flags()
    assert found.pop("Q-1") == {"Необычное количество"}
    assert found.pop("P-1") == {"Цена выше обычной"}
    assert all(not labels for labels in found.values())


def test_no_usual_flag_without_enough_data(roster, frozen, tmp_path, fast):
    rows = ordinary(USUAL.min_sample - 3)
    rows.append(line("Q-1", date="20.10.2026", qty="50", price="9000,00", amount="450000,00"))
    load(tmp_path, rows, fast)
    assert all(not labels for labels in flags().values())


def test_held_lines_and_the_other_codes_do_not_make_the_usual(roster, frozen, tmp_path, fast):
    # 25 lines of the same code for a person not activated (Петров): held, never "usual".
    held = [
        line(
            f"H-{i}",
            policy="DMS-0003",
            last="Петров",
            first="Пётр",
            birth="15.05.1990",
            patronymic="Петрович",
            date=f"{1 + i:02d}.10.2026",
        )
        for i in range(25)
    ]
    rows = held + [line("Q-1", date="20.10.2026", qty="10", price="1000,00", amount="10000,00")]
    load(tmp_path, rows, fast)
    assert flags()["Q-1"] == set()


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([1, 2, 3, 4], 0.5) == Decimal("2.5")
    assert percentile([Decimal("1.00")] * 19 + [Decimal("21.00")], 0.95) == Decimal("2.0000")


def test_the_registry_report_lists_flagged_lines_with_their_checks(roster, frozen, tmp_path, fast):
    registry = load(tmp_path, [line("A-1"), line("A-2"), line("B-1", date="01.10.2026")], fast)
    book = load_workbook(io.BytesIO(registry_problems_xlsx(registry=registry)))
    rows = list(book["Проверки строк"].values)
    assert rows[0][-1] == "Проверки"
    assert [(r[1], r[-1]) for r in rows[1:]] == [("A-1", "Повтор услуги"), ("A-2", "Повтор услуги")]


def test_flag_fields_are_the_model_fields():
    names = {f.name for f in ServiceLine._meta.fields}
    assert set(FLAG_FIELDS) <= names

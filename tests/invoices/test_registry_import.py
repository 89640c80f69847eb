"""Registry import: every row ends loaded, held, rejected or duplicate (REGISTRY_FORMAT.md)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from invoices.models import RegistryProblem, ServiceLine, ServiceRegistry
from invoices.registry.importer import registry_create, registry_import

from .conftest import HEADER_EN, SAMPLES, activate, line, write_registry

pytestmark = pytest.mark.django_db


def mixed_rows():
    """Rows 2..18 of the mixed file; the comment is each row's expected outcome."""
    return [
        line("A-1"),  # 2 loaded
        line(
            "A-2",
            policy="DMS-0002",
            last="Иванова",
            first="Мария",
            patronymic="Ивановна",
            birth="10.06.2015",
            qty="2",
            price="2,50",
            amount="5,00",
        ),  # 3 loaded
        line("B-1", date="31.02.2026"),  # 4 rejected: impossible date
        line("B-2", qty="2", price="1,00", amount="3,00"),  # 5 rejected: arithmetic
        line("B-3", date="01.12.2026"),  # 6 rejected: future date
        line("B-4", price="-1,00"),  # 7 rejected: negative price (and amount)
        line("B-5", name=""),  # 8 rejected: empty required field
        line("B-6", price="1,005"),  # 9 rejected: three decimals
        line("H-1", policy="DMS-9999"),  # 10 held: unknown policy
        line("H-2", last="Петров"),  # 11 held: last name differs
        line("H-3", birth="02.01.1985"),  # 12 held: birth date differs
        line(
            "H-4",
            policy="DMS-0003",
            last="Петров",
            first="Пётр",
            patronymic="Петрович",
            birth="15.05.1990",
        ),  # 13 held: not activated
        line("H-5", date="05.01.2026"),  # 14 held: before activation
        line(
            "H-6",
            policy="DMS-0004",
            last="Сидорова",
            first="Анна",
            patronymic="Сергеевна",
            birth="20.02.2010",
        ),  # 15 held: emergency-only programme
        line("A-1", date="16.10.2026"),  # 16 duplicate within the file
        line("B-7", policy="DMS-9999", date="32.10.2026"),  # 17 rejected: malformed + unmatched
        line("A-3", last="ИВАНОВ", first="иван"),  # 18 loaded: case-insensitive names
    ]


def run(path, fast=None):
    registry = registry_create(path=path)
    return registry_import(registry_id=registry.pk, fast=fast)


def counts(registry):
    return (registry.loaded, registry.held, registry.rejected, registry.duplicates)


def outcomes(registry):
    problems = {
        (p.row_number, p.kind, p.column, p.reason)
        for p in RegistryProblem.objects.filter(registry=registry)
    }
    lines = {
        (line.row_number, line.line_id, line.status, line.person_id, line.hold_reason)
        for line in ServiceLine.objects.filter(registry=registry)
    }
    return problems, lines


def test_sample_registry_loads_three_lines_then_three_duplicates(roster, frozen, capsys):
    call_command("import_registry", str(SAMPLES / "registry_small.csv"))
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "loaded=3 held=0 rejected=0 duplicates=0"
    )
    call_command("import_registry", str(SAMPLES / "registry_small.csv"))
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "loaded=0 held=0 rejected=0 duplicates=3"
    )
    assert ServiceLine.objects.filter(status=ServiceLine.Status.LOADED).count() == 3


def test_mixed_file_sorts_every_row(roster, emergency_sidorova, frozen, tmp_path):
    registry = run(write_registry(tmp_path / "mixed.csv", mixed_rows()))
    assert registry.status == ServiceRegistry.Status.DONE
    assert counts(registry) == (3, 6, 7, 1)
    problems = {(p.row_number, p.kind, p.column): p.reason for p in registry.problems.all()}
    assert problems[(4, "rejected", "Дата услуги")].startswith("Неверная дата «31.02.2026»")
    assert problems[(5, "rejected", "Сумма")].startswith("Сумма 3.00 не равна")
    assert problems[(6, "rejected", "Дата услуги")] == "Дата услуги в будущем"
    assert problems[(7, "rejected", "Цена")] == "Цена не может быть отрицательной"
    assert problems[(8, "rejected", "Наименование услуги")] == "Не заполнено обязательное поле"
    assert problems[(9, "rejected", "Цена")] == "Больше двух знаков после запятой"
    assert problems[(10, "held", "Номер полиса")] == "Полис не найден в списке застрахованных"
    assert problems[(11, "held", "Фамилия")].startswith("Фамилия не совпадает")
    assert problems[(12, "held", "Дата рождения")].startswith("Дата рождения не совпадает")
    assert problems[(13, "held", "Дата услуги")] == "Франшиза не активирована на дату услуги"
    assert problems[(14, "held", "Дата услуги")] == "Франшиза не активирована на дату услуги"
    assert problems[(15, "held", "Номер полиса")].endswith("программу экстренной помощи")
    assert (17, "rejected", "Дата услуги") in problems
    assert not any(row == 16 for row, _, _ in problems)  # a duplicate is counted, not a problem
    loaded = ServiceLine.objects.filter(status="loaded")
    assert sorted(loaded.values_list("line_id", flat=True)) == ["A-1", "A-2", "A-3"]
    assert loaded.get(line_id="A-1").service_date == dt.date(2026, 10, 15)  # the first A-1 won
    assert ServiceLine.objects.filter(status="held").count() == 6


def test_reimport_is_idempotent_and_held_lines_load_after_the_roster_is_fixed(
    roster, emergency_sidorova, frozen, tmp_path
):
    path = write_registry(tmp_path / "mixed.csv", mixed_rows())
    run(path)
    again = run(path)
    assert counts(again) == (0, 6, 7, 4)
    assert ServiceLine.objects.count() == 9  # 3 loaded + 6 held, no copies

    activate(roster["petrov"], effective=dt.date(2026, 1, 1))
    third = run(path)
    assert counts(third) == (1, 5, 7, 4)
    assert ServiceLine.objects.get(line_id="H-4").status == "loaded"
    assert ServiceLine.objects.get(line_id="H-4").person == roster["petrov"]


def test_cp1251_with_commas_and_english_headers_gives_the_same_counts(
    roster, emergency_sidorova, frozen, tmp_path
):
    path = write_registry(
        tmp_path / "mixed-1251.csv",
        mixed_rows(),
        delimiter=",",
        encoding="cp1251",
        header=[h.upper() for h in HEADER_EN],
    )
    registry = run(path)
    assert counts(registry) == (3, 6, 7, 1)
    assert ServiceLine.objects.get(line_id="A-2").last_name == "Иванова"


def test_utf8_bom_file_reads(roster, frozen, tmp_path):
    path = write_registry(tmp_path / "bom.csv", [line("A-1")], encoding="utf-8-sig")
    assert counts(run(path)) == (1, 0, 0, 0)


def test_xlsx_with_excel_date_cells(roster, frozen, tmp_path):
    from openpyxl import Workbook

    from .conftest import HEADER_RU

    wb = Workbook()
    ws = wb.active
    ws.append(list(reversed(HEADER_RU)))  # columns in any order
    row = line("X-1", qty="2", price="2500,00", amount="5000,00")
    row[8] = dt.date(1985, 1, 1)
    row[9] = dt.datetime(2026, 10, 16)
    row[12], row[13], row[14] = 2, 2500, 5000
    ws.append(list(reversed(row)))
    bad = line("X-2")
    bad[9] = "не дата"
    ws.append(list(reversed(bad)))
    path = tmp_path / "registry.xlsx"
    wb.save(path)
    registry = run(path)
    assert counts(registry) == (1, 0, 1, 0)
    loaded = ServiceLine.objects.get(line_id="X-1")
    assert loaded.service_date == dt.date(2026, 10, 16)
    assert str(loaded.amount) == "5000.00"
    assert registry.problems.get().row_number == 3


def test_unreadable_file_fails_the_command(roster, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_text("это не реестр\n1;2;3\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="В заголовке нет колонок"):
        call_command("import_registry", str(path))
    registry = ServiceRegistry.objects.get()
    assert registry.status == ServiceRegistry.Status.FAILED
    assert ServiceLine.objects.count() == 0


def test_a_crash_midway_leaves_nothing_loaded(roster, frozen, tmp_path, monkeypatch):
    from invoices.registry import load, load_sql

    path = write_registry(tmp_path / "r.csv", [line(f"A-{n}") for n in range(2500)])
    registry = registry_create(path=path)
    calls = {"n": 0}
    original = ServiceLine.objects.bulk_create

    def exploding(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(load.ServiceLine.objects, "bulk_create", exploding)
    monkeypatch.setattr(load, "BATCH", 1000)
    if connection.vendor == "postgresql":
        monkeypatch.setattr(load_sql, "load_staged", lambda *a, **k: 1 / 0)
    with pytest.raises((RuntimeError, ZeroDivisionError)):
        registry_import(registry_id=registry.pk)
    assert ServiceLine.objects.count() == 0
    assert ServiceRegistry.objects.get(pk=registry.pk).status == ServiceRegistry.Status.RUNNING
    monkeypatch.undo()
    done = registry_import(registry_id=registry.pk)  # the retry imports it whole
    assert counts(done) == (2500, 0, 0, 0)


def edge_rows():
    """Values where two implementations could drift apart."""
    return [
        line("E-1", date="2026-10-15", birth="1985-01-01"),  # ISO dates
        line("E-2", qty="0"),
        line("E-3", qty="1.5"),
        line("E-4", qty="99999999999999"),
        line("E-5", qty="3", price=" 1 000,50 ", amount="3\u00a0001,50"),
        line("E-6", date="29.02.2024"),  # a leap day: valid, before activation → held
        line("E-7", date="29.02.2026"),
        line("E-8", birth="00.01.1985"),
        line("E-9", birth="01.01.0000"),
        line("E-10", price="abc", amount="1e3"),
        line("E-11", price="12345678901,00", amount="12345678901,00"),
        line("E-12", last="  Иванов  ", first="ИВАН"),
        line("x" * 65),
        line("E-14", date="1.2.2026"),
        line("E-15", price="-0,00", amount="0"),
        line("E-16", qty="2", price="0,5", amount="1"),
        line("E-17", qty="2", price="0,50", amount="1,10"),
        ["", "", "", "", "", "", "", "", "", "", "", "", "", "", ""][:14] + ["  "],
        line("E-18", date="15.10.2026 "),
        line("E-19", last="Иванов-Петров", birth="31.04.1985"),
    ]


def broken_rows():
    """A row for every rule and message of invoices/registry/fields.py."""
    return [
        line("K-1", clinic=""),  # text: required
        line("K-2", patronymic=""),  # text: optional, empty is fine
        line("K-3", name="У" * 501),  # text: too long
        line("K-4", policy="P" * 33),  # text: too long (another limit)
        line("K-5", birth=""),  # date: required
        line("K-6", date="abc"),  # date: not a date
        line("K-7", date="9" * 150),  # date: the quoted value is cut
        line("K-8", birth="01.01.2030"),  # date: birth in the future
        line("K-9", date="21.11.2026"),  # date: service in the future
        line("K-10", qty=""),  # count: required
        line("K-11", qty="-1"),  # count: not a whole number ≥ 1
        line("K-12", qty="100001", amount="100001,00"),  # count: too many
        line("K-13", price=""),  # money: required
        line("K-14", price="1,2,3"),  # money: not a number
        line("K-15", price="1,005", amount="1,01"),  # money: three decimals
        line("K-16", price="-1,00", amount="1,00"),  # money: negative price
        line("K-17", price="1,00", amount="-1,00"),  # money: negative amount
        line("K-18", price="10000000000,00"),  # money: too big
        line("K-19", qty="3", price="1,00", amount="2,00"),  # the product
        ["", "R-1", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # many at once
        line("K-21"),  # loaded
    ]


@pytest.mark.parametrize("rows", [mixed_rows, edge_rows, broken_rows])
def test_postgres_copy_path_and_batched_path_agree(
    postgres, roster, emergency_sidorova, frozen, tmp_path, rows, caplog
):
    path = write_registry(tmp_path / "mixed.csv", rows())
    if rows is not mixed_rows:
        with caplog.at_level("INFO"):
            fast = run(path, fast=True)
        assert "COPY refused" not in caplog.text  # the SQL validation really ran
        fast_outcome = outcomes(fast)
        ServiceLine.objects.all().delete()
        slow = run(path, fast=False)
        assert counts(fast) == counts(slow)
        assert fast_outcome == outcomes(slow)
        if rows is broken_rows:
            assert counts(fast) == (2, 0, 19, 0)
            reasons = {reason for _, kind, _, reason in fast_outcome[0]}
            assert len(reasons) == 15  # every message of the rules, in both paths alike
        return
    fast = run(path, fast=True)
    fast_outcome = outcomes(fast)
    ServiceLine.objects.all().delete()
    slow = run(path, fast=False)
    assert counts(fast) == counts(slow) == (3, 6, 7, 1)
    assert fast_outcome == outcomes(slow)
    # and the second import of each path also agrees (held lines re-matched in place)
    assert counts(run(path, fast=True)) == (0, 6, 7, 4)
    assert counts(run(path, fast=False)) == (0, 6, 7, 4)


def test_a_ragged_file_falls_back_to_row_by_row_reading(postgres, roster, frozen, tmp_path, caplog):
    path = write_registry(tmp_path / "ragged.csv", [line("A-1"), line("A-2")[:10], line("A-3")])
    with caplog.at_level("INFO"):
        registry = run(path, fast=True)
    assert "COPY refused" in caplog.text
    assert counts(registry) == (2, 0, 1, 0)
    assert set(registry.problems.values_list("row_number", flat=True)) == {3}

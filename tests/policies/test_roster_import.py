import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from audit.models import AuditEntry
from policies.models import InsuredPerson, RosterImport
from policies.services.roster_import import RosterFileError, roster_import

pytestmark = pytest.mark.django_db

HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Номер полиса",
    "Табельный номер",
    "Категория",
    "Полис сотрудника",
    "Программа",
    "Телефон",
]
GOOD = [
    # A relative before her employee: order in the file does not matter.
    ["Смирнова", "Ольга", "Ивановна", "03.04.2012", "R-0002", "", "Родственник", "R-0001",
     "Полная", ""],
    ["Смирнов", "Иван", "Петрович", "1980-02-01", "R-0001", "2001", "Сотрудник", "",
     "", "8 (999) 111-22-33"],
    ["Кузнецов", "Алексей", "", "12.12.1975", "R-0003", "2003", "сотрудник", "",
     "Экстренная", "+7 999 444-55-66"],
]  # fmt: skip


def csv_bytes(rows, encoding="utf-8", delimiter=";") -> bytes:
    lines = [delimiter.join(HEADER), *(delimiter.join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def load(contract, data, name="roster.csv"):
    return roster_import(contract=contract, data=data, file_name=name)


def test_good_rows_load_with_relatives_linked_to_their_employee(demo):
    report = load(demo["contract"], csv_bytes(GOOD))

    assert (report.created, report.updated, report.rejected) == (3, 0, 0)
    employee = InsuredPerson.objects.get(policy_number="R-0001")
    relative = InsuredPerson.objects.get(policy_number="R-0002")
    emergency = InsuredPerson.objects.get(policy_number="R-0003")
    assert relative.sponsor == employee and relative.category == "relative"
    assert employee.birth_date == dt.date(1980, 2, 1)
    assert employee.phone == "+79991112233"
    assert employee.last_name_norm == "смирнов"
    assert employee.policy_start == demo["contract"].starts_on
    assert emergency.program.kind == "emergency"
    assert AuditEntry.objects.filter(action="roster.import").count() == 1


def test_loading_the_same_file_again_changes_nothing(demo):
    load(demo["contract"], csv_bytes(GOOD))
    before = list(InsuredPerson.objects.order_by("pk").values())
    report = load(demo["contract"], csv_bytes(GOOD))
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 3, 0)
    assert list(InsuredPerson.objects.order_by("pk").values()) == before


def test_a_changed_row_updates_the_person_but_keeps_his_account(demo, petrov_user):
    rows = [["Петров", "Пётр", "Петрович", "15.05.1990", "DMS-0003", "1003", "Сотрудник", "",
             "Экстренная", "+79990000003"]]  # fmt: skip
    report = load(demo["contract"], csv_bytes(rows))
    assert (report.created, report.updated) == (0, 1)
    petrov = InsuredPerson.objects.get(policy_number="DMS-0003")
    assert petrov.program.kind == "emergency" and petrov.user == petrov_user


def test_bad_rows_are_reported_with_row_column_and_reason_and_good_rows_still_load(demo):
    bad = [
        ["", "Пустая", "", "01.01.1990", "B-1", "", "Сотрудник", "", "", ""],
        ["Датов", "Дата", "", "31.02.1990", "B-2", "", "Сотрудник", "", "", ""],
        ["Категорий", "Нет", "", "01.01.1990", "B-3", "", "Начальник", "", "", ""],
        ["Сирота", "Без", "", "01.01.2015", "B-4", "", "Родственник", "NO-SUCH", "", ""],
        ["Телефонов", "Тел", "", "01.01.1990", "B-5", "", "Сотрудник", "", "", "12345"],
        ["Смирнов", "Двойник", "", "01.01.1990", "R-0001", "", "Сотрудник", "", "", ""],
        ["Программов", "Прог", "", "01.01.1990", "B-6", "", "Сотрудник", "", "VIP", ""],
        ["Чужой", "Полис", "", "01.01.2015", "B-7", "", "Родственник", "DMS-0002", "", ""],
    ]
    report = load(demo["contract"], csv_bytes(GOOD + bad))

    assert (report.created, report.rejected) == (3, 8)
    assert {(e["row"], e["column"]) for e in report.errors} == {
        (5, "Фамилия"),
        (6, "Дата рождения"),
        (7, "Категория"),
        (8, "Полис сотрудника"),
        (9, "Телефон"),
        (10, "Номер полиса"),
        (11, "Программа"),
        (12, "Полис сотрудника"),
    }
    reasons = {e["row"]: e["reason"] for e in report.errors}
    assert reasons[5] == "не заполнено"
    assert "ДД.ММ.ГГГГ" in reasons[6]
    assert reasons[8] == "сотрудник с полисом NO-SUCH не найден"
    assert reasons[10] == "повторяет строку 3"
    assert reasons[12] == "полис DMS-0002 принадлежит не сотруднику"
    assert not InsuredPerson.objects.filter(policy_number__startswith="B-").exists()
    assert RosterImport.objects.get().rejected == 8


def test_a_relative_of_a_rejected_employee_points_at_that_row(demo):
    rows = [
        ["Папин", "Папа", "", "не дата", "P-1", "", "Сотрудник", "", "", ""],
        ["Папина", "Дочь", "", "01.01.2015", "P-2", "", "Родственник", "P-1", "", ""],
    ]
    report = load(demo["contract"], csv_bytes(rows))
    assert report.rejected == 2
    assert report.errors[-1] == {
        "row": 3,
        "column": "Полис сотрудника",
        "reason": "сотрудник с полисом P-1 не загружен (ошибка в строке 2)",
    }


def test_xlsx_with_date_and_number_cells_loads(demo):
    rows = [list(r) for r in GOOD]
    rows[1][3] = dt.datetime(1980, 2, 1)
    rows[1][5] = 2001  # a number cell: the employee number is the text "2001"
    report = load(demo["contract"], xlsx_bytes(rows), "roster.xlsx")
    assert (report.created, report.rejected) == (3, 0)
    employee = InsuredPerson.objects.get(policy_number="R-0001")
    assert employee.employee_number == "2001"
    assert employee.birth_date == dt.date(1980, 2, 1)


def test_cp1251_csv_with_commas_loads(demo):
    report = load(demo["contract"], csv_bytes(GOOD, encoding="cp1251", delimiter=","))
    assert (report.created, report.rejected) == (3, 0)
    assert InsuredPerson.objects.filter(last_name="Смирнова").exists()


def test_a_policy_of_another_contract_is_rejected(demo):
    from policies.models import Contract, Program

    other = Contract.objects.create(
        employer=demo["employer"],
        number="ДМС-2026-002",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    Program.objects.create(contract=other, kind="full", name="Полная")
    rows = [["Петров", "Пётр", "", "15.05.1990", "DMS-0003", "", "Сотрудник", "", "", ""]]
    report = load(other, csv_bytes(rows))
    assert report.errors == [
        {"row": 2, "column": "Номер полиса", "reason": "полис уже числится по другому договору"}
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "пуст"),
        (b"a;b;c\n1;2;3\n", "x.csv", "Нет обязательных столбцов: Фамилия"),
        (b"not a workbook", "x.xlsx", "не является книгой Excel"),
    ],
)
def test_unreadable_files_load_nothing(demo, data, name, message):
    with pytest.raises(RosterFileError, match=message):
        load(demo["contract"], data, name)
    assert not RosterImport.objects.exists()


def test_import_roster_command_prints_errors_and_a_summary(demo, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD + [["X", "Y", "", "bad", "Z-1", "", "Сотрудник", "", "", ""]]))
    call_command("import_roster", str(path), "--contract", "ДМС-2026-001")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("строка 5, «Дата рождения»")
    assert lines[-1] == "created=3 updated=0 unchanged=0 rejected=1"


def test_import_roster_command_fails_on_unknown_contract_or_file(demo, tmp_path):
    with pytest.raises(CommandError, match="не найден"):
        call_command("import_roster", str(tmp_path / "x.csv"), "--contract", "NOPE")
    with pytest.raises(CommandError, match="не читается"):
        call_command("import_roster", str(tmp_path / "x.csv"), "--contract", "ДМС-2026-001")

"""The restore drill's verdict (scripts/restore_drill.py; the drill itself runs in CI through
`make restore-drill`): any difference between source and restore is a mismatch."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "restore_drill.py"
spec = importlib.util.spec_from_file_location("restore_drill", SCRIPT)
drill = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drill)

TABLES = {table: (3, f"digest-{table}") for table in drill.KEY_TABLES.values()}
FILES = {"invoices/2026/10/schet-1.pdf": "aa", "registries/2026/10/r.csv": "bb"}


def _compare(**changes):
    args = {
        "source": dict(TABLES),
        "restored": dict(TABLES),
        "source_files": dict(FILES),
        "restored_files": dict(FILES),
        "referenced": set(FILES),
    }
    args.update(changes)
    return drill.compare(**args)


def test_an_identical_restore_matches():
    assert _compare() == []


def test_a_lost_row_is_a_mismatch():
    restored = {**TABLES, "payments_payment": (2, "other")}
    assert _compare(restored=restored) == ["table payments_payment differs: 3 rows vs 2"]


def test_a_changed_row_with_the_same_count_is_a_mismatch():
    restored = {**TABLES, "invoices_invoice": (3, "other")}
    assert _compare(restored=restored) == [
        "table invoices_invoice differs: same count, different rows"
    ]


def test_a_missing_table_is_a_mismatch():
    restored = {k: v for k, v in TABLES.items() if k != "accounts_consentrecord"}
    assert _compare(restored=restored) == ["table accounts_consentrecord missing from the restore"]


def test_a_missing_or_changed_file_is_a_mismatch():
    restored_files = {"invoices/2026/10/schet-1.pdf": "changed"}
    assert _compare(restored_files=restored_files) == [
        "file invoices/2026/10/schet-1.pdf differs (SHA-256)",
        "file registries/2026/10/r.csv missing from the restored media",
    ]


def test_an_empty_drill_proves_nothing():
    empty = {**TABLES, "payments_payment": (0, "x")}
    assert _compare(source=empty, restored=empty, referenced=set()) == [
        "payments (payments_payment): no rows in the source, nothing proven",
        "no stored files referenced by any row, nothing proven",
    ]


def test_a_stray_file_in_only_one_folder_is_a_mismatch():
    restored_files = {**FILES, "invoices/extra.pdf": "cc"}
    assert _compare(restored_files=restored_files) == [
        "file invoices/extra.pdf in only one of the two media folders"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", 15),
        ("pg_restore (PostgreSQL) 16.4", 16),
        ("150020", 15),
    ],
)
def test_versions_are_read_as_major_numbers(text, expected):
    assert drill.major(text) == expected

"""Loading clinic price lists (SPEC §3.8, samples/PRICELIST_FORMAT.md) into clinics'
ServicePrice, the prices «Стоимость услуги» shows and «Цена выше обычной» compares with.

A price list is a clinic file like a registry, so it goes through the registry's reading
(read.py: XLSX/CSV, encodings, headers by name) and field checks (check.py, fields.py) with
its own columns and rules. It lives here rather than in clinics because clinics may not import
invoices; the rows it writes are clinic reference data, hence clinics' models.

Every row ends loaded (new or changed price), unchanged (the same price is already there),
rejected (a bad value or an unknown clinic) or duplicate (the same clinic, service code and
«Действует с» earlier in the file). Loading is idempotent twice over: the same file (by
SHA-256) is not loaded again, and a row equal to a stored price changes nothing.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.db import transaction

from clinics.models import Clinic, PriceList, PriceListProblem, ServicePrice
from dms_portal import clock
from dms_portal.search import stems_column

from .registry.check import values_check
from .registry.fields import MAX_MONEY, FieldRule
from .registry.read import Layout, RegistryReadError, open_registry

PRICELIST = Layout(
    {
        "clinic_code": ("Код ЛПУ", "clinic_code"),
        "service_code": ("Код услуги", "service_code"),
        "service_name": ("Наименование услуги", "service_name"),
        "price": ("Цена", "price"),
        "valid_from": ("Действует с", "valid_from"),
    }
)
RULES = (
    FieldRule("clinic_code", "text", max_len=32, title="Код ЛПУ"),
    FieldRule("service_code", "text", max_len=64, title="Код услуги"),
    FieldRule("service_name", "text", max_len=500, title="Наименование услуги"),
    FieldRule(
        "price",
        "money",
        max_value=MAX_MONEY,
        negative="Цена не может быть отрицательной",
        title="Цена",
    ),
    # A list may be sent ahead of the day it starts: «Действует с» may be in the future.
    FieldRule("valid_from", "date", future_ok=True, title="Действует с"),
)
assert tuple(rule.name for rule in RULES) == PRICELIST.fields, "one rule per column, in order"

MAX_ROWS = 100_000  # a clinic's price list has thousands of services; more is not a price list
UNKNOWN_CLINIC = "Клиники с кодом «{code}» нет в справочнике клиник"
DUPLICATE = "Повтор строки {first}: та же клиника, код услуги и дата «Действует с»"
KEY_FIELDS = ("clinic", "service_code", "valid_from")


class PriceListError(Exception):
    """The file cannot be read as a price list at all (nothing was loaded)."""


@dataclass
class PriceListCounts:
    loaded: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0

    def line(self) -> str:
        return (
            f"loaded={self.loaded} unchanged={self.unchanged} "
            f"rejected={self.rejected} duplicates={self.duplicates}"
        )


def pricelist_counts(price_list: PriceList) -> PriceListCounts:
    return PriceListCounts(
        price_list.loaded, price_list.unchanged, price_list.rejected, price_list.duplicates
    )


def pricelist_load(*, file: File, original_name: str = "") -> tuple[PriceList, bool]:
    """Load a price list (an admin upload or an opened file). Returns the PriceList and whether
    the same file had been loaded before (then nothing changes). Raises PriceListError."""
    name = original_name or Path(file.name or "pricelist").name
    digest = hashlib.sha256()
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx") else ""
    # The reader wants a path (calamine opens XLSX by path): an upload may live in memory.
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in file.chunks():
            digest.update(chunk)
            copy.write(chunk)
        copy.flush()
        sha = digest.hexdigest()
        earlier = PriceList.objects.filter(sha256=sha).first()
        if earlier is not None:
            return earlier, True
        rows = _read(copy.name)
        with transaction.atomic():
            price_list = PriceList.objects.create(
                original_name=name[:255], sha256=sha, rows_total=len(rows)
            )
            counts = _load_rows(price_list, rows)
            PriceList.objects.filter(pk=price_list.pk).update(
                loaded=counts.loaded,
                unchanged=counts.unchanged,
                rejected=counts.rejected,
                duplicates=counts.duplicates,
            )
    price_list.refresh_from_db()
    return price_list, False


def pricelist_load_path(*, path: str | Path) -> tuple[PriceList, bool]:
    path = Path(path)
    with path.open("rb") as fh:
        return pricelist_load(file=File(fh, name=path.name), original_name=path.name)


def _read(path: str) -> list[tuple[int, tuple]]:
    try:
        source = open_registry(path, PRICELIST)
        rows = []
        for row in source.rows():
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise PriceListError(f"Слишком много строк: больше {MAX_ROWS:,}".replace(",", " "))
    except RegistryReadError as exc:
        raise PriceListError(str(exc)) from exc
    return rows


def _load_rows(price_list: PriceList, rows: list[tuple[int, tuple]]) -> PriceListCounts:
    """Check every row, then write the new and changed prices in one upsert."""
    today = clock.moscow_today()
    counts = PriceListCounts()
    problems: list[PriceListProblem] = []
    checked: list[tuple[int, dict]] = []
    for number, values in rows:
        parsed, row_problems = values_check(RULES, values, today)
        if row_problems:
            counts.rejected += 1
            problems += [
                PriceListProblem(
                    price_list=price_list, row_number=number, column=col, reason=reason[:500]
                )
                for col, reason in row_problems
            ]
        else:
            checked.append((number, parsed))
    codes = {row["clinic_code"] for _, row in checked}
    clinic_ids = dict(Clinic.objects.filter(code__in=codes).values_list("code", "id"))
    first_of: dict[tuple, int] = {}
    good: dict[tuple, dict] = {}
    for number, row in checked:
        clinic_id = clinic_ids.get(row["clinic_code"])
        if clinic_id is None:
            counts.rejected += 1
            reason = UNKNOWN_CLINIC.format(code=row["clinic_code"][:100])
            problems.append(
                PriceListProblem(
                    price_list=price_list, row_number=number, column="Код ЛПУ", reason=reason
                )
            )
            continue
        key = (clinic_id, row["service_code"], row["valid_from"])
        if key in first_of:
            counts.duplicates += 1
            reason = DUPLICATE.format(first=first_of[key])
            problems.append(
                PriceListProblem(price_list=price_list, row_number=number, reason=reason)
            )
            continue
        first_of[key] = number
        good[key] = row
    PriceListProblem.objects.bulk_create(problems, batch_size=1000)
    stored = _stored(good)
    changed = []
    for key, row in good.items():
        price: Decimal = row["price"]
        if stored.get(key) == (price, row["service_name"]):
            counts.unchanged += 1
            continue
        counts.loaded += 1
        changed.append(
            ServicePrice(
                clinic_id=key[0],
                service_code=key[1],
                valid_from=key[2],
                service_name=row["service_name"],
                price=price,
                price_list=price_list,
                # bulk_create skips save(): the stems are set here.
                search_stems=stems_column(row["service_name"]),
            )
        )
    ServicePrice.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=list(KEY_FIELDS),
        update_fields=["service_name", "price", "price_list", "search_stems"],
    )
    return counts


def _stored(good: dict[tuple, dict]) -> dict[tuple, tuple[Decimal, str]]:
    """The prices already stored under the file's keys: (price, name) by key."""
    if not good:
        return {}
    clinics = {key[0] for key in good}
    days = {key[2] for key in good}
    found = ServicePrice.objects.filter(clinic_id__in=clinics, valid_from__in=days).values_list(
        "clinic_id", "service_code", "valid_from", "price", "service_name"
    )
    return {(c, code, day): (price, name) for c, code, day, price, name in found.iterator()}

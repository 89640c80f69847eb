"""Fixtures of the invoices tests: the demo roster with activations, registry files, a frozen
clock after the sample registry's dates."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine

from franchise.models import FranchiseActivation
from invoices.registry.read import COLUMNS
from policies.models import Program

HEADER_RU = [names[0] for names in COLUMNS.values()]
HEADER_EN = [names[1] for names in COLUMNS.values()]
SAMPLES = Path("/work/shared/samples")
if not SAMPLES.exists():  # in CI the repository sits beside ../shared
    SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

ACTIVE_FROM = dt.date(2026, 1, 12)


def activate(person, effective=ACTIVE_FROM):
    return FranchiseActivation.objects.get_or_create(
        person=person,
        period_start=person.policy_start,
        defaults={
            "period_end": person.policy_end,
            "requested_at": dt.datetime.combine(
                effective - dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC
            ),
            "effective_date": effective,
            "consent_version": "test",
            "consent_text_hash": "0" * 64,
        },
    )[0]


@pytest.fixture
def roster(demo):
    """SPEC §4's roster: Иванов and his child activated from 12.01.2026, Петров not."""
    activate(demo["ivanov"])
    activate(demo["ivanova"])
    return demo


@pytest.fixture
def frozen():
    """20.11.2026 12:00 Moscow: after the sample registry's October dates."""
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def emergency_sidorova(roster):
    sidorova = roster["sidorova"]
    sidorova.program = Program.objects.get(contract=sidorova.contract, kind=Program.Kind.EMERGENCY)
    sidorova.save()
    activate(sidorova)
    return sidorova


def line(
    line_id,
    policy="DMS-0001",
    last="Иванов",
    first="Иван",
    birth="01.01.1985",
    date="15.10.2026",
    qty="1",
    price="1,00",
    amount=None,
    name="Приём врача",
    clinic="7701000001",
    patronymic="Иванович",
):
    return [
        "R-1",
        clinic,
        "Клиника «Здоровье»",
        line_id,
        policy,
        last,
        first,
        patronymic,
        birth,
        date,
        "B01.047.001",
        name,
        qty,
        price,
        amount if amount is not None else price,
    ]


def write_registry(path: Path, rows, *, delimiter=";", encoding="utf-8", header=None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or HEADER_RU)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path

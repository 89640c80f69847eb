"""The demo seed makes exactly SPEC §4's invoices through the real services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from invoices.demo import seed_invoices
from invoices.models import DepositEntry, Invoice, ServiceLine, ServiceRegistry
from invoices.services.deposit import deposit_balance

from .conftest import SAMPLES

pytestmark = pytest.mark.django_db

SEED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def snapshot():
    return sorted(
        Invoice.objects.values_list(
            "number",
            "person__policy_number",
            "payer__policy_number",
            "copay_total",
            "deposit_applied",
            "amount_due",
            "status",
        )
    )


def test_seed_makes_the_spec_invoices_and_is_idempotent(roster):
    with time_machine.travel(SEED_AT, tick=False):
        seed_invoices()
        first = snapshot()
        seed_invoices()
        assert snapshot() == first
    assert first == [
        (
            "2026/09/1",
            "DMS-0001",
            "DMS-0001",
            Decimal("1.00"),
            Decimal("0.00"),
            Decimal("1.00"),
            "paid",
        ),
        (
            "2026/10/1",
            "DMS-0001",
            "DMS-0001",
            Decimal("0.80"),
            Decimal("0.00"),
            Decimal("0.80"),
            "new",
        ),
        (
            "2026/10/2",
            "DMS-0002",
            "DMS-0001",
            Decimal("1.00"),
            Decimal("0.50"),
            Decimal("0.50"),
            "new",
        ),
    ]
    paid = Invoice.objects.get(number="2026/09/1")
    assert paid.paid_at is not None and paid.lines.count() == 2
    current = Invoice.objects.get(number="2026/10/1")
    assert current.lines.count() == 4
    assert current.formed_at == SEED_AT - dt.timedelta(days=7)
    assert current.due_date > dt.date(2026, 11, 20)  # not overdue
    assert deposit_balance(roster["ivanova"]) == Decimal("0.00")
    assert list(DepositEntry.objects.values_list("kind", "amount")) == [
        ("payment", Decimal("0.50")),
        ("application", Decimal("-0.50")),
    ]
    assert ServiceRegistry.objects.count() == 1
    assert ServiceLine.objects.filter(status="billed").count() == 8


def test_sample_registry_after_seed_demo(roster, capsys, settings):
    settings.DEBUG = True
    with time_machine.travel(SEED_AT, tick=False):
        call_command("seed_demo")
        capsys.readouterr()
        call_command("import_registry", str(SAMPLES / "registry_small.csv"))
        assert capsys.readouterr().out.splitlines()[-1] == "loaded=3 held=0 rejected=0 duplicates=0"
        call_command("import_registry", str(SAMPLES / "registry_small.csv"))
        assert capsys.readouterr().out.splitlines()[-1] == "loaded=0 held=0 rejected=0 duplicates=3"

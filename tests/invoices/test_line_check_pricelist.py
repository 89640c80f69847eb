"""«Цена выше обычной» from a clinic's price list (SPEC §3.8, issue #15): a line priced above
the list valid on its service date is flagged; equal or below is not; a code without a list
is left to the usual-price rule."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from clinics.models import Clinic
from invoices.models import ServiceLine
from invoices.pricelist import pricelist_load
from invoices.registry.importer import registry_create, registry_import
from invoices.registry.linecheck import FLAGS, flags_of

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db

PRICES = (
    "Код ЛПУ;Код услуги;Наименование услуги;Цена;Действует с\n"
    "7701000001;B01.047.001;Приём врача-терапевта;1 000,00;01.01.2026\n"
    "7701000001;B01.047.001;Приём врача-терапевта;1 200,00;01.10.2026\n"
)


@pytest.fixture(params=[False, True], ids=["batched", "pipeline"])
def fast(request):
    if request.param and connection.vendor != "postgresql":
        pytest.skip("the COPY pipeline needs PostgreSQL")
    return request.param


@pytest.fixture
def price_list(roster):
    Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»")
    return pricelist_load(file=ContentFile(PRICES.encode(), name="prices.csv"))[0]


def test_a_price_above_the_list_valid_on_the_service_date_is_flagged(
    price_list, frozen, tmp_path, fast
):
    rows = [
        line("EQUAL", date="15.09.2026", price="1000,00"),
        line("ABOVE", date="16.09.2026", price="1000,01"),
        # Above the January list but below the October one that is valid on this date.
        line("NEWER", date="15.10.2026", price="1100,00"),
        line("ABOVE-NEWER", date="16.10.2026", price="1200,01"),
        line("BELOW", date="17.10.2026", price="900,00"),
        line("OTHER-CLINIC", date="18.10.2026", price="5000,00", clinic="7701000002"),
    ]
    path = write_registry(tmp_path / "r.csv", rows)
    registry = registry_import(registry_id=registry_create(path=path).pk, fast=fast)
    assert registry.status == "done", registry.error
    found = {sl.line_id: {f.label for f in flags_of(sl)} for sl in ServiceLine.objects.all()}
    assert found == {
        "EQUAL": set(),
        "ABOVE": {"Цена выше обычной"},
        "NEWER": set(),
        "ABOVE-NEWER": {"Цена выше обычной"},
        "BELOW": set(),
        "OTHER-CLINIC": set(),
    }


def test_the_flag_explains_the_price_list():
    price = next(flag for flag in FLAGS if flag.field == "flag_price")
    assert "прейскуранта клиники" in price.explanation

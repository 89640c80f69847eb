"""CWE-1236: a clinic's service name or a person's name that looks like a formula stays text
in «Файл» and «Выгрузить все счета» (the totals remain numbers)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/","Подробнее")'


@pytest.fixture
def hostile(demo):
    person = demo["ivanov"]
    person.last_name = "@SUM(1+1)"
    person.save(update_fields=["last_name"])
    user = make_user(person, phone="+79990000001")
    invoice = make_invoice(person, lines=((EVIL, "1000.00"), ("+79990000000", "500.00")))
    return user, invoice


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("which", ["one", "all"])
def test_hostile_text_is_a_string_cell_in_both_exports(client, hostile, which):
    user, invoice = hostile
    client.force_login(user)
    url = (
        reverse("invoices:xlsx", args=[invoice.pk])
        if which == "one"
        else reverse("invoices:export_xlsx")
    )
    cells = _cells(b"".join(client.get(url).streaming_content))
    by_value = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in (EVIL, "+79990000000"):
        assert by_value[text].data_type == "s", text
    name = next(v for v in by_value if v.startswith("@SUM"))
    assert by_value[name].data_type == "s"
    assert not [c for c in cells if c.data_type == "f"]

"""CWE-1236: a person's or employer's name that looks like a formula stays text in the
activations export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from franchise.exports import activations_xlsx
from franchise.models import FranchiseActivation

pytestmark = pytest.mark.django_db


def test_hostile_names_are_string_cells(demo):
    person = demo["ivanov"]
    person.last_name = '=HYPERLINK("http://evil.example/","x")'
    person.save(update_fields=["last_name"])
    employer = person.contract.employer
    employer.name = "+1+cmd|' /C calc'!A0"
    employer.save(update_fields=["name"])
    FranchiseActivation.objects.create(
        person=person,
        period_start=person.policy_start,
        period_end=person.policy_end,
        requested_at=dt.datetime(2026, 1, 11, 10, tzinfo=dt.UTC),
        effective_date=dt.date(2026, 1, 12),
        consent_version="-1",
        consent_text_hash="0" * 64,
    )
    sheet = load_workbook(io.BytesIO(activations_xlsx(FranchiseActivation.objects.all()))).active
    row = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert row[0].value == employer.name and row[0].data_type == "s"
    assert row[2].value.startswith("=HYPERLINK") and row[2].data_type == "s"
    assert row[11].value == "-1" and row[11].data_type == "s"
    assert row[3].is_date and row[3].number_format == "DD.MM.YYYY"

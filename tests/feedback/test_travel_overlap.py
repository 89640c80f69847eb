"""«Бонусный ВЗР»: a traveller's trips never overlap (issue #13: 15–18.12 was issued inside
10–20.12 and used limit days)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from feedback.models import BonusTravelPolicy

pytestmark = pytest.mark.django_db
TRAVEL = reverse("feedback:travel")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def trip(world, start, end, *, child=False):
    me, kid = world["ivanov"], world["ivanova"]
    data = {
        "countries": ["SCHENGEN"],
        "start_date": start,
        "end_date": end,
        f"t{me.pk}_include": "on",
        f"t{me.pk}_last": "Ivanov",
        f"t{me.pk}_first": "Ivan",
        f"t{kid.pk}_last": "IVANOVA",
        f"t{kid.pk}_first": "MARIIA",
    }
    if child:
        data = {k: v for k, v in data.items() if not k.startswith(f"t{me.pk}_include")}
        data[f"t{kid.pk}_include"] = "on"
    return data


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-12-15", "2026-12-18"), ("2026-12-05", "2026-12-10"), ("2026-12-20", "2026-12-25"),
     ("2026-12-01", "2026-12-31")],
)  # fmt: skip
def test_an_overlapping_trip_is_refused_with_a_clear_message(client, world, start, end):
    client.force_login(world["owner"])
    assert client.post(TRAVEL, trip(world, "2026-12-10", "2026-12-20")).status_code == 302
    page = client.post(TRAVEL, trip(world, start, end)).content.decode()
    assert "поездки по бонусному ВЗР не могут пересекаться" in page
    assert "10.12.2026–20.12.2026" in page
    assert BonusTravelPolicy.objects.count() == 1


def test_trips_side_by_side_and_another_travellers_trip_are_fine(client, world):
    client.force_login(world["owner"])
    assert client.post(TRAVEL, trip(world, "2026-12-10", "2026-12-20")).status_code == 302
    assert client.post(TRAVEL, trip(world, "2026-12-21", "2026-12-24")).status_code == 302
    # The child was not on the first trips: her own trip on the same dates is hers to take.
    assert (
        client.post(TRAVEL, trip(world, "2026-12-12", "2026-12-14", child=True)).status_code == 302
    )
    assert BonusTravelPolicy.objects.count() == 3

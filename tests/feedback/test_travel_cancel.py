"""«Бонусный ВЗР»: a policy can be cancelled before its trip starts; its days return to the
yearly limit (issue #13)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from feedback.models import BonusTravelPolicy
from feedback.travel.services import travel_days_used

pytestmark = pytest.mark.django_db
TRAVEL = reverse("feedback:travel")
JUNE_1 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def trip(world, start, end):
    me = world["ivanov"]
    return {
        "countries": ["SCHENGEN"],
        "start_date": start,
        "end_date": end,
        f"t{me.pk}_include": "on",
        f"t{me.pk}_last": "Ivanov",
        f"t{me.pk}_first": "Ivan",
    }


def test_cancel_before_the_trip_returns_the_days_and_frees_the_dates(client, world):
    client.force_login(world["owner"])
    with time_machine.travel(JUNE_1, tick=False):
        client.post(TRAVEL, trip(world, "2026-12-10", "2026-12-20"))
        policy = BonusTravelPolicy.objects.get()
        assert travel_days_used(person_id=world["ivanov"].pk, year=2026) == 11
        page = client.get(TRAVEL).content.decode()
        assert f"Отменить полис {policy.number}" in page
        response = client.post(reverse("feedback:travel_cancel", args=[policy.pk]), follow=True)
        assert "отменён, дни поездки вернулись в лимит" in response.content.decode()
        assert travel_days_used(person_id=world["ivanov"].pk, year=2026) == 0
        assert "Отменён" in client.get(TRAVEL).content.decode()
        # Its certificate is gone, and the same dates can be taken again.
        assert client.get(reverse("feedback:travel_pdf", args=[policy.pk])).status_code == 404
        assert client.post(TRAVEL, trip(world, "2026-12-15", "2026-12-18")).status_code == 302


def test_a_started_trip_or_someone_elses_policy_cannot_be_cancelled(
    client, world, django_user_model
):
    client.force_login(world["owner"])
    with time_machine.travel(JUNE_1, tick=False):
        client.post(TRAVEL, trip(world, "2026-06-05", "2026-06-08"))
    policy = BonusTravelPolicy.objects.get()
    with time_machine.travel(dt.datetime(2026, 6, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        assert f"Отменить полис {policy.number}" not in client.get(TRAVEL).content.decode()
        page = client.post(
            reverse("feedback:travel_cancel", args=[policy.pk]), follow=True
        ).content.decode()
        assert "отменить нельзя: поездка уже началась 05.06.2026" in page
        stranger = django_user_model.objects.create_user(phone="+79990007777", password="x")
        client.force_login(stranger)
        # Another user's id is a 404, as on every object URL (the access sweep checks it).
        response = client.post(reverse("feedback:travel_cancel", args=[policy.pk]))
        assert response.status_code == 404
    policy.refresh_from_db()
    assert policy.cancelled_at is None

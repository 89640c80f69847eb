import pytest
from django.contrib.auth import get_user_model

from clinics.demo import seed_clinics
from franchise.demo import seed_activations
from policies.models import Program


@pytest.fixture(autouse=True)
def no_quiet_hours(settings, tmp_path):
    """SMS go out at once whatever the hour of the run; uploads land in a per-test folder."""
    settings.NOTIFICATIONS_QUIET_HOURS = (0, 0)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(demo, ivanov_user, petrov_user, desk_group):
    """Иванов and his child are activated (from 12.01.2026); Петров's family is not. The demo
    clinic serves both programmes; a medical-desk user works the queue."""
    seed_activations()
    clinic = seed_clinics()["clinic"]
    desk = get_user_model().objects.create_user(
        phone="+79990000010", password="Desk-pass-2026!", is_staff=True
    )
    desk.groups.add(desk_group)
    return {**demo, "owner": ivanov_user, "stranger": petrov_user, "clinic": clinic, "desk": desk}


@pytest.fixture
def desk_group(staff_group):
    """The «Медпульт» group from the migration."""
    return staff_group("Медпульт")


def to_emergency(person) -> None:
    person.program = Program.objects.get(contract=person.contract, kind=Program.Kind.EMERGENCY)
    person.save(update_fields=["program"])

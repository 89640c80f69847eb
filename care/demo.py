"""Demo staff of the medical desk (SPEC §4): a «Медпульт» user for the admin queue."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DESK_PHONE = "+79990000010"
DESK_PASSWORD = "Medpult-2026!"  # noqa: S105 - the documented demo login
DESK_GROUP = "Медпульт"
LOGIN_LINE = f"Медпульт (администрирование /admin/): телефон {DESK_PHONE}, пароль {DESK_PASSWORD}"


def seed_medical_desk() -> dict:
    """Idempotent: the desk user exists once, is staff and in the «Медпульт» group."""
    user_model = get_user_model()
    user = user_model.objects.filter(phone=DESK_PHONE).first()
    if user is None:
        user = user_model.objects.create_user(
            DESK_PHONE,
            DESK_PASSWORD,
            email="medpult@example.com",
            first_name="Ольга",
            last_name="Медпультова",
            is_staff=True,
        )
    user.groups.add(Group.objects.get(name=DESK_GROUP))
    return {"desk_user": user}

"""Demo staff of SPEC §4: an operator, an expert and the medical desk, each with a TOTP second
factor whose secret is fixed here — development only, printed by seed_demo."""

from base64 import b32encode

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services.otp import totp_device_enroll
from care import demo as care_demo

STAFF = [
    # (phone, password, last name, first name, group, TOTP key in hex — DEVELOPMENT ONLY)
    ("+79990000011", "Operator-2026!", "Операторова", "Анна", "Операторы", "11" * 20),
    ("+79990000012", "Expert-2026!", "Экспертов", "Борис", "Эксперты", "12" * 20),
    (care_demo.DESK_PHONE, care_demo.DESK_PASSWORD, "", "", care_demo.DESK_GROUP, "10" * 20),
]


def seed_staff() -> dict:
    """Idempotent: each demo staff user exists once, in its group, with its demo TOTP key."""
    users = {}
    for phone, password, last_name, first_name, group, key in STAFF:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = User.objects.create_user(
                phone, password, first_name=first_name, last_name=last_name, is_staff=True
            )
        user.groups.add(Group.objects.get(name=group))
        if not TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
            totp_device_enroll(user=user, name="Демо (только для разработки)", key=key)
        users[group] = user
    return users


def login_lines() -> list[str]:
    lines = []
    for phone, password, _last, _first, group, key in STAFF:
        secret = b32encode(bytes.fromhex(key)).decode()
        lines.append(
            f"{group} (/admin/): телефон {phone}, пароль {password}, "
            f"TOTP-секрет {secret} (только для разработки)"
        )
    return lines

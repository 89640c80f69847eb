"""Staff second factor (TOTP, django-otp): enrolment of a device."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_log

from ..models import User


def totp_device_enroll(*, user: User, name: str, key: str | None = None) -> TOTPDevice:
    """A confirmed TOTP device replaces the user's previous ones (a lost phone is re-enrolled,
    the old secret stops working). `key` (hex) only for seed_demo's development secrets."""
    TOTPDevice.objects.filter(user=user).delete()
    extra = {"key": key} if key else {}
    device = TOTPDevice.objects.create(user=user, name=name, confirmed=True, **extra)
    audit_log(action="accounts.otp_enrolled", actor=None, target=user, device=device.pk)
    return device

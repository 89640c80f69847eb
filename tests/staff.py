"""Staff in the admin: a password and a TOTP token (django-otp). Tests log staff in with
`staff_login(client, user)` — force_login plus the session mark a verified token leaves — and
browser tests compute the current token with `totp_token(user)`."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_token(user) -> str:
    device = totp_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def staff_login(client, user):
    """force_login as an admin login with a verified second factor would leave the session."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

"""`manage.py otp_enroll PHONE`: gives a staff account a TOTP second factor for the admin."""

import io

import segno
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.phones import normalize_phone
from accounts.services.otp import totp_device_enroll


class Command(BaseCommand):
    help = (
        "Создаёт TOTP-устройство (второй фактор входа в /admin/) для сотрудника и печатает "
        "ссылку otpauth:// и QR-код для приложения-аутентификатора. Прежние устройства "
        "сотрудника удаляются."
    )

    def add_arguments(self, parser):
        parser.add_argument("phone")
        parser.add_argument("--no-qr", action="store_true", help="не печатать QR-код")

    def handle(self, *args, phone, no_qr=False, **options):
        normalized = normalize_phone(phone)
        user = User.objects.filter(phone=normalized).first() if normalized else None
        if user is None:
            raise CommandError(f"Пользователь с телефоном {phone} не найден.")
        if not user.is_staff:
            raise CommandError("Второй фактор нужен только сотрудникам (is_staff).")
        with transaction.atomic():
            device = totp_device_enroll(user=user, name="Аутентификатор")
        uri = device.config_url
        self.stdout.write(f"Сотрудник: {user.get_full_name()} ({user.phone})")
        self.stdout.write(f"Издатель: {settings.OTP_TOTP_ISSUER}")
        self.stdout.write(f"Ссылка для приложения: {uri}")
        if not no_qr:
            picture = io.StringIO()
            segno.make(uri, error="m").terminal(out=picture, compact=True)
            self.stdout.write(picture.getvalue())

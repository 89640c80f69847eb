"""The admin site: staff get in only with a password and a TOTP token (ASVS 5.0 V6.3.3).

A staff account without a confirmed TOTP device cannot pass the login form; an operator with
shell access enrolls one with `manage.py otp_enroll PHONE` (docs/security.md).
"""

from django import forms
from django.contrib import admin
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice


class PortalAdminLoginForm(OTPAdminAuthenticationForm):
    """Phone, password and the 6-digit code in one step. A staff member has one TOTP device
    (otp_enroll replaces the old one), so the form picks it instead of asking which."""

    otp_token = forms.CharField(
        label="Код из приложения-аутентификатора",
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}
        ),
    )
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": "Введите 6-значный код из приложения-аутентификатора.",
        "invalid_token": "Код неверный или устарел. Введите текущий код из приложения.",
        "device_required": (
            "Для входа нужен второй фактор, а он не подключён. Обратитесь к администратору "
            "(manage.py otp_enroll)."
        ),
        "n_failed_attempts": "Слишком много неверных кодов подряд. Подождите и попробуйте снова.",
        "verification_not_allowed": "Проверка кода временно недоступна. Попробуйте позже.",
    }

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        return device


class PortalAdminSite(OTPAdminSite):
    site_header = "ДМС портал: администрирование"
    site_title = "ДМС портал"
    login_form = PortalAdminLoginForm
    login_template = "admin/login_otp.html"

    def __init__(self, name="admin"):
        # Keep the usual instance name, so every reverse("admin:…") stays as it was.
        super().__init__(name)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the portal's own code only (trails, ledgers, generated reports):
    nobody adds, changes or deletes them in admin, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

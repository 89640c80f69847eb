"""Forms validate input only; the steps themselves are in services/."""

import re

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError

from dms_portal import clock
from dms_portal.dateinput import RU_DATE_FORMATS, ru_date_widget

from .models import User
from .phones import PhoneField
from .services import reauth

MSG_REQUIRED = "Заполните это поле."
MSG_PASSWORDS_DIFFER = "Пароли не совпадают."
MSG_CONSENT = "Чтобы зарегистрироваться, дайте согласие на обработку персональных данных."
MSG_LOGIN_FAILED = "Неверный номер телефона или пароль."


class PortalForm(forms.Form):
    """Bootstrap classes and Russian "required" messages on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", MSG_REQUIRED)
            field.error_messages["required"] = MSG_REQUIRED
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


def _validate_new_password(form: forms.Form, field: str, user: User | None) -> None:
    password = form.cleaned_data.get(field)
    if not password:
        return
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        form.add_error(field, exc)


class LoginForm(PortalForm):
    username = PhoneField(label="Номер телефона")
    password = forms.CharField(
        label="Пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember_me = forms.BooleanField(label="Запомнить меня", required=False)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        phone, password = data.get("username"), data.get("password")
        if phone and password:
            # The same message whether the phone is unknown or the password is wrong.
            self.user = authenticate(self.request, username=phone, password=password)
            if self.user is None:
                raise ValidationError(MSG_LOGIN_FAILED, code="invalid_login")
        return data


class RegistrationForm(PortalForm):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    # A text field, not type=date: a date picker shows the browser's own format (05/15/1990
    # in an English Chromium), while the portal always speaks ДД.ММ.ГГГГ.
    birth_date = forms.DateField(
        label="Дата рождения",
        input_formats=[*RU_DATE_FORMATS, "%d%m%Y"],
        widget=ru_date_widget(autocomplete="bday"),
        error_messages={"invalid": "Введите дату рождения в формате ДД.ММ.ГГГГ."},
    )
    number = forms.CharField(label="Полис / таб. номер", max_length=32)
    phone = PhoneField(label="Моб. телефон")
    email = forms.EmailField(
        label="E-mail",
        error_messages={"invalid": "Введите правильный адрес e-mail, например ivan@example.com."},
    )
    password1 = forms.CharField(
        label="Пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Повторите пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label="Я согласен и подтверждаю ознакомление с политикой обработки ПДн",
        error_messages={"required": MSG_CONSENT},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].error_messages["required"] = MSG_CONSENT
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["patronymic"].widget.attrs["autocomplete"] = "additional-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > clock.moscow_today() or value.year < 1900:
            raise ValidationError("Проверьте дату рождения.")
        return value

    def clean_number(self):
        value = " ".join(self.cleaned_data["number"].split())
        if not re.fullmatch(r"[\w\-/ .]+", value):
            raise ValidationError("Номер полиса или табельный номер: только буквы, цифры и «-».")
        return value

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", MSG_PASSWORDS_DIFFER)
        elif p1:
            probe = User(
                phone=data.get("phone") or "",
                email=data.get("email") or "",
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
            )
            _validate_new_password(self, "password1", probe)
        return data


class CodeForm(PortalForm):
    code = forms.CharField(label="Код из SMS", max_length=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        )

    def clean_code(self):
        value = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", value):
            raise ValidationError("Введите 6 цифр из SMS.")
        return value


class PhoneForm(PortalForm):
    phone = PhoneField(label="Номер телефона")


def _password_recheck(form, value: str) -> str:
    """«Текущий пароль» checked on the account's login counter (services.reauth); sets
    `form.locked` so that the view answers 429 once the account is locked."""
    try:
        reauth.password_recheck(request=form.request, user=form.user, password=value)
    except reauth.PasswordRecheckFailed as exc:
        form.locked = exc.locked
        raise ValidationError(exc.message) from exc
    return value


class CurrentPasswordForm(PortalForm):
    """A sensitive change asks for «Текущий пароль» again; wrong answers count like failed
    logins of the account (services.reauth). `locked` tells the view to answer 429."""

    password = forms.CharField(
        label="Текущий пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User | None = None, request=None, **kwargs):
        self.user = user
        self.request = request
        self.locked = False
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        # Checked last and only when the rest is valid: a typo in the new value costs no try.
        if "password" in data and not self.errors:
            try:
                _password_recheck(self, data["password"])
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class NewPhoneForm(CurrentPasswordForm):
    phone = PhoneField(label="Новый номер телефона")
    field_order = ["phone", "password"]

    def __init__(self, *args, **kwargs):
        # Two forms of «Личные данные» have «Текущий пароль»: their ids must differ.
        kwargs.setdefault("auto_id", "id_phone_change_%s")
        super().__init__(*args, **kwargs)


class SetPasswordForm(PortalForm):
    password1 = forms.CharField(
        label="Новый пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Повторите пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", MSG_PASSWORDS_DIFFER)
        else:
            _validate_new_password(self, "password1", self.user)
        return data


class PasswordChangeForm(SetPasswordForm):
    old_password = forms.CharField(
        label="Текущий пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.locked = False
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        return _password_recheck(self, self.cleaned_data["old_password"])


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label="Новый e-mail",
        error_messages={"invalid": "Введите правильный адрес e-mail, например ivan@example.com."},
    )
    field_order = ["email", "password"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_email_change_%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        value = self.cleaned_data["email"].strip().lower()
        if (
            self.user is not None
            and value == (self.user.email or "").lower()
            and (self.user.email_confirmed_at)
        ):
            raise ValidationError("Этот e-mail уже указан и подтверждён.")
        return value


class DigestForm(forms.Form):
    """The opt-out of the monthly e-mail: an unchecked box (absent from the POST) is «off»."""

    monthly_digest = forms.BooleanField(
        required=False, label="Присылать ежемесячную сводку «Ваш личный кабинет ДМС за …»"
    )

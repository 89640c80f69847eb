"""Russian mobile numbers as people type them, stored as E.164 (+7XXXXXXXXXX)."""

import re

from django import forms
from django.core.exceptions import ValidationError

PHONE_ERROR = "Введите номер мобильного телефона: 10 цифр после +7, например 999 123-45-67."


def normalize_phone(value: str) -> str | None:
    """'9991234567', '+7 999 123-45-67', '8 (999) 123 45 67' → '+79991234567'; else None.

    Only separators people actually type are skipped; letters make the number invalid.
    """
    text = (value or "").strip()
    if not text or re.search(r"[^\d\s()+\-.]", text) or text.count("+") > 1:
        return None
    if "+" in text and not text.startswith("+"):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if not digits.startswith("7") or len(digits) != 11:
            return None
        digits = digits[1:]
    elif len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] != "9":
        return None  # Russian mobile numbers are +7 9XX …
    return "+7" + digits


def format_phone(phone) -> str:
    """'+79991234567' → '+7 999 123-45-67' (how the number is shown back to people)."""
    digits = re.sub(r"\D", "", str(phone or ""))
    if len(digits) != 11:
        return str(phone or "")
    d = digits[1:]
    return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneField(forms.CharField):
    """A text input shown after a fixed «+7»; cleans to the E.164 string."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "tel",
                "autocomplete": "tel-national",
                "placeholder": "999 123-45-67",
            }
        )
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        phone = normalize_phone(value)
        if phone is None:
            raise ValidationError(PHONE_ERROR, code="invalid_phone")
        return phone


def axes_username(request, credentials=None) -> str:
    """django-axes counts failures per username: count every spelling of a number as one."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    raw = str(raw or "")
    return normalize_phone(raw) or raw

from django import forms

from .consent import CONSENT_LABEL


class ActivationForm(forms.Form):
    """The per-person activation form of «Мои полисы»: only the consent box."""

    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        required=True,
        error_messages={
            "required": "Чтобы активировать франшизу, отметьте «Я подтверждаю и даю согласие…»."
        },
    )

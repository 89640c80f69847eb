import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from dms_portal.dateinput import RU_DATE_FORMATS, RU_DATE_INVALID, ru_date_widget

from .models import Invoice

# A filter date outside these bounds is a typo (or a probe): refused with a message, because
# 0001-01-01 or 9999-12-31 at Moscow midnight does not fit a datetime in UTC.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
DATE_RANGE = f"Дата должна быть между {DATE_MIN:%d.%m.%Y} и {DATE_MAX:%d.%m.%Y}"


def filter_date() -> forms.DateField:
    return forms.DateField(
        required=False,
        input_formats=RU_DATE_FORMATS,
        widget=ru_date_widget(),
        error_messages={"invalid": RU_DATE_INVALID},
        validators=[
            MinValueValidator(DATE_MIN, message=DATE_RANGE),
            MaxValueValidator(DATE_MAX, message=DATE_RANGE),
        ],
    )


class MyInvoicesFilterForm(forms.Form):
    """Validates the filters; the page renders the controls itself (see the template)."""

    status = forms.ChoiceField(
        required=False, choices=[("", "Все статусы"), *Invoice.Status.choices]
    )
    person = forms.TypedChoiceField(required=False, coerce=int)
    date_from = filter_date()
    date_to = filter_date()

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Все"), *((p.pk, p.full_name) for p in people)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("Дата «с» позже даты «по»")
        return data


class SpendingYearForm(forms.Form):
    """The year of «Мои расходы» (?year=2026). Anything else — text, 1800, 3000 — is refused
    with a message the page shows; the bounds are FIRST_YEAR and next year."""

    year = forms.IntegerField(
        error_messages={
            "invalid": "Год указан неверно: выберите год из списка.",
            "required": "Выберите год.",
        }
    )

    def __init__(self, *args, bounds: tuple[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        low, high = bounds
        message = f"Год должен быть от {low} до {high}: выберите год из списка."
        self.fields["year"].validators += [
            MinValueValidator(low, message=message),
            MaxValueValidator(high, message=message),
        ]

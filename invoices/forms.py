from django import forms

from .models import Invoice


class MyInvoicesFilterForm(forms.Form):
    """Validates the filters; the page renders the controls itself (see the template)."""

    status = forms.ChoiceField(
        required=False, choices=[("", "Все статусы"), *Invoice.Status.choices]
    )
    person = forms.TypedChoiceField(required=False, coerce=int)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Все"), *((p.pk, p.full_name) for p in people)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("Дата «с» позже даты «по»")
        return data

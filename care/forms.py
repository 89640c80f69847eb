"""Forms validate input only; the steps live in services."""

from django import forms

from clinics.models import Clinic
from dms_portal.uploads import MultipleFileField, uploads_check
from policies.models import InsuredPerson


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = css


class DoctorRequestForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Застрахованный", queryset=InsuredPerson.objects.none(), empty_label=None
    )
    clinic = forms.ModelChoiceField(
        label="Клиника", queryset=Clinic.objects.none(), empty_label="— выберите клинику —"
    )
    specialty = forms.CharField(label="Специальность", max_length=200)
    desired_dates = forms.CharField(
        label="Желаемые даты",
        max_length=200,
        help_text="Например, «20–22 января, утром»",
    )
    comment = forms.CharField(
        label="Комментарий",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, people, clinics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.full_name
        self.fields["clinic"].queryset = clinics
        _bootstrap(self)


class SosForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Кому нужна помощь", queryset=InsuredPerson.objects.none(), empty_label=None
    )
    what_happened = forms.CharField(
        label="Что случилось", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label="Где вы", max_length=500)
    phone = forms.RegexField(
        label="Телефон для связи",
        regex=r"^\+?[0-9 ()\-]{10,20}$",
        max_length=32,
        error_messages={"invalid": "Введите номер телефона, например +7 999 000-00-00"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.full_name
        _bootstrap(self)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Причина", required=False, max_length=500)


class SupportForm(forms.Form):
    text = forms.CharField(
        label="Сообщение",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(label="Файлы (PDF, JPG, PNG)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_attachments(self):
        return uploads_check(self.cleaned_data["attachments"])

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("text") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError("Напишите сообщение или приложите файл")
        return data

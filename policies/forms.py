from django import forms

from .models import Contract


class RosterUploadForm(forms.Form):
    contract = forms.ModelChoiceField(
        label="Договор", queryset=Contract.objects.select_related("employer")
    )
    file = forms.FileField(
        label="Файл списка (XLSX или CSV)",
        help_text="Первая строка — заголовок: Фамилия, Имя, Отчество, Дата рождения, Номер полиса, "
        "Табельный номер, Категория, Полис сотрудника, Программа, Статус, Начало полиса, "
        "Окончание полиса, Телефон (см. policies/ROSTER_FORMAT.md).",
    )

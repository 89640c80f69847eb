import re

from django import forms

from dms_portal.dateinput import RU_DATE_FORMATS, RU_DATE_INVALID, ru_date_widget

from ..forms import bootstrap
from .countries import COUNTRIES
from .services import TravellerInput
from .translit import to_latin

LATIN_NAME = re.compile(r"^[A-Za-z]+(?:[ '\-][A-Za-z]+)*$")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _latin(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise forms.ValidationError(f"Укажите {what} латинскими буквами")
    if CYRILLIC.search(value):
        raise forms.ValidationError(
            f"{what.capitalize()} нужно написать латинскими буквами, как в загранпаспорте "
            f"(например, IVANOV), а не кириллицей"
        )
    if not LATIN_NAME.match(value):
        raise forms.ValidationError(
            f"{what.capitalize()}: только латинские буквы, пробел, дефис или апостроф"
        )
    return value.upper()


class TravelPolicyForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label="Страны поездки",
        choices=COUNTRIES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Выберите хотя бы одну страну поездки"},
    )
    start_date = forms.DateField(
        label="Дата начала",
        widget=ru_date_widget(),
        input_formats=RU_DATE_FORMATS,
        error_messages={
            "required": "Укажите дату начала поездки",
            "invalid": RU_DATE_INVALID,
        },
    )
    end_date = forms.DateField(
        label="Дата окончания",
        widget=ru_date_widget(),
        input_formats=RU_DATE_FORMATS,
        error_messages={
            "required": "Укажите дату окончания поездки",
            "invalid": RU_DATE_INVALID,
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.traveller_rows = []
        for i, person in enumerate(self.people):
            inc = f"t{person.pk}_include"
            last = f"t{person.pk}_last"
            first = f"t{person.pk}_first"
            self.fields[inc] = forms.BooleanField(
                label=f"Едет: {person.full_name}", required=False, initial=(i == 0)
            )
            self.fields[last] = forms.CharField(
                label=f"Фамилия латиницей ({person.full_name})",
                required=False,
                max_length=100,
                initial=to_latin(person.last_name),
            )
            self.fields[first] = forms.CharField(
                label=f"Имя латиницей ({person.full_name})",
                required=False,
                max_length=100,
                initial=to_latin(person.first_name),
            )
            self.traveller_rows.append((person, self[inc], self[last], self[first]))
        bootstrap(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Дата окончания не может быть раньше даты начала")
        travellers = []
        for person in self.people:
            if not data.get(f"t{person.pk}_include"):
                continue
            row = {}
            for key, what in (("last", "фамилию"), ("first", "имя")):
                name = f"t{person.pk}_{key}"
                try:
                    row[key] = _latin(data.get(name, ""), what)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
            if len(row) == 2:
                travellers.append(TravellerInput(person.pk, row["last"], row["first"]))
        if not any(data.get(f"t{p.pk}_include") for p in self.people):
            self.add_error(None, "Отметьте хотя бы одного путешественника")
        data["travellers"] = travellers
        return data

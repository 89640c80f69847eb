"""The one date input of the portal: plain text in ДД.ММ.ГГГГ.

A type="date" input shows the browser's locale format (mm/dd/yyyy in an English Chromium),
while the portal writes dates the Russian way everywhere; ISO is still accepted so that old
links and bookmarks with ?date_from=2026-10-01 keep working.
"""

from django import forms

RU_DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
RU_DATE_INVALID = "Введите дату как ДД.ММ.ГГГГ"


def ru_date_widget(**attrs) -> forms.DateInput:
    return forms.DateInput(
        format="%d.%m.%Y",
        attrs={"placeholder": "ДД.ММ.ГГГГ", "inputmode": "numeric", "autocomplete": "off", **attrs},
    )

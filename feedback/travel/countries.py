"""Destinations offered in the form: a curated list, Russian names, ISO 3166-1 alpha-2 codes.

"SCHENGEN" stands for the whole Schengen area, which consulates accept as one destination.
"""

COUNTRIES: list[tuple[str, str]] = [
    ("SCHENGEN", "Шенгенская зона (все страны)"),
    ("AB", "Абхазия"),
    ("AM", "Армения"),
    ("AT", "Австрия"),
    ("AZ", "Азербайджан"),
    ("BY", "Беларусь"),
    ("BR", "Бразилия"),
    ("HU", "Венгрия"),
    ("VN", "Вьетнам"),
    ("DE", "Германия"),
    ("GR", "Греция"),
    ("GE", "Грузия"),
    ("EG", "Египет"),
    ("IL", "Израиль"),
    ("IN", "Индия"),
    ("ID", "Индонезия"),
    ("ES", "Испания"),
    ("IT", "Италия"),
    ("KZ", "Казахстан"),
    ("CY", "Кипр"),
    ("KG", "Киргизия"),
    ("CN", "Китай"),
    ("CU", "Куба"),
    ("LV", "Латвия"),
    ("MV", "Мальдивы"),
    ("MA", "Марокко"),
    ("MX", "Мексика"),
    ("MN", "Монголия"),
    ("AE", "ОАЭ"),
    ("PT", "Португалия"),
    ("RS", "Сербия"),
    ("US", "США"),
    ("TH", "Таиланд"),
    ("TN", "Тунис"),
    ("TR", "Турция"),
    ("UZ", "Узбекистан"),
    ("FI", "Финляндия"),
    ("FR", "Франция"),
    ("ME", "Черногория"),
    ("CZ", "Чехия"),
    ("CH", "Швейцария"),
    ("LK", "Шри-Ланка"),
    ("JP", "Япония"),
]

_NAMES = dict(COUNTRIES)


def country_name(code: str) -> str:
    return _NAMES.get(code, code)


# English names for the certificate: consulates and clinics abroad read the Latin part.
COUNTRIES_EN = {
    "SCHENGEN": "Schengen area", "AB": "Abkhazia", "AM": "Armenia", "AT": "Austria",
    "AZ": "Azerbaijan", "BY": "Belarus", "BR": "Brazil", "HU": "Hungary", "VN": "Vietnam",
    "DE": "Germany", "GR": "Greece", "GE": "Georgia", "EG": "Egypt", "IL": "Israel",
    "IN": "India", "ID": "Indonesia", "ES": "Spain", "IT": "Italy", "KZ": "Kazakhstan",
    "CY": "Cyprus", "KG": "Kyrgyzstan", "CN": "China", "CU": "Cuba", "LV": "Latvia",
    "MV": "Maldives", "MA": "Morocco", "MX": "Mexico", "MN": "Mongolia",
    "AE": "United Arab Emirates", "PT": "Portugal", "RS": "Serbia", "US": "USA",
    "TH": "Thailand", "TN": "Tunisia", "TR": "Turkey", "UZ": "Uzbekistan", "FI": "Finland",
    "FR": "France", "ME": "Montenegro", "CZ": "Czech Republic", "CH": "Switzerland",
    "LK": "Sri Lanka", "JP": "Japan",
}  # fmt: skip


def country_name_en(code: str) -> str:
    return COUNTRIES_EN.get(code, code)

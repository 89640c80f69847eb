"""Cyrillic → Latin as in Russian international passports (order of the MVD № 889, ICAO 9303):
used only to prefill the travellers' Latin names; the user checks them against his passport."""

_TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip


def to_latin(value: str) -> str:
    return "".join(_TABLE.get(ch, ch) for ch in (value or "").lower()).upper()

"""Russian word-form search that works the same on SQLite and PostgreSQL.

Text is reduced to Snowball stems in Python and stored as one space-padded column
(" клиник здоров стоматолог "); a query matches when every stem of it is a prefix of some
stored stem. No database-specific full-text machinery, so tests on SQLite see exactly what
production on PostgreSQL does. Used by clinics; the FAQ can adopt it the same way.
"""

import re

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("russian")
_WORD = re.compile(r"[0-9a-zа-я]+")


def stems(text: str) -> list[str]:
    """Lower-cased Snowball stems of the words of `text` (ё counts as е)."""
    words = _WORD.findall((text or "").lower().replace("ё", "е"))
    return _STEMMER.stemWords(words)


def stems_column(*texts: str) -> str:
    """The stored form: unique stems, space-padded so that ' stem' finds a word start."""
    unique = dict.fromkeys(stem for text in texts for stem in stems(text))
    return " " + " ".join(unique) + " " if unique else ""


def stems_filter(queryset, field: str, query: str):
    """Narrow `queryset` to rows whose `field` (built by `stems_column`) has every query stem
    as the start of one of its words: «стоматологию» finds «Стоматология»."""
    for stem in dict.fromkeys(stems(query)):
        queryset = queryset.filter(**{f"{field}__contains": f" {stem}"})
    return queryset

"""Russian word-form search that works the same on SQLite and PostgreSQL.

Text is reduced to Snowball stems in Python and stored, with its whole words, as one
space-padded column (" клиник здоров ... клиника здоровье "); a query matches when every stem of it is a prefix of some
stored stem. No database-specific full-text machinery, so tests on SQLite see exactly what
production on PostgreSQL does. Used by clinics, their price lists and the FAQ on SQLite.
"""

import re

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("russian")
_WORD = re.compile(r"[0-9a-zа-я]+")


def stems(text: str) -> list[str]:
    """Lower-cased Snowball stems of the words of `text` (ё counts as е)."""
    return _STEMMER.stemWords(words(text))


def words(text: str) -> list[str]:
    """Lower-cased words of `text` (ё counts as е)."""
    return _WORD.findall((text or "").lower().replace("ё", "е"))


def stems_column(*texts: str) -> str:
    """The stored form: unique stems and whole words, space-padded so that ' stem' finds a
    word start. The whole words are there because Snowball cuts one word's forms unevenly:
    «приём» → «при» but «приема» → «прием»; the query's «прием» then still finds the word
    «прием», and «при» the stem «при»."""
    unique = dict.fromkeys(token for text in texts for token in (*stems(text), *words(text)))
    return " " + " ".join(unique) + " " if unique else ""


def stems_filter(queryset, field: str, query: str):
    """Narrow `queryset` to rows whose `field` (built by `stems_column`) has every query stem
    as the start of one of its words: «стоматологию» finds «Стоматология»."""
    for stem in dict.fromkeys(stems(query)):
        queryset = queryset.filter(**{f"{field}__contains": f" {stem}"})
    return queryset

from django.db.models import Prefetch

from .models import FaqGroup, FaqItem


def faq_groups(*, query: str = "") -> list[FaqGroup]:
    """Published questions grouped and ordered; `query` matches words in question or answer.

    SQLite's LIKE is case-insensitive only for ASCII, so Cyrillic matching is done here on
    lower-cased text; the FAQ is a few dozen rows.
    """
    items = FaqItem.objects.filter(published=True)
    groups = list(FaqGroup.objects.prefetch_related(Prefetch("items", queryset=items)))
    words = [w.replace("ё", "е") for w in query.lower().split()]
    result = []
    for group in groups:
        matched = [
            item
            for item in group.items.all()
            if all(w in f"{item.question} {item.answer}".lower().replace("ё", "е") for w in words)
        ]
        if matched:
            group.matched = matched
            result.append(group)
    return result

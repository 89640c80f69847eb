from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Prefetch

from dms_portal.search import stems_filter

from .models import FaqGroup, FaqItem


def faq_items_matching(queryset, query: str):
    """Questions whose text has every word of `query` in any of its forms: «франшиза» finds
    «Как активировать франшизу?». PostgreSQL uses full-text search with the `russian`
    configuration (SPEC §3.7); SQLite has none, so the Snowball stems column stands in."""
    if not query.strip():
        return queryset
    if connection.vendor == "postgresql":
        vector = SearchVector("question", "answer", config="russian")
        return queryset.annotate(fts=vector).filter(
            fts=SearchQuery(query.replace("ё", "е"), config="russian", search_type="plain")
        )
    return stems_filter(queryset, "search_stems", query)


def faq_groups(*, query: str = "") -> list[FaqGroup]:
    """Published questions grouped and ordered; `query` narrows them by Russian word forms."""
    items = faq_items_matching(FaqItem.objects.filter(published=True), query)
    groups = FaqGroup.objects.prefetch_related(Prefetch("items", queryset=items))
    result = []
    for group in groups:
        matched = list(group.items.all())
        if matched:
            group.matched = matched
            result.append(group)
    return result

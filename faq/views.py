from django.shortcuts import render

from dms_portal import pagecache

from .cache import faq_list_html
from .selectors import faq_groups


@pagecache.per_session
def index(request):
    """Public: the login page links here too, so anonymous visitors may read it. Without a
    search the list comes from the cache (faq/cache.py)."""
    query = request.GET.get("q", "").strip()[:100]
    if not query:
        return render(request, "faq/index.html", {"groups_html": faq_list_html(), "query": ""})
    return render(request, "faq/index.html", {"groups": faq_groups(query=query), "query": query})

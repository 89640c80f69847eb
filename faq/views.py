from django.shortcuts import render

from .selectors import faq_groups


def index(request):
    """Public: the login page links here too, so anonymous visitors may read it."""
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "faq/index.html", {"groups": faq_groups(query=query), "query": query})

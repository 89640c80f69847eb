"""Pages of the menu whose app is not built yet (each is replaced by its own issue)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def placeholder(title: str):
    @login_required
    def view(request, *args, **kwargs):
        return render(request, "portal/placeholder.html", {"title": title})

    return view

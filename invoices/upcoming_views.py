"""«Предстоящие начисления», a tab of «Мои счета» (SPEC §3.8): a thin view over upcoming.py."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dms_portal import pagecache

from .upcoming import upcoming_for_user


def not_me_url(**params) -> str:
    """«Это был не я»: the dispute form filled for one line with «Услуга не оказывалась»."""
    query = {"kind": "service_dispute", "reason": "not_rendered", **params}
    return f"{reverse('feedback:index')}?{urlencode(query)}"


@login_required
@require_GET
@pagecache.per_session
def upcoming(request):
    groups, total = upcoming_for_user(request.user)
    for group in groups:
        for item in group.lines:
            item.not_me_url = not_me_url(service_line=item.line.pk)
    return render(
        request,
        "invoices/upcoming.html",
        {"groups": groups, "total": total, "tab": "upcoming"},
    )

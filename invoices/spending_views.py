"""«Мои расходы», a tab of «Мои счета» (SPEC §3.8): thin views over spending.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.services import read_access_log
from dms_portal import clock, pagecache

from .forms import SpendingYearForm
from .spending import spending_for_user, spending_years, year_bounds
from .spending_chart import spending_chart
from .spending_export import spending_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> tuple[int | None, SpendingYearForm | None]:
    """The chosen year (the current Moscow year when none is asked for), or None and the bound
    form that says why the one asked for is refused. Its ids are the page's own
    («spending-year»), so the page's error summary (issue #20) links to the picker."""
    if "year" not in request.GET:
        return clock.moscow_today().year, None
    form = SpendingYearForm(request.GET, bounds=year_bounds(), auto_id="spending-%s")
    if form.is_valid():
        return form.cleaned_data["year"], None
    return None, form


@login_required
@require_GET
@pagecache.per_session
def spending(request):
    year, form = _year(request)
    years = set(spending_years(request.user))
    shown = {clock.moscow_today().year, year} if year else {clock.moscow_today().year}
    context = {
        "tab": "spending",
        "form": form,  # bound and invalid, or None: «Ошибка:» and the summary come from it
        "errors": form.errors["year"] if form else [],
        "year": year,
        "years_with_data": sorted(years, reverse=True),
        # The years that have data, this year and the one shown: the picker's choices.
        "year_choices": sorted(years | shown, reverse=True),
    }
    if year is None:
        return render(request, "invoices/spending.html", context, status=400)
    figures = spending_for_user(request.user, year=year)
    context.update(spending=figures, chart=spending_chart(figures))
    return render(request, "invoices/spending.html", context)


@login_required
@require_GET
def spending_download(request):
    year, form = _year(request)
    if year is None:
        return HttpResponse(
            " ".join(form.errors["year"]), status=400, content_type="text/plain; charset=utf-8"
        )
    # Clinics per person are about services rendered: the export is logged like the others.
    read_access_log(request=request, kind="spending_xlsx", target=request.user)
    response = HttpResponse(spending_xlsx(spending_for_user(request.user, year=year)), XLSX)
    response["Content-Disposition"] = f'attachment; filename="moi-raskhody-{year}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response

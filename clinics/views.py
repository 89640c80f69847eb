from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dms_portal import pagecache
from policies.models import InsuredPerson, Program
from policies.selectors import get_person_for_user, people_for_user

from .prices import MAX_RESULTS, price_clinics, price_rows, price_search
from .selectors import clinics_for_program, route_url, tile_origin


def _person(request) -> InsuredPerson | None:
    """The person whose programme is shown: ?person=<id> among the user's own, else himself
    (None for an account with no policy)."""
    people = list(people_for_user(request.user))
    if not people:
        return None
    wanted = request.GET.get("person")
    if wanted:
        try:
            return get_person_for_user(request.user, int(wanted))
        except (ValueError, InsuredPerson.DoesNotExist) as exc:
            raise Http404 from exc
    return people[0]


@login_required
@pagecache.per_session
def index(request):
    person = _person(request)
    if person is None:
        return render(request, "clinics/index.html", {"person": None})
    query = request.GET.get("q", "").strip()[:100]
    emergency = person.program.kind == Program.Kind.EMERGENCY
    clinics = [] if emergency else list(clinics_for_program(person.program, query))
    rows = [(clinic, route_url(clinic)) for clinic in clinics]
    origin = tile_origin()
    markers = [
        {"name": c.name, "address": c.address, "lat": float(c.latitude), "lon": float(c.longitude)}
        for c in clinics
        if c.has_coordinates
    ]
    response = render(
        request,
        "clinics/index.html",
        {
            "person": person,
            "people": people_for_user(request.user),
            "query": query,
            "emergency": emergency,
            "rows": rows,
            "markers": markers,
            "show_map": bool(origin and markers),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
    if origin:
        response._csp_update = {"img-src": [origin]}  # django-csp: tiles come from that server
    return response


@login_required
def prices(request):
    """«Стоимость услуги»: a clinic's price for a service and the person's share of it. The
    person (?person=, one of the user's own) matters only for his contract's percent."""
    person = _person(request)
    if person is None:
        return render(request, "clinics/prices.html", {"person": None})
    people = list(people_for_user(request.user))
    query = request.GET.get("q", "").strip()[:100]
    clinics = list(price_clinics())
    clinic = _chosen_clinic(request, clinics)
    searched = bool(query or clinic)
    found = price_search(query=query, clinic_id=clinic.pk if clinic else None) if searched else []
    return render(
        request,
        "clinics/prices.html",
        {
            "person": person,
            # On emergency-only care planned visits are not covered: the page says so.
            "emergency": person.program.kind == Program.Kind.EMERGENCY,
            # The choice matters only when the people's contracts have different percents.
            "people": people if len({p.contract.franchise_percent for p in people}) > 1 else [],
            "query": query,
            "clinics": clinics,
            "clinic": clinic,
            "searched": searched,
            "rows": price_rows(found[:MAX_RESULTS], person),
            "more": len(found) > MAX_RESULTS,
        },
    )


def _chosen_clinic(request, clinics):
    """?clinic=<id> among the clinics with prices; anything else means «все клиники»."""
    wanted = request.GET.get("clinic", "")
    return next((c for c in clinics if str(c.pk) == wanted), None)

"""Reads of clinics: which clinics a person's programme includes, found by word forms."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import QuerySet

from dms_portal.search import stems_filter
from policies.models import Program

from .models import Clinic


def clinics_for_program(program: Program, query: str = "") -> QuerySet[Clinic]:
    """Clinics that serve `program`, narrowed by a search over name, address and services."""
    clinics = Clinic.objects.filter(programs=program).order_by("name")
    return stems_filter(clinics, "search_stems", query) if query.strip() else clinics


def route_url(clinic: Clinic) -> str:
    """«Построить маршрут»: the routing service's link to the clinic ('' without coordinates)."""
    if not clinic.has_coordinates:
        return ""
    return settings.MAP_ROUTE_URL.format(lat=clinic.latitude, lon=clinic.longitude)


def tile_origin() -> str:
    """The tile server's origin, for the page's Content-Security-Policy; '' when there is no
    map: no tile server set, or Leaflet not installed (npm), so the page never shows a broken
    map."""
    if not finders.find("vendor/leaflet/leaflet.js"):
        return ""
    parts = urlsplit(settings.MAP_TILE_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

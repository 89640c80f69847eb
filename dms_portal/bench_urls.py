"""The portal's URLs plus `/_bench/floor/` (dms_portal.settings.bench only, never production)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from dms_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from dms_portal.urls import urlpatterns as portal_urlpatterns


@login_required
def floor(request):
    return HttpResponse("floor\n", content_type="text/plain")


urlpatterns = [path("_bench/floor/", floor, name="bench_floor"), *portal_urlpatterns]

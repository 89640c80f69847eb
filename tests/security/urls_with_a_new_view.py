"""The portal's URLconf plus one new view with an object id and no sweep rule."""

from django.http import HttpResponse
from django.urls import path

from dms_portal.urls import urlpatterns as portal_patterns


def new_view(request, pk):
    return HttpResponse("данные любого пользователя")


urlpatterns = [*portal_patterns, path("new/<int:pk>/", new_view, name="new_view")]

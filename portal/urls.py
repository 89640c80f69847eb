from django.urls import path

from . import views, views_pwa

app_name = "portal"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The worker's scope is the folder it is served from, so both live at the site root.
    path("manifest.webmanifest", views_pwa.manifest, name="manifest"),
    path("sw.js", views_pwa.service_worker, name="service_worker"),
    path("offline/", views_pwa.offline, name="offline"),
    path("favicon.ico", views_pwa.favicon, name="favicon"),
]

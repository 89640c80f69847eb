from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The back office names the portal, not Django (issue #13).
admin.site.site_header = f"Личный кабинет ДМС {settings.INSURER['short_name']}: управление"
admin.site.site_title = "Управление личным кабинетом ДМС"
admin.site.index_title = "Разделы"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("portal.urls")),
    path("", include("monitoring.urls")),
    path("", include("accounts.urls")),
    path("policies/", include("policies.urls")),
    path("franchise/", include("franchise.urls")),
    path("invoices/", include("invoices.urls")),
    path("payments/", include("payments.urls")),
    path("feedback/", include("feedback.urls")),
    path("faq/", include("faq.urls")),
    path("clinics/", include("clinics.urls")),
    path("care/", include("care.urls")),
    path("debts/", include("debts.urls")),
]

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"

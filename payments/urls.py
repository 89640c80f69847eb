from django.conf import settings
from django.urls import path, re_path

from . import views
from .providers import notification_providers

app_name = "payments"
urlpatterns = [
    path("pay/", views.payment_start, name="start"),
    path("<int:pk>/resume/", views.payment_resume, name="resume"),
    path("<int:pk>/return/", views.payment_return, name="return"),
    path("<int:pk>/receipt/", views.payment_receipt, name="receipt"),
    # Only the providers that may talk to us are routed (the sandbox only while configured).
    re_path(
        rf"^notifications/(?P<provider>{'|'.join(notification_providers())})/$",
        views.notification,
        name="notification",
    ),
]
if settings.PAYMENT_PROVIDER == "sandbox":
    # The development checkout: with a real provider it does not exist at all.
    urlpatterns.append(
        path("sandbox/<str:token>/", views.sandbox_checkout, name="sandbox_checkout")
    )

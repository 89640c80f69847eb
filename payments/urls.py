from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("pay/", views.payment_start, name="start"),
    path("<int:pk>/resume/", views.payment_resume, name="resume"),
    path("<int:pk>/return/", views.payment_return, name="return"),
    path("<int:pk>/receipt/", views.payment_receipt, name="receipt"),
    path("notifications/<slug:provider>/", views.notification, name="notification"),
    path("sandbox/<str:token>/", views.sandbox_checkout, name="sandbox_checkout"),
]

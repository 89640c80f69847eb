from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.index, name="index"),
    path("appeals/<int:pk>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("travel/", views.travel_index, name="travel"),
    path("travel/<int:pk>/pdf/", views.travel_pdf, name="travel_pdf"),
    path("travel/<int:pk>/cancel/", views.travel_cancel, name="travel_cancel"),
]

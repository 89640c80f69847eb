from django.urls import path

from . import views

app_name = "franchise"
urlpatterns = [
    path("activate/<int:person_id>/", views.activate, name="activate"),
]

from django.urls import path

from portal.placeholders import placeholder

app_name = "feedback"
urlpatterns = [
    path("", placeholder("Формы обратной связи"), name="index"),
    path("travel/", placeholder("Бонусный ВЗР"), name="travel"),
]

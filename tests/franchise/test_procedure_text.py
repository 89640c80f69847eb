"""The activation procedure shows all seven points of the guide in full (issue #13)."""

import pytest
from django.urls import reverse

from franchise.consent import CONSENT_TEXT, PROCEDURE_POINTS


@pytest.mark.django_db
def test_my_policies_shows_the_seven_points_with_the_payment_term_and_the_employer(
    client, demo, petrov_user
):
    client.force_login(petrov_user)
    html = client.get(reverse("policies:my_policies")).content.decode()
    assert len(PROCEDURE_POINTS) == 7
    for point in PROCEDURE_POINTS:
        assert point in html
    assert "30 рабочих дней" in html
    assert "отчёт о задолженности направляется вашему работодателю" in html
    assert "досудебное урегулирование" in html
    assert "досудебное урегулирование" in CONSENT_TEXT  # what the activation's hash proves


@pytest.mark.django_db
def test_registration_page_says_the_guides_words_before_the_form(client):
    html = client.get(reverse("accounts:register")).content.decode()
    adult = "Пройти регистрацию возможно только гражданам, достигшим совершеннолетия"
    check = "Рекомендуем внимательнее проверить дату рождения и в особенности год рождения"
    assert html.index(adult) < html.index("<form")
    assert html.index(check) < html.index("<form")

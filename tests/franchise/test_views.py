import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dms_portal.clock import MOSCOW
from franchise.demo import seed_activations
from franchise.models import FranchiseActivation

pytestmark = pytest.mark.django_db

FRIDAY_NOON = dt.datetime(2026, 3, 13, 12, 0, tzinfo=MOSCOW)


def activate_url(person):
    return reverse("franchise:activate", args=[person.pk])


@time_machine.travel(FRIDAY_NOON, tick=False)
def test_ticked_form_activates_and_the_page_says_from_when(client, demo, petrov_user):
    client.force_login(petrov_user)
    response = client.post(
        activate_url(demo["petrov"]),
        {"consent": "on"},
        follow=True,
        REMOTE_ADDR="192.0.2.10",
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )
    html = response.content.decode()
    assert "Обслуживание доступно с 16.03.2026" in html
    assert "Будет активна с 16.03.2026" in html
    activation = FranchiseActivation.objects.get(person=demo["petrov"])
    assert activation.ip == "192.0.2.10"
    assert activation.user_agent == "Mozilla/5.0 test"


@time_machine.travel(FRIDAY_NOON, tick=False)
def test_second_submit_says_already_activated_and_changes_nothing(client, demo, petrov_user):
    client.force_login(petrov_user)
    client.post(activate_url(demo["petrov"]), {"consent": "on"})
    before = list(FranchiseActivation.objects.values())
    response = client.post(activate_url(demo["petrov"]), {"consent": "on"}, follow=True)
    assert "Франшиза уже активирована по полису DMS-0003: действует с 16.03.2026" in (
        response.content.decode()
    )
    assert list(FranchiseActivation.objects.values()) == before


def test_unticked_form_is_refused_by_the_server(client, demo, petrov_user):
    client.force_login(petrov_user)
    response = client.post(activate_url(demo["petrov"]), {}, follow=True)
    assert "отметьте «Я подтверждаю и даю согласие…»" in response.content.decode()
    assert not FranchiseActivation.objects.exists()


def test_crafted_post_with_another_users_person_is_404_and_changes_nothing(
    client, demo, petrov_user, ivanov_user
):
    client.force_login(petrov_user)
    for person in (demo["ivanov"], demo["ivanova"]):
        response = client.post(activate_url(person), {"consent": "on"})
        assert response.status_code == 404
    assert not FranchiseActivation.objects.exists()


def test_activation_needs_login_and_post(client, demo, petrov_user):
    response = client.post(activate_url(demo["petrov"]), {"consent": "on"})
    assert response.status_code == 302 and "/?next=" in response["Location"]
    client.force_login(petrov_user)
    assert client.get(activate_url(demo["petrov"])).status_code == 405
    assert not FranchiseActivation.objects.exists()


@time_machine.travel(FRIDAY_NOON, tick=False)
def test_ivanov_sees_both_policies_activated_from_12_january(client, demo, ivanov_user):
    seed_activations()
    client.force_login(ivanov_user)
    html = client.get(reverse("policies:my_policies")).content.decode()
    assert html.count("Активирована с 12.01.2026") == 2
    assert 'name="consent"' not in html


def test_a_terminated_policy_shows_why_it_cannot_be_activated(client, demo, petrov_user):
    from policies.models import InsuredPerson

    InsuredPerson.objects.filter(pk=demo["sidorova"].pk).update(
        status=InsuredPerson.Status.TERMINATED
    )
    client.force_login(petrov_user)
    html = client.get(reverse("policies:my_policies")).content.decode()
    assert "Полис прекращён: активация франшизы недоступна." in html
    assert html.count('name="consent"') == 1  # Петров's form only

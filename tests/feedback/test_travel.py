import datetime as dt
import re
import subprocess

import pytest
import time_machine
from django.urls import reverse

from feedback.errors import FeedbackError
from feedback.models import BonusTraveller, BonusTravelPolicy
from feedback.travel.services import TravellerInput, days_by_year, travel_policy_issue

pytestmark = pytest.mark.django_db
TRAVEL = reverse("feedback:travel")
TODAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def owner_client(client, world):
    client.force_login(world["owner"])
    return client


def form_data(world, start="2026-07-01", end="2026-07-10", **over):
    me, child = world["ivanov"], world["ivanova"]
    data = {
        "countries": ["TR", "SCHENGEN"],
        "start_date": start,
        "end_date": end,
        f"t{me.pk}_include": "on",
        f"t{me.pk}_last": "Ivanov",
        f"t{me.pk}_first": "Ivan",
        f"t{child.pk}_last": "IVANOVA",
        f"t{child.pk}_first": "MARIIA",
    }
    data.update(over)
    return data


def test_page_shows_the_form_at_once_with_prefilled_latin_names(owner_client, world):
    page = owner_client.get(TRAVEL).content.decode()
    for label in ("Страны поездки", "Дата начала", "Дата окончания"):
        assert label in page
    assert 'value="IVANOV"' in page and 'value="MARIIA"' in page
    assert "Шенгенская зона" in page and "Турция" in page
    assert "Оформленных полисов пока нет" in page


def test_issue_creates_a_numbered_policy_listed_with_its_pdf(owner_client, world):
    child = world["ivanova"]
    data = form_data(world, **{f"t{child.pk}_include": "on"})
    response = owner_client.post(TRAVEL, data)
    assert response.status_code == 302
    policy = BonusTravelPolicy.objects.get()
    assert re.fullmatch(r"ВЗР-2026-\d{6}", policy.number)
    assert policy.days == 10 and policy.countries == ["TR", "SCHENGEN"]
    names = list(policy.travellers.values_list("last_name_latin", "first_name_latin", "birth_date"))
    assert names == [
        ("IVANOV", "IVAN", dt.date(1985, 1, 1)),
        ("IVANOVA", "MARIIA", dt.date(2015, 6, 10)),
    ]
    page = owner_client.get(TRAVEL).content.decode()
    assert f"Полис {policy.number}" in page
    assert reverse("feedback:travel_pdf", args=[policy.pk]) in page


def test_pdf_opens_with_cyrillic_and_latin_text(owner_client, world, tmp_path):
    owner_client.post(TRAVEL, form_data(world))
    policy = BonusTravelPolicy.objects.get()
    response = owner_client.get(reverse("feedback:travel_pdf", args=[policy.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "Страховой полис «Бонусный ВЗР»" in text
    assert "Travel insurance certificate" in text
    assert "IVANOV IVAN" in text
    assert policy.number in text
    assert "Турция" in text and "Turkey" in text and "01.07.2026" in text
    # Rendered once and kept: the second download is the same file.
    policy.refresh_from_db()
    assert policy.pdf
    again = owner_client.get(reverse("feedback:travel_pdf", args=[policy.pk]))
    assert again.content == response.content


def test_another_users_policy_pdf_is_404(client, world):
    client.force_login(world["owner"])
    client.post(TRAVEL, form_data(world))
    policy = BonusTravelPolicy.objects.get()
    client.force_login(world["stranger"])
    assert client.get(reverse("feedback:travel_pdf", args=[policy.pk])).status_code == 404
    assert policy.number not in client.get(TRAVEL).content.decode()


def test_yearly_day_limit_counts_earlier_policies_of_the_traveller(owner_client, world):
    assert (
        owner_client.post(TRAVEL, form_data(world, "2026-07-01", "2026-07-20")).status_code == 302
    )
    response = owner_client.post(TRAVEL, form_data(world, "2026-08-01", "2026-08-11"))
    page = response.content.decode()
    assert "Превышен лимит бонусного ВЗР для IVANOV IVAN" in page
    assert "доступно 30 дн., использовано 20, осталось 10" in page
    assert BonusTravelPolicy.objects.count() == 1
    # Exactly the rest of the limit is fine.
    assert (
        owner_client.post(TRAVEL, form_data(world, "2026-08-01", "2026-08-10")).status_code == 302
    )


def test_a_trip_over_new_year_counts_in_each_year(world):
    assert days_by_year(dt.date(2026, 12, 30), dt.date(2027, 1, 2)) == {2026: 2, 2027: 2}


def test_dates_outside_the_policy_period_are_refused(owner_client, world):
    page = owner_client.post(TRAVEL, form_data(world, "2027-12-25", "2028-01-05")).content.decode()
    assert "в пределах срока полиса ДМС DMS-0001: с 01.01.2026 по 31.12.2027" in page
    assert not BonusTravelPolicy.objects.exists()


def test_start_in_the_past_and_end_before_start_are_refused(owner_client, world):
    page = owner_client.post(TRAVEL, form_data(world, "2026-05-20", "2026-05-25")).content.decode()
    assert "Дата начала поездки не может быть в прошлом" in page
    page = owner_client.post(TRAVEL, form_data(world, "2026-07-10", "2026-07-01")).content.decode()
    assert "Дата окончания не может быть раньше даты начала" in page
    assert not BonusTravelPolicy.objects.exists()


def test_cyrillic_traveller_name_gets_a_clear_message(owner_client, world):
    me = world["ivanov"]
    page = owner_client.post(
        TRAVEL, form_data(world, **{f"t{me.pk}_last": "Иванов"})
    ).content.decode()
    assert "Фамилию нужно написать латинскими буквами, как в загранпаспорте" in page
    page = owner_client.post(
        TRAVEL, form_data(world, **{f"t{me.pk}_first": "Iv4n"})
    ).content.decode()
    assert "только латинские буквы" in page
    assert not BonusTravelPolicy.objects.exists()


def test_at_least_one_traveller_and_one_country(owner_client, world):
    me = world["ivanov"]
    data = form_data(world)
    del data[f"t{me.pk}_include"]
    data["countries"] = []
    page = owner_client.post(TRAVEL, data).content.decode()
    assert "Отметьте хотя бы одного путешественника" in page
    assert "Выберите хотя бы одну страну поездки" in page


def test_travellers_must_be_the_users_people(world):
    with pytest.raises(FeedbackError, match="только на себя и своих родственников"):
        travel_policy_issue(
            user=world["owner"],
            countries=["TR"],
            start_date=dt.date(2026, 7, 1),
            end_date=dt.date(2026, 7, 2),
            travellers=[TravellerInput(world["petrov"].pk, "PETROV", "PETR")],
        )
    assert not BonusTraveller.objects.exists()


def test_a_relative_travels_on_his_own_limit(owner_client, world):
    child = world["ivanova"]
    me = world["ivanov"]
    data = form_data(world, "2026-07-01", "2026-07-30")
    assert owner_client.post(TRAVEL, data).status_code == 302
    only_child = form_data(world, "2026-08-01", "2026-08-30", **{f"t{child.pk}_include": "on"})
    del only_child[f"t{me.pk}_include"]
    assert owner_client.post(TRAVEL, only_child).status_code == 302

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies.models import InsuredPerson, RosterImport
from tests.staff import staff_login

from .test_roster_import import GOOD, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser(phone="+79990009999", password="x")
    staff_login(client, user)
    return user


def search(client, term):
    url = reverse("admin:policies_insuredperson_changelist")
    return client.get(url, {"q": term}).content.decode()


def test_people_are_found_by_name_policy_and_phone(client, operator, demo, petrov_user):
    InsuredPerson.objects.filter(pk=demo["ivanov"].pk).update(phone="+79161234567")
    assert "Сидорова" in search(client, "DMS-0004")
    assert "Петров" in search(client, "петров")
    # ё/е-insensitive through the normalised copy of the name.
    ivanova = demo["ivanova"]
    ivanova.last_name = "Королёва"
    ivanova.save()
    assert "DMS-0002" in search(client, "королева")
    # The account's phone, typed as an operator would.
    html = search(client, "8 999 000-00-03")
    assert "DMS-0003" in html and "DMS-0001" not in html
    # The roster's phone.
    html = search(client, "9161234567")
    assert "DMS-0001" in html and "DMS-0003" not in html


def test_roster_upload_page_loads_a_file_and_shows_its_report(client, operator, demo):
    url = reverse("admin:policies_rosterimport_add")
    assert "Загрузка списка застрахованных" in client.get(url).content.decode()
    bad = [["X", "Y", "", "bad", "Z-1", "", "Сотрудник", "", "", ""]]
    upload = SimpleUploadedFile("roster.csv", csv_bytes(GOOD + bad), content_type="text/csv")
    response = client.post(url, {"contract": demo["contract"].pk, "file": upload}, follow=True)
    html = response.content.decode()
    assert "добавлено 3" in html and "отклонено 1" in html
    assert "Дата рождения" in html and "не в формате ДД.ММ.ГГГГ" in html
    report = RosterImport.objects.get()
    assert report.uploaded_by == operator and report.file_name == "roster.csv"


def test_roster_upload_of_an_unreadable_file_shows_the_reason(client, operator, demo):
    url = reverse("admin:policies_rosterimport_add")
    upload = SimpleUploadedFile("roster.csv", b"a;b\n1;2\n")
    html = client.post(url, {"contract": demo["contract"].pk, "file": upload}).content.decode()
    assert "Нет обязательных столбцов" in html
    assert not RosterImport.objects.exists()


def test_roster_upload_needs_staff(client, demo, petrov_user):
    client.force_login(petrov_user)
    response = client.get(reverse("admin:policies_rosterimport_add"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_contract_and_employer_admin_pages_open(client, operator, demo):
    for name in ("employer", "contract", "program"):
        url = reverse(f"admin:policies_{name}_changelist")
        assert client.get(url).status_code == 200
    url = reverse("admin:policies_insuredperson_change", args=[demo["petrov"].pk])
    assert "Сидорова" in client.get(url).content.decode()

"""«Клиники»: reference data moved under both money and care, the page, search and the map."""

import pytest
from django.db import connection
from django.urls import reverse

from clinics.demo import seed_clinics
from clinics.models import Clinic
from clinics.services import clinics_load
from dms_portal.search import stems, stems_column
from policies.models import Program

pytestmark = pytest.mark.django_db

FILE = (
    "Код ЛПУ;Наименование ЛПУ;Адрес;Телефоны;Услуги;Широта;Долгота;Программы\n"
    "7701000002;Стоматология «Улыбка»;г. Москва, ул. Арбат, д. 5;+7 495 111-11-11;"
    "Стоматология, Хирургия;55,7520;37,5930;полная\n"
    "7701000003;Детская поликлиника № 1;г. Москва, Ленинский пр., д. 2;;Педиатрия;;;все\n"
    "7701000004;Плохая;адрес;;;91;0;полная\n"
)


@pytest.fixture
def clinics_world(demo, ivanov_user):
    seed_clinics()
    clinics_load(data=FILE.encode())
    return {**demo, "owner": ivanov_user}


def test_clinic_is_still_importable_from_invoices_and_keeps_its_table():
    from invoices.models import Clinic as InvoicesClinic
    from invoices.models import ServiceLine

    assert InvoicesClinic is Clinic
    assert Clinic._meta.db_table == "invoices_clinic"
    assert ServiceLine._meta.get_field("clinic").related_model is Clinic
    assert "invoices_clinic" in connection.introspection.table_names()


def test_loading_a_file_creates_updates_and_names_bad_rows(clinics_world):
    smile = Clinic.objects.get(code="7701000002")
    assert smile.latitude is not None and str(smile.latitude) == "55.752000"
    assert {p.kind for p in smile.programs.all()} == {Program.Kind.FULL}
    kids = Clinic.objects.get(code="7701000003")
    assert {p.kind for p in kids.programs.all()} == set(Program.Kind.values)
    report = clinics_load(data=FILE.encode())
    assert (report.created, report.updated) == (0, 2)
    assert report.errors == ["Строка 4: неверные координаты"]


def test_load_command_reports_counts(tmp_path, clinics_world, capsys):
    from django.core.management import call_command

    path = tmp_path / "clinics.csv"
    path.write_text(FILE, encoding="utf-8")
    call_command("load_clinics", str(path))
    assert capsys.readouterr().out.strip().endswith("created=0 updated=2 errors=1")


def test_search_finds_russian_word_forms():
    assert stems("Стоматология") == stems("стоматологию")
    assert " здоров" in stems_column("Клиника «Здоровье»")
    # Snowball cuts «приём» to «при» but «приема» to «прием»: the stored whole word bridges it.
    stored = stems_column("Приём врача-терапевта")
    assert all(f" {stem}" in stored for stem in stems("приема терапевтов"))
    assert all(f" {stem}" in stems_column("Приема терапевтов") for stem in stems("приём"))


def test_page_lists_the_programmes_clinics_and_searches_by_word_forms(clinics_world, client):
    client.force_login(clinics_world["owner"])
    page = client.get(reverse("clinics:index")).content.decode()
    assert "Клиника «Здоровье»" in page and "Улыбка" in page
    assert "Построить маршрут" in page and "rtext=~55.762300,37.607500" in page
    page = client.get(reverse("clinics:index"), {"q": "стоматологию"}).content.decode()
    assert "Улыбка" in page and "Детская поликлиника" not in page
    page = client.get(reverse("clinics:index"), {"q": "тверской"}).content.decode()
    assert "Здоровье" in page and "Улыбка" not in page


def test_emergency_programme_shows_the_medical_desk_only_with_why(clinics_world, client):
    person = clinics_world["ivanov"]
    person.program = Program.objects.get(contract=person.contract, kind=Program.Kind.EMERGENCY)
    person.save(update_fields=["program"])
    client.force_login(clinics_world["owner"])
    page = client.get(reverse("clinics:index")).content.decode()
    assert "экстренная помощь через медицинский пульт" in page
    assert 'href="tel:88000000001"' in page
    assert "Улыбка" not in page and "Построить маршрут" not in page


def test_no_tile_server_means_a_plain_list_and_no_map(clinics_world, client, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(clinics_world["owner"])
    response = client.get(reverse("clinics:index"))
    html = response.content.decode()
    assert "clinics-map" not in html and "leaflet" not in html
    assert "Улыбка" in html


def test_with_a_tile_server_the_map_and_its_origin_in_csp(clinics_world, client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    client.force_login(clinics_world["owner"])
    # The first visit gets the CSRF cookie, the second is kept, the third comes from the page
    # cache (dms_portal/pagecache.py): each with the tile server in its CSP.
    for _ in range(3):
        response = client.get(reverse("clinics:index"))
        html = response.content.decode()
        assert 'id="clinics-map"' in html and "vendor/leaflet/leaflet.js" in html
        assert "https://tiles.example.test" in response["Content-Security-Policy"]


def test_another_users_person_id_is_not_found(clinics_world, client, petrov_user):
    client.force_login(petrov_user)
    response = client.get(reverse("clinics:index"), {"person": clinics_world["ivanov"].pk})
    assert response.status_code == 404


def test_an_account_without_a_policy_gets_a_message_not_an_error(db, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(phone="+79990000099", password="x-Pass-2026!")
    client.force_login(user)
    response = client.get(reverse("clinics:index"))
    assert response.status_code == 200
    assert "не связан ни один полис" in response.content.decode()

"""Operators load price lists in the admin (2FA) and read the per-row report there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from clinics.models import Clinic, PriceList, ServicePrice
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ADD = "/admin/clinics/pricelist/add/"
FILE = (
    "Код ЛПУ;Код услуги;Наименование услуги;Цена;Действует с\n"
    "7701000001;A1;Осмотр;100,00;01.01.2026\n"
    "7701000001;A2;Анализ;сто;01.01.2026\n"
).encode()


def staff(client, staff_group, group, phone="+79990009999"):
    user = User.objects.create_user(phone, "Operator-2026!", is_staff=True)
    user.groups.add(staff_group(group))
    return staff_login(client, user)


@pytest.fixture
def operator(client, staff_group):
    Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»")
    return staff(client, staff_group, "Операторы")


def upload(client, content=FILE, name="prices.csv"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_an_operator_uploads_and_sees_the_per_row_report(operator):
    assert operator.get(ADD).status_code == 200
    response = upload(operator)
    html = response.content.decode()
    price_list = PriceList.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/clinics/pricelist/{price_list.pk}/change/"
    assert "Загружено: 1, без изменений: 0, отклонено: 1, дубликаты: 0." in html
    assert "Неверное число «сто»" in html
    assert ServicePrice.objects.get().service_code == "A1"
    html = operator.get("/admin/clinics/serviceprice/").content.decode()
    assert "Осмотр" in html


def test_the_same_file_again_changes_nothing(operator):
    upload(operator)
    html = upload(operator, name="again.csv").content.decode()
    assert "Этот файл уже загружен; цены не изменились." in html
    assert PriceList.objects.count() == 1 and ServicePrice.objects.count() == 1


def test_unreadable_files_are_refused_on_the_form(operator):
    html = upload(operator, name="prices.pdf").content.decode()
    assert "Загрузите прейскурант в формате XLSX или CSV" in html
    html = upload(operator, b"one;two\n1;2\n").content.decode()
    assert "Файл не прочитан: В заголовке нет колонок" in html
    assert not PriceList.objects.exists()


def test_prices_are_read_only_in_the_admin(operator):
    upload(operator)
    price = ServicePrice.objects.get()
    assert operator.get("/admin/clinics/serviceprice/add/").status_code == 403
    response = operator.post(f"/admin/clinics/serviceprice/{price.pk}/change/", {"price": "1,00"})
    assert response.status_code == 403
    price.refresh_from_db()
    assert str(price.price) == "100.00"


@pytest.mark.parametrize("group", ["Эксперты", "Медпульт"])
def test_other_staff_do_not_load_price_lists(client, staff_group, group):
    staff(client, staff_group, group)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"file": SimpleUploadedFile("p.csv", FILE)}).status_code == 403
    assert not PriceList.objects.exists()

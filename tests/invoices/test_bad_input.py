"""Out-of-range dates and ids get a clear Russian answer, never a 500 (pentest #10, item 9)."""

import pytest

from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
HUGE = str(2**63 + 5)


@pytest.fixture
def owner_client(client, demo):
    client.force_login(make_user(demo["ivanov"], phone="+79990000001"))
    client.raise_request_exception = False  # a 500 is an answer to assert on, not a crash
    return client


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31", "31.12.1999"])
def test_out_of_range_filter_dates_are_explained(owner_client, field, value):
    response = owner_client.get(f"/invoices/?{field}={value}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Фильтр не применён: Дата должна быть между 01.01.2000 и 31.12.2099" in html


@pytest.mark.parametrize("ids", [[HUGE], ["1", HUGE], ["-" + HUGE], ["0"]])
def test_pay_form_with_ids_out_of_range_is_404(owner_client, demo, ids):
    make_invoice(demo["ivanov"])
    response = owner_client.post("/payments/pay/", {"invoice_ids": ids})
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_huge_ids_in_urls_and_the_dispute_form_are_not_errors(owner_client, demo):
    invoice = make_invoice(demo["ivanov"])
    for url in (f"/invoices/{HUGE}/", f"/invoices/{HUGE}/xlsx/", f"/feedback/?invoice={HUGE}"):
        assert owner_client.get(url).status_code == 404, url
    data = {"kind": "service_dispute", "invoice": invoice.pk, "lines": [HUGE], "text": "x"}
    response = owner_client.post("/feedback/", {**data, "reason": "not_rendered", "person": HUGE})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()


def test_too_many_fields_get_a_russian_400_page(owner_client):
    response = owner_client.post("/payments/pay/", {f"f{i}": "1" for i in range(2100)})
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()

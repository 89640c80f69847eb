"""Pages and files behind login are never stored by a browser or proxy cache (pentest #10,
finding 8): `Cache-Control: no-store` on every authenticated response."""

import pytest
from django.urls import reverse

from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, demo):
    user = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    invoice = make_invoice(demo["ivanov"])
    client.force_login(user)
    return client, invoice, demo


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def test_pages_behind_login_are_no_store(logged_in):
    client, invoice, demo = logged_in
    for url in (
        reverse("policies:my_policies"),
        reverse("invoices:my_invoices"),
        reverse("invoices:spending"),
        reverse("invoices:detail", args=[invoice.pk]),
        reverse("invoices:detail", args=[invoice.pk]) + "?partial=1",
        reverse("feedback:index"),
        reverse("faq:index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in cache_control(response), url


def test_downloads_behind_login_are_no_store(logged_in):
    client, invoice, demo = logged_in
    for url in (
        reverse("invoices:xlsx", args=[invoice.pk]),
        reverse("invoices:export_xlsx"),
        reverse("invoices:spending_xlsx") + "?year=2026",
        reverse("invoices:pdf", args=[invoice.pk]),
        reverse("policies:certificate", args=[demo["ivanov"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in cache_control(response), url
        assert "public" not in cache_control(response), url


def test_redirects_and_errors_for_a_logged_in_user_are_no_store(logged_in):
    client, invoice, demo = logged_in
    missing = client.get(reverse("invoices:detail", args=[invoice.pk + 1000]))
    assert missing.status_code == 404
    assert "no-store" in cache_control(missing)


def test_a_view_that_sets_its_own_policy_keeps_it(logged_in):
    client, invoice, demo = logged_in
    response = client.get(reverse("invoices:xlsx", args=[invoice.pk]))
    assert cache_control(response) == {"private", "no-store"}


def test_anonymous_pages_are_left_alone(client, db):
    # Nothing personal without a login: the page keeps whatever policy it had (none here).
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" not in cache_control(response)

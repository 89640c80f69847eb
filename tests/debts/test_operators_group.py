"""Operators are staff in the «Операторы» group: they reach the back office, not the experts'
queue or user accounts."""

import pytest

from accounts.models import User
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, staff_group):
    operator = User.objects.create_user("+79990009999", "Operator-2026!", is_staff=True)
    operator.groups.add(staff_group("Операторы"))
    staff_login(client, operator)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/policies/insuredperson/",
        "/admin/invoices/serviceregistry/add/",
        "/admin/invoices/invoice/",
        "/admin/invoices/depositentry/add/",
        "/admin/payments/banktransfer/add/",
        "/admin/debts/debtor/",
        "/admin/debts/calllog/add/",
        "/admin/franchise/calendaroverride/add/",
    ],
)
def test_operator_reaches_the_back_office(operator_client, url):
    assert operator_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/accounts/user/", "/admin/feedback/appeal/"])
def test_operator_does_not_reach_accounts_or_the_experts_queue(operator_client, url):
    assert operator_client.get(url).status_code == 403

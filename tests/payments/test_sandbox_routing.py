"""The sandbox checkout and its notification endpoint exist only while the sandbox is the
configured provider (pentest #10, finding 1): with YooKassa nobody can «pay» on our own page."""

import importlib
import json

import pytest
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import dms_portal.urls
import payments.urls
from payments.models import Payment

pytestmark = pytest.mark.django_db


def _reload_urls():
    importlib.reload(payments.urls)
    importlib.reload(dms_portal.urls)
    clear_url_caches()


@pytest.fixture
def routed_for(settings):
    """routed_for(name): the URLconf as it is built when PAYMENT_PROVIDER = name."""
    original = django_settings.PAYMENT_PROVIDER

    def switch(name: str):
        settings.PAYMENT_PROVIDER = name
        _reload_urls()

    yield switch
    settings.PAYMENT_PROVIDER = original
    _reload_urls()


def test_with_yookassa_the_sandbox_urls_do_not_reverse(routed_for):
    routed_for("yookassa")
    with pytest.raises(NoReverseMatch):
        reverse("payments:sandbox_checkout", args=["sbx_token"])
    with pytest.raises(NoReverseMatch):
        reverse("payments:notification", args=["sandbox"])
    assert (
        reverse("payments:notification", args=["yookassa"]) == "/payments/notifications/yookassa/"
    )


def test_with_yookassa_the_sandbox_urls_are_404(client, routed_for, owner, two_new):
    # A sandbox checkout row left from development must not become a way to «pay».
    client.force_login(owner)
    client.post(reverse("payments:start"), {"invoice_ids": [i.pk for i in two_new]})
    token = Payment.objects.get().provider_payment_id
    routed_for("yookassa")
    assert client.get(f"/payments/sandbox/{token}/").status_code == 404
    assert client.post(f"/payments/sandbox/{token}/", {"decision": "pay"}).status_code == 404
    body = {"event": "payment.succeeded", "object": {"id": token}}
    response = client.post(
        "/payments/notifications/sandbox/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_with_the_sandbox_configured_its_urls_exist(routed_for):
    routed_for("sandbox")
    assert reverse("payments:sandbox_checkout", args=["sbx_t"]) == "/payments/sandbox/sbx_t/"
    assert reverse("payments:notification", args=["sandbox"]) == "/payments/notifications/sandbox/"

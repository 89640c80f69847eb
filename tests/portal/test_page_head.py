"""Every page's head (issue #19): a meta description for search results, the icon, and the
Bootstrap stylesheet the settings chose (the built subset, or XStatic's full file without npm)."""

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from tests.payments.factories import make_user

pytestmark = pytest.mark.django_db


def _head(response) -> str:
    html = response.content.decode()
    return html[: html.index("</head>")]


def test_anonymous_and_account_pages_have_description_icon_and_stylesheet(client, demo):
    pages = [reverse("accounts:login"), reverse("accounts:register")]
    for url in pages:
        head = _head(client.get(url))
        assert '<meta name="description" content="Личный кабинет застрахованного по ДМС' in head
        assert 'rel="icon"' in head
        assert static(settings.BOOTSTRAP_CSS) in head
    client.force_login(make_user(demo["ivanov"], phone="+79990000001"))
    for name in ("policies:my_policies", "invoices:my_invoices", "faq:index", "feedback:index"):
        head = _head(client.get(reverse(name)))
        assert '<meta name="description"' in head
        assert static(settings.BOOTSTRAP_CSS) in head


def test_favicon_redirects_to_the_app_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("icons/icon-192.png")


def test_the_subset_is_chosen_when_built():
    built = settings.BASE_DIR / "build" / "static" / "vendor" / "bootstrap-portal"
    expected = (
        "vendor/bootstrap-portal/bootstrap.min.css"
        if (built / "bootstrap.min.css").is_file()
        else "vendor/bootstrap/css/bootstrap.min.css"
    )
    assert expected == settings.BOOTSTRAP_CSS

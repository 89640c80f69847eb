"""The Content-Security-Policy header (pentest #10, finding 12)."""

from django.urls import reverse


def test_csp_forbids_plugins_and_foreign_base_urls(client, db):
    response = client.get(reverse("accounts:login"))
    policy = [p.strip() for p in response["Content-Security-Policy"].split(";")]
    assert "object-src 'none'" in policy
    assert "base-uri 'self'" in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy

"""/metrics: refused without the token or an internal address; what it reports."""

import datetime as dt
from decimal import Decimal

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dms_portal import clock
from monitoring.models import Heartbeat, TaskOutcome
from notifications.models import Message
from payments.models import Payment

pytestmark = pytest.mark.django_db
TOKEN = "t" * 40
PUBLIC = "203.0.113.9"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.PROXY_COUNT = 0
    return settings


def _samples(response) -> dict:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_are_a_plain_404_from_outside_without_the_token(client, metrics_settings):
    response = client.get("/metrics", REMOTE_ADDR=PUBLIC)
    assert response.status_code == 404
    assert b"dms_" not in response.content
    assert response.content == client.get("/no-such-page", REMOTE_ADDR=PUBLIC).content


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
    ],
)
def test_a_wrong_token_is_refused(client, metrics_settings, authorization):
    response = client.get("/metrics", REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 404


def test_an_empty_token_setting_accepts_no_token(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_the_token_opens_metrics_from_anywhere(client, metrics_settings):
    response = client.get("/metrics", REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"dms_http_requests_total" in response.content


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.20.0.5", "192.168.1.10", "::1"])
def test_internal_addresses_need_no_token(client, metrics_settings, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


def test_behind_a_proxy_the_client_address_decides_not_the_proxys(client, metrics_settings):
    """The proxy itself is on a private network; the client it forwards is not. A client
    writing a private address into X-Forwarded-For himself gains nothing."""
    metrics_settings.PROXY_COUNT = 1
    forwarded = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=PUBLIC)
    assert forwarded.status_code == 404
    spoofed = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {PUBLIC}"
    )
    assert spoofed.status_code == 404
    # Prometheus inside the network, scraping the container directly: no proxy hop.
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 200


def test_requests_are_counted_by_view_method_and_status(client, metrics_settings):
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    before = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    client.get("/healthz")
    after = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    key = (
        "dms_http_requests_total",
        (("method", "GET"), ("status", "200"), ("view", "portal:healthz")),
    )
    assert after[key] == before[key] + 1
    assert (
        after[
            (
                "dms_http_requests_total",
                (("method", "GET"), ("status", "404"), ("view", "unresolved")),
            )
        ]
        >= 1
    )
    count = ("dms_http_request_duration_seconds_count", (("view", "portal:healthz"),))
    assert after[count] == before[count] + 1


def test_payments_messages_beat_and_task_outcomes_come_from_the_database(client, metrics_settings):
    now = clock.now()
    for status in ("pending", "pending", "succeeded"):
        Payment.objects.create(
            provider="sandbox", amount=Decimal("1.00"), status=status, created_at=now
        )
    Payment.objects.filter(status="pending").update(created_at=now - dt.timedelta(minutes=30))
    Payment.objects.create(  # older than the 24-hour window
        provider="sandbox",
        amount=Decimal("1.00"),
        status="canceled",
        created_at=now - dt.timedelta(days=3),
    )
    Message.objects.create(event="e1", channel="sms", recipient="+79990000001", status="sent")
    Message.objects.create(event="e2", channel="sms", recipient="+79990000001", status="unknown")
    Message.objects.create(event="e3", channel="email", recipient="a@example.com")
    Heartbeat.objects.create(name="beat", at=now - dt.timedelta(seconds=90))
    TaskOutcome.objects.create(
        task="debts.tasks.send_reminders", outcome="failed", count=3, last_at=now
    )

    samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))

    assert samples[("dms_payments_last_24h", (("status", "pending"),))] == 2
    assert samples[("dms_payments_last_24h", (("status", "succeeded"),))] == 1
    assert ("dms_payments_last_24h", (("status", "canceled"),)) not in samples
    assert 1790 <= samples[("dms_payments_pending_oldest_age_seconds", ())] <= 1900
    assert samples[("dms_messages_last_24h", (("channel", "sms"), ("status", "sent")))] == 1
    assert samples[("dms_messages_open", (("channel", "sms"), ("status", "unknown")))] == 1
    assert samples[("dms_messages_open", (("channel", "email"), ("status", "queued")))] == 1
    assert ("dms_messages_open", (("channel", "sms"), ("status", "sent"))) not in samples
    assert samples[("dms_messages_due_oldest_age_seconds", ())] >= 0
    assert 90 <= samples[("dms_beat_heartbeat_age_seconds", ())] < 200
    assert (
        samples[
            (
                "dms_celery_tasks_total",
                (("outcome", "failed"), ("task", "debts.tasks.send_reminders")),
            )
        ]
        == 3
    )


def test_an_inline_task_is_counted_in_the_process(client, metrics_settings):
    from monitoring.tasks import beat_heartbeat

    key = (
        "dms_celery_tasks_inline_total",
        (("outcome", "succeeded"), ("task", "monitoring.tasks.beat_heartbeat")),
    )
    before = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1")).get(key, 0)
    beat_heartbeat.delay()
    after = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))[key]
    assert after == before + 1
    assert not TaskOutcome.objects.exists()  # inline runs write nothing to the database


def test_without_a_heartbeat_the_beat_gauge_is_absent(client, metrics_settings):
    samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    assert ("dms_beat_heartbeat_age_seconds", ()) not in samples
    assert samples[("dms_payments_pending_oldest_age_seconds", ())] == 0


def test_metrics_answer_get_only(client, metrics_settings):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405

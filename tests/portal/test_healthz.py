import json

import pytest


@pytest.mark.django_db
def test_healthz_answers_200_with_database_broker_storage_and_beat(client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "inline",
        "storage": "ok",
        "beat": {"state": "never", "last_run": None, "age_seconds": None},
    }


@pytest.mark.django_db
def test_healthz_stays_200_with_the_broker_down_and_says_so(
    client, settings, tmp_path, monkeypatch
):
    """The broker, the storage and beat are information: only the database decides the status."""
    from dms_portal.celery import app

    saved = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MEDIA_ROOT = tmp_path / "not-mounted"
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setenv("CELERY_BROKER_URL", down)  # Celery reads it before its own setting
    app.conf.broker_url = down
    app._pool = None
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = saved
        app._pool = None
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert body["storage"] == "error: missing"


@pytest.mark.django_db
def test_healthz_reports_beat_heartbeat_age_and_late_beat(client, settings, tmp_path):
    import datetime as dt

    from dms_portal import clock
    from monitoring.models import Heartbeat
    from monitoring.tasks import beat_heartbeat

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    beat_heartbeat.delay()
    beat = json.loads(client.get("/healthz").content)["beat"]
    assert beat["state"] == "ok"
    assert beat["age_seconds"] < settings.BEAT_HEARTBEAT_LATE_SECONDS

    Heartbeat.objects.filter(name="beat").update(at=clock.now() - dt.timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200  # a late beat is information, not an outage
    beat = json.loads(response.content)["beat"]
    assert beat["state"] == "late"
    assert beat["age_seconds"] >= 600


@pytest.mark.django_db
def test_healthz_reports_redis_broker_when_configured(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from dms_portal.celery import app

    app.conf.broker_url = redis_url
    body = json.loads(client.get("/healthz").content)
    assert body["broker"] == "ok"


@pytest.mark.django_db
def test_unknown_page_gets_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()

import json

import pytest


@pytest.mark.django_db
def test_healthz_answers_200_with_database_and_broker_state(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "broker": "inline"}


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

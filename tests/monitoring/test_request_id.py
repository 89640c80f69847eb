"""Every response carries X-Request-ID and every log line written for the request its id."""

import json
import logging

import pytest

from dms_portal.logs import JsonFormatter, request_id_var
from dms_portal.requestid import request_id_from

pytestmark = pytest.mark.django_db


def test_a_request_without_an_id_gets_a_new_one_on_the_response(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c1e-proxy-0001")
    assert response["X-Request-ID"] == "3f2a9c1e-proxy-0001"


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "short",  # under 8 characters
        "x" * 129,  # over 128
        "abc def ghij",  # spaces
        'id"} {"level": "ERROR',  # an attempt to forge JSON
        "line\nbreak-1234",
        "идентификатор-запроса",  # not ASCII
    ],
)
def test_an_insane_incoming_request_id_is_replaced(incoming):
    assert request_id_from(incoming) != incoming
    assert len(request_id_from(incoming)) == 32


def test_log_lines_of_a_request_carry_its_id_as_json(client, json_log):
    # An unknown page: django.request logs «Not Found» while the request is handled.
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0000-test-404")
    entries = [e for e in json_log.entries() if e["logger"] == "django.request"]
    assert entries, json_log.entries()
    assert entries[0]["request_id"] == "req-0000-test-404"
    assert entries[0]["level"] == "WARNING"
    assert "Not Found" in entries[0]["message"]


def test_a_4xx_a_view_returns_is_logged_with_the_request_id(client, json_log, settings):
    """A 4xx a view returns (not raises) is logged by django.request after the middleware has
    returned; the record still carries the request, and the id comes from it."""
    settings.PAYMENT_NOTIFICATION_MAX_BYTES = 10
    response = client.post(
        "/payments/notifications/sandbox/",
        data=b'{"too": "large for ten bytes"}',
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-0000-test-413",
    )
    assert response.status_code == 413
    by_logger = {e["logger"]: e for e in json_log.entries()}
    assert by_logger["payments.views"]["request_id"] == "req-0000-test-413"
    assert by_logger["django.request"]["request_id"] == "req-0000-test-413"


def test_the_id_is_gone_after_the_request(client):
    client.get("/healthz", HTTP_X_REQUEST_ID="req-0000-test-after")
    assert request_id_var.get() is None


def test_json_lines_carry_extra_fields_and_tracebacks_and_stay_one_line():
    logger = logging.getLogger("tests.monitoring")
    try:
        raise ValueError("строка\nвторая")
    except ValueError:
        record = logger.makeRecord(
            "tests.monitoring",
            logging.ERROR,
            __file__,
            1,
            "платёж %s не прошёл",
            ("42",),
            exc_info=__import__("sys").exc_info(),
            extra={"payment_id": 42, "odd": object()},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "платёж 42 не прошёл"
    assert entry["payment_id"] == 42
    assert entry["odd"].startswith("<object")
    assert "ValueError" in entry["exc"]
    assert "request_id" not in entry  # none outside a request

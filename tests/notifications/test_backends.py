import pytest
import time_machine

from notifications.backends import HttpSmsGatewayBackend, PermanentError, TemporaryError
from notifications.models import Message
from notifications.services import message_deliver, notify

from .fake_gateway import FakeGateway
from .test_services import msk


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_API_ID = "test-api-id"
        settings.SMS_GATEWAY_SENDER = "DMS"
        settings.SMS_GATEWAY_TIMEOUT = 0.5
        yield fake


def _send(body="Привет"):
    HttpSmsGatewayBackend().send(channel="sms", recipient="+79990000001", subject="", body=body)


def test_gateway_success_posts_credentials_number_and_text(gateway):
    _send("Счёт 2026/03/1 на 240,00 руб.")
    assert gateway.requests == [
        {
            "path": "/sms/send",
            "api_id": "test-api-id",
            "to": "79990000001",
            "msg": "Счёт 2026/03/1 на 240,00 руб.",
            "json": "1",
            "from": "DMS",
        }
    ]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (("error", 200), PermanentError),  # wrong api_id
        (("number",), PermanentError),  # bad number
        (("http", 400), PermanentError),
        (("error", 220), TemporaryError),  # "service temporarily unavailable"
        (("http", 503), TemporaryError),
        (("http", 429), TemporaryError),
        (("hang", 2), TemporaryError),  # timeout
    ],
)
def test_gateway_errors_are_permanent_or_temporary(gateway, answer, error):
    gateway.answers = [answer]
    with pytest.raises(error):
        _send()


def test_unreachable_gateway_is_temporary(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(TemporaryError, match="unreachable"):
        _send()


def test_unconfigured_gateway_is_permanent(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(PermanentError, match="not configured"):
        _send()


@pytest.mark.django_db
def test_timeout_is_retried_and_then_sent_once(gateway, settings, tmp_path):
    settings.SMS_BACKEND = "notifications.backends.HttpSmsGatewayBackend"
    (tmp_path / "notifications").mkdir()
    (tmp_path / "notifications" / "gw.sms.txt").write_text("Текст {{ n }}", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    gateway.answers = [("hang", 2)]
    with time_machine.travel(msk(1, 12), tick=False):
        (sms,) = notify(event="gw", context={"n": 1}, phone="+79990000001")
        with pytest.raises(TemporaryError):
            message_deliver(message_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Message.Status.QUEUED and "gateway did not answer" in sms.error
    with time_machine.travel(sms.scheduled_for, tick=False):
        assert message_deliver(message_id=sms.pk).status == Message.Status.SENT
        assert message_deliver(message_id=sms.pk).status == Message.Status.SENT
    assert [r["msg"] for r in gateway.requests] == ["Текст 1", "Текст 1"]  # timed out + sent

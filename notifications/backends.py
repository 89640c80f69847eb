"""Channel backends, chosen by dotted path in settings (SMS_BACKEND, EMAIL_CHANNEL_BACKEND).

Like Django's EMAIL_BACKEND: a small base class, a development implementation and real ones.
`send()` either returns normally (delivered), raises TemporaryError (retry later) or
PermanentError (give up).
"""

import json
import logging
import smtplib
import sys
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    permanent = False


class TemporaryError(DeliveryError):
    permanent = False


class PermanentError(DeliveryError):
    permanent = True


class BaseBackend:
    #: whether message bodies may be stored in the database (never in production for codes)
    keeps_bodies = False

    def send(self, *, channel: str, recipient: str, subject: str, body: str) -> None:
        raise NotImplementedError


class OutboxBackend(BaseBackend):
    """Development: the message is kept in the outbox table and echoed to the console."""

    keeps_bodies = True

    def send(self, *, channel: str, recipient: str, subject: str, body: str) -> None:
        if getattr(settings, "NOTIFICATIONS_ECHO", True):
            text = " ".join(body.split())
            print(f"[outbox] {channel} {recipient} {text}", file=sys.stderr)


class DjangoEmailBackend(BaseBackend):
    """E-mail through Django's configured EMAIL_BACKEND (SMTP in production)."""

    def send(self, *, channel: str, recipient: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"address refused: {recipient}") from exc
        except (OSError, TimeoutError) as exc:
            # SMTPException is an OSError: a server down or busy is worth another try.
            raise TemporaryError(str(exc)) from exc


class HttpSmsGatewayBackend(BaseBackend):
    """An HTTP SMS gateway in the style of sms.ru: POST /sms/send with api_id, to, msg, json=1.

    The gateway answers JSON with "status": "OK" or "ERROR", a "status_code" and a per-number
    status; 5xx, 429, network errors, timeouts and the gateway's own "try again" codes are
    temporary, an explicit refusal (bad key, bad number, no balance) is permanent.
    Credentials come from the environment: SMS_GATEWAY_URL, SMS_GATEWAY_API_ID,
    SMS_GATEWAY_SENDER; SMS_GATEWAY_TIMEOUT (seconds, default 10).
    """

    #: sms.ru codes meaning "service temporarily unavailable" / "server error, repeat"
    temporary_codes = frozenset({220, 500})

    def send(self, *, channel: str, recipient: str, subject: str, body: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise PermanentError("SMS_GATEWAY_URL is not configured")
        data = {
            "api_id": settings.SMS_GATEWAY_API_ID,
            "to": recipient.lstrip("+"),
            "msg": body,
            "json": "1",
        }
        if settings.SMS_GATEWAY_SENDER:
            data["from"] = settings.SMS_GATEWAY_SENDER
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings
            settings.SMS_GATEWAY_URL.rstrip("/") + "/sms/send",
            data=urllib.parse.urlencode(data).encode(),
            method="POST",
        )
        try:
            timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                payload = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TemporaryError(f"gateway HTTP {exc.code}") from exc
            raise PermanentError(f"gateway HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            # Raised while connecting or sending: the gateway has not got the message.
            raise TemporaryError(f"gateway unreachable: {exc.reason}") from exc
        except (TimeoutError, OSError) as exc:
            # No answer after the request went out: ambiguous. It is retried all the same (an
            # SMS that never arrives is worse for a debtor than a rare duplicate), and the
            # error text says so for the log.
            raise TemporaryError(
                f"gateway did not answer ({exc}); the SMS may have gone out"
            ) from exc
        except ValueError as exc:
            raise TemporaryError("gateway answered non-JSON") from exc
        if payload.get("status") != "OK":
            self._raise(payload, "gateway refused")
        per_number = (payload.get("sms") or {}).get(recipient.lstrip("+"), {})
        if per_number and per_number.get("status") != "OK":
            self._raise(per_number, "gateway refused number")

    def _raise(self, answer: dict, what: str) -> None:
        text = f"{what}: {answer.get('status_code')} {answer.get('status_text', '')}".strip()
        try:
            code = int(answer.get("status_code"))
        except (TypeError, ValueError):
            code = None
        if code in self.temporary_codes:
            raise TemporaryError(text)
        raise PermanentError(text)


def backend_for(channel: str) -> BaseBackend:
    path = settings.SMS_BACKEND if channel == "sms" else settings.EMAIL_CHANNEL_BACKEND
    return import_string(path)()

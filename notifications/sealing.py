"""Short-lived encryption of one-time-code texts (pen-test #10 item 12).

A code's SMS text must reach the worker without riding in the Celery message (the broker,
Redis, persists its queue to disk) and without lying in clear in the database. It is kept in
its Message row encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a key derived from
SECRET_KEY, and wiped once delivered or expired; the task carries only the row's id.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac


def _fernet() -> Fernet:
    key = salted_hmac("notifications.sealing", "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str, *, max_age: int) -> str | None:
    """The text, or None when the token is empty, tampered with or older than max_age s."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode(), ttl=max_age).decode()
    except InvalidToken:
        return None

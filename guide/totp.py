"""RFC 6238 codes (30 s, 6 digits, SHA-1 — django-otp's defaults) for the demo staff's
printed secrets, at a given moment: the guide's clock, not the real one."""

import base64
import hashlib
import hmac
import struct


def totp_now(secret_b32: str, moment: float, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(moment // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"

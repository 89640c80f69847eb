"""A small stand-in for the YooKassa API (https://yookassa.ru/developers/api) on 127.0.0.1.

It speaks the parts we use: POST /v3/payments (idempotent by the Idempotence-Key header, as
the real API is for 24 hours) and GET /v3/payments/<id>. Tests steer it: delay the first
answer past the client's timeout, fail with 500, change a payment's status or amount.
"""

import contextlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeYooKassa:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.requests: list[dict] = []
        self.delay_first_create = 0.0
        self.fail_creates = 0
        self.reject_creates = False
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may have given up waiting (the timeout test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotence-Key")
                with fake.lock:
                    fake.requests.append(
                        {
                            "method": "POST",
                            "path": self.path,
                            "key": key,
                            "body": body,
                            "auth": self.headers.get("Authorization"),
                        }
                    )
                    first = len([r for r in fake.requests if r["method"] == "POST"]) == 1
                    if fake.fail_creates:
                        fake.fail_creates -= 1
                        failing = True
                    else:
                        failing = False
                if self.path != "/v3/payments":
                    return self._send(404, {"type": "error", "code": "not_found"})
                if failing:
                    return self._send(500, {"type": "error", "code": "internal_server_error"})
                if fake.reject_creates:
                    return self._send(
                        400,
                        {
                            "type": "error",
                            "id": "x",
                            "code": "invalid_request",
                            "description": "Receipt is invalid",
                            "parameter": "receipt",
                        },
                    )
                if not key:
                    return self._send(
                        400,
                        {
                            "type": "error",
                            "code": "invalid_request",
                            "description": "Idempotence-Key is required",
                        },
                    )
                with fake.lock:
                    payment_id = fake.by_key.get(key)
                    if payment_id is None:
                        payment_id = str(uuid.uuid4())
                        fake.by_key[key] = payment_id
                        fake.payments[payment_id] = {
                            "id": payment_id,
                            "status": "pending",
                            "paid": False,
                            "amount": body["amount"],
                            "description": body.get("description", ""),
                            "metadata": body.get("metadata", {}),
                            "recipient": {"account_id": "123456", "gateway_id": "1"},
                            "created_at": "2026-11-20T09:00:00.000Z",
                            "confirmation": {
                                "type": "redirect",
                                "return_url": body["confirmation"]["return_url"],
                                "confirmation_url": f"https://yoomoney.ru/checkout/payments/v2/contract?orderId={payment_id}",
                            },
                            "test": True,
                            "refundable": False,
                        }
                    answer = dict(fake.payments[payment_id])
                if first and fake.delay_first_create:
                    time.sleep(fake.delay_first_create)  # created, but the answer comes too late
                return self._send(200, answer)

            def do_GET(self):
                with fake.lock:
                    fake.requests.append({"method": "GET", "path": self.path})
                    payment_id = self.path.rsplit("/", 1)[-1]
                    payment = fake.payments.get(payment_id)
                if payment is None:
                    return self._send(404, {"type": "error", "code": "not_found"})
                return self._send(200, payment)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def creates(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def succeed(self, payment_id: str, amount: str | None = None) -> dict:
        with self.lock:
            payment = self.payments[payment_id]
            payment.update(
                status="succeeded",
                paid=True,
                captured_at="2026-11-20T09:05:00.000Z",
                receipt_registration="succeeded",
            )
            payment.pop("confirmation", None)
            if amount is not None:
                payment["amount"] = {"value": amount, "currency": "RUB"}
            return dict(payment)

    def cancel(self, payment_id: str) -> dict:
        with self.lock:
            payment = self.payments[payment_id]
            payment.update(
                status="canceled",
                cancellation_details={"party": "yoo_money", "reason": "expired_on_confirmation"},
            )
            payment.pop("confirmation", None)
            return dict(payment)

"""A local fake of an sms.ru-style HTTP gateway (POST /sms/send), run in a thread.

`answers` is a list the server pops per request: ("ok",), ("error", code), ("http", status) or
("hang", seconds). With an empty list it answers OK. Every request's form fields are kept.
"""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self):
        self.answers: list[tuple] = []
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                gateway.requests.append({"path": self.path, **form})
                answer = gateway.answers.pop(0) if gateway.answers else ("ok",)
                if answer[0] == "hang":
                    time.sleep(answer[1])
                    return
                if answer[0] == "http":
                    self.send_response(answer[1])
                    self.end_headers()
                    return
                to = form.get("to", "")
                if answer[0] == "ok":
                    payload = {
                        "status": "OK",
                        "status_code": 100,
                        "sms": {to: {"status": "OK", "status_code": 100, "sms_id": "000-1"}},
                    }
                elif answer[0] == "number":
                    payload = {
                        "status": "OK",
                        "status_code": 100,
                        "sms": {to: {"status": "ERROR", "status_code": 202, "status_text": "Неправильно указан номер"}},
                    }  # fmt: skip
                else:
                    payload = {"status": "ERROR", "status_code": answer[1], "status_text": "ошибка"}
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

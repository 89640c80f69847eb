"""Lighthouse (mobile) scores of every account page, against gunicorn with production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/lighthouse.py
    ... python bench/lighthouse.py /faq/ /profile/      # only these pages

Same set-up as bench/pages_load.py (throwaway database with the demo data, collectstatic,
gunicorn with `dms_portal.settings.bench`, login through the real form); each page is then
audited by the npm `lighthouse` package (mobile emulation, its default throttling) in Debian's
Chromium (CHROME_PATH, default /usr/bin/chromium), the session and CSRF cookies passed with
--extra-headers; each full report is kept in artifacts/lighthouse/. Lighthouse is taken from node_modules when installed there
(`npm install --no-save lighthouse`), otherwise through `npx --yes lighthouse@13`; it is not part of
CI (it needs time and, through npx, the network). One line per page:
`/faq/: performance=98 accessibility=100 best-practices=100 seo=100 (cls=0.000 lcp_ms=1200)`.
"""

import json
import os
import subprocess
import sys
import tempfile

from _pgdb import ROOT, throwaway_database
from pages_load import free_port, login, seed, start_server

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def lighthouse_command() -> list[str]:
    local = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
    if local.is_file():
        return ["node", str(local)]
    return ["npx", "--yes", "lighthouse@13"]


def pages(invoice_id: int, person_id: int) -> list[str]:
    return [
        "/policies/",
        f"/policies/{person_id}/card/",
        "/feedback/",
        "/invoices/",
        f"/invoices/{invoice_id}/",
        "/clinics/",
        "/care/requests/",
        "/feedback/travel/",
        "/faq/",
        "/care/support/",
        "/profile/",
        "/care/sos/",
    ]


def audit(port: int, cookie: str, path: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        command = [
            *lighthouse_command(),
            f"http://127.0.0.1:{port}{path}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--quiet",
        ]
        if cookie:
            command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        # Headless Chromium now and then loses the trace (Lighthouse: NO_NAVSTART): once more.
        if subprocess.run(command, env=env, timeout=300).returncode != 0:
            subprocess.run(command, env=env, check=True, timeout=300)
        with open(report) as f:
            data = json.load(f)
    # The whole report, for the audits' details (artifacts/ is not in git).
    keep = ROOT / "artifacts" / "lighthouse"
    keep.mkdir(parents=True, exist_ok=True)
    slug = path.strip("/").replace("/", "_") or "login"
    (keep / f"{slug}.json").write_text(json.dumps(data))
    if path != "/" and data.get("finalDisplayedUrl", "").rstrip("/").endswith(":" + str(port)):
        raise SystemExit(f"{path} redirected to the login page: the session was not accepted")
    scores = {c: round((data["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    audits = data["audits"]
    failing = [
        key
        for key, a in audits.items()
        if a.get("score") is not None
        and a["score"] < 0.9
        and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    ]
    return {
        **scores,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "failing": failing,
    }


def main() -> None:
    only = sys.argv[1:]
    with throwaway_database("lighthouse") as tmp:
        invoice_id = seed()
        from policies.models import InsuredPerson

        person_id = InsuredPerson.objects.get(policy_number="DMS-0001").pk
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(port, tmp / "static", page_cache=True)
        try:
            cookie = login(port)
            results = {}
            for path in only or pages(invoice_id, person_id):
                result = audit(port, "" if path == "/" else cookie, path)
                results[path] = result
                print(
                    f"{path}: "
                    + " ".join(f"{c}={result[c]}" for c in CATEGORIES)
                    + f" (cls={result['cls']:.3f} lcp_ms={result['lcp_ms']:.0f})"
                    + (f" below 0.9: {', '.join(result['failing'])}" if result["failing"] else ""),
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    worst = {c: min(r[c] for r in results.values()) for c in CATEGORIES}
    print("lowest: " + " ".join(f"{c}={worst[c]}" for c in CATEGORIES))


if __name__ == "__main__":
    main()

"""Backup and restore drill (docs/production.md, «Backups»): a backup never restored is not a
backup.

On the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
it makes a throwaway source database with the demo data (migrate, seed_demo) and real files in
a temporary MEDIA_ROOT (the invoices' PDFs rendered by the portal's own code), then backs both
up exactly as production does (pg_dump -Fc, tar of MEDIA_ROOT), restores them into a new
database and a new folder (pg_restore --no-owner, untar) and compares:

- every table: row count and a checksum of all rows (md5 of each row's text, sorted);
- the key tables by name (invoices, payments, consents, the stored files' rows), which must
  not be empty, so an empty drill cannot pass;
- every file a row refers to: present in the restored folder with the same SHA-256, and the
  two folders hold the same files.

The last line says `restore drill: OK …` or `restore drill: FAILED …`; the exit code is 0 only
when everything matched. Both databases and folders are removed afterwards (`--keep` keeps
them). Run: `make restore-drill` (CI runs it too).
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
KEY_TABLES = {
    "invoices": "invoices_invoice",
    "invoice lines": "invoices_serviceline",
    "payments": "payments_payment",
    "consents": "accounts_consentrecord",
    "registries": "invoices_serviceregistry",
}
# One Django process for the whole source (each start costs seconds): the schema, the demo
# data, real files through the portal's own code (every invoice's PDF, rendered by WeasyPrint;
# seed_demo's registry import stores its file), and last the columns that name stored files.
SEED_SOURCE = """
import json, time
from django.apps import apps
from django.core.management import call_command
from django.db.models import FileField
from invoices.models import Invoice
from invoices.services.pdf import invoice_pdf

step = time.monotonic()
call_command("migrate", interactive=False, verbosity=0)
print(f"migrate {time.monotonic() - step:.1f} s")
step = time.monotonic()
call_command("seed_demo")
for invoice in Invoice.objects.all():
    invoice_pdf(invoice=invoice)
print(f"seed_demo and PDFs {time.monotonic() - step:.1f} s")
print(json.dumps(sorted({(m._meta.db_table, f.column) for m in apps.get_models()
                         for f in m._meta.concrete_fields if isinstance(f, FileField)})))
"""


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


def manage(env: dict, *args: str) -> str:
    return run([sys.executable, "manage.py", *args], cwd=ROOT, env=env).stdout


def major(version_text: str) -> int:
    """15 from «pg_dump (PostgreSQL) 15.20 (Debian …)» or from «150020»."""
    for word in version_text.split():
        head = word.split(".")[0]
        if head.isdigit():
            number = int(head)
            return number // 10000 if number >= 10000 else number
    raise ValueError(f"no version in {version_text!r}")


def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """table → (rows, checksum of all rows) for every table of the public schema."""
    digests = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                "FROM (SELECT md5(t::text) AS h FROM {} t) rows"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone()
            digests[table] = (count, digest)
    return digests


def referenced_files(url: str, columns: list[list[str]]) -> set[str]:
    names: set[str] = set()
    with psycopg.connect(url, autocommit=True) as conn:
        for table, column in columns:
            query = sql.SQL("SELECT {c} FROM {t} WHERE {c} <> ''").format(
                c=sql.Identifier(column), t=sql.Identifier(table)
            )
            names.update(row[0] for row in conn.execute(query))
    return names


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def compare(
    source: dict[str, tuple[int, str]],
    restored: dict[str, tuple[int, str]],
    source_files: dict[str, str],
    restored_files: dict[str, str],
    referenced: set[str],
) -> list[str]:
    """Every difference between the source and the restore, as sentences ([] = they match)."""
    problems = []
    for table in sorted(source.keys() | restored.keys()):
        if table not in restored:
            problems.append(f"table {table} missing from the restore")
        elif table not in source:
            problems.append(f"table {table} only in the restore")
        elif source[table] != restored[table]:
            n1, n2 = source[table][0], restored[table][0]
            why = f"{n1} rows vs {n2}" if n1 != n2 else "same count, different rows"
            problems.append(f"table {table} differs: {why}")
    for label, table in KEY_TABLES.items():
        if source.get(table, (0, ""))[0] == 0:
            problems.append(f"{label} ({table}): no rows in the source, nothing proven")
    for name in sorted(referenced):
        if name not in source_files:
            problems.append(f"file {name} referenced but missing in the source media")
        elif name not in restored_files:
            problems.append(f"file {name} missing from the restored media")
        elif source_files[name] != restored_files[name]:
            problems.append(f"file {name} differs (SHA-256)")
    for name in sorted(source_files.keys() ^ restored_files.keys()):
        if name not in referenced:
            problems.append(f"file {name} in only one of the two media folders")
    if not referenced:
        problems.append("no stored files referenced by any row, nothing proven")
    return problems


def drill(server: str, work: Path, keep: bool) -> int:
    started = time.monotonic()
    suffix = f"{os.getpid()}_{int(time.time())}"
    source_db, restore_db = f"drill_src_{suffix}", f"drill_restore_{suffix}"
    source_url, restore_url = database_url(server, source_db), database_url(server, restore_db)
    media, restored_media = work / "media", work / "media-restored"
    dump, archive = work / "dms.dump", work / "media.tgz"

    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        server_major = major(str(admin.execute("SHOW server_version_num").fetchone()[0]))
        tools = {
            tool: run([tool, "--version"]).stdout.strip() for tool in ("pg_dump", "pg_restore")
        }
        for tool, text in tools.items():
            if major(text) < server_major:
                print(f"restore drill: FAILED — {tool} is older than the server: {text}")
                return 2
        print(f"server PostgreSQL {server_major}; {tools['pg_dump']}")
        for name in (source_db, restore_db):
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dms_portal.settings.dev",
            "DATABASE_URL": source_url,
            "MEDIA_ROOT": str(media),
            "CELERY_BROKER_URL": "",
            "NOTIFICATIONS_ECHO": "0",
        }
        output = manage(env, "shell", "-c", SEED_SOURCE).strip().splitlines()
        print("\n".join(line for line in output if line.endswith(" s")))
        columns = json.loads(output[-1])
        print(f"source: {source_db} seeded, media in {media}")

        # The backup, as docs/production.md has it: a custom-format dump and a tar of the files.
        run(["pg_dump", "-Fc", "-d", source_url, "-f", str(dump)])
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(media, arcname="media")
        print(f"backup: {dump.stat().st_size} bytes dump, {archive.stat().st_size} bytes media")

        # The restore: a new database and a new folder.
        run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restore_url, str(dump)])
        restored_media.mkdir()
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(restored_media, filter="data")
        restored_media = restored_media / "media"

        source, restored = table_digests(source_url), table_digests(restore_url)
        source_files, restored_files = file_hashes(media), file_hashes(restored_media)
        referenced = referenced_files(restore_url, columns)
        problems = compare(source, restored, source_files, restored_files, referenced)
    finally:
        if not keep:
            with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
                for name in (source_db, restore_db):
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
    seconds = time.monotonic() - started
    for problem in problems:
        print(f"MISMATCH {problem}")
    keys = " ".join(f"{table}={source.get(table, (0,))[0]}" for table in KEY_TABLES.values())
    rows = sum(count for count, _ in source.values())
    summary = f"{len(source)} tables, {rows} rows, {len(referenced)} files; {keys}"
    if problems:
        print(f"restore drill: FAILED — {len(problems)} mismatches ({summary}) in {seconds:.1f} s")
        return 1
    print(f"restore drill: OK — {summary} match after restore in {seconds:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the databases and folders")
    options = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.startswith(("postgres://", "postgresql://")):
        print("restore drill: FAILED — DATABASE_URL must name a PostgreSQL server")
        return 2
    try:
        if options.keep:
            work = Path(tempfile.mkdtemp(prefix="restore-drill-"))
            print(f"keeping {work}")
            return drill(server, work, keep=True)
        with tempfile.TemporaryDirectory(prefix="restore-drill-") as folder:
            return drill(server, Path(folder), keep=False)
    except subprocess.CalledProcessError as exc:
        print((exc.stdout or "")[-2000:] + (exc.stderr or "")[-4000:])
        print(f"restore drill: FAILED — {' '.join(map(str, exc.cmd[:3]))} exited {exc.returncode}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

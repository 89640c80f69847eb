"""Importing clinic registries: every row ends loaded, held, rejected or duplicate.

Two paths with one outcome (tests run the same files through both):
- PostgreSQL, CSV: a second connection COPYs the file piece by piece into unlogged tables and
  checks and matches each piece set-based, while the import's ONE transaction loads
  each finished chunk (INSERT … SELECT … ON CONFLICT DO NOTHING) and writes the report — the
  two halves run side by side on two server processes (see _PostgresImport._run_pipelined).
  XLSX, and CSV that COPY refuses: rows stream through the Python validation into a temporary
  staging table with COPY, then the same transaction matches, loads and reports.
- other databases (SQLite for development): the same validation, matching in batches of 1,000
  rows with a few queries each, all inside one transaction.
Either way a crash leaves the whole file's good rows or none: the registry stays «Загружается»
and the task can simply run again.

Duplicates: a (clinic, line id) already loaded, billed or dismissed, or seen earlier in the same
file among valid rows. A held line is not a duplicate: the same line sent again is matched
afresh and may load (the held ServiceLine is updated in place, keeping the unique key).
"""

# SQL below is built only from our own table names and constant reason texts; values go as
# parameters or through COPY.
# ruff: noqa: S608
from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import DatabaseError, connection, transaction

from dms_portal import clock

from ..models import Clinic, RegistryProblem, ServiceLine, ServiceRegistry
from ..registry.lease import registry_beat, registry_claim, registry_release
from ..registry_reader import LABEL, RegistryReadError, open_registry
from ..registry_rows import (
    HOLD,
    ParsedRow,
    match_line,
    raw_dict,
    roster_for,
    validate_row,
)

log = logging.getLogger(__name__)

PROGRESS_EVERY = 50_000
CHUNK_ROWS = 50_000  # rows per checked chunk on PostgreSQL: the load starts after the first
BATCH = 1_000
R = ServiceRegistry.Status
L = ServiceLine.Status


@dataclass
class ImportCounts:
    loaded: int = 0
    held: int = 0
    rejected: int = 0
    duplicates: int = 0

    def line(self) -> str:
        return (
            f"loaded={self.loaded} held={self.held} "
            f"rejected={self.rejected} duplicates={self.duplicates}"
        )


def registry_create(*, path: str | Path, original_name: str = "") -> ServiceRegistry:
    """Keep a copy of the file in storage and register it for import (status «Ожидает»)."""
    path = Path(path)
    with path.open("rb") as fh:
        return registry_store(file=File(fh, name=path.name), original_name=original_name)


def registry_store(*, file: File, original_name: str = "") -> ServiceRegistry:
    """Register a file (a path's or an admin upload's): one pass hashes it, one stores it."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    registry = ServiceRegistry(
        original_name=original_name or Path(file.name).name, sha256=digest.hexdigest()
    )
    file.seek(0)
    registry.file.save(Path(file.name).name, file, save=False)
    registry.save()
    return registry


def registry_import(*, registry_id: int, fast: bool | None = None) -> ServiceRegistry:
    """Import one registered file. Idempotent: a finished registry is returned as it is, and
    so is one another process is importing (a live lease); one left «Загружается» by a crash
    (a stale lease, see registry/lease.py) is imported again from the start.

    `fast` picks the COPY path (default: on PostgreSQL); tests pass False on PostgreSQL to
    prove both paths give the same outcome."""
    if fast is None:
        fast = connection.vendor == "postgresql"
    claimed = registry_claim(registry_id=registry_id)
    registry = ServiceRegistry.objects.get(pk=registry_id)
    if not claimed:
        return registry
    try:
        return _import_claimed(registry, fast=fast)
    except BaseException:
        # Alive enough to see the error: give the lease up now (a killed worker cannot; its
        # heartbeat ages instead). The registry shows «Прервана» and may be retried.
        registry_release(registry_id=registry_id)
        raise


def _import_claimed(registry: ServiceRegistry, *, fast: bool) -> ServiceRegistry:
    registry_id = registry.pk
    try:
        source = open_registry(registry.file.path)
    except RegistryReadError as exc:
        ServiceRegistry.objects.filter(pk=registry_id).update(
            status=R.FAILED, error=str(exc), finished_at=clock.now()
        )
        registry.refresh_from_db()
        return registry
    ServiceRegistry.objects.filter(pk=registry_id).update(rows_total=source.rows_total, rows_done=0)
    try:
        if fast:
            _PostgresImport(registry_id, source).run()
        else:
            _batched_import(registry_id, source)
    except RegistryReadError as exc:
        # Found mid-file (a broken byte, a torn archive): nothing was loaded — all or nothing.
        ServiceRegistry.objects.filter(pk=registry_id).update(
            status=R.FAILED, error=str(exc), finished_at=clock.now()
        )
    registry.refresh_from_db()
    return registry


def registry_import_file(*, path: str | Path, original_name: str = "") -> ServiceRegistry:
    """Register and import a file at once (management command, inbox, demo seed)."""
    registry = registry_create(path=path, original_name=original_name)
    return registry_import(registry_id=registry.pk)


def registry_counts(registry: ServiceRegistry) -> ImportCounts:
    return ImportCounts(registry.loaded, registry.held, registry.rejected, registry.duplicates)


def _finish(registry_id: int, counts: ImportCounts, rows_done: int) -> None:
    ServiceRegistry.objects.filter(pk=registry_id).update(
        status=R.DONE,
        loaded=counts.loaded,
        held=counts.held,
        rejected=counts.rejected,
        duplicates=counts.duplicates,
        rows_done=rows_done,
        rows_total=rows_done,
        finished_at=clock.now(),
    )


def _locked_unfinished(registry_id: int) -> bool:
    """Inside the final transaction: False when another worker already finished this file."""
    registry = ServiceRegistry.objects.select_for_update().get(pk=registry_id)
    return registry.status == R.RUNNING


def _claimed_for_load(registry_id: int) -> bool:
    """The PostgreSQL pipeline's version of _locked_unfinished: a transaction-level advisory
    lock instead of the row lock, because the worker connection keeps writing the registry's
    progress (rows_done) while the load's transaction is open."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_NAMESPACE, registry_id])
    return ServiceRegistry.objects.filter(pk=registry_id, status=R.RUNNING).exists()


ADVISORY_NAMESPACE = 0x5265_6769  # "Regi": pg_advisory_xact_lock(namespace, registry id)


def _clinics_ensure(names: dict[str, str]) -> dict[str, int]:
    """Clinic code → id, creating unknown clinics with the name of their first row."""
    existing = dict(Clinic.objects.filter(code__in=list(names)).values_list("code", "id"))
    missing = [Clinic(code=code, name=name) for code, name in names.items() if code not in existing]
    if missing:
        Clinic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = dict(Clinic.objects.filter(code__in=list(names)).values_list("code", "id"))
    return existing


def _held_raw(row: ParsedRow) -> dict:
    return {
        "registry_no": row.registry_no,
        "clinic_code": row.clinic_code,
        "clinic_name": row.clinic_name,
        "line_id": row.line_id,
        "policy_no": row.policy_no,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "patronymic": row.patronymic,
        "birth_date": row.birth_date.strftime("%d.%m.%Y"),
        "service_date": row.service_date.strftime("%d.%m.%Y"),
        "service_code": row.service_code,
        "service_name": row.service_name,
        "quantity": str(row.quantity),
        "unit_price": f"{row.unit_price:.2f}",
        "amount": f"{row.amount:.2f}",
    }


# --- the batched path (any database) -------------------------------------------------------------


def _batched_import(registry_id: int, source) -> None:
    today = clock.moscow_today()
    counts = ImportCounts()
    with transaction.atomic():
        if not _locked_unfinished(registry_id):
            return
        seen: set[tuple[int, str]] = set()
        problems: list[RegistryProblem] = []
        batch: list[ParsedRow] = []
        rows_done = 0
        for number, values in source.rows():
            rows_done += 1
            parsed, row_problems = validate_row(number, values, today)
            if row_problems:
                counts.rejected += 1
                raw = raw_dict(values)
                problems.extend(
                    RegistryProblem(
                        registry_id=registry_id,
                        row_number=number,
                        column=column,
                        reason=reason,
                        kind=RegistryProblem.Kind.REJECTED,
                        raw=raw,
                    )
                    for column, reason in row_problems
                )
            else:
                batch.append(parsed)
            if len(batch) >= BATCH:
                _batch_load(registry_id, batch, seen, counts, problems)
                batch = []
            if len(problems) >= BATCH:
                RegistryProblem.objects.bulk_create(problems)
                problems = []
        _batch_load(registry_id, batch, seen, counts, problems)
        RegistryProblem.objects.bulk_create(problems)
        _finish(registry_id, counts, rows_done)


def _batch_load(registry_id, batch, seen, counts, problems) -> None:
    if not batch:
        return
    clinic_names: dict[str, str] = {}
    for row in batch:
        clinic_names.setdefault(row.clinic_code, row.clinic_name)
    clinics = _clinics_ensure(clinic_names)
    existing = {
        (clinic_id, line_id): (pk, status)
        for pk, clinic_id, line_id, status in ServiceLine.objects.filter(
            clinic_id__in=set(clinics.values()), line_id__in={r.line_id for r in batch}
        ).values_list("pk", "clinic_id", "line_id", "status")
    }
    roster = roster_for({r.policy_no for r in batch})
    new_lines: list[ServiceLine] = []
    updated: list[ServiceLine] = []
    for row in batch:
        clinic_id = clinics[row.clinic_code]
        key = (clinic_id, row.line_id)
        if key in seen:
            counts.duplicates += 1
            continue
        seen.add(key)
        found = existing.get(key)
        if found and found[1] != L.HELD:
            counts.duplicates += 1
            continue
        person_id, hold = match_line(
            last_name=row.last_name,
            first_name=row.first_name,
            birth_date=row.birth_date,
            service_date=row.service_date,
            entry=roster.get(row.policy_no),
        )
        line = ServiceLine(
            pk=found[0] if found else None,
            clinic_id=clinic_id,
            line_id=row.line_id,
            registry_id=registry_id,
            registry_no=row.registry_no,
            row_number=row.row_number,
            person_id=person_id,
            policy_no=row.policy_no,
            last_name=row.last_name,
            first_name=row.first_name,
            patronymic=row.patronymic,
            birth_date=row.birth_date,
            service_date=row.service_date,
            service_code=row.service_code,
            service_name=row.service_name,
            quantity=row.quantity,
            unit_price=row.unit_price,
            amount=row.amount,
            status=L.HELD if hold else L.LOADED,
            hold_reason=HOLD[hold][1] if hold else "",
        )
        (updated if found else new_lines).append(line)
        if hold:
            counts.held += 1
            problems.append(
                RegistryProblem(
                    registry_id=registry_id,
                    row_number=row.row_number,
                    column=HOLD[hold][0],
                    reason=HOLD[hold][1],
                    kind=RegistryProblem.Kind.HELD,
                    raw=_held_raw(row),
                )
            )
        else:
            counts.loaded += 1
    ServiceLine.objects.bulk_create(new_lines)
    if updated:
        ServiceLine.objects.bulk_update(updated, fields=LINE_FIELDS)


LINE_FIELDS = [
    "registry",
    "registry_no",
    "row_number",
    "person",
    "policy_no",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "service_date",
    "service_code",
    "service_name",
    "quantity",
    "unit_price",
    "amount",
    "status",
    "hold_reason",
]


# --- the PostgreSQL path -------------------------------------------------------------------------

STAGE_COLUMNS = (
    "row_number",
    "registry_no",
    "clinic_code",
    "clinic_name",
    "line_id",
    "policy_no",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "service_date",
    "service_code",
    "service_name",
    "quantity",
    "unit_price",
    "amount",
    "last_norm",
    "first_norm",
)


def _hold_sql(*, kind: str, activation_missing: str) -> str:
    """The hold code of a staged row `s` matched to a roster person `p` (NULL when the policy
    is unknown): the same order of checks as registry_rows.match_line."""
    return f"""CASE
        WHEN p.id IS NULL THEN 'policy'
        WHEN p.last_name_norm <> s.last_norm THEN 'last_name'
        WHEN p.first_name_norm <> s.first_norm THEN 'first_name'
        WHEN p.birth_date <> s.birth_date THEN 'birth_date'
        WHEN s.service_date < p.policy_start OR s.service_date > p.policy_end THEN 'period'
        WHEN {kind} = 'emergency' THEN 'emergency'
        WHEN {activation_missing} THEN 'activation'
        ELSE ''
    END"""


def _outcome_sql() -> str:
    """person_id, status and hold_reason of a row `m` with its hold code and matched `pid`."""
    reason_case = "CASE hold " + " ".join(
        f"WHEN '{code}' THEN '{text}'" for code, (_, text) in HOLD.items()
    )
    return f"""CASE WHEN hold IN ('policy', 'last_name', 'first_name', 'birth_date')
                     THEN NULL ELSE pid END AS person_id,
                CASE WHEN hold = '' THEN '{L.LOADED}' ELSE '{L.HELD}' END AS status,
                CASE WHEN hold = '' THEN '' ELSE {reason_case} END END AS hold_reason"""


class _CopyRefused(Exception):
    """COPY refused a piece of the file (ragged or blank rows, a broken byte)."""


class _PostgresImport:
    def __init__(self, registry_id: int, source):
        self.registry_id = registry_id
        self.source = source
        self.stage = f"registry_stage_{registry_id}"
        self.stage_problems = f"registry_stage_problems_{registry_id}"
        # What the load reads: the typed staging table (row-by-row way) or a checked chunk.
        self.stage_from = self.stage
        self.stage_problems_from = self.stage_problems
        # Pipelined chunks arrive matched (person, status, hold reason): the load only joins
        # the clinic.
        self.matched_in_stage = False
        self.has_rejected = True  # False: the chunk has no rejected rows to report

    def run(self) -> None:
        if self.source.kind == "csv" and self.source.columns is not None and self._run_pipelined():
            return
        # Row by row (a pipeline that gave up may have pointed the load at its chunks).
        self.stage_from = self.stage
        self.stage_problems_from = self.stage_problems
        self.matched_in_stage = False
        self.has_rejected = True
        with connection.cursor() as cursor:
            try:
                self._create_stage(cursor)
                started = time.perf_counter()
                staged, rejected, rows_done, clinics = self._fill_stage(cursor)
                log.info(
                    "registry %s staged %s rows in %.2fs",
                    self.registry_id,
                    rows_done,
                    time.perf_counter() - started,
                )
                started = time.perf_counter()
                with transaction.atomic():
                    if not _locked_unfinished(self.registry_id):
                        return
                    counts = self._load(cursor, staged, clinics)
                    counts.rejected = rejected
                    _finish(self.registry_id, counts, rows_done)
                log.info(
                    "registry %s loaded in %.2fs", self.registry_id, time.perf_counter() - started
                )
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {self.stage}, {self.stage_problems}")

    def _create_stage(self, cursor) -> None:
        # Staging lives in temporary tables, whose pages go through the session's local buffers
        # (8 MB by default): a million rows then churn through the disk. The setting can only
        # change before the session's first temporary table, hence the savepoint and the shrug.
        try:
            with transaction.atomic():
                cursor.execute("SET temp_buffers = '256MB'")
        except DatabaseError:
            pass
        cursor.execute(f"DROP TABLE IF EXISTS {self.stage}, {self.stage_problems}")
        cursor.execute(
            f"""CREATE TEMP TABLE {self.stage} (
                row_number integer, registry_no text, clinic_code text, clinic_name text,
                line_id text, policy_no text, last_name text, first_name text, patronymic text,
                birth_date date, service_date date, service_code text, service_name text,
                quantity integer, unit_price numeric(12,2), amount numeric(12,2),
                last_norm text, first_norm text)"""
        )
        cursor.execute(
            f"""CREATE TEMP TABLE {self.stage_problems} (
                row_number integer, col text, reason text, raw jsonb)"""
        )

    # --- CSV: validation and load side by side on two server processes -------------------------

    def _run_pipelined(self) -> bool:
        """CSV on PostgreSQL. A second connection (autocommit, the "worker") gets a copy of the
        roster as this connection sees it, then COPYs the file piece by piece (whole CSV
        records, CHUNK_ROWS lines) into unlogged tables — PostgreSQL parses the CSV and
        converts the encoding — and checks each piece with one set-based statement that
        mirrors registry_rows.validate_row message for message and matches the roster, into
        an unlogged chunk table. Meanwhile this connection, inside the one import transaction,
        loads every finished chunk in file order. The load (heap and nine indexes of the final table) is the
        longer half; validation and matching run beside it on the other core instead of
        before it (measured: 35 s → 23 s for a million lines, raw COPY 14–17 s). The worker
        writes only scratch tables and progress: the file's lines and problems are committed
        together or not at all, as before.

        Returns False when no second connection can be opened or COPY refuses the file (ragged
        or blank rows, a broken byte): the caller then reads row by row, which handles those."""
        import psycopg

        try:
            worker = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        except psycopg.Error as exc:
            log.warning("registry %s: no second connection (%s)", self.registry_id, exc)
            return False
        ready: queue.Queue = queue.Queue(maxsize=4)
        stop = threading.Event()
        created: list[str] = []
        loaded: set[str] = set()
        thread = None
        try:
            # A cleanup must never wait on this import's own transaction (tests run inside one).
            worker.execute("SET lock_timeout = '2s'")
            # Each chunk's statement is planned afresh: JIT compiling it would cost more than
            # it saves (~1.4 s a chunk measured); the window's sort fits in memory.
            worker.execute("SET jit = off")
            worker.execute("SET work_mem = '64MB'")
            # The worker commits scratch tables and progress only, each a statement of its
            # own: none of it needs to survive a server crash (the import then runs again from
            # the start), so its many small commits do not wait for the WAL flush. The import's
            # own transaction keeps the server's setting.
            worker.execute("SET synchronous_commit = off")
            self._drop_scratch(worker, self._leftovers(worker))
            started = time.perf_counter()
            worker.execute(f"DROP SEQUENCE IF EXISTS {self.stage}_rownum")
            worker.execute(f"CREATE SEQUENCE {self.stage}_rownum")
            self._ship_roster(worker)
            log.info("registry %s: roster %.2fs", self.registry_id, time.perf_counter() - started)
            thread = threading.Thread(
                target=self._validate_chunks,
                args=(worker, ready, stop, created),
                name=f"registry-{self.registry_id}-checks",
                daemon=True,
            )
            thread.start()
            try:
                self._load_chunks(ready, loaded)
            except _CopyRefused as exc:
                # Whatever chunks were loaded rolled back with the transaction.
                log.info(
                    "registry %s: COPY refused the file (%s); reading row by row",
                    self.registry_id,
                    exc,
                )
                return False
            log.info(
                "registry %s: checked and loaded in %.2fs",
                self.registry_id,
                time.perf_counter() - started,
            )
        finally:
            stop.set()
            if thread is not None:
                thread.join()
            # Chunks the committed load dropped are gone; after a failed load its drops rolled
            # back with it, so the worker removes them.
            self._drop_scratch(worker, [t for t in created if t not in loaded])
            with contextlib.suppress(psycopg.Error):
                worker.execute(f"DROP SEQUENCE IF EXISTS {self.stage}_rownum")
            worker.close()
        return True

    def _leftovers(self, worker) -> list[str]:
        """Scratch tables of an earlier attempt at this registry that died mid-way."""
        rows = worker.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE %s",
            [self.stage.replace("_", "\\_") + "\\_%"],
        ).fetchall()
        return [name for (name,) in rows]

    def _drop_scratch(self, worker, tables) -> None:
        import psycopg

        for table in tables:
            try:
                worker.execute(f"DROP TABLE IF EXISTS {table}")
            except psycopg.errors.LockNotAvailable:
                log.info("registry %s: %s still locked, left in place", self.registry_id, table)

    def _parts(self):
        """The file's bytes in pieces of about CHUNK_ROWS lines, each cut at a line end outside
        any quoted value (an even number of quote characters before it: a doubled quote inside
        a value counts two), so every piece is whole CSV records. A line end byte is never
        part of a multibyte character in UTF-8 or cp1251."""
        with self.source.path.open("rb") as fh:
            buffer = bytearray()
            eof = False
            # A small first piece: the load waits for it, and for nothing after it.
            size = want = max(1, CHUNK_ROWS // 5)
            while True:
                while not eof and buffer.count(b"\n") <= want:
                    data = fh.read(1 << 20)
                    eof = not data
                    buffer += data
                cut = -1
                for _ in range(size):
                    cut = buffer.find(b"\n", cut + 1)
                    if cut < 0:
                        break
                while cut >= 0 and buffer.count(b'"', 0, cut) % 2:
                    cut = buffer.find(b"\n", cut + 1)
                if cut >= 0 and not (eof and cut == len(buffer) - 1):
                    yield bytes(buffer[: cut + 1])
                    del buffer[: cut + 1]
                    size = want = CHUNK_ROWS
                elif eof:
                    if buffer:
                        yield bytes(buffer)
                    return
                else:
                    want = buffer.count(b"\n") + 1  # a quoted value runs on: read more lines

    def _validate_chunks(self, worker, ready: queue.Queue, stop: threading.Event, created) -> None:
        """Worker thread: COPY the file piece by piece and check each piece's rows as soon as
        they are in, one unlogged table per chunk, handed to the loader through `ready` in file
        order. Counting and the first row per clinic are left to the loader, which would
        otherwise wait for this thread (measured: the worker is the slower half)."""
        import psycopg

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        source = self.source
        columns = ", ".join(f"c{i}" for i in range(source.width))
        encoding = "WIN1251" if source.encoding == "cp1251" else "UTF8"
        try:
            rows_done = 0
            today = clock.moscow_today()
            for k, piece in enumerate(self._parts()):
                if stop.is_set():
                    return
                # Each piece gets its own table, read whole; one sequence numbers the rows
                # across pieces in file order (row number = n + 1, the header being row 1).
                raw = f"{self.stage}_r{k}"
                created.append(raw)
                worker.execute(
                    f"CREATE UNLOGGED TABLE {raw} "
                    f"(n bigint DEFAULT nextval('{self.stage}_rownum'), "
                    + ", ".join(f"c{i} text" for i in range(source.width))
                    + ")"
                )
                try:
                    with (
                        worker.cursor() as cur,
                        cur.copy(
                            f"COPY {raw} ({columns}) FROM STDIN WITH (FORMAT csv, "
                            f"DELIMITER '{source.delimiter}', HEADER {k == 0}, "
                            f"ENCODING '{encoding}')"
                        ) as copy,
                    ):
                        copy.write(piece)
                except psycopg.Error as exc:
                    put(_CopyRefused(str(exc)))
                    return
                table = f"{self.stage}_c{k}"
                created.append(table)
                rows_done += worker.execute(
                    f"CREATE UNLOGGED TABLE {table} AS {self._chunk_sql(raw, '')}",
                    {"today": today},
                ).rowcount
                worker.execute(f"DROP TABLE {raw}")
                # Progress is for the eyes only: never wait for the registry's row (a caller's
                # open transaction may hold it); a busy row gets the next chunk's figure.
                # The heartbeat of the lease goes with it, committed at once by this connection.
                worker.execute(
                    """UPDATE invoices_serviceregistry SET rows_done = %s, heartbeat_at = %s
                    WHERE id = (SELECT id FROM invoices_serviceregistry WHERE id = %s
                        FOR UPDATE SKIP LOCKED)""",
                    [rows_done, clock.now(), self.registry_id],
                )
                if not put(table):
                    return
            put(None)
        except BaseException as exc:  # noqa: BLE001 — handed over and raised by the loader
            put(exc)

    def _load_chunks(self, ready: queue.Queue, loaded: set[str]) -> None:
        counts = ImportCounts()
        rows_done = 0
        dropped = []
        known: set[str] = set()  # clinic codes found or created by an earlier chunk
        with connection.cursor() as cursor, transaction.atomic():
            if not _claimed_for_load(self.registry_id):
                return
            waited = 0.0
            while True:
                started = time.perf_counter()
                item = ready.get()
                waited += time.perf_counter() - started
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                table = item
                cursor.execute(
                    f"SELECT clinic_code, count(*), count(*) FILTER (WHERE ok) FROM {table} "
                    "GROUP BY clinic_code"
                )
                groups = cursor.fetchall()
                total = sum(group[1] for group in groups)
                ok = sum(group[2] for group in groups)
                clinics = {code: "" for code, _, valid in groups if valid}
                unknown = [code for code in clinics if code not in known]
                if unknown:
                    # A clinic unknown so far is created with the name of its first row.
                    cursor.execute(
                        f"SELECT DISTINCT ON (clinic_code) clinic_code, clinic_name FROM {table} "
                        "WHERE ok AND clinic_code = ANY(%s) ORDER BY clinic_code, row_number",
                        [unknown],
                    )
                    _clinics_ensure(dict(cursor.fetchall()))
                    known.update(unknown)
                self.has_rejected = total > ok
                self.stage_from = f"(SELECT * FROM {table} WHERE ok)"
                self.matched_in_stage = True
                self.stage_problems_from = (
                    f"(SELECT row_number, split_part(pr, E'\\x1f', 1) AS col, "
                    f"split_part(pr, E'\\x1f', 2) AS reason, raw "
                    f"FROM {table}, unnest(problems) AS pr WHERE NOT ok)"
                )
                part = self._load(cursor, ok, clinics)
                counts.loaded += part.loaded
                counts.held += part.held
                counts.duplicates += part.duplicates
                counts.rejected += total - ok
                rows_done += total
                cursor.execute(f"DROP TABLE {table}")
                dropped.append(table)
            _finish(self.registry_id, counts, rows_done)
        # Which half is the slower one: time the load spent waiting for checked chunks.
        log.info("registry %s: the load waited %.2fs for the checks", self.registry_id, waited)
        loaded.update(dropped)

    def _ship_roster(self, worker) -> None:
        """Copy the roster as this connection sees it (inside the caller's transaction, if any)
        into the worker's temporary tables, so the worker matches rows while it checks them."""
        worker.execute("SET temp_buffers = '64MB'")
        worker.execute(
            """CREATE TEMP TABLE w_person (id bigint, policy_number text, last_name_norm text,
                first_name_norm text, birth_date date, policy_start date, policy_end date,
                kind text)"""
        )
        worker.execute(
            """CREATE TEMP TABLE w_activation (person_id bigint, period_start date,
                period_end date, effective_date date)"""
        )
        relays = (
            (
                """COPY (SELECT p.id, p.policy_number, p.last_name_norm, p.first_name_norm,
                    p.birth_date, p.policy_start, p.policy_end, pr.kind
                    FROM policies_insuredperson p
                    LEFT JOIN policies_program pr ON pr.id = p.program_id) TO STDOUT""",
                "COPY w_person FROM STDIN",
            ),
            (
                """COPY (SELECT person_id, period_start, period_end, effective_date
                    FROM franchise_franchiseactivation) TO STDOUT""",
                "COPY w_activation FROM STDIN",
            ),
        )
        with connection.cursor() as cursor, worker.cursor() as wcur:
            for read_sql, write_sql in relays:
                with cursor.cursor.copy(read_sql) as out, wcur.copy(write_sql) as into:
                    for data in out:
                        into.write(data)
        worker.execute("CREATE UNIQUE INDEX ON w_person (policy_number)")
        worker.execute("CREATE INDEX ON w_activation (person_id)")
        worker.execute("ANALYZE w_person")
        worker.execute("ANALYZE w_activation")

    def _chunk_sql(self, raw: str, where: str) -> str:
        """Checked rows of one chunk, matched to the worker's roster copy."""
        hold = _hold_sql(
            kind="p.kind",
            activation_missing="""NOT EXISTS (SELECT 1 FROM w_activation fa
                WHERE fa.person_id = p.id AND fa.period_start <= s.service_date
                  AND fa.period_end >= s.service_date AND fa.effective_date <= s.service_date)""",
        )
        # OFFSET 0 fences the matched rows: the outcome columns read `hold` three times.
        return f"""SELECT m.*, {_outcome_sql()}
            FROM (
                SELECT s.*, p.id AS pid, {hold} AS hold
                FROM ({self._checks_sql(raw, where)}) s
                LEFT JOIN w_person p ON p.policy_number = s.policy_no
                OFFSET 0
            ) m"""

    def _checks_sql(self, raw: str, where: str) -> str:
        """The SELECT that checks raw text rows like registry_rows.validate_row: typed values,
        normalised names, and per row the problems (label, reason) and the raw values."""
        from ..registry_reader import FIELDS
        from ..registry_rows import MAX_LEN, MAX_MONEY, MAX_QUANTITY, REQUIRED, SHOWN, WS

        source = self.source
        width = source.width

        ws = WS
        sep = "\x1f"

        def lit(text: str) -> str:
            return "'" + text.replace("'", "''") + "'"

        def clean(field: str) -> str:
            index = source.columns[FIELDS.index(field)]
            if index is None:
                return "''"
            # Trimming costs ~0.3 µs a call; only rows with a padded value pay it.
            return f"CASE WHEN padded THEN btrim(coalesce(c{index}, ''), {lit(ws)}) ELSE coalesce(c{index}, '') END"

        def shown(expr: str) -> str:
            return f"(CASE WHEN char_length({expr}) > {SHOWN} THEN left({expr}, {SHOWN}) || '…' ELSE {expr} END)"

        def problem(field: str, reason_sql: str) -> str:
            return f"{lit(LABEL[field] + sep)} || {reason_sql}"

        text_checks = []
        for field, limit in MAX_LEN.items():
            required = (
                ""
                if field == "patronymic"
                else (f"WHEN {field} = '' THEN {problem(field, lit(REQUIRED))} ")
            )
            text_checks.append(
                f"CASE {required}WHEN char_length({field}) > {limit} THEN "
                f"{problem(field, lit(f'Слишком длинное значение (больше {limit} символов)'))} END"
            )
        date_checks = []
        for field, word in (("birth_date", "Дата рождения"), ("service_date", "Дата услуги")):
            date_checks.append(
                f"CASE WHEN {field} = '' THEN {problem(field, lit(REQUIRED))} "
                f"WHEN {field}_v IS NULL THEN {problem(field, lit('Неверная дата «') + ' || ' + shown(field) + ' || ' + lit('» (ожидается ДД.ММ.ГГГГ)'))} "
                f"WHEN {field}_v > %(today)s THEN {problem(field, lit(word + ' в будущем'))} END"
            )
        money_checks = []
        for field, negative in (
            ("unit_price", "Цена не может быть отрицательной"),
            ("amount", "Сумма не может быть отрицательной"),
        ):
            money_checks.append(
                f"CASE WHEN {field} = '' THEN {problem(field, lit(REQUIRED))} "
                f"WHEN NOT {field}_m THEN {problem(field, lit('Неверное число «') + ' || ' + shown(field) + ' || ' + lit('»'))} "
                f"WHEN {field}_frac > 2 THEN {problem(field, lit('Больше двух знаков после запятой'))} "
                f"WHEN {field}_n < 0 THEN {problem(field, lit(negative))} "
                f"WHEN {field}_n > {MAX_MONEY} THEN {problem(field, lit('Слишком большое значение'))} END"
            )
        quantity_check = (
            f"CASE WHEN quantity = '' THEN {problem('quantity', lit(REQUIRED))} "
            f"WHEN quantity_i IS NULL OR quantity_i < 1 THEN "
            f"{problem('quantity', lit('Количество должно быть целым числом не меньше 1'))} "
            f"WHEN quantity_i > {MAX_QUANTITY} THEN {problem('quantity', lit('Слишком большое количество'))} END"
        )
        money_ok = " AND ".join(
            f"{f} <> '' AND {f}_m AND {f}_frac <= 2 AND {f}_n >= 0 AND {f}_n <= {MAX_MONEY}"
            for f in ("unit_price", "amount")
        )
        arithmetic_check = (
            f"CASE WHEN quantity_i BETWEEN 1 AND {MAX_QUANTITY} AND {money_ok} "
            f"AND quantity_i * unit_price_n <> amount_n THEN "
            + problem(
                "amount",
                "'Сумма ' || amount_n::text || ' не равна количеству × цене (' || quantity_i::text"
                " || ' × ' || unit_price_n::text || ' = ' || (quantity_i * unit_price_n)::text || ')'",
            )
            + " END"
        )

        def date_value(field: str) -> str:
            # Boolean matches plus split_part: regexp_match with capture groups costs ~7 µs.
            return (
                f"(CASE {field}_fmt WHEN 'ru' THEN ARRAY[split_part({field}, '.', 3), "
                f"split_part({field}, '.', 2), split_part({field}, '.', 1)]::int[] "
                f"WHEN 'iso' THEN string_to_array({field}, '-')::int[] END)"
            )

        def valid_date(field: str) -> str:
            y, m, d = (f"{field}_ymd[{i}]" for i in (1, 2, 3))
            days = (
                f"CASE WHEN {m} = 2 THEN CASE WHEN (mod({y}, 4) = 0 AND mod({y}, 100) <> 0) "
                f"OR mod({y}, 400) = 0 THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 "
                "ELSE 31 END"
            )
            return (
                f"CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} >= 1 AND {d} <= ({days}) "
                f"THEN make_date({y}, {m}, {d}) END"
            )

        # One joined line per row answers "all blank?" and "any value padded?" with one pattern
        # each, instead of a trim per column.
        joined = "concat_ws(E'\\x1f', " + ", ".join(f"c{i}" for i in range(width)) + ")"
        unit = chr(0x1F)
        cleaned = ",\n".join(f"{clean(f)} AS {f}" for f in FIELDS)
        # Each CTE layer ends with OFFSET 0, a fence: without it PostgreSQL inlines the layers
        # and re-evaluates every regular expression at each reference, dozens of times a row.
        return rf"""WITH b AS (
                SELECT *, {joined} AS joined FROM {raw} {where} OFFSET 0
            ), b2 AS (
                SELECT *, joined ~ {lit("(^|" + unit + ")[" + ws + "]|[" + ws + "](" + unit + "|$)")} AS padded
                FROM b WHERE joined !~ {lit("^[" + ws + unit + "]*$")} OFFSET 0
            ), r AS (
                SELECT n + 1 AS row_number, {cleaned}
                FROM b2 OFFSET 0
            ), p AS (
                SELECT r.*,
                    CASE WHEN birth_date ~ '^[0-9]{{1,2}}\.[0-9]{{1,2}}\.[0-9]{{4}}$' THEN 'ru'
                         WHEN birth_date ~ '^[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}$' THEN 'iso'
                    END AS birth_date_fmt,
                    CASE WHEN service_date ~ '^[0-9]{{1,2}}\.[0-9]{{1,2}}\.[0-9]{{4}}$' THEN 'ru'
                         WHEN service_date ~ '^[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}$' THEN 'iso'
                    END AS service_date_fmt,
                    replace(CASE WHEN unit_price ~ {lit("[" + ws + "]")}
                        THEN translate(unit_price, {lit(ws)}, '') ELSE unit_price END, ',', '.')
                        AS unit_price_s,
                    replace(CASE WHEN amount ~ {lit("[" + ws + "]")}
                        THEN translate(amount, {lit(ws)}, '') ELSE amount END, ',', '.')
                        AS amount_s,
                    CASE WHEN quantity ~ '^\d+$' THEN
                        CASE WHEN char_length(ltrim(quantity, '0')) > 9 THEN 1000000000::bigint
                             ELSE ('0' || ltrim(quantity, '0'))::bigint END
                    END AS quantity_i
                FROM r OFFSET 0
            ), y AS (
                SELECT p.*, {date_value("birth_date")} AS birth_date_ymd,
                    {date_value("service_date")} AS service_date_ymd,
                    unit_price_s ~ '^-?[0-9]+(\.[0-9]+)?$' AS unit_price_m,
                    amount_s ~ '^-?[0-9]+(\.[0-9]+)?$' AS amount_m,
                    char_length(split_part(unit_price_s, '.', 2)) AS unit_price_frac,
                    char_length(split_part(amount_s, '.', 2)) AS amount_frac
                FROM p OFFSET 0
            ), m AS (
                SELECT y.*,
                    CASE WHEN unit_price_m THEN unit_price_s::numeric END AS unit_price_n,
                    CASE WHEN amount_m THEN amount_s::numeric END AS amount_n
                FROM y OFFSET 0
            ), d AS (
                SELECT y.*,
                    {valid_date("birth_date")} AS birth_date_v,
                    {valid_date("service_date")} AS service_date_v
                FROM m y OFFSET 0
            ), v AS (
                SELECT d.*, array_remove(ARRAY[
                    {", ".join(text_checks)},
                    {", ".join(date_checks)},
                    {quantity_check},
                    {", ".join(money_checks)},
                    {arithmetic_check}
                ], NULL) AS problems
                FROM d OFFSET 0
            )
            SELECT row_number, registry_no, clinic_code, clinic_name, line_id, policy_no,
                last_name, first_name, patronymic, birth_date_v AS birth_date,
                service_date_v AS service_date, service_code, service_name,
                quantity_i::integer AS quantity,
                (CASE WHEN cardinality(problems) = 0 THEN unit_price_n END)::numeric(12,2)
                    AS unit_price,
                (CASE WHEN cardinality(problems) = 0 THEN amount_n END)::numeric(12,2) AS amount,
                replace(lower(CASE WHEN last_name ~ '\s\s|[\t\r\n\u00a0]'
                    THEN regexp_replace(last_name, '[\s\u00a0]+', ' ', 'g') ELSE last_name END),
                    'ё', 'е') AS last_norm,
                replace(lower(CASE WHEN first_name ~ '\s\s|[\t\r\n\u00a0]'
                    THEN regexp_replace(first_name, '[\s\u00a0]+', ' ', 'g') ELSE first_name END),
                    'ё', 'е') AS first_norm,
                problems,
                CASE WHEN cardinality(problems) > 0 THEN jsonb_build_object(
                    {", ".join(f"'{f}', {f}" for f in FIELDS)}) END AS raw,
                cardinality(problems) = 0 AS ok
            FROM v"""

    def _fill_stage(self, cursor):
        """Stream the file into the staging tables; COPY per chunk so progress is visible."""
        from psycopg.types.json import Jsonb

        from policies.models import normalize_name

        today = clock.moscow_today()
        raw_cursor = cursor.cursor
        columns = ", ".join(STAGE_COLUMNS)
        staged = rejected = rows_done = 0
        clinics: dict[str, str] = {}
        rows = self.source.rows()
        exhausted = False
        while not exhausted:
            problems = []
            with raw_cursor.copy(f"COPY {self.stage} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for chunk, (number, values) in enumerate(rows, 1):
                    rows_done += 1
                    parsed, row_problems = validate_row(number, values, today)
                    if row_problems:
                        rejected += 1
                        raw = Jsonb(raw_dict(values))
                        problems.extend((number, c, r, raw) for c, r in row_problems)
                    else:
                        staged += 1
                        if parsed.clinic_code not in clinics:
                            clinics[parsed.clinic_code] = parsed.clinic_name
                        write(
                            (
                                number,
                                parsed.registry_no,
                                parsed.clinic_code,
                                parsed.clinic_name,
                                parsed.line_id,
                                parsed.policy_no,
                                parsed.last_name,
                                parsed.first_name,
                                parsed.patronymic,
                                parsed.birth_date,
                                parsed.service_date,
                                parsed.service_code,
                                parsed.service_name,
                                parsed.quantity,
                                parsed.unit_price,
                                parsed.amount,
                                normalize_name(parsed.last_name),
                                normalize_name(parsed.first_name),
                            )
                        )
                    if chunk >= PROGRESS_EVERY:
                        break
                else:
                    exhausted = True
            if problems:
                with raw_cursor.copy(
                    f"COPY {self.stage_problems} (row_number, col, reason, raw) FROM STDIN"
                ) as copy:
                    for problem in problems:
                        copy.write_row(problem)
            registry_beat(registry_id=self.registry_id, rows_done=rows_done)
        cursor.execute(f"ANALYZE {self.stage}")
        return staged, rejected, rows_done, clinics

    def _load(self, cursor, staged: int, clinic_names: dict[str, str]) -> ImportCounts:
        counts = ImportCounts()
        if clinic_names:
            _clinics_ensure(clinic_names)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        column_case = "CASE hold_reason " + " ".join(
            f"WHEN '{text}' THEN '{column}'" for _, (column, text) in HOLD.items()
        )
        if self.matched_in_stage:
            classified = f"""SELECT s.*, c.id AS clinic_id FROM {self.stage_from} s
                JOIN invoices_clinic c ON c.code = s.clinic_code"""
        else:
            # Plain joins so PostgreSQL can hash them; a person with two activations
            # overlapping one date (bad data) would repeat a row, which ON CONFLICT then skips
            # uncounted.
            hold = _hold_sql(kind="pr.kind", activation_missing="fa.id IS NULL")
            classified = f"""
                SELECT m.*, {_outcome_sql()}
                FROM (
                    SELECT s.*, c.id AS clinic_id, p.id AS pid, {hold} AS hold
                    FROM {self.stage_from} s
                    JOIN invoices_clinic c ON c.code = s.clinic_code
                    LEFT JOIN policies_insuredperson p ON p.policy_number = s.policy_no
                    LEFT JOIN policies_program pr ON pr.id = p.program_id
                    LEFT JOIN franchise_franchiseactivation fa
                      ON fa.person_id = p.id AND fa.period_start <= s.service_date
                     AND fa.period_end >= s.service_date AND fa.effective_date <= s.service_date
                ) m
            """
        line_columns = (
            "clinic_id, line_id, registry_id, registry_no, row_number, person_id, policy_no, "
            "last_name, first_name, patronymic, birth_date, service_date, service_code, "
            "service_name, quantity, unit_price, amount, status, hold_reason"
        )
        select_columns = line_columns.replace("registry_id", "%(registry)s::bigint")
        raw_json = """jsonb_build_object(
            'registry_no', registry_no, 'clinic_code', %(clinic_code)s, 'clinic_name', %(clinic_name)s,
            'line_id', line_id, 'policy_no', policy_no, 'last_name', last_name,
            'first_name', first_name, 'patronymic', patronymic,
            'birth_date', to_char(birth_date, 'DD.MM.YYYY'),
            'service_date', to_char(service_date, 'DD.MM.YYYY'),
            'service_code', service_code, 'service_name', service_name,
            'quantity', quantity::text, 'unit_price', unit_price::text, 'amount', amount::text)"""
        params = {"registry": self.registry_id}

        # Step A (rare): lines held by an earlier import come again — match them afresh in place.
        rematched = 0
        # Lines this same file put on hold in an earlier chunk are duplicates, not re-matches.
        held_before = (
            ServiceLine.objects.filter(status=L.HELD, clinic__code__in=list(clinic_names))
            .exclude(registry_id=self.registry_id)
            .exists()
        )
        if held_before:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage}_rematch")
            cursor.execute(
                f"""CREATE TEMP TABLE {self.stage}_rematch ON COMMIT DROP AS
                SELECT DISTINCT ON (sl.id) sl.id AS line_pk, k.*
                FROM ({classified}) k
                JOIN invoices_serviceline sl
                  ON sl.clinic_id = k.clinic_id AND sl.line_id = k.line_id AND sl.status = 'held'
                 AND sl.registry_id <> %(registry)s
                ORDER BY sl.id, k.row_number""",
                params,
            )
            cursor.execute(
                f"""UPDATE invoices_serviceline sl SET
                    registry_id = %(registry)s, registry_no = r.registry_no,
                    row_number = r.row_number, person_id = r.person_id, policy_no = r.policy_no,
                    last_name = r.last_name, first_name = r.first_name,
                    patronymic = r.patronymic, birth_date = r.birth_date,
                    service_date = r.service_date, service_code = r.service_code,
                    service_name = r.service_name, quantity = r.quantity,
                    unit_price = r.unit_price, amount = r.amount, status = r.status,
                    hold_reason = r.hold_reason
                FROM {self.stage}_rematch r WHERE sl.id = r.line_pk""",
                params,
            )
            cursor.execute(
                f"""SELECT count(*) FILTER (WHERE status = 'loaded'),
                           count(*) FILTER (WHERE status = 'held') FROM {self.stage}_rematch"""
            )
            loaded, held = cursor.fetchone()
            counts.loaded += loaded
            counts.held += held
            rematched = loaded + held
            cursor.execute(
                f"""INSERT INTO invoices_registryproblem
                    (registry_id, row_number, "column", reason, kind, raw)
                SELECT %(registry)s, row_number, {column_case} END, hold_reason, 'held',
                    {raw_json.replace("%(clinic_code)s", "clinic_code").replace("%(clinic_name)s", "clinic_name")}
                FROM {self.stage}_rematch WHERE status = 'held'""",
                params,
            )
            not_rematched = f"""WHERE NOT EXISTS (SELECT 1 FROM {self.stage}_rematch r
                WHERE r.clinic_id = k.clinic_id AND r.line_id = k.line_id)"""
        else:
            not_rematched = ""

        # Step B: everything else in one statement; ON CONFLICT skips lines loaded before and
        # repeats within the file (rows go in file order, so the first occurrence wins). Held
        # rows (few) come back through RETURNING with their values for the report; loaded rows
        # return only their status. (A plain INSERT behind an anti-join on the unique index
        # measured ~15 % cheaper per row, but its plan turned into a scan of the growing table
        # per row on a fresh, unanalysed table: 46 s instead of 22 s. Not worth pinning plans.)
        # The returned values are the inserted row's; the clinic's code and name join after.
        held_raw = raw_json.replace("%(clinic_code)s", "NULL").replace("%(clinic_name)s", "NULL")
        cursor.execute(
            f"""WITH ins AS (
                INSERT INTO invoices_serviceline ({line_columns})
                SELECT {select_columns} FROM ({classified}) k {not_rematched}
                ORDER BY k.row_number
                ON CONFLICT (clinic_id, line_id) DO NOTHING
                RETURNING status, row_number, hold_reason, clinic_id,
                    CASE WHEN status = 'held' THEN {held_raw} END AS raw
            ), problems AS (
                INSERT INTO invoices_registryproblem
                    (registry_id, row_number, "column", reason, kind, raw)
                SELECT %(registry)s, ins.row_number, {column_case} END, ins.hold_reason, 'held',
                    ins.raw || jsonb_build_object('clinic_code', c.code, 'clinic_name', c.name)
                FROM ins JOIN invoices_clinic c ON c.id = ins.clinic_id
                WHERE ins.status = 'held'
            )
            SELECT count(*) FILTER (WHERE status = 'loaded'),
                   count(*) FILTER (WHERE status = 'held') FROM ins""",
            params,
        )
        loaded, held = cursor.fetchone()
        counts.loaded += loaded
        counts.held += held
        counts.duplicates = staged - rematched - loaded - held
        if self.has_rejected:
            cursor.execute(
                f"""INSERT INTO invoices_registryproblem
                    (registry_id, row_number, "column", reason, kind, raw)
                SELECT %(registry)s, row_number, col, reason, 'rejected', raw
                FROM {self.stage_problems_from} sp ORDER BY row_number""",
                params,
            )
        return counts


__all__ = [
    "ImportCounts",
    "LABEL",
    "registry_create",
    "registry_store",
    "registry_import",
    "registry_import_file",
    "registry_counts",
]

"""The PostgreSQL pipeline for CSV: checking and loading side by side on two server processes.

A second connection (autocommit, the "worker") gets a copy of the roster as the import's
connection sees it, then COPYs the file piece by piece (whole CSV records, CHUNK_ROWS lines)
into unlogged tables — PostgreSQL parses the CSV and converts the encoding — and checks each
piece with the SELECT of check_sql.py and matches it to the roster, into an unlogged chunk
table. Meanwhile the import's connection, inside its one transaction, loads every finished
chunk in file order (load_sql.py). The load (heap and nine indexes of the final table) is the
longer half; checking and matching run beside it on the other core instead of before it
(measured: 35 s → 23 s for a million lines, raw COPY 14–17 s). The worker writes only scratch
tables, progress and the lease's heartbeat: the file's lines and problems are committed
together or not at all.
"""

# SQL below is built only from our own table names and constant texts; values go as
# parameters or through COPY.
# ruff: noqa: S608
from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time

import psycopg
from django.db import connection, transaction

from dms_portal import clock

from . import load_sql
from .check_sql import checks_sql
from .load import ImportCounts, claimed_for_load, clinics_ensure, import_finish
from .load_sql import LoadFrom
from .match import hold_sql, outcome_sql

log = logging.getLogger(__name__)

CHUNK_ROWS = 50_000  # rows per checked chunk: the load starts after the first


class _CopyRefused(Exception):
    """COPY refused a piece of the file (ragged or blank rows, a broken byte)."""


class Pipeline:
    """One CSV import through the pipeline; `run()` returns False when it cannot be used."""

    def __init__(self, registry_id: int, source):
        self.registry_id = registry_id
        self.source = source
        self.stage = f"registry_stage_{registry_id}"

    def run(self) -> bool:
        """Check and load the file (see the module's docstring).

        Returns False when no second connection can be opened or COPY refuses the file (ragged
        or blank rows, a broken byte): the caller then reads row by row, which handles those."""
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
            if not claimed_for_load(self.registry_id):
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
                    clinics_ensure(dict(cursor.fetchall()))
                    known.update(unknown)
                rows = LoadFrom(
                    rows=f"(SELECT * FROM {table} WHERE ok)",
                    problems=(
                        f"(SELECT row_number, split_part(pr, E'\\x1f', 1) AS col, "
                        f"split_part(pr, E'\\x1f', 2) AS reason, raw "
                        f"FROM {table}, unnest(problems) AS pr WHERE NOT ok)"
                    )
                    if total > ok
                    else None,
                    matched=True,
                )
                part = load_sql.load_staged(
                    cursor,
                    registry_id=self.registry_id,
                    stage=self.stage,
                    rows=rows,
                    staged=ok,
                    clinic_names=clinics,
                )
                counts.loaded += part.loaded
                counts.held += part.held
                counts.duplicates += part.duplicates
                counts.rejected += total - ok
                rows_done += total
                cursor.execute(f"DROP TABLE {table}")
                dropped.append(table)
            import_finish(self.registry_id, counts, rows_done)
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
        hold = hold_sql(
            kind="p.kind",
            activation_missing="""NOT EXISTS (SELECT 1 FROM w_activation fa
                WHERE fa.person_id = p.id AND fa.period_start <= s.service_date
                  AND fa.period_end >= s.service_date AND fa.effective_date <= s.service_date)""",
        )
        # OFFSET 0 fences the matched rows: the outcome columns read `hold` three times.
        return f"""SELECT m.*, {outcome_sql()}
            FROM (
                SELECT s.*, p.id AS pid, {hold} AS hold
                FROM ({checks_sql(raw=raw, where=where, width=self.source.width, columns=self.source.columns)}) s
                LEFT JOIN w_person p ON p.policy_number = s.policy_no
                OFFSET 0
            ) m"""

"""Importing clinic registries: every row ends loaded, held, rejected or duplicate.

The steps, one module each: read.py (the file into raw rows), check.py / check_sql.py (the
rules of fields.py, in Python and in SQL), match.py (the roster), load.py / load_sql.py (the
lines and problems), report.py (the XLSX report); lease.py says who imports a registry now.

Two paths with one outcome (tests run the same files through both):
- PostgreSQL, CSV: pipeline.py checks the file on a second connection while the import's ONE
  transaction loads each checked chunk. XLSX, and CSV that COPY refuses: rows go through the
  Python check into temporary staging tables, then the same transaction matches, loads and
  reports (load_sql.py).
- other databases (SQLite for development): load.py — the same check, matching in batches,
  all inside one transaction.
Either way a crash leaves the whole file's good rows or none: the registry stays «Загружается»
with a lease that goes stale, and the import can simply run again (lease.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction

from dms_portal import clock

from .. import queue
from ..models import ServiceRegistry
from . import load_sql
from .lease import registry_claim, registry_release
from .load import ImportCounts, batched_import, import_finish, locked_unfinished
from .load_sql import LoadFrom
from .pipeline import Pipeline
from .read import RegistryReadError, open_registry

log = logging.getLogger(__name__)
R = ServiceRegistry.Status


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
    (a stale lease, see lease.py) is imported again from the start.

    `fast` picks the COPY path (default: on PostgreSQL); tests pass False on PostgreSQL to
    prove both paths give the same outcome."""
    if fast is None:
        fast = connection.vendor == "postgresql"
    claimed = registry_claim(registry_id=registry_id)
    registry = ServiceRegistry.objects.get(pk=registry_id)
    if not claimed:
        return registry
    try:
        registry = _import_claimed(registry, fast=fast)
    except BaseException:
        # Alive enough to see the error: give the lease up now (a killed worker cannot; its
        # heartbeat ages instead). The registry shows «Прервана» and may be retried.
        registry_release(registry_id=registry_id)
        raise
    if registry.status == R.DONE and registry.loaded:
        # «Новые услуги в Личном кабинете» (SPEC §3.8), once the lines are committed.
        queue.upcoming_notify_queue(registry_id=registry_id)
    return registry


def _import_claimed(registry: ServiceRegistry, *, fast: bool) -> ServiceRegistry:
    registry_id = registry.pk
    try:
        source = open_registry(registry.file.path)
        ServiceRegistry.objects.filter(pk=registry_id).update(
            rows_total=source.rows_total, rows_done=0
        )
        if not fast:
            batched_import(registry_id, source)
        elif (
            not (source.kind == "csv" and source.columns is not None)
            or not Pipeline(registry_id, source).run()
        ):
            _staged_import(registry_id, source)
    except RegistryReadError as exc:
        # Before the first row, or mid-file (a broken byte, a torn archive): nothing was
        # loaded — all or nothing.
        ServiceRegistry.objects.filter(pk=registry_id).update(
            status=R.FAILED, error=str(exc), finished_at=clock.now()
        )
    registry.refresh_from_db()
    return registry


def _staged_import(registry_id: int, source) -> None:
    """PostgreSQL row by row: XLSX, and CSV the pipeline gave up on (its chunks rolled back)."""
    stage = f"registry_stage_{registry_id}"
    with connection.cursor() as cursor:
        try:
            load_sql.create_stage(cursor, stage)
            started = time.perf_counter()
            staged, rejected, rows_done, clinics = load_sql.fill_stage(
                cursor, registry_id=registry_id, source=source, stage=stage
            )
            log.info(
                "registry %s staged %s rows in %.2fs",
                registry_id,
                rows_done,
                time.perf_counter() - started,
            )
            started = time.perf_counter()
            rows = LoadFrom(rows=stage, problems=f"{stage}_problems", matched=False)
            with transaction.atomic():
                if not locked_unfinished(registry_id):
                    return
                counts = load_sql.load_staged(
                    cursor,
                    registry_id=registry_id,
                    stage=stage,
                    rows=rows,
                    staged=staged,
                    clinic_names=clinics,
                )
                counts.rejected = rejected
                import_finish(registry_id, counts, rows_done)
            log.info("registry %s loaded in %.2fs", registry_id, time.perf_counter() - started)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {stage}, {stage}_problems")


def registry_import_file(*, path: str | Path, original_name: str = "") -> ServiceRegistry:
    """Register and import a file at once (management command, inbox, demo seed)."""
    registry = registry_create(path=path, original_name=original_name)
    return registry_import(registry_id=registry.pk)


def registry_counts(registry: ServiceRegistry) -> ImportCounts:
    return ImportCounts(registry.loaded, registry.held, registry.rejected, registry.duplicates)

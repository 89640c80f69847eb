"""The registry inbox: files dropped into REGISTRY_INBOX_DIR are imported, then moved to
done/ or failed/.

A file is first renamed into processing/ — an atomic claim, so two workers (or a scan
overlapping a slow import) never take the same new file. A worker killed mid-import leaves its
file in processing/; the next scans pick it up again once its registry's lease is stale, or
when no registry was created for it yet and the claim is older than the stale limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import time
from pathlib import Path

from django.conf import settings

from ..models import ServiceRegistry
from .importer import registry_import, registry_import_file
from .lease import registry_is_stale

log = logging.getLogger(__name__)

REGISTRY_SUFFIXES = {".csv", ".xlsx"}
R = ServiceRegistry.Status


def registry_inbox_import(*, inbox: Path) -> int:
    """Import what the inbox holds (orphans of killed workers first). Returns files handled."""
    if not inbox.is_dir():
        return 0
    processing = inbox / "processing"
    processing.mkdir(exist_ok=True)
    handled = 0
    for orphan in sorted(p for p in processing.iterdir() if _is_registry(p)):
        handled += _resume(orphan, inbox)
    for path in sorted(p for p in inbox.iterdir() if _is_registry(p)):
        claimed = processing / path.name
        try:
            path.rename(claimed)
        except OSError:
            continue  # another worker took it
        _import(claimed, inbox, registry_id=None)
        handled += 1
    return handled


def _is_registry(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in REGISTRY_SUFFIXES


def _resume(path: Path, inbox: Path) -> int:
    """A file left in processing/: import it again when nobody is importing it now."""
    try:
        digest = _sha256(path)
        claimed_at = path.stat().st_ctime  # the rename into processing/ set it
    except OSError:
        return 0  # moved away meanwhile by the worker that owns it
    registry = (
        ServiceRegistry.objects.filter(
            sha256=digest, original_name=path.name, status__in=[R.PENDING, R.RUNNING]
        )
        .order_by("-pk")
        .first()
    )
    if registry is not None:
        if registry.status == R.RUNNING and not registry_is_stale(registry):
            return 0  # a live import holds the lease
        log.warning("registry %s: resuming the interrupted import of %s", registry.pk, path.name)
        _import(path, inbox, registry_id=registry.pk)
        return 1
    # No unfinished registry: the worker died before registering the file, or after its import
    # but before the move. A fresh import is safe either way (lines already loaded come back as
    # duplicates); a claim younger than the stale limit may be a live scan still registering it.
    if time.time() - claimed_at < settings.REGISTRY_IMPORT_STALE_SECONDS:
        return 0
    log.warning("registry file %s left in processing/: importing it again", path.name)
    _import(path, inbox, registry_id=None)
    return 1


def _import(path: Path, inbox: Path, *, registry_id: int | None) -> None:
    try:
        if registry_id is None:
            registry = registry_import_file(path=path, original_name=path.name)
        else:
            registry = registry_import(registry_id=registry_id)
    except Exception:
        log.exception("registry %s failed", path.name)
        status = R.FAILED
    else:
        status = registry.status
    if status == R.RUNNING:
        return  # another process claimed it first and finishes it; the file waits for it
    # A second scan resuming the same orphan may have moved it already.
    with contextlib.suppress(FileNotFoundError):
        registry_move(path=path, target_dir=inbox / ("done" if status == R.DONE else "failed"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def registry_move(*, path: Path, target_dir: Path) -> Path:
    """Move an inbox file into its done/ or failed/ folder without overwriting anything."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), str(target))
    return target


def registry_inbox_scan_default() -> int:
    return registry_inbox_import(inbox=Path(settings.REGISTRY_INBOX_DIR))

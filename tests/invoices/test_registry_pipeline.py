"""The PostgreSQL pipeline of the registry import: chunks, crashes mid-way, progress, pieces of
the file (invoices/registry/pipeline.py)."""

import pytest
from django.db import connection

from invoices.models import RegistryProblem, ServiceLine, ServiceRegistry
from invoices.registry.importer import registry_create, registry_import

from .conftest import line, write_registry
from .test_registry_import import counts, mixed_rows, outcomes, run

pytestmark = pytest.mark.django_db


def scratch_tables(registry):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
            [f"registry\\_stage\\_{registry.pk}\\_%"],
        )
        return [name for (name,) in cursor.fetchall()]


def test_postgres_chunks_agree_with_the_batched_path_across_chunk_edges(
    postgres, roster, emergency_sidorova, frozen, tmp_path, monkeypatch, caplog
):
    """Four rows a chunk: the in-file duplicate (rows 2 and 16) and the re-matched held lines
    of the second import fall in different chunks than their first occurrence."""
    from invoices.registry import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    path = write_registry(tmp_path / "mixed.csv", mixed_rows())
    with caplog.at_level("INFO"):
        fast = run(path, fast=True)
    assert "COPY refused" not in caplog.text
    assert fast.rows_done == 17
    assert scratch_tables(fast) == []
    fast_outcome = outcomes(fast)
    ServiceLine.objects.all().delete()
    slow = run(path, fast=False)
    assert counts(fast) == counts(slow) == (3, 6, 7, 1)
    assert fast_outcome == outcomes(slow)
    assert counts(run(path, fast=True)) == (0, 6, 7, 4)
    assert counts(run(path, fast=False)) == (0, 6, 7, 4)


def test_postgres_crash_in_a_later_chunk_leaves_nothing_and_no_scratch(
    postgres, roster, frozen, tmp_path, monkeypatch
):
    from invoices.registry import load_sql, pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 100)
    path = write_registry(tmp_path / "r.csv", [line(f"A-{n}") for n in range(1000)])
    registry = registry_create(path=path)
    original = load_sql.load_staged
    calls = {"n": 0}

    def exploding(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(load_sql, "load_staged", exploding)
    with pytest.raises(RuntimeError):
        registry_import(registry_id=registry.pk)
    assert calls["n"] == 3  # two chunks were loaded before the crash, and rolled back
    assert ServiceLine.objects.count() == 0
    assert RegistryProblem.objects.count() == 0
    assert ServiceRegistry.objects.get(pk=registry.pk).status == ServiceRegistry.Status.RUNNING
    assert scratch_tables(registry) == []
    monkeypatch.setattr(load_sql, "load_staged", original)
    done = registry_import(registry_id=registry.pk)
    assert counts(done) == (1000, 0, 0, 0)
    assert done.rows_done == 1000
    assert scratch_tables(done) == []


@pytest.mark.django_db(transaction=True)
def test_postgres_progress_is_visible_while_the_import_transaction_is_open(
    postgres, roster, frozen, tmp_path, monkeypatch
):
    """The worker connection commits rows_done chunk by chunk; the loader sees each chunk's
    figure before it loads that chunk (the import's own transaction stays open meanwhile)."""
    from invoices.registry import load_sql, pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 100)
    path = write_registry(tmp_path / "r.csv", [line(f"A-{n}") for n in range(500)])
    registry = registry_create(path=path)
    original = load_sql.load_staged
    seen = []

    def watching(*args, **kwargs):
        seen.append(ServiceRegistry.objects.get(pk=registry.pk).rows_done)
        return original(*args, **kwargs)

    monkeypatch.setattr(load_sql, "load_staged", watching)
    done = registry_import(registry_id=registry.pk)
    assert counts(done) == (500, 0, 0, 0)
    assert len(seen) > 1
    assert seen == sorted(seen) and 0 < seen[0] < 500 and seen[-1] == 500
    assert scratch_tables(done) == []


def test_file_pieces_are_whole_records(tmp_path, monkeypatch):
    """The PostgreSQL path COPYs the file in pieces: cuts fall only at line ends outside
    quotes, and the pieces put together are the file, byte for byte."""
    from invoices.registry import pipeline
    from invoices.registry.read import open_registry

    rows = [
        line(f"A-{n}", name="Приём\r\nврача «на дому»" if n % 3 else 'Осмотр "A"')
        for n in range(10)
    ]
    path = write_registry(tmp_path / "q.csv", rows)
    data = path.read_bytes()
    for chunk_rows in (1, 2, 3, 7, 100):
        monkeypatch.setattr(pipeline, "CHUNK_ROWS", chunk_rows)
        pieces = list(pipeline.Pipeline(1, open_registry(path))._parts())
        assert b"".join(pieces) == data
        assert all(piece.count(b'"') % 2 == 0 for piece in pieces)
        assert all(piece.endswith(b"\r\n") for piece in pieces)
        if chunk_rows == 1:
            assert len(pieces) == 11  # the header, then one record a piece
    no_newline = tmp_path / "n.csv"
    no_newline.write_bytes(data.rstrip(b"\r\n"))
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    pieces = list(pipeline.Pipeline(1, open_registry(no_newline))._parts())
    assert b"".join(pieces) == no_newline.read_bytes()


def test_postgres_multiline_values_and_a_ragged_row_in_a_later_piece(
    postgres, roster, frozen, tmp_path, monkeypatch, caplog
):
    from invoices.registry import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    rows = [line(f"A-{n}", name="Приём\nврача") for n in range(6)]
    path = write_registry(tmp_path / "m.csv", rows)
    with caplog.at_level("INFO"):
        fast = run(path, fast=True)
    assert "COPY refused" not in caplog.text
    assert counts(fast) == (6, 0, 0, 0)
    assert sorted(fast.lines.values_list("row_number", flat=True)) == [2, 3, 4, 5, 6, 7]
    assert set(fast.lines.values_list("service_name", flat=True)) == {"Приём\nврача"}

    ragged = [line(f"B-{n}") for n in range(6)] + [line("B-6")[:10], line("B-7")]
    path = write_registry(tmp_path / "r.csv", ragged)
    caplog.clear()
    with caplog.at_level("INFO"):
        registry = run(path, fast=True)
    assert "COPY refused" in caplog.text  # after three pieces were loaded: rolled back
    assert counts(registry) == (7, 0, 1, 0)
    assert set(registry.problems.values_list("row_number", flat=True)) == {8}
    assert scratch_tables(registry) == []

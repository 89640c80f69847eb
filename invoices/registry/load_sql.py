"""Step «load», set-based on PostgreSQL: staged rows are matched to the roster and loaded with
INSERT … SELECT … ON CONFLICT DO NOTHING inside the import's one transaction, with their
problems. The staging comes either from the row-by-row path here (XLSX, and CSV that COPY
refuses: rows checked in Python and COPYed into temporary tables) or from the pipeline's
checked chunks (pipeline.py); a LoadFrom value says which.
"""

# SQL below is built only from our own table names and constant reason texts; values go as
# parameters or through COPY.
# ruff: noqa: S608
from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, transaction
from psycopg.types.json import Jsonb

from dms_portal import clock
from policies.models import normalize_name

from ..models import ServiceLine
from .check import raw_dict, validate_row
from .lease import registry_beat
from .load import ImportCounts, clinics_ensure
from .match import HOLD, hold_sql, outcome_sql

PROGRESS_EVERY = 50_000
L = ServiceLine.Status


@dataclass(frozen=True)
class LoadFrom:
    """What one set-based load reads: `rows`, a table or subquery of checked rows (aliased
    `s`); `problems`, the rejected rows' problems to report, or None when there are none;
    `matched`, whether the rows come matched already (person, status, hold reason)."""

    rows: str
    problems: str | None
    matched: bool


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


def create_stage(cursor, stage: str) -> None:
    # Staging lives in temporary tables, whose pages go through the session's local buffers
    # (8 MB by default): a million rows then churn through the disk. The setting can only
    # change before the session's first temporary table, hence the savepoint and the shrug.
    try:
        with transaction.atomic():
            cursor.execute("SET temp_buffers = '256MB'")
    except DatabaseError:
        pass
    cursor.execute(f"DROP TABLE IF EXISTS {stage}, {stage}_problems")
    cursor.execute(
        f"""CREATE TEMP TABLE {stage} (
            row_number integer, registry_no text, clinic_code text, clinic_name text,
            line_id text, policy_no text, last_name text, first_name text, patronymic text,
            birth_date date, service_date date, service_code text, service_name text,
            quantity integer, unit_price numeric(12,2), amount numeric(12,2),
            last_norm text, first_norm text)"""
    )
    cursor.execute(
        f"""CREATE TEMP TABLE {stage}_problems (
            row_number integer, col text, reason text, raw jsonb)"""
    )


def fill_stage(cursor, *, registry_id: int, source, stage: str):
    """Stream the file into the staging tables; COPY per chunk so progress is visible."""
    today = clock.moscow_today()
    raw_cursor = cursor.cursor
    columns = ", ".join(STAGE_COLUMNS)
    staged = rejected = rows_done = 0
    clinics: dict[str, str] = {}
    rows = source.rows()
    exhausted = False
    while not exhausted:
        problems = []
        with raw_cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
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
                f"COPY {stage}_problems (row_number, col, reason, raw) FROM STDIN"
            ) as copy:
                for problem in problems:
                    copy.write_row(problem)
        registry_beat(registry_id=registry_id, rows_done=rows_done)
    cursor.execute(f"ANALYZE {stage}")
    return staged, rejected, rows_done, clinics


def load_staged(
    cursor, *, registry_id: int, stage: str, rows: LoadFrom, staged: int, clinic_names: dict
) -> ImportCounts:
    """Match (unless `rows` come matched) and load staged rows, with their problems, inside
    the caller's transaction."""
    counts = ImportCounts()
    if clinic_names:
        clinics_ensure(clinic_names)
    cursor.execute("SET LOCAL work_mem = '256MB'")
    column_case = "CASE hold_reason " + " ".join(
        f"WHEN '{text}' THEN '{column}'" for _, (column, text) in HOLD.items()
    )
    if rows.matched:
        classified = f"""SELECT s.*, c.id AS clinic_id FROM {rows.rows} s
            JOIN invoices_clinic c ON c.code = s.clinic_code"""
    else:
        # Plain joins so PostgreSQL can hash them; a person with two activations
        # overlapping one date (bad data) would repeat a row, which ON CONFLICT then skips
        # uncounted.
        hold = hold_sql(kind="pr.kind", activation_missing="fa.id IS NULL")
        classified = f"""
            SELECT m.*, {outcome_sql()}
            FROM (
                SELECT s.*, c.id AS clinic_id, p.id AS pid, {hold} AS hold
                FROM {rows.rows} s
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
    params = {"registry": registry_id}

    # Step A (rare): lines held by an earlier import come again — match them afresh in place.
    rematched = 0
    # Lines this same file put on hold in an earlier chunk are duplicates, not re-matches.
    held_before = (
        ServiceLine.objects.filter(status=L.HELD, clinic__code__in=list(clinic_names))
        .exclude(registry_id=registry_id)
        .exists()
    )
    if held_before:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}_rematch")
        cursor.execute(
            f"""CREATE TEMP TABLE {stage}_rematch ON COMMIT DROP AS
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
            FROM {stage}_rematch r WHERE sl.id = r.line_pk""",
            params,
        )
        cursor.execute(
            f"""SELECT count(*) FILTER (WHERE status = 'loaded'),
                       count(*) FILTER (WHERE status = 'held') FROM {stage}_rematch"""
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
            FROM {stage}_rematch WHERE status = 'held'""",
            params,
        )
        not_rematched = f"""WHERE NOT EXISTS (SELECT 1 FROM {stage}_rematch r
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
    if rows.problems:
        cursor.execute(
            f"""INSERT INTO invoices_registryproblem
                (registry_id, row_number, "column", reason, kind, raw)
            SELECT %(registry)s, row_number, col, reason, 'rejected', raw
            FROM {rows.problems} sp ORDER BY row_number""",
            params,
        )
    return counts

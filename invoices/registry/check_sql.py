"""Step «check», in SQL: the PostgreSQL pipeline checks a COPYed piece of raw text rows with
one set-based SELECT generated from the rules of fields.py, like check.py in Python: typed
values, normalised names, and per row its problems ("label\\x1freason") and raw values.

The layers of the SELECT compute, per kind of field, what its checks read (a date's format and
parts, a number's text and value); each layer ends with OFFSET 0, a fence: without it
PostgreSQL inlines the layers and evaluates every regular expression at each reference.
"""

# Built from the rules' constant names, limits and messages only; values go as parameters.
# ruff: noqa: S608
from __future__ import annotations

from .fields import (
    BAD_COUNT,
    BAD_DATE,
    BAD_NUMBER,
    FUTURE,
    MONEY_PLACES,
    PRODUCT,
    PRODUCT_TEXT,
    REQUIRED,
    RULE,
    RULES,
    SHOWN,
    TOO_BIG,
    TOO_LONG,
    TOO_MANY,
    TOO_PRECISE,
    WS,
    rules_of,
)
from .read import FIELDS

SEP = "\x1f"  # between label and reason in a problem; also joins a row's values below
RU_DATE = r"'^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$'"
ISO_DATE = r"'^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$'"


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(expr: str) -> str:
    return (
        f"(CASE WHEN char_length({expr}) > {SHOWN} THEN left({expr}, {SHOWN}) || '…' "
        f"ELSE {expr} END)"
    )


def _problem(rule, reason_sql: str) -> str:
    return f"{lit(rule.label + SEP)} || {reason_sql}"


def _quoted(pieces: tuple[str, str], expr: str) -> str:
    return f"{lit(pieces[0])} || {_shown(expr)} || {lit(pieces[1])}"


def _money_ok(f: str, rule) -> str:
    return (
        f"{f} <> '' AND {f}_m AND {f}_frac <= {MONEY_PLACES} AND {f}_n >= 0 "
        f"AND {f}_n <= {rule.max_value}"
    )


def _check(rule) -> str:
    """The CASE giving this field's problem (NULL when none), in check.py's order."""
    f = rule.name
    when = []
    if rule.required:
        when.append(f"WHEN {f} = '' THEN {_problem(rule, lit(REQUIRED))}")
    elif rule.kind != "text":
        when.append(f"WHEN {f} = '' THEN NULL")
    if rule.kind == "text":
        too_long = lit(TOO_LONG.format(limit=rule.max_len))
        when.append(f"WHEN char_length({f}) > {rule.max_len} THEN {_problem(rule, too_long)}")
    elif rule.kind == "date":
        when.append(f"WHEN {f}_v IS NULL THEN {_problem(rule, _quoted(BAD_DATE, f))}")
        future = lit(FUTURE.format(word=rule.word))
        when.append(f"WHEN {f}_v > %(today)s THEN {_problem(rule, future)}")
    elif rule.kind == "count":
        when.append(f"WHEN {f}_i IS NULL OR {f}_i < 1 THEN {_problem(rule, lit(BAD_COUNT))}")
        when.append(f"WHEN {f}_i > {rule.max_value} THEN {_problem(rule, lit(TOO_MANY))}")
    else:  # money
        when.append(f"WHEN NOT {f}_m THEN {_problem(rule, _quoted(BAD_NUMBER, f))}")
        when.append(f"WHEN {f}_frac > {MONEY_PLACES} THEN {_problem(rule, lit(TOO_PRECISE))}")
        when.append(f"WHEN {f}_n < 0 THEN {_problem(rule, lit(rule.negative))}")
        when.append(f"WHEN {f}_n > {rule.max_value} THEN {_problem(rule, lit(TOO_BIG))}")
    return "CASE " + " ".join(when) + " END"


def _product_check() -> str:
    total, count, price = (RULE[name] for name in PRODUCT)
    t, c, p = total.name, count.name, price.name
    a, b, m, e, z = (lit(piece) for piece in PRODUCT_TEXT)
    reason = (
        f"{a} || {t}_n::text || {b} || {c}_i::text || {m} || {p}_n::text || {e} || "
        f"({c}_i * {p}_n)::text || {z}"
    )
    return (
        f"CASE WHEN {c}_i BETWEEN 1 AND {count.max_value} AND {_money_ok(p, price)} "
        f"AND {_money_ok(t, total)} AND {c}_i * {p}_n <> {t}_n THEN "
        f"{_problem(total, reason)} END"
    )


def _date_value(f: str) -> str:
    # Boolean matches plus split_part: regexp_match with capture groups costs ~7 µs.
    return (
        f"(CASE {f}_fmt WHEN 'ru' THEN ARRAY[split_part({f}, '.', 3), "
        f"split_part({f}, '.', 2), split_part({f}, '.', 1)]::int[] "
        f"WHEN 'iso' THEN string_to_array({f}, '-')::int[] END)"
    )


def _valid_date(f: str) -> str:
    y, m, d = (f"{f}_ymd[{i}]" for i in (1, 2, 3))
    days = (
        f"CASE WHEN {m} = 2 THEN CASE WHEN (mod({y}, 4) = 0 AND mod({y}, 100) <> 0) "
        f"OR mod({y}, 400) = 0 THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 "
        "ELSE 31 END"
    )
    return (
        f"CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} >= 1 AND {d} <= ({days}) "
        f"THEN make_date({y}, {m}, {d}) END"
    )


def _no_ws(f: str) -> str:
    return f"replace(CASE WHEN {f} ~ {lit('[' + WS + ']')} THEN translate({f}, {lit(WS)}, '') ELSE {f} END, ',', '.')"


def _typed(rule) -> str:
    """The column of the checked row: the typed value (money only when the row is good)."""
    f = rule.name
    if rule.kind == "date":
        return f"{f}_v AS {f}"
    if rule.kind == "count":
        return f"{f}_i::integer AS {f}"
    if rule.kind == "money":
        return f"(CASE WHEN cardinality(problems) = 0 THEN {f}_n END)::numeric(12,2) AS {f}"
    return f


def _norm(f: str) -> str:
    """policies.models.normalize_name in SQL (the same whitespace set)."""
    return (
        f"replace(lower(CASE WHEN {f} ~ '\\s\\s|[\\t\\r\\n\\u00a0]' "
        f"THEN regexp_replace({f}, '[\\s\\u00a0]+', ' ', 'g') ELSE {f} END), 'ё', 'е')"
    )


def checks_sql(*, raw: str, where: str, width: int, columns: list) -> str:
    """The SELECT checking the rows of table `raw` (columns n, c0…c{width-1}); `columns`
    maps each field of the format to its c-index (None: an absent optional column)."""
    dates, counts, money = rules_of("date"), rules_of("count"), rules_of("money")

    def clean(field: str) -> str:
        index = columns[FIELDS.index(field)]
        if index is None:
            return "''"
        # Trimming costs ~0.3 µs a call; only rows with a padded value pay it.
        value = f"coalesce(c{index}, '')"
        return f"CASE WHEN padded THEN btrim({value}, {lit(WS)}) ELSE {value} END"

    joined = "concat_ws(E'\\x1f', " + ", ".join(f"c{i}" for i in range(width)) + ")"
    padded = lit("(^|" + SEP + ")[" + WS + "]|[" + WS + "](" + SEP + "|$)")
    blank = lit("^[" + WS + SEP + "]*$")
    cleaned = ",\n".join(f"{clean(f)} AS {f}" for f in FIELDS)
    layer_p = [
        f"CASE WHEN {r.name} ~ {RU_DATE} THEN 'ru' WHEN {r.name} ~ {ISO_DATE} THEN 'iso' "
        f"END AS {r.name}_fmt"
        for r in dates
    ]
    layer_p += [f"{_no_ws(r.name)} AS {r.name}_s" for r in money]
    # A count too long for bigint is clamped above the limit: still «too many», never an error.
    layer_p += [
        f"CASE WHEN {r.name} ~ '^\\d+$' THEN CASE WHEN char_length(ltrim({r.name}, '0')) > 9 "
        f"THEN 1000000000::bigint ELSE ('0' || ltrim({r.name}, '0'))::bigint END END "
        f"AS {r.name}_i"
        for r in counts
    ]
    layer_y = [f"{_date_value(r.name)} AS {r.name}_ymd" for r in dates]
    layer_y += [f"{r.name}_s ~ '^-?[0-9]+(\\.[0-9]+)?$' AS {r.name}_m" for r in money]
    layer_y += [f"char_length(split_part({r.name}_s, '.', 2)) AS {r.name}_frac" for r in money]
    layer_m = [f"CASE WHEN {r.name}_m THEN {r.name}_s::numeric END AS {r.name}_n" for r in money]
    layer_d = [f"{_valid_date(r.name)} AS {r.name}_v" for r in dates]
    checks = [_check(rule) for rule in RULES] + [_product_check()]
    raw_json = ", ".join(f"'{f}', {f}" for f in FIELDS)
    return f"""WITH b AS (
            SELECT *, {joined} AS joined FROM {raw} {where} OFFSET 0
        ), b2 AS (
            SELECT *, joined ~ {padded} AS padded FROM b WHERE joined !~ {blank} OFFSET 0
        ), r AS (
            SELECT n + 1 AS row_number, {cleaned} FROM b2 OFFSET 0
        ), p AS (
            SELECT r.*, {", ".join(layer_p)} FROM r OFFSET 0
        ), y AS (
            SELECT p.*, {", ".join(layer_y)} FROM p OFFSET 0
        ), m AS (
            SELECT y.*, {", ".join(layer_m)} FROM y OFFSET 0
        ), d AS (
            SELECT m.*, {", ".join(layer_d)} FROM m OFFSET 0
        ), v AS (
            SELECT d.*, array_remove(ARRAY[{", ".join(checks)}], NULL) AS problems
            FROM d OFFSET 0
        )
        SELECT row_number, {", ".join(_typed(rule) for rule in RULES)},
            {_norm("last_name")} AS last_norm, {_norm("first_name")} AS first_norm,
            problems,
            CASE WHEN cardinality(problems) > 0 THEN jsonb_build_object({raw_json}) END AS raw,
            cardinality(problems) = 0 AS ok
        FROM v"""

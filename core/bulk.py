"""Writing thousands of plain rows at once: the statistics tables' refresh (issue #21).

`bulk_create` prepares each value of each row through its field and builds the statement in Python: for the
4,000 snapshot rows of a month that was most of the refresh's time (12 months: 8.2 s of 12.9, of which 4.2 s
building the SQL). On PostgreSQL, `bulk_insert` hands the rows to psycopg2's `execute_values` instead, the same
INSERT … ON CONFLICT DO UPDATE that `bulk_create(update_conflicts=True)` writes; elsewhere (SQLite for
`make run`) it calls `bulk_create`. For models of plain columns (numbers, text, dates, foreign keys): a value of
another type goes through its field's `get_db_prep_save` as Django would; defaults fill the columns a row omits;
no `pre_save` (so no `auto_now` / `auto_now_add`: give those columns a value) and no signals; aware datetimes.
A database error comes out as Django's (IntegrityError, …), as from `bulk_create`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from itertools import repeat
from operator import itemgetter

from django.db import connections, router
from psycopg2.extras import execute_values

PLAIN = frozenset({int, str, bool, float, Decimal, dt.date, dt.datetime, type(None)})


def bulk_insert(model, rows: list[dict], *, unique: list[str] | None = None, update: list[str] | None = None,
                batch_size: int = 2000) -> int:
    """Insert `rows` ({field name or attname: value}, every row with the same keys) into `model`'s table; with
    `unique` and `update`, a row whose `unique` fields exist already updates `update` instead (as bulk_create's
    update_conflicts). Returns the rows given. Runs in the caller's transaction."""
    if not rows:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_create(
            [model(**row) for row in rows], batch_size=batch_size,
            **({"update_conflicts": True, "unique_fields": unique, "update_fields": update} if unique else {}))
        return len(rows)
    meta = model._meta
    first = rows[0]
    given = {f: (f.attname if f.attname in first else f.name if f.name in first else None)
             for f in meta.concrete_fields}
    given = {f: key for f, key in given.items() if key or not f.primary_key}  # the database numbers new rows
    fields = list(given)
    unknown = set(first) - {k for k in given.values() if k}
    if unknown:
        raise ValueError(f"{meta.label} has no field {', '.join(sorted(unknown))}")
    keys = set(first)
    if any(row.keys() != keys for row in rows):
        raise ValueError(f"{meta.label}: every row must give the same fields")
    values = _columns(connection, [(f, key) for f, key in given.items()], rows)
    qn = connection.ops.quote_name
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES %s"
    if unique:
        target = ", ".join(qn(meta.get_field(name).column) for name in unique)
        changes = ", ".join(f"{qn(meta.get_field(n).column)} = EXCLUDED.{qn(meta.get_field(n).column)}"
                            for n in update)
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {changes}"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        execute_values(cursor.cursor, sql, values, page_size=batch_size)
    return len(rows)


def _columns(connection, fields: list[tuple], rows: list[dict]) -> list[tuple]:
    """The rows as tuples of database values in `fields` order ((field, key in the rows, or None: its default)).
    Read column by column: a column of plain values (most of them) is taken as it is, and only a column holding
    something else (an enum member, a value its field must prepare) is converted value by value: preparing each
    of 500,000 values one at a time was a third of a year's snapshot refresh (issue #21)."""
    keys = [key for _f, key in fields if key]
    if len(keys) > 1:
        taken = iter(zip(*map(itemgetter(*keys), rows), strict=True))
    else:
        taken = iter([[row[key] for row in rows] for key in keys])
    columns = []
    for field, key in fields:
        if key is None:
            columns.append(repeat(field.get_default(), len(rows)))
            continue
        column = next(taken)
        if not set(map(type, column)) <= PLAIN:
            column = [_value(connection, field, v) for v in column]
        columns.append(column)
    return list(zip(*columns, strict=True))


def _value(connection, field, v):
    if type(v) in PLAIN:
        return v
    if isinstance(v, Enum):  # a TextChoices / IntegerChoices member: its value
        return v.value
    return field.get_db_prep_save(v, connection)

"""One UPDATE that gives many rows each their own values (the publish pipeline's batches).

    update_rows(Model, {pk: {"field": value, ...}, ...}, also={"field": value}, expect={pk: {"f": old}})

Django's `bulk_update` and `Case(When(...))` build one expression node per row and field, and
compiling them costs more CPU than the statement itself (a 32-target batch spent most of its recording
time there: bench/README.md). On PostgreSQL this sends `UPDATE t SET f = v.f FROM (VALUES ...) v WHERE
t.id = v.id`: the values are parameters, the SQL is a string. `expect` adds a per-row condition (the row
still holds the value it was read with, NULL matching NULL), for conditional claims. Elsewhere (SQLite,
the demo) it falls back to one `Case` per field, which gives the same result.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Cast


def update_rows(model, rows: dict, *, also: dict | None = None, expect: dict | None = None) -> int:
    """Set each row's own `rows[pk]` values (every row the same field names) and the shared `also`
    values, in one statement. With `expect` ({pk: {field: value}}), a row is updated only while its
    fields still hold those values. Returns how many rows were updated."""
    if not rows:
        return 0
    also = dict(also or {})
    names = sorted({name for values in rows.values() for name in values})
    checked = sorted({name for values in (expect or {}).values() for name in values})
    if connection.vendor == "postgresql":
        return _update_from_values(model, rows, names, also, expect or {}, checked)
    return _update_with_case(model, rows, names, also, expect or {}, checked)


def _column(model, name):
    field = model._meta.get_field(name)
    return field, connection.ops.quote_name(field.column)


def _update_from_values(model, rows, names, also, expect, checked) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    pk_field, pk_column = _column(model, model._meta.pk.name)
    columns = [(pk_field, pk_column, "pk")]
    columns += [(*_column(model, name), name) for name in names]
    columns += [(*_column(model, name), f"expect_{name}") for name in checked]
    casts = [f"CAST(%s AS {field.db_type(connection)})" for field, _c, _n in columns]
    values_sql = ", ".join(f"({', '.join(casts)})" for _ in rows)
    params = []
    for pk, values in rows.items():
        params.append(pk_field.get_db_prep_value(pk, connection))
        for field, _c, name in columns[1:]:
            source = expect.get(pk, {}) if name.startswith("expect_") else values
            key = name.removeprefix("expect_") if name.startswith("expect_") else name
            params.append(field.get_db_prep_save(source.get(key), connection))
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sets = [f"{column} = v.c{i}" for i, (_f, column, name) in enumerate(columns) if name in names]
    also_params = []
    for name, value in also.items():
        field, column = _column(model, name)
        sets.append(f"{column} = %s")
        also_params.append(field.get_db_prep_save(value, connection))
    where = [f"t.{pk_column} = v.c0"]
    for i, (_f, column, name) in enumerate(columns):
        if name.startswith("expect_"):
            where.append(f"t.{column} IS NOT DISTINCT FROM v.c{i}")
    # Only quoted table and column names and placeholders are put in the string; every value is a parameter.
    sql = " ".join(
        [
            f"UPDATE {table} AS t SET {', '.join(sets)}",  # noqa: S608 - names and placeholders only
            f"FROM (VALUES {values_sql}) AS v({aliases})",
            f"WHERE {' AND '.join(where)}",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, also_params + params)
        return cursor.rowcount


def _update_with_case(model, rows, names, also, expect, checked) -> int:
    values = dict(also)
    for name in names:
        field = model._meta.get_field(name)
        case = Case(
            *[When(pk=pk, then=Value(row.get(name), output_field=field)) for pk, row in rows.items()],
            output_field=field,
        )
        values[name] = (
            Cast(case, output_field=field) if connection.features.requires_casted_case_in_updates else case
        )
    condition = Q(pk__in=list(rows))
    if checked:
        per_row = Q()
        for pk in rows:
            row = Q(pk=pk)
            for name in checked:
                old = expect.get(pk, {}).get(name)
                row &= Q(**{f"{name}__isnull": True}) if old is None else Q(**{name: old})
            per_row |= row
        condition &= per_row
    return model.objects.filter(condition).update(**values)

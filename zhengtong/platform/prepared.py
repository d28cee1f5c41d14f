"""Queries on the hottest paths, built and compiled by the ORM once per database connection.

Compiling a query with its joins costs the ORM far more than running it (a workflow lock with its
people and definition: 1.3 ms to compile, 0.1 ms to run). A ``Prepared`` query is written as an
ordinary queryset with marker values where its parameters go; the first run on a connection
compiles it, every later run sends the same SQL with its own values, and the rows become model
instances (related objects, annotations and field conversions included) as the ORM would make them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

# Django's own model iterable uses it; the stubs leave it out.
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=models.Model)
# Parameter values no query of ours would otherwise carry, one series per kind of parameter: where they
# land in the compiled parameters is where each run's values go.
MARKERS = tuple(-7_304_501_900 - number for number in range(32))
_MARKERS_BY_KIND: dict[str, tuple[Any, ...]] = {
    "int": MARKERS,
    "str": tuple(f"\x1fzt-marker-{number}" for number in range(32)),
    "date": tuple(date(1001, 1, 1) + timedelta(days=number) for number in range(32)),
}


def _markers(kinds: tuple[str, ...]) -> list[Any]:
    return [_MARKERS_BY_KIND[kind][position] for position, kind in enumerate(kinds)]


class _Compiled:
    def __init__(self, queryset: models.QuerySet[Any], markers: list[Any]) -> None:
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        # (slot, which value, as text?): a value may be used twice, and a backend may send a date as text.
        self.slots = [(slot, position, param != marker) for position, marker in enumerate(markers)
                      for slot, param in enumerate(self.params) if param == marker or param == str(marker)]
        if {position for _slot, position, _text in self.slots} != set(range(len(markers))):
            raise ValueError("a parameter of the prepared query was not found in its SQL")
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.own = slice(first, last)
        self.init_list = [column[0].target.attname for column in select[first:last]]
        self.related = get_related_populators(klass_info, select, queryset.db)
        self.annotations = self.compiler.annotation_col_map


class Prepared(Generic[M]):
    """``build`` makes the queryset from its parameters; ``kinds``: each parameter's kind (int, str, date)."""

    def __init__(self, build: Callable[..., models.QuerySet[M]], kinds: tuple[str, ...] = ("int",)) -> None:
        self.build = build
        self.kinds = kinds
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()

    def __call__(self, *values: Any) -> list[M]:
        if len(values) != len(self.kinds):
            raise TypeError(f"the prepared query takes {len(self.kinds)} parameters")
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection)
        if compiled is None:
            markers = _markers(self.kinds)
            compiled = self._compiled[connection] = _Compiled(self.build(*markers), markers)
        params = list(compiled.params)
        for slot, position, as_text in compiled.slots:
            params[slot] = str(values[position]) if as_text else values[position]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in compiled.compiler.results_iter([rows]):
            obj = compiled.model.from_db(DEFAULT_DB_ALIAS, compiled.init_list, row[compiled.own])
            for populator in compiled.related:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


# --- Writes --------------------------------------------------------------------------------------
# An INSERT or UPDATE costs the ORM about ten times more to build than to run. Their SQL depends on
# the shape alone (the model, the columns, how many rows, which values are NULL), so it is compiled
# once per shape and connection; each write then only prepares its values as the field would.
# For our own hot paths: plain values only (no expressions), no signals (bulk_create sends none either).

_shapes: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def _shapes_of(connection: Any) -> dict[tuple[Any, ...], Any]:
    found = _shapes.get(connection)
    if found is None:
        found = _shapes[connection] = {}
    return found


class _CompiledInsert:
    def __init__(self, objs: list[Any], fields: list[Any], upsert: tuple[list[str], list[str]] | None,
                 connection: Any) -> None:
        from django.db.models.constants import OnConflict
        from django.db.models.sql import InsertQuery

        model = type(objs[0])
        meta = model._meta
        unique, update = upsert or ((), ())
        query = InsertQuery(model, on_conflict=OnConflict.UPDATE if upsert else None,
                            update_fields=[meta.get_field(name) for name in update] or None,
                            unique_fields=[meta.get_field(name) for name in unique] or None)
        query.insert_values(fields, objs, raw=False)
        compiler = query.get_compiler(connection=connection)
        returns = connection.features.can_return_rows_from_bulk_insert or len(objs) == 1
        # Rows of an upsert are not read back, as bulk_create(update_conflicts=True) may not.
        compiler.returning_fields = list(meta.db_returning_fields) if returns and not upsert else None
        statements = compiler.as_sql()
        if len(statements) != 1:
            raise ValueError("a prepared insert must be one statement")
        self.sql, params = statements[0]
        self.returning = compiler.returning_fields or []
        # PostgreSQL inserts several rows as one array per column (UNNEST) rather than a list of rows.
        self.by_column = len(objs) > 1 and len(params) == len(fields)


def insert(objs: list[M], *, upsert: tuple[list[str], list[str]] | None = None) -> list[M]:
    """``bulk_create(objs)`` compiled once per shape; ``upsert``: (unique fields, fields to update) on conflict.

    The objects come back saved, with their primary keys where the database returns them.
    """
    if not objs:
        return objs
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    fields = [field for field in model._meta.concrete_fields if not field.generated and not isinstance(field, models.AutoField)]
    key = ("insert", model, len(objs), upsert and (tuple(upsert[0]), tuple(upsert[1])))
    shapes = _shapes_of(connection)
    compiled = shapes.get(key)
    if compiled is None:
        compiled = shapes[key] = _CompiledInsert(objs, fields, upsert, connection)
    for obj in objs:  # a related object saved since it was assigned gives its new key, as in bulk_create
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    rows = [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields] for obj in objs]
    params = [list(column) for column in zip(*rows, strict=True)] if compiled.by_column else [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        returned = cursor.fetchall() if compiled.returning else []
    for obj, row in zip(objs, returned, strict=False):
        for field, value in zip(compiled.returning, row, strict=True):
            setattr(obj, field.attname, value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    return objs


def _saved_value(field: Any, value: Any) -> Any:
    """A related object stands for its key, as in ``QuerySet.update``."""
    return value.prepare_database_save(field) if hasattr(value, "prepare_database_save") else value


def update(model: type[models.Model], pk: Any, values: dict[str, Any]) -> int:
    """``model.objects.filter(pk=pk).update(**values)`` compiled once per shape; the rows changed."""
    from django.db.models.sql import UpdateQuery

    connection = connections[DEFAULT_DB_ALIAS]
    names = tuple(values)
    nulls = tuple(values[name] is None for name in names)
    key = ("update", model, names, nulls)
    shapes = _shapes_of(connection)
    compiled = shapes.get(key)
    if compiled is None:
        query = UpdateQuery(model)
        query.add_update_values(values)
        query.add_q(models.Q(pk=MARKERS[0]))
        sql, params = query.get_compiler(connection=connection).as_sql()
        fields: list[tuple[str, Any]] = [(name, model._meta.get_field(name)) for name, null in zip(names, nulls, strict=True) if not null]
        compiled = shapes[key] = (sql, fields, list(params).index(MARKERS[0]))
    sql, fields, pk_slot = compiled
    params = [field.get_db_prep_save(_saved_value(field, values[name]), connection) for name, field in fields]
    params.insert(pk_slot, pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

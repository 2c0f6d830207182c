"""Each event's JSON as the API sends it, written by SQLite once per write instead of once per read.

An event's JSON (``EVENT_KEYS``, as ``queries.event_dict`` gives it) is ``json_object`` over some
forty columns. Built on every request it costs 1-2 ms of SQLite CPU for a page of a hundred events;
events are written once (coding) and rarely changed, so SQLite triggers keep the text in the column
``events.api_json`` (migration 0013) and the API reads it. ``incident_id`` changes with linking,
more often than the event, so the column leaves it out and the reader puts it before the final
``}`` (``stored_json_sql``): the same bytes as ``json_object`` over every key.

One definition of the JSON serves both: ``json_object_over`` builds it over ``events`` (per request:
other key sets, GeoJSON, stores without the column) and over the trigger's ``new`` row. A store is
read from the column only when its triggers are this version's (``is_current``): a change of the
event's keys falls back to the per-request path until a migration calls ``install`` again.
PostgreSQL keeps its portable path (``queries.json_texts`` returns None there); the column exists
but stays empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, case, func, inspect, literal, literal_column, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause

from flashpoint.corpus.store.schema import events, incident_events
from flashpoint.model import Event

EVENT_FIELDS = tuple(f.name for f in fields(Event))
JSON_FIELDS = {"claimant": "{}", "loaded_terms": "[]", "evidence": "{}", "casualties": "[]",
               "initiator_claimant": "null", "type_explanation": "null"}
"""Columns holding JSON text, and what an empty one stands for."""

EVENT_KEYS = (*EVENT_FIELDS, "interaction", "incident_id")
"""The keys of an event in the API, in order (``queries.event_dict``'s)."""

STORED_KEYS = EVENT_KEYS[:-1]
"""What ``events.api_json`` holds: every key but the last, ``incident_id``."""

COLUMN = "api_json"
INSERT_TRIGGER = "events_api_json_insert"
UPDATE_TRIGGER = "events_api_json_update"


def _interaction_over(t: Any) -> Any:
    """ACLED's interaction code in SQL, as ``Event.interaction`` computes it."""
    a = func.min(t.c.inter1, func.coalesce(t.c.inter2, 0))
    b = func.max(t.c.inter1, func.coalesce(t.c.inter2, 0))
    return case((t.c.inter1.is_(None), None), (a != 0, a * 10 + b), (b != 0, b * 10), else_=None)


def json_value_over(t: Any, name: str) -> Any:
    """The value of key ``name`` of the event in table (or alias) ``t``."""
    if name in JSON_FIELDS:
        return func.json(func.coalesce(t.c[name], JSON_FIELDS[name]))
    if name == "interaction":
        return _interaction_over(t)
    if name == "incident_id":
        return incident_events.c.incident_id
    return t.c[name]


def json_object_over(t: Any, keys: Sequence[str]) -> Any:
    """``json_object`` of the event in ``t`` with ``keys``, in that order."""
    return func.json_object(*(x for k in keys for x in (literal(k), json_value_over(t, k))))


def stored_json_sql() -> Any:
    """An event's stored JSON; a row whose column is empty (never, while the triggers stand) gets
    ``json_object`` over the same keys instead (``coalesce`` evaluates it only then)."""
    return func.coalesce(literal_column(f"events.{COLUMN}"), json_object_over(events, STORED_KEYS))


def with_incident(stored: str, incident_id: int | None) -> str:
    """The full JSON of an event: its stored text with ``,"incident_id":N`` before the closing brace
    (``null`` when unlinked), as ``json_object`` writes that last key. In Python: SQLite's
    ``substr``/``length`` walk the text character by character (0.2 ms a page of a hundred)."""
    return f'{stored[:-1]},"incident_id":{"null" if incident_id is None else incident_id}}}'


# --- the triggers ---------------------------------------------------------------------------------

def _sql(expression: Any) -> str:
    return str(expression.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def covered_columns() -> tuple[str, ...]:
    """The ``events`` columns the stored JSON is made of (in table order): changing one rewrites it."""
    new = events.alias("new")
    used = {c.name for c in visitors.iterate(json_object_over(new, STORED_KEYS))
            if isinstance(c, ColumnClause) and c.table is new}
    return tuple(c.name for c in events.c if c.name in used)


def trigger_statements() -> tuple[str, str]:
    """CREATE TRIGGER statements that keep ``api_json`` current: on INSERT, and on an UPDATE that
    changes a covered column. Their own UPDATE sets only ``api_json``, which neither trigger
    watches, so they cannot fire each other or themselves (whatever ``recursive_triggers`` says)."""
    value = _sql(json_object_over(events.alias("new"), STORED_KEYS))
    write = f"UPDATE events SET {COLUMN} = {value} WHERE rowid = new.rowid; END"
    columns = covered_columns()
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return (f"CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON events BEGIN {write}",
            f"CREATE TRIGGER {UPDATE_TRIGGER} AFTER UPDATE OF {', '.join(columns)} ON events "
            f"WHEN {changed} BEGIN {write}")


def install(conn: Connection) -> None:
    """Add ``events.api_json`` where it is missing; on SQLite (re)create its triggers and fill it
    for every event. Idempotent: a later change of the event's keys calls it again."""
    if COLUMN not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text(f"ALTER TABLE events ADD COLUMN {COLUMN} TEXT"))
    if conn.dialect.name != "sqlite":
        return
    for name in (INSERT_TRIGGER, UPDATE_TRIGGER):
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    for statement in trigger_statements():
        conn.execute(text(statement))
    conn.execute(text(f"UPDATE events SET {COLUMN} = {_sql(json_object_over(events, STORED_KEYS))}"))


def is_current(conn: Connection) -> bool:
    """Whether this SQLite store keeps ``api_json`` with this version's triggers (so its texts are
    what ``json_object_over`` would build now)."""
    if conn.dialect.name != "sqlite":
        return False
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)",
                                (INSERT_TRIGGER, UPDATE_TRIGGER))
    found: dict[str, str] = {r[0]: r[1] for r in rows}
    return [found.get(INSERT_TRIGGER), found.get(UPDATE_TRIGGER)] == list(trigger_statements())

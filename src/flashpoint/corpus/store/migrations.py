"""Named migrations, applied in order and recorded in the ``migrations`` table.

A migration is a name and a function of an open connection. A database remembers which names it
has applied, so opening an up-to-date database does nothing, and a new release only appends to
``MIGRATIONS`` (never edits an applied one). Migrations run inside the store's write lock, so two
processes opening a fresh database at once do not both create it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, inspect, select, text

from flashpoint.corpus.store import schema

Migration = Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    """Every table of the first schema: documents, places, events, failures, incidents, unlinks."""
    tables = [schema.documents, schema.places, schema.events, schema.failures,
              schema.incidents, schema.incident_events, schema.unlinks]
    schema.metadata.create_all(conn, tables=tables, checkfirst=True)


def _incident_country_index(conn: Connection) -> None:
    """``incidents --country`` filters on the incident's country; index it."""
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_incidents_country ON incidents (country)"))


def _event_window_class(conn: Connection) -> None:
    """Bucket event date windows by width, indexed with date_lo, for tight blocking queries."""
    if "window_class" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN window_class INTEGER"))
    rows = conn.execute(text("SELECT id, date_lo, date_hi FROM events WHERE window_class IS NULL")).all()
    for row in rows:
        conn.execute(text("UPDATE events SET window_class = :c WHERE id = :id"),
                     {"c": schema.window_class(row.date_lo, row.date_hi), "id": row.id})
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_events_window ON events (window_class, date_lo)"))


def _event_filter_indexes(conn: Connection) -> None:
    """The API's and ``incidents``' common filters (type, place box, side, disputed) without full scans."""
    for statement in (
        "CREATE INDEX IF NOT EXISTS ix_events_event_date ON events (event_date)",
        "CREATE INDEX IF NOT EXISTS ix_events_type ON events (event_type, sub_event_type)",
        "CREATE INDEX IF NOT EXISTS ix_events_latlon ON events (latitude, longitude)",
        "CREATE INDEX IF NOT EXISTS ix_events_side ON events (claimant_side)",
        "CREATE INDEX IF NOT EXISTS ix_incidents_disputed ON incidents (disputed)",
    ):
        conn.execute(text(statement))


def _event_actor_keys(conn: Connection) -> None:
    """Each event's actors as linking compares them (``link.actor_key``), so that the candidate
    search keeps only incidents with a report whose actors and type can match (dyad blocking)."""
    from flashpoint.corpus.link import actor_key

    have = {c["name"] for c in inspect(conn).get_columns("events")}
    for name in ("actor1_key", "actor2_key"):
        if name not in have:
            conn.execute(text(f"ALTER TABLE events ADD COLUMN {name} TEXT"))
    rows = conn.execute(text("SELECT id, actor1, actor2 FROM events WHERE actor1_key IS NULL AND actor2_key IS NULL "
                             "AND (actor1 IS NOT NULL OR actor2 IS NOT NULL)")).all()
    for row in rows:
        conn.execute(text("UPDATE events SET actor1_key = :a, actor2_key = :b WHERE id = :id"),
                     {"a": actor_key(row.actor1), "b": actor_key(row.actor2), "id": row.id})


def rebuild_incident_kinds(conn: Connection, incident_id: int | None = None) -> None:
    """(Re)fill ``incident_kinds`` from the events, for one incident or all of them."""
    cols = ", ".join(schema.KIND_COLUMNS)
    picked = ", ".join(f"e.{c}" for c in schema.KIND_COLUMNS)
    where = "" if incident_id is None else "WHERE ie.incident_id = :id"
    params = {} if incident_id is None else {"id": incident_id}
    conn.execute(text(f"DELETE FROM incident_kinds {'' if incident_id is None else 'WHERE incident_id = :id'}"), params)
    conn.execute(text(f"INSERT INTO incident_kinds (incident_id, {cols}, n_events) "
                      f"SELECT ie.incident_id, {picked}, count(*) FROM events e "
                      f"JOIN incident_events ie ON ie.event_id = e.id {where} GROUP BY ie.incident_id, {picked}"), params)


def _incident_kinds(conn: Connection) -> None:
    """The candidate search reads one row per kind of report in an incident (schema.incident_kinds)."""
    schema.incident_kinds.create(conn, checkfirst=True)
    rebuild_incident_kinds(conn)


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("0001_initial", _initial),
    ("0002_incident_country_index", _incident_country_index),
    ("0003_event_window_class", _event_window_class),
    ("0004_event_filter_indexes", _event_filter_indexes),
    ("0005_event_actor_keys", _event_actor_keys),
    ("0006_incident_kinds", _incident_kinds),
)


def applied(conn: Connection) -> list[str]:
    """Names of the migrations this database has applied, in order applied."""
    if not inspect(conn).has_table("migrations"):
        return []
    rows = conn.execute(select(schema.migrations.c.name).order_by(schema.migrations.c.applied_at))
    return [r.name for r in rows]


def pending(conn: Connection) -> list[str]:
    """Names of the migrations this database has not applied yet (all of them for a new file)."""
    done = set(applied(conn))
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(conn: Connection) -> list[str]:
    """Apply every pending migration on ``conn`` (inside the caller's transaction); returns their names."""
    schema.migrations.create(conn, checkfirst=True)
    done = set(applied(conn))
    ran: list[str] = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        step(conn)
        conn.execute(schema.migrations.insert().values(name=name, applied_at=dt.datetime.now(dt.UTC)))
        ran.append(name)
    return ran

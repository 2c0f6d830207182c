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

from flashpoint.corpus.store import eventjson, schema
from flashpoint.corpus.store.kept import rebuild_kept

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


def _api_keyset_indexes(conn: Connection) -> None:
    """The API lists newest first and pages by (event_date, id): one index per common filter that
    also holds that order, so a filtered page is a short index range scan and needs no sort."""
    for statement in (
        "CREATE INDEX IF NOT EXISTS ix_events_newest ON events (event_date, id)",
        "CREATE INDEX IF NOT EXISTS ix_events_country_newest ON events (country, event_date, id)",
        "CREATE INDEX IF NOT EXISTS ix_events_admin1_newest ON events (admin1, event_date, id)",
        "CREATE INDEX IF NOT EXISTS ix_events_type_newest ON events (event_type, event_date, id, latitude, longitude)",
        "CREATE INDEX IF NOT EXISTS ix_events_subtype_newest ON events (sub_event_type, event_date, id)",
        "CREATE INDEX IF NOT EXISTS ix_events_side_newest ON events (claimant_side, event_date, id)",
        "CREATE INDEX IF NOT EXISTS ix_incidents_newest ON incidents (date_lo, id)",
        "CREATE INDEX IF NOT EXISTS ix_incidents_disputed_newest ON incidents (disputed, date_lo, id)",
    ):
        conn.execute(text(statement))
    # Statistics let SQLite choose between a filter's index and the date order's.
    conn.execute(text("ANALYZE"))


TEXT_SEARCH_COLUMNS = ("notes", "location", "actor1", "actor2", "source")
"""What the API's ``q`` searches in an event (``queries.event_conditions``)."""


def _event_text_search(conn: Connection) -> None:
    """SQLite: a trigram full-text index over the searched event columns, kept current by triggers,
    so ``q`` (any substring of three characters or more) is an index lookup instead of a scan.

    The index holds its own copy of the text keyed by the event id (not SQLite's rowid, which a
    VACUUM may renumber). PostgreSQL keeps the plain LIKE search."""
    if conn.dialect.name != "sqlite":
        return
    cols = ", ".join(TEXT_SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in TEXT_SEARCH_COLUMNS)
    for statement in (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS events_text USING fts5(event_id UNINDEXED, {cols}, tokenize='trigram')",
        f"INSERT INTO events_text (rowid, event_id, {cols}) SELECT rowid, id, {cols} FROM events",
        f"CREATE TRIGGER IF NOT EXISTS events_text_insert AFTER INSERT ON events BEGIN "
        f"INSERT INTO events_text (rowid, event_id, {cols}) VALUES (new.rowid, new.id, {new}); END",
        "CREATE TRIGGER IF NOT EXISTS events_text_delete AFTER DELETE ON events BEGIN "
        "DELETE FROM events_text WHERE rowid = old.rowid; END",
        f"CREATE TRIGGER IF NOT EXISTS events_text_update AFTER UPDATE OF id, {cols} ON events BEGIN "
        f"DELETE FROM events_text WHERE rowid = old.rowid; "
        f"INSERT INTO events_text (rowid, event_id, {cols}) VALUES (new.rowid, new.id, {new}); END",
    ):
        conn.execute(text(statement))


_KILLED_MAX = ("(SELECT max(e.fatalities) FROM incident_events ie JOIN events e ON e.id = ie.event_id "
               "WHERE ie.incident_id = {ref})")


def _incident_casualties(conn: Connection) -> None:
    """``incidents.killed_max``: the highest death toll any report of the incident gives, indexed
    with the date, so the incident list sorts by casualties without aggregating every event.

    SQLite keeps it current with triggers on membership and on an event's figure; elsewhere the
    column stays unused (``queries`` aggregates instead)."""
    if "killed_max" not in {c["name"] for c in inspect(conn).get_columns("incidents")}:
        conn.execute(text("ALTER TABLE incidents ADD COLUMN killed_max INTEGER"))
    conn.execute(text("UPDATE incidents SET killed_max = " + _KILLED_MAX.format(ref="incidents.id")))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_incidents_killed ON incidents (killed_max, date_lo, id)"))
    if conn.dialect.name != "sqlite":
        return

    def refresh(ref: str) -> str:
        return f"UPDATE incidents SET killed_max = {_KILLED_MAX.format(ref=ref)} WHERE id = {ref};"

    for statement in (
        "CREATE TRIGGER IF NOT EXISTS incidents_killed_link AFTER INSERT ON incident_events BEGIN "
        + refresh("new.incident_id") + " END",
        "CREATE TRIGGER IF NOT EXISTS incidents_killed_unlink AFTER DELETE ON incident_events BEGIN "
        + refresh("old.incident_id") + " END",
        "CREATE TRIGGER IF NOT EXISTS incidents_killed_move AFTER UPDATE OF incident_id ON incident_events BEGIN "
        + refresh("old.incident_id") + " " + refresh("new.incident_id") + " END",
        "CREATE TRIGGER IF NOT EXISTS incidents_killed_figure AFTER UPDATE OF fatalities ON events BEGIN "
        "UPDATE incidents SET killed_max = " + _KILLED_MAX.format(ref="incidents.id")
        + " WHERE id IN (SELECT incident_id FROM incident_events WHERE event_id = new.id); END",
    ):
        conn.execute(text(statement))


def _casualty_claims(conn: Connection) -> None:
    """Casualty claims by side on each event (JSON), missing apart from captured, the fatalities
    rule in words, and the reasons stored on each incident link."""
    have = {c["name"] for c in inspect(conn).get_columns("events")}
    for name, ddl in (("missing", "INTEGER NOT NULL DEFAULT 0"), ("casualties", "TEXT NOT NULL DEFAULT '[]'"),
                      ("fatalities_rule", "TEXT NOT NULL DEFAULT ''"), ("initiator_claimant", "TEXT")):
        if name not in have:
            conn.execute(text(f"ALTER TABLE events ADD COLUMN {name} {ddl}"))
    if "reasons" not in {c["name"] for c in inspect(conn).get_columns("incident_events")}:
        conn.execute(text("ALTER TABLE incident_events ADD COLUMN reasons TEXT NOT NULL DEFAULT ''"))


def _event_type_explanation(conn: Connection) -> None:
    """Each event's sub-event type explanation (score, runner-up, cues, n-grams, nearest snippets), JSON."""
    if "type_explanation" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN type_explanation TEXT"))


def _event_location_reason(conn: Connection) -> None:
    """Why each event is placed where it is (the place's tie to the event's words, places passed over)."""
    if "location_reason" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN location_reason TEXT NOT NULL DEFAULT ''"))


def _incident_kinds_and_versions(conn: Connection) -> None:
    """What the store keeps of each incident so that a new report costs the same however large the
    incident: its kinds of report (``schema.incident_kinds``), its versions of each disputable
    field (``schema.incident_versions``) and its documents that also have events elsewhere
    (``schema.incident_split_documents``), built from every incident's events. SQLite: an event
    joining an incident raises its ``killed_max`` to the event's figure instead of recounting
    every member (the same value: a new maximum is the old one or the newcomer's)."""
    schema.incident_kinds.create(conn, checkfirst=True)
    schema.incident_versions.create(conn, checkfirst=True)
    schema.incident_split_documents.create(conn, checkfirst=True)
    rebuild_kept(conn)
    if conn.dialect.name != "sqlite":
        return
    figure = "(SELECT fatalities FROM events WHERE id = new.event_id)"
    conn.execute(text("DROP TRIGGER IF EXISTS incidents_killed_link"))
    conn.execute(text(
        "CREATE TRIGGER incidents_killed_link AFTER INSERT ON incident_events BEGIN "
        f"UPDATE incidents SET killed_max = CASE WHEN killed_max IS NULL OR killed_max < {figure} THEN {figure} "
        "ELSE killed_max END WHERE id = new.incident_id; END"))


_INCIDENT_DISPUTED = "COALESCE((SELECT disputed != '' FROM incidents WHERE id = {ref}), 0)"
"""1 when incident ``ref`` exists and its sides dispute a field, else 0."""
_EVENT_DISPUTED = ("COALESCE((SELECT i.disputed != '' FROM incident_events ie JOIN incidents i ON i.id = ie.incident_id "
                   "WHERE ie.event_id = {ref}), 0)")
"""1 when event ``ref`` is linked to an incident whose sides dispute a field, else 0."""
_MEMBERS = "(SELECT event_id FROM incident_events WHERE incident_id = {ref})"

DISPUTED_FLAG_TRIGGER = "events_disputed_link"
"""A trigger of migration 0012 whose presence says ``events.in_disputed`` is kept current (``queries``)."""


def _event_in_disputed(conn: Connection) -> None:
    """``events.in_disputed``: 1 when the event's incident is disputed, indexed with the API's
    newest-first order, so a ``disputed=true`` page is a short index range scan instead of two key
    lookups (link, incident) for every event of the date range.

    SQLite keeps it current with triggers on everything that can change it: a link made, removed or
    moved, an incident's ``disputed`` turning empty or not, an incident made or deleted, an event
    stored after its link. Each trigger sets the flag from the rows as they stand after its
    statement and writes only when the value changes, so whichever of the link and the incident's
    update comes first, both end right. PostgreSQL has the column (``schema.events``) but leaves it
    0 and unused: ``queries`` keeps the correlated lookup there."""
    if "in_disputed" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN in_disputed INTEGER NOT NULL DEFAULT 0"))
    if conn.dialect.name != "sqlite":
        return
    disputed_events = ("SELECT ie.event_id FROM incident_events ie JOIN incidents i ON i.id = ie.incident_id "
                       "WHERE i.disputed != ''")
    conn.execute(text(f"UPDATE events SET in_disputed = 1 WHERE in_disputed = 0 AND id IN ({disputed_events})"))
    conn.execute(text(f"UPDATE events SET in_disputed = 0 WHERE in_disputed != 0 AND id NOT IN ({disputed_events})"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_events_disputed_newest ON events (in_disputed, event_date, id)"))

    def set_event(ref: str, value: str) -> str:
        return f"UPDATE events SET in_disputed = {value} WHERE id = {ref} AND in_disputed != {value};"

    def set_members(ref: str, value: str) -> str:
        return (f"UPDATE events SET in_disputed = {value} WHERE id IN {_MEMBERS.format(ref=ref)} "
                f"AND in_disputed != {value};")

    flip = "(old.disputed != '') != (new.disputed != '')"
    for name, body in (
        (DISPUTED_FLAG_TRIGGER, "AFTER INSERT ON incident_events BEGIN "
         + set_event("new.event_id", _INCIDENT_DISPUTED.format(ref="new.incident_id"))),
        ("events_disputed_unlink", "AFTER DELETE ON incident_events BEGIN " + set_event("old.event_id", "0")),
        ("events_disputed_move", "AFTER UPDATE OF incident_id, event_id ON incident_events BEGIN "
         + set_event("old.event_id", _EVENT_DISPUTED.format(ref="old.event_id")) + " "
         + set_event("new.event_id", _INCIDENT_DISPUTED.format(ref="new.incident_id"))),
        ("events_disputed_incident", f"AFTER UPDATE OF disputed ON incidents WHEN {flip} BEGIN "
         + set_members("new.id", "(new.disputed != '')")),
        ("events_disputed_new_incident", "AFTER INSERT ON incidents WHEN new.disputed != '' BEGIN "
         + set_members("new.id", "1")),
        ("events_disputed_gone_incident", "AFTER DELETE ON incidents WHEN old.disputed != '' BEGIN "
         + set_members("old.id", "0")),
        ("events_disputed_new_event", "AFTER INSERT ON events WHEN new.in_disputed != "
         + _EVENT_DISPUTED.format(ref="new.id") + " BEGIN "
         + set_event("new.id", _EVENT_DISPUTED.format(ref="new.id"))),
    ):
        conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body} END"))
    conn.execute(text("ANALYZE ix_events_disputed_newest"))


def _event_api_json(conn: Connection) -> None:
    """Each event's JSON as the API sends it (less ``incident_id``) in ``events.api_json``, kept by
    SQLite triggers and filled for the events already stored, so a page of events is read, not
    built (``eventjson``). PostgreSQL gets the column only (its API path builds JSON in Python)."""
    eventjson.install(conn)


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("0001_initial", _initial),
    ("0002_incident_country_index", _incident_country_index),
    ("0003_event_window_class", _event_window_class),
    ("0004_event_filter_indexes", _event_filter_indexes),
    ("0005_api_keyset_indexes", _api_keyset_indexes),
    ("0006_event_text_search", _event_text_search),
    ("0007_incident_casualties", _incident_casualties),
    ("0008_casualty_claims_and_link_reasons", _casualty_claims),
    ("0009_event_type_explanation", _event_type_explanation),
    ("0010_event_location_reason", _event_location_reason),
    ("0011_incident_kinds_and_versions", _incident_kinds_and_versions),
    ("0012_event_in_disputed", _event_in_disputed),
    ("0013_event_api_json", _event_api_json),
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

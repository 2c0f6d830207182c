"""Each event's stored JSON (``events.api_json``, migration 0013) reads back as the bytes SQLite's
``json_object`` builds per request, for every event of the repo's fixture corpora, after an event's
fields change, after relinking, and on a store migrated from before the column. PostgreSQL: the
migration runs and the portable path is unchanged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, insert, select, text

from flashpoint.corpus import ingest, open_store
from flashpoint.corpus.store import db as store_db
from flashpoint.corpus.store import eventjson, queries, schema

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [str(ROOT / "tests" / "fixtures" / p) for p in
           ("gold/articles.jsonl", "gold/styles.jsonl", "ru/articles.jsonl", "multiside/reports")]
CORPORA += sorted(str(p) for p in (ROOT / "demo").glob("*.json"))
MIGRATION = "0013_event_api_json"


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpora coded and stored once (the tests below work on copies)."""
    path = tmp_path_factory.mktemp("evjson") / "fixtures.db"
    with open_store(path) as store:
        report = ingest(CORPORA, store)
    assert report.added > 150
    return path


@pytest.fixture
def copy(fixture_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    with sqlite3.connect(fixture_store) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def engine(copy: Path) -> Iterator[Engine]:
    engine = store_db.create(copy)
    yield engine
    store_db.dispose(engine)


def _ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT id FROM events ORDER BY id")]


def _both(engine: Engine, ids: list[str]) -> tuple[list[str], list[str]]:
    stored = queries.json_texts(engine, ids)
    built = queries.json_texts(engine, ids, stored=False)
    assert stored is not None and built is not None and len(stored) == len(ids)
    return stored, built


def _total_changes(engine: Engine, statement: str) -> int:
    """Rows written by ``statement``, counting its triggers' writes."""
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        before = raw.total_changes
        conn.exec_driver_sql(statement)
        return int(raw.total_changes - before)


def test_every_fixture_event_reads_the_bytes_json_object_builds(engine: Engine) -> None:
    ids = _ids(engine)
    assert len(ids) > 250
    assert queries._stored_json_current(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM events WHERE api_json IS NULL").scalar() == 0
        stored_only = dict(conn.exec_driver_sql("SELECT id, api_json FROM events").all())
    stored, built = _both(engine, ids)
    assert stored == built
    for ident, full in zip(ids, built, strict=True):
        data = json.loads(full)
        assert list(data) == list(queries.EVENT_KEYS) and data["incident_id"] is not None
        assert json.loads(stored_only[ident]) == {k: v for k, v in data.items() if k != "incident_id"}
    with engine.connect() as conn:
        python_built = {r["id"]: queries.event_dict(r) for r in queries._full_rows(conn, ids)}
    assert [json.loads(t) for t in stored] == [python_built[i] for i in ids]  # PostgreSQL's path, in Python
    assert any(not t.isascii() for t in built), "the Russian reports reach the comparison"
    assert any('\\"' in t for t in built), "so do escaped quotes"


def test_every_shape_reads_as_sqlalchemy_runs_the_statement(engine: Engine) -> None:
    """json_texts runs its statements as driver SQL text: the same rows as SQLAlchemy's execution
    (the path before), for the full event, the map's compact one and GeoJSON, pages of any length."""
    ids = _ids(engine)
    compact = ("id", "event_date", "event_type", "fatalities", "claimant", "incident_id", "latitude", "longitude")
    for keys, geojson in ((queries.EVENT_KEYS, False), (queries.EVENT_KEYS, True), (compact, False), (compact, True)):
        for page in (ids, ids[:1], ids[7:107], ids[::-3]):
            with engine.connect() as conn:
                rows = dict(conn.execute(queries._json_statement(keys, geojson), {"ids": page}).tuples().all())
            expected = [rows[i] for i in page]
            assert queries.json_texts(engine, page, keys, geojson) == expected, (keys, geojson, len(page))
            assert queries.json_texts(engine, page, keys, geojson, stored=False) == expected
    assert queries.json_texts(engine, [*ids[:3], "no-such-event"]) == queries.json_texts(engine, ids[:3])


def test_an_updated_event_gets_its_json_rewritten(engine: Engine) -> None:
    ids = _ids(engine)
    target = ids[0]
    notes = 'Said "no" \\ then } left;\ttab\nline \x01 ünï 日本 😀 }'
    with engine.begin() as conn:
        conn.execute(schema.events.update().where(schema.events.c.id == target).values(
            notes=notes, fatalities=41, latitude=-0.000125, longitude=None, inter1=7, inter2=2,
            claimant='{"name": "A \\"quoted\\" office", "side": "X"}', type_explanation=None, event_date=None))
    stored, built = _both(engine, ids)
    assert stored == built
    data = json.loads(stored[0])
    assert (data["notes"], data["fatalities"], data["latitude"], data["longitude"], data["interaction"],
            data["claimant"]["name"], data["type_explanation"], data["event_date"]) == (
        notes, 41, -0.000125, None, 27, 'A "quoted" office', None, None)


def _changed(column: str, engine: Engine) -> str:
    """SQL for a new value of ``column`` (of its kind) on one event."""
    c = schema.events.c[column]
    if column in eventjson.JSON_FIELDS:
        return """'{"changed": [1, "\\u00e9"]}'"""
    if column == "document_id":
        with engine.connect() as conn:
            return "'" + conn.exec_driver_sql("SELECT max(id) FROM documents").scalar() + "'"
    if column == "id":
        return "id || '-renamed'"
    kind = type(c.type).__name__
    if kind == "Date":
        return "'2001-02-03'"
    if kind in ("Integer", "Float"):
        return f"coalesce({column}, 0) + 1"
    return f"coalesce({column}, '') || ' (changed)'"


def test_a_change_of_any_one_column_leaves_the_stored_json_right(engine: Engine) -> None:
    """Every column of an event changed alone (not only those the triggers watch: the list is
    not taken from the code under test)."""
    ident = _ids(engine)[2]
    for column in (c.name for c in schema.EVENT_COLUMNS):
        before = queries.json_texts(engine, [ident])
        with engine.begin() as conn:
            if column == "id":  # its link would stop the rename (foreign key)
                conn.exec_driver_sql("DELETE FROM incident_events WHERE event_id = ?", (ident,))
            conn.exec_driver_sql(f"UPDATE events SET {column} = {_changed(column, engine)} WHERE id = ?", (ident,))
        if column == "id":
            ident += "-renamed"
        stored, built = _both(engine, [ident])
        assert stored == built, column
        assert (stored != before) == (column in queries.EVENT_KEYS or column == "id"), column


def test_only_a_change_of_a_covered_column_rewrites_the_json(engine: Engine) -> None:
    ident = _ids(engine)[0]
    where = f"WHERE id = '{ident}'"
    assert _total_changes(engine, f"UPDATE events SET confidence = confidence / 2 {where}") == 2  # row + its JSON
    assert _total_changes(engine, f"UPDATE events SET confidence = confidence {where}") == 1  # the same value
    assert _total_changes(engine, f"UPDATE events SET window_class = 3, date_lo = NULL {where}") == 1  # not in it
    assert _total_changes(engine, f"UPDATE events SET api_json = api_json {where}") == 1  # no recursion
    stored, built = _both(engine, [ident])
    assert stored == built


def test_relinking_changes_only_the_incident_id(copy: Path) -> None:
    with open_store(copy) as store:
        engine = store.engine
        ids = _ids(engine)
        members = next(i for i in store.incidents() if i["n_events"] > 1)
        moved = store.incident(members["id"])["events"][0]["id"]
        alone = store.unlink(moved)
        with engine.begin() as conn:
            conn.execute(delete(schema.incident_events).where(schema.incident_events.c.event_id == ids[1]))
        stored, built = _both(engine, ids)
        assert stored == built
        by_id = {json.loads(t)["id"]: json.loads(t) for t in stored}
        assert by_id[moved]["incident_id"] == alone != members["id"]
        assert by_id[ids[1]]["incident_id"] is None
        assert stored[1].endswith(',"incident_id":null}')


def test_events_written_straight_into_the_table_get_their_json(engine: Engine) -> None:
    """As bench/bench_api.py writes them: a plain INSERT, no incident link."""
    with engine.connect() as conn:
        row = dict(conn.execute(select(*schema.EVENT_COLUMNS).limit(1)).mappings().one())
    row.update(id="straight-1", seq=99, initiator_claimant=None, type_explanation=None, latitude=None)
    with engine.begin() as conn:
        conn.execute(insert(schema.events), [row])
    stored, built = _both(engine, ["straight-1"])
    assert stored == built and stored[0].endswith('"incident_id":null}')


def test_a_store_from_before_the_column_is_filled_by_the_migration(copy: Path) -> None:
    engine = store_db.create(copy)
    ids = _ids(engine)
    reference = queries.json_texts(engine, ids, stored=False)
    with engine.begin() as conn:
        for name in (eventjson.INSERT_TRIGGER, eventjson.UPDATE_TRIGGER):
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        conn.exec_driver_sql("ALTER TABLE events DROP COLUMN api_json")
        conn.execute(delete(schema.migrations).where(schema.migrations.c.name == MIGRATION))
    store_db.dispose(engine)
    with open_store(copy) as store:
        assert store.migrations()[-1] == MIGRATION
        assert queries._stored_json_current(store.engine)
        assert queries.json_texts(store.engine, ids) == reference
        assert _total_changes(store.engine, "UPDATE events SET confidence = confidence / 2") == 2 * len(ids)


def test_triggers_of_another_version_fall_back_to_json_object(engine: Engine, copy: Path) -> None:
    """A store whose triggers write other keys (an older or newer release) is not read from the column."""
    ids = _ids(engine)
    reference = queries.json_texts(engine, ids, stored=False)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER {eventjson.INSERT_TRIGGER}")
        conn.exec_driver_sql(f"CREATE TRIGGER {eventjson.INSERT_TRIGGER} AFTER INSERT ON events BEGIN "
                             "UPDATE events SET api_json = json_object('id', new.id) WHERE rowid = new.rowid; END")
        conn.exec_driver_sql("UPDATE events SET api_json = json_object('id', id)")
    other = store_db.create(copy)
    try:
        assert not queries._stored_json_current(other)
        assert queries.json_texts(other, ids) == reference
    finally:
        store_db.dispose(other)


def test_the_column_never_reaches_users(copy: Path, tmp_path: Path) -> None:
    from flashpoint.corpus import exports

    with open_store(copy) as store:
        items = list(store.iter_events())
        event, incident_id = items[0]
        exports.write_jsonl(exports.event_dicts(items), tmp_path / "e.jsonl")
        exports.write_acled_csv(items, tmp_path / "e.csv")
        texts = [(tmp_path / "e.jsonl").read_text(), (tmp_path / "e.csv").read_text()]
        result, rows = queries.list_events(store.engine, queries.Filters(), queries.Page(limit=5))
        assert rows and all("api_json" not in r and "api_json" not in i for r, i in zip(rows, result.items, strict=True))
    client = TestClient(create_app_for(copy))
    for path, params in (("/api/events", {}), ("/api/events", {"format": "csv"}), ("/api/events", {"format": "geojson"}),
                         ("/api/events", {"compact": "true", "limit": "50"}), ("/api/events", {"format": "csv", "limit": "9"}),
                         (f"/api/events/{event.id}", {}), (f"/api/documents/{event.document_id}", {}),
                         (f"/api/incidents/{incident_id}", {})):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text[:300])
        texts.append(response.text)
    assert all("api_json" not in t for t in texts)


def create_app_for(path: Path):  # type: ignore[no-untyped-def]
    from flashpoint.web.app import create_app

    return create_app(path, warm=False)


def test_postgresql_gets_the_column_and_keeps_its_portable_path() -> None:
    import pg

    url = pg.database_url()
    with open_store(url) as store:
        ingest([c for c in CORPORA if c.endswith(".json")], store)
        with store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE events DROP COLUMN api_json"))
            conn.execute(delete(schema.migrations).where(schema.migrations.c.name == MIGRATION))
    with open_store(url) as store:
        assert store.migrations()[-1] == MIGRATION
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events WHERE api_json IS NULL")).scalar() > 0
        ids = [e.id for e, _ in store.iter_events()]
        assert ids and queries.json_texts(store.engine, ids) is None
        assert not queries._stored_json_current(store.engine)
    body = TestClient(create_app_for(url)).get("/api/events", params={"limit": 3}).json()
    assert len(body["items"]) == 3 and list(body["items"][0]) == list(queries.EVENT_KEYS)

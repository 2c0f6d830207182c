"""``events.in_disputed`` (migration 0012): the flag that lets the API's ``disputed=true`` list read
one index instead of looking up each event's link and incident.

The flag must always equal "the event's incident is disputed". Checked on real SQLite files after
ingesting the multi-side and demo corpora and unlinking reports out of their incidents, after random
sequences of stored reports and unlinks, after random raw writes to the tables (every trigger, with
foreign keys on and off), and after migrating a store written before 0012 (also on PostgreSQL,
which keeps the correlated lookup). Each time the flag's answer to ``disputed=true`` is compared
with the correlated lookup's on the same store.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, insert, select, text, update

import pg
from flashpoint.corpus import ingest, open_store
from flashpoint.corpus.store import migrations, queries, schema
from flashpoint.corpus.store.queries import Filters, Page
from flashpoint.corpus.store.store import Store
from flashpoint.model import CasualtyClaim
from flashpoint.web.app import create_app
from test_store import D, clash, coded

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted(str(p) for p in (ROOT / "tests" / "fixtures" / "multiside" / "reports").glob("*.json")) + sorted(
    str(p) for p in (ROOT / "demo").glob("*.json"))

_TRUTH = text("SELECT e.id, e.in_disputed AS flag, COALESCE((SELECT CASE WHEN i.disputed != '' THEN 1 ELSE 0 END "
              "FROM incident_events ie JOIN incidents i ON i.id = ie.incident_id WHERE ie.event_id = e.id), 0) "
              "AS truth FROM events e")


def wrong_flags(engine: Engine) -> list[tuple[str, int, int]]:
    """Events whose flag is not "the event's incident is disputed": (id, flag, truth)."""
    with engine.connect() as conn:
        return [(r.id, r.flag, r.truth) for r in conn.execute(_TRUTH) if r.flag != r.truth]


def disputed_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return len([r for r in conn.execute(_TRUTH) if r.truth])


def _pages(engine: Engine, f: Filters, limit: int) -> list[str]:
    """Every id ``list_event_ids`` gives for ``f``, following its cursors page by page."""
    out: list[str] = []
    after: str | None = None
    while True:
        result = queries.list_event_ids(engine, f, Page(limit=limit, after=after, count="none"))
        out += [item["id"] for item in result.items]
        if not result.more:
            return out
        after = result.next_cursor


def _correlated(engine: Engine, f: Filters) -> list[str]:
    """The ids the correlated lookup (the portable path) gives for ``f``, newest first."""
    with engine.connect() as conn:
        rows = queries._event_id_pages(conn, queries.event_conditions(f, False, False), None, 10**9)
    return [r.id for r in rows]


def assert_paths_agree(engine: Engine, rng: random.Random, n: int = 6) -> None:
    """``disputed=true`` through the API's query, paged, equals the correlated lookup's answer, for
    no date range and for random ones (with a random second filter now and then)."""
    for i in range(n):
        f = Filters(disputed=True)
        if i:
            lo = D + dt.timedelta(days=rng.randrange(-800, 40))
            f = Filters(since=lo, until=lo + dt.timedelta(days=rng.choice((0, 3, 30, 900))), disputed=True,
                        event_type=rng.choice((None, None, "Battles", "Explosions/Remote violence")))
        want = _correlated(engine, f)
        assert _pages(engine, f, rng.choice((1, 3, 100))) == want, f
        for listing, conditions, table in ((queries.list_documents, queries.document_conditions, schema.documents),
                                           (queries.list_places, queries.place_conditions, schema.places)):
            with engine.connect() as conn:
                correlated = conn.execute(select(func.count()).where(*conditions(f, False))
                                          .select_from(table)).scalar_one()
            assert listing(engine, f, Page(limit=1)).total == correlated, (table.name, f)


# --- real corpora, coded, linked and unlinked ---------------------------------------------------

@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("flag") / "multiside.db"
    with open_store(path) as store:
        report = ingest(CORPUS, store)
    assert report.added == len(CORPUS)
    return path


def test_the_flag_follows_the_incidents_of_real_multi_report_corpora(corpus_db: Path) -> None:
    with open_store(corpus_db) as store:
        assert queries.has_disputed_flag(store.engine)
        assert wrong_flags(store.engine) == []
        disputed = [i for i in store.incidents() if i["disputed_fields"]]
        assert disputed and len(disputed) < len(store.incidents())
        assert disputed_count(store.engine) >= sum(i["n_events"] for i in disputed) > 0
        assert_paths_agree(store.engine, random.Random(1))


def test_the_api_lists_the_same_disputed_events_as_the_correlated_lookup(corpus_db: Path) -> None:
    with open_store(corpus_db) as store:
        want = _correlated(store.engine, Filters(disputed=True))
        incidents = {i["id"] for i in store.incidents(disputed=True)}
    with TestClient(create_app(corpus_db, warm=False)) as client:
        body = client.get("/api/events", params={"disputed": "true", "limit": 500}).json()
    assert [e["id"] for e in body["items"]] == want and want
    assert {e["incident_id"] for e in body["items"]} == incidents


def test_unlinking_reports_from_real_incidents_keeps_every_flag_right(corpus_db: Path, tmp_path: Path) -> None:
    """Unlink each report of the disputed incidents in turn (its incident may stop being disputed,
    its own new incident is not), then store the corpus again: every flag right after every step."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(corpus_db.read_bytes())
    rng = random.Random(2)
    with open_store(copy) as store:
        disputed = store.incidents(disputed=True)
        for incident in disputed:
            members = [e["id"] for e in (store.incident(incident["id"]) or {})["events"]]
            for event_id in members[1:]:
                store.unlink(event_id)
                assert wrong_flags(store.engine) == [], event_id
        assert len(store.incidents(disputed=True)) < len(disputed), "no incident stopped being disputed"
        assert_paths_agree(store.engine, rng)
        assert ingest(CORPUS, store).added == 0
        assert wrong_flags(store.engine) == []


# --- random reports and unlinks, through the store ----------------------------------------------------

def _random_report(rng: random.Random, i: int) -> Any:
    """A short report of one of a few clashes, by one of three voices, with a random toll (so an
    incident may turn disputed when a side's figure arrives, or not)."""
    group = rng.randrange(5)
    side = rng.choice(("Armenia", "Azerbaijan", "the wire"))
    killed = rng.choice((1, 1, 2, 3))
    claims = [CasualtyClaim(kind="killed", count=killed, victim_side="Armenia", claimant_side=side)]
    day = (D + dt.timedelta(days=group * 3)).isoformat()
    kw: dict[str, Any] = {"event_date": day, "latitude": 35.0 + group * 3, "longitude": 40.0,
                          "admin1": f"District {group}", "fatalities": killed, "casualties": claims}
    if rng.random() < 0.3:
        kw["initiator"] = rng.choice(("Military Forces of Armenia", "Military Forces of Azerbaijan"))
    events = [clash(side, **kw)]
    if rng.random() < 0.3:  # a second happening in the same report (a shelling a day later)
        events.append(clash(side, **{**kw, "event_type": "Explosions/Remote violence",
                                     "event_date": (D + dt.timedelta(days=group * 3 + 1)).isoformat()}))
    return coded(f"r{i:03d}", *events, published=D + dt.timedelta(days=group * 3 + rng.randrange(2)))


@pytest.mark.parametrize("seed", range(4))
def test_random_reports_and_unlinks_keep_every_flag_right(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    turned = 0  # reports that turned their incident disputed (earlier members' flags set by the incident's update)
    with open_store(tmp_path / "random.db") as store:
        for i in range(60):
            before = disputed_count(store.engine)
            report = _random_report(rng, i)
            store.add(report)
            turned += disputed_count(store.engine) - before > len(report.events)
            assert wrong_flags(store.engine) == [], (seed, i)
            if rng.random() < 0.25:
                _unlink_one(store, rng)
                assert wrong_flags(store.engine) == [], (seed, i)
        assert turned and disputed_count(store.engine) > 0
        assert_paths_agree(store.engine, rng, 10)


def _unlink_one(store: Store, rng: random.Random) -> None:
    shared = [i for i in store.incidents() if i["n_events"] > 1]
    if shared:
        incident = rng.choice(shared)
        members = [e["id"] for e in (store.incident(incident["id"]) or {})["events"]]
        store.unlink(rng.choice(members))


# --- every trigger, by raw writes ---------------------------------------------------------------------

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
VALUES = ("", "", "initiator", "killed:Armenia,location")


class RawWriter:
    """Random writes straight into the tables, as a bulk loader or a hand-written fix would make them."""

    def __init__(self, conn: Any, rng: random.Random) -> None:
        self.conn, self.rng, self.n = conn, rng, 0

    def ids(self, table: Any, column: Any) -> list[Any]:
        return [r[0] for r in self.conn.execute(select(column).order_by(column))]

    def unlinked(self) -> list[str]:
        linked = set(self.ids(schema.incident_events, schema.incident_events.c.event_id))
        return [e for e in self.ids(schema.events, schema.events.c.id) if e not in linked]

    def new_document(self) -> str:
        self.n += 1
        doc = f"doc{self.n}"
        self.conn.execute(insert(schema.documents).values(id=doc, text="A report.", ingested_at=NOW))
        return doc

    def new_event(self, event_id: str | None = None) -> None:
        docs = self.ids(schema.documents, schema.documents.c.id) or [self.new_document()]
        self.n += 1
        day = D + dt.timedelta(days=self.rng.randrange(30))
        self.conn.execute(insert(schema.events).values(
            id=event_id or f"ev{self.n}", document_id=self.rng.choice(docs), seq=self.n, time_precision=1,
            event_date=day, in_disputed=self.rng.choice((0, 1))))  # a wrong flag given is corrected

    def new_incident(self, incident_id: int | None = None) -> None:
        self.conn.execute(insert(schema.incidents).values(
            id=incident_id, disputed=self.rng.choice(VALUES), created_at=NOW, updated_at=NOW))

    def step(self) -> str:
        r, c = self.rng, self.conn
        ie, inc = schema.incident_events, schema.incidents
        incidents = self.ids(inc, inc.c.id)
        links = self.ids(ie, ie.c.event_id)
        free = self.unlinked()
        op = r.choice(("event", "event", "incident", "link", "link", "link", "move", "relabel", "unlink",
                       "dispute", "dispute", "dispute", "bulk", "drop incident", "drop event", "drop document"))
        if op == "event":
            self.new_event()
        elif op == "incident" or not incidents:
            self.new_incident()
        elif op == "link" and free:
            c.execute(insert(ie).values(event_id=r.choice(free), incident_id=r.choice(incidents)))
        elif op == "move" and links:
            c.execute(update(ie).where(ie.c.event_id == r.choice(links)).values(incident_id=r.choice(incidents)))
        elif op == "relabel" and links and free:
            c.execute(update(ie).where(ie.c.event_id == r.choice(links)).values(event_id=r.choice(free)))
        elif op == "unlink" and links:
            c.execute(delete(ie).where(ie.c.event_id == r.choice(links)))
        elif op == "dispute":
            c.execute(update(inc).where(inc.c.id == r.choice(incidents)).values(disputed=r.choice(VALUES)))
        elif op == "bulk":
            c.execute(update(inc).where(inc.c.id % 2 == r.randrange(2)).values(disputed=r.choice(VALUES)))
        elif op == "drop incident":
            c.execute(delete(inc).where(inc.c.id == r.choice(incidents)))
        elif op == "drop event" and links:
            c.execute(delete(schema.events).where(schema.events.c.id == r.choice(links)))
        elif op == "drop document":
            docs = self.ids(schema.documents, schema.documents.c.id)
            if docs:
                c.execute(delete(schema.documents).where(schema.documents.c.id == r.choice(docs)))
        return op


@pytest.mark.parametrize("seed", range(5))
def test_random_raw_writes_keep_every_flag_right(tmp_path: Path, seed: int) -> None:
    """Links made, moved, relabelled and removed, incidents disputed, undisputed, made and deleted,
    events and documents deleted (foreign keys cascading): the flag right after every statement."""
    rng = random.Random(seed)
    with open_store(tmp_path / "raw.db") as store, store.engine.begin() as conn:
        writer = RawWriter(conn, rng)
        for _ in range(12):
            writer.new_event()
        ops = set()
        for i in range(400):
            ops.add(writer.step())
            assert wrong_flags_in(conn) == [], (seed, i, ops)
        assert len(ops) == 11
    with open_store(tmp_path / "raw.db") as store:
        assert_paths_agree(store.engine, rng)


def wrong_flags_in(conn: Any) -> list[tuple[str, int, int]]:
    return [(r.id, r.flag, r.truth) for r in conn.execute(_TRUTH) if r.flag != r.truth]


def test_rows_written_in_any_order_without_foreign_keys_end_right(tmp_path: Path) -> None:
    """A bulk loader that writes links before their events or incidents (foreign keys off): the
    event's or the incident's arrival sets the flag; deleting a disputed incident clears it."""
    with open_store(tmp_path / "bulk.db") as store, store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, where it takes effect
        with conn.begin():
            writer = RawWriter(conn, random.Random(3))
            conn.execute(insert(schema.incident_events).values(event_id="early", incident_id=77))
            conn.execute(insert(schema.incident_events).values(event_id="late", incident_id=77))
            writer.new_event("early")
            assert wrong_flags_in(conn) == []
            conn.execute(insert(schema.incidents).values(id=77, disputed="initiator", created_at=NOW, updated_at=NOW))
            writer.new_event("late")
            assert [r.flag for r in conn.execute(_TRUTH)] == [1, 1]
            conn.execute(delete(schema.incidents).where(schema.incidents.c.id == 77))
            assert [r.flag for r in conn.execute(_TRUTH)] == [0, 0] and wrong_flags_in(conn) == []
        raw.execute("PRAGMA foreign_keys = ON")


def test_a_link_written_before_its_incident_turns_disputed_ends_right(tmp_path: Path) -> None:
    """The store links an event, then updates its incident's disputed fields (and the reverse):
    both orders end with the flag set."""
    with open_store(tmp_path / "order.db") as store, store.engine.begin() as conn:
        writer = RawWriter(conn, random.Random(4))
        for name in ("a", "b"):
            writer.new_event(name)
        writer.new_incident(1)
        writer.new_incident(2)
        inc, ie = schema.incidents, schema.incident_events
        conn.execute(update(inc).values(disputed=""))
        conn.execute(insert(ie).values(event_id="a", incident_id=1))
        conn.execute(update(inc).where(inc.c.id == 1).values(disputed="initiator"))
        conn.execute(update(inc).where(inc.c.id == 2).values(disputed="initiator"))
        conn.execute(insert(ie).values(event_id="b", incident_id=2))
        assert [(r.id, r.flag) for r in conn.execute(_TRUTH)] == [("a", 1), ("b", 1)]


# --- migrating a store written before 0012 ------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "old.db") if request.param == "sqlite" else pg.database_url()


_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "events_disputed_link", "events_disputed_unlink", "events_disputed_move", "events_disputed_incident",
    "events_disputed_new_incident", "events_disputed_gone_incident", "events_disputed_new_event")] + [
    "DROP INDEX IF EXISTS ix_events_disputed_newest", "ALTER TABLE events DROP COLUMN in_disputed"]


def test_migration_0012_fills_the_flag_of_a_store_written_before_it(db_url: str) -> None:
    """Reports stored and unlinked while the store had no flag and no triggers (a store at 0011
    with the flag left stale on purpose), then 0012 drops in: the flag is filled from the links as
    they stand, kept by the triggers from then on, and the API's answer is the correlated one's."""
    rng = random.Random(5)
    reports = [_random_report(rng, i) for i in range(40)]
    with open_store(db_url) as s:
        sqlite = s.engine.dialect.name == "sqlite"
        for report in reports[:30]:
            s.add(report)
        with s.engine.begin() as conn:
            for statement in _DROP[:-1] if sqlite else []:
                conn.execute(text(statement))
            conn.execute(text("UPDATE events SET in_disputed = 1 - in_disputed"))  # every flag wrong
        for _ in range(4):
            _unlink_one(s, rng)
        for report in reports[30:35]:
            s.add(report)
        with s.engine.begin() as conn:
            if sqlite:
                assert wrong_flags(s.engine)
            conn.execute(text(_DROP[-1]))
            conn.execute(delete(schema.migrations).where(schema.migrations.c.name == "0012_event_in_disputed"))
    with open_store(db_url) as s:
        assert s.migrations()[-1] == "0012_event_in_disputed"
        assert queries.has_disputed_flag(s.engine) == sqlite
        if sqlite:
            assert wrong_flags(s.engine) == []
        assert disputed_count(s.engine) > 0
        assert _pages(s.engine, Filters(disputed=True), 7) == _correlated(s.engine, Filters(disputed=True))
        for report in reports[35:]:
            s.add(report)
        _unlink_one(s, rng)
        if sqlite:
            assert wrong_flags(s.engine) == []
            assert_paths_agree(s.engine, rng)


def test_a_new_store_and_a_migrated_one_have_the_same_flag_schema(tmp_path: Path) -> None:
    """The column as schema.py declares it (a new store) and as 0012 adds it (an old store)."""
    def shape(path: Path) -> Iterator[Any]:
        with open_store(path) as s, s.engine.connect() as conn:
            yield from conn.exec_driver_sql("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('events') "
                                            "WHERE name = 'in_disputed'")
            yield from conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('index', "
                                            "'trigger') AND name LIKE '%disputed%' ORDER BY name")

    new = list(shape(tmp_path / "new.db"))
    with open_store(tmp_path / "old.db") as s, s.engine.begin() as conn:
        for statement in _DROP:
            conn.execute(text(statement))
        conn.execute(delete(schema.migrations).where(schema.migrations.c.name == "0012_event_in_disputed"))
    assert list(shape(tmp_path / "old.db")) == new
    assert ("in_disputed", "INTEGER", 1, "0") in new
    names = {r[0] for r in new}
    assert migrations.DISPUTED_FLAG_TRIGGER in names and "ix_events_disputed_newest" in names
    assert len([n for n in names if n.startswith("events_disputed_")]) == 7

"""``flashpoint batch`` on a real Dask LocalCluster, ``load`` into a real SQLite store, the corpus
generator and block linking. The corpus is generated (corpus_gen) plus a few bad lines written here.

One single-worker cluster serves the module (it loads spaCy once); the kill-and-resume test runs
the command in a subprocess, kills its whole process group with SIGKILL mid-run, and resumes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flashpoint.batch import link as batch_link
from flashpoint.batch import run as batch
from flashpoint.cli.batch import COMMANDS
from flashpoint.corpus import link
from flashpoint.errors import UsageError
from flashpoint.model import CodedDocument, Event, Failure
from flashpoint.training.corpus_gen import generate, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

BAD_LINES = [
    '{"text": "An unterminated record',                      # not JSON
    '{"title": "A record with no body"}',                     # neither text nor html
    '["a list, not an object"]',                              # not an object
]


def _corpus(path: Path, docs: int, seed: int) -> Path:
    """Generated reports with three bad lines and a blank line among them."""
    write_jsonl(path, docs, seed)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2:2] = BAD_LINES[:1]
    lines[5:5] = ["", BAD_LINES[1]]
    lines.append(BAD_LINES[2])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _record_count(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    c = batch.local_client(workers=1)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("corpus") / "reports.jsonl", 14, seed=7)


@pytest.fixture(scope="module")
def run_dir(client: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    batch.run_batch([str(corpus)], out, client=client, partition_size=4)
    return out


def _events_by_id(events: list[Event]) -> dict[str, dict[str, Any]]:
    # The type explanation is in `flashpoint code`'s JSON only: a batch run's Parquet has no column for it.
    return {e.id: {**e.to_dict(), "type_explanation": None} for e in events}


# --- planning ----------------------------------------------------------------------------------

def test_jsonl_partitions_cover_every_record_once(tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", 9, seed=1)
    parts = batch.plan_partitions([str(path)], partition_size=4)
    sources = [item.source for p in parts for item in batch.read_partition(p)]
    assert len(sources) == len(set(sources)) == _record_count(path)
    assert [p.index for p in parts] == list(range(len(parts)))
    # Line numbers name the same lines ``flashpoint code`` names (blank lines counted, not read).
    lines = path.read_text(encoding="utf-8").splitlines()
    for source in sources:
        assert lines[int(source.rsplit(":", 1)[1]) - 1].strip()


def test_directories_and_parquet_inputs(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = list(generate(5, seed=3))
    folder = tmp_path / "texts"
    folder.mkdir()
    for i, r in enumerate(records):
        (folder / f"{i}.txt").write_text(r["text"], encoding="utf-8")
    (folder / ".hidden.txt").write_text("skipped", encoding="utf-8")
    table = pa.Table.from_pylist([{**r, "published": dt.date.fromisoformat(r["published"])} for r in records])
    pq.write_table(table, tmp_path / "reports.parquet", row_group_size=2)
    parts = batch.plan_partitions([str(folder), str(tmp_path / "reports.parquet")], partition_size=3)
    assert [p.kind for p in parts] == ["parquet", "parquet", "files", "files"]
    docs = [d for p in parts for d in batch.read_partition(p)]
    assert len(docs) == 10 and not any(isinstance(d, Failure) for d in docs)
    from_parquet = [d for d in docs if d.source and d.source.endswith("]")]
    assert [d.id for d in from_parquet] == [r["id"] for r in records]
    assert from_parquet[0].published == dt.date.fromisoformat(records[0]["published"])


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        batch.plan_partitions([str(tmp_path / "nope.jsonl")])


def test_generator_is_deterministic_and_varied() -> None:
    a, b = list(generate(60, seed=5)), list(generate(60, seed=5))
    assert a == b and a != list(generate(60, seed=6))
    assert len({r["outlet"].split()[0] for r in a}) > 3
    lengths = sorted(len(r["text"]) for r in a)
    assert lengths[-1] > 2 * lengths[0]


# --- a batch run on a real cluster -------------------------------------------------------------

@pytest.mark.slow
def test_batch_gives_the_same_events_as_code(run_dir: Path, corpus: Path) -> None:
    from flashpoint.ingest.files import read_sources
    from flashpoint.pipeline import code_documents

    expected = [r for r in code_documents(read_sources([str(corpus)])) if isinstance(r, CodedDocument)]
    got = _events_by_id(list(batch.read_events(run_dir)))
    assert got == _events_by_id([e for r in expected for e in r.events])
    assert len(got) > 10
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {p["status"] for p in manifest["partitions"]} == {"done"}
    assert manifest["totals"]["documents"] == len(expected)
    assert manifest["flashpoint_version"]


@pytest.mark.slow
def test_failures_are_recorded_with_their_reason(run_dir: Path, corpus: Path) -> None:
    failures = [f for f in batch.read_run(run_dir) if isinstance(f, Failure)]
    assert sorted(f.code for f in failures) == ["E106", "E106", "E106"]
    lines = corpus.read_text(encoding="utf-8").splitlines()
    assert sorted(lines[int(f.source.rsplit(":", 1)[1]) - 1] for f in failures) == sorted(BAD_LINES)
    assert any("neither a 'text' nor an 'html'" in f.reason for f in failures)


@pytest.mark.slow
def test_a_finished_run_is_not_redone_and_cannot_be_overwritten(run_dir: Path, corpus: Path, client: Any) -> None:
    stats = batch.run_batch([str(corpus)], run_dir, client=client, resume=True)
    assert stats.partitions_done == 0 and stats.partitions_skipped == stats.partitions
    with pytest.raises(UsageError, match="--resume"):
        batch.run_batch([str(corpus)], run_dir, client=client)


@pytest.mark.slow
def test_killed_run_resumes_with_every_document_exactly_once(tmp_path: Path, client: Any) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 24, seed=11)
    out = tmp_path / "run"
    command = [PY, "-m", "flashpoint.cli.batch", "batch", str(corpus), "--out", str(out), "--workers", "1",
               "--partition-size", "3", "-q"]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "_done").glob("part-*.json"))) >= 2:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()!r}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its cluster, as a crash would
        proc.wait()
    finished = len(list((out / "_done").glob("part-*.json")))
    assert 2 <= finished < 9
    stats = batch.run_batch([str(corpus)], out, client=client, resume=True)
    assert stats.partitions_skipped == finished and not stats.errors
    items = list(batch.read_run(out))
    sources = Counter(i.document.source if isinstance(i, CodedDocument) else i.source for i in items)
    assert max(sources.values()) == 1
    assert len(sources) == _record_count(corpus)
    assert not list(out.glob("*/.*.tmp"))


@pytest.mark.slow
def test_load_gives_the_same_store_as_ingest(run_dir: Path, corpus: Path, tmp_path: Path) -> None:
    from flashpoint.corpus import ingest, open_store

    report = batch.load_run(run_dir, tmp_path / "batch.db")
    assert report["failed"] == 3 and report["added"] > 0
    with open_store(tmp_path / "ingest.db") as store:
        ingest([str(corpus)], store)
    with open_store(tmp_path / "batch.db") as a, open_store(tmp_path / "ingest.db") as b:
        events_a = dict((e.id, (e.to_dict(), i)) for e, i in a.iter_events())
        events_b = dict((e.id, (e.to_dict(), i)) for e, i in b.iter_events())
        assert {k: v[0] for k, v in events_a.items()} == {k: v[0] for k, v in events_b.items()}
        assert _groups(events_a) == _groups(events_b)
        assert a.document_ids() == b.document_ids()
    again = batch.load_run(run_dir, tmp_path / "batch.db")
    assert again["added"] == 0 and again["skipped"] == report["added"]


def _groups(events: dict[str, tuple[dict[str, Any], int | None]]) -> set[frozenset[str]]:
    by: dict[int | None, set[str]] = {}
    for eid, (_, incident) in events.items():
        by.setdefault(incident, set()).add(eid)
    return {frozenset(v) for v in by.values()}


@pytest.mark.slow
def test_cli_generate_batch_and_load(tmp_path: Path, client: Any) -> None:
    runner = CliRunner()
    commands = {c.name: c for c in COMMANDS}
    corpus = tmp_path / "g.jsonl"
    result = runner.invoke(commands["generate-corpus"], ["--out", str(corpus), "--docs", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert corpus.read_text() == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate(3, 2))
    stats = batch.run_batch([str(corpus)], tmp_path / "run", client=client, link=True)
    import pyarrow.parquet as pq

    linked = pq.read_table(tmp_path / "run" / "incidents" / "part-00000.parquet").to_pylist()
    assert sorted(r["event_uid"] for r in linked) == sorted(e.id for e in batch.read_events(tmp_path / "run"))
    assert stats.incidents == len({r["incident"] for r in linked})
    result = runner.invoke(commands["load"], [str(tmp_path / "run"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 3


@pytest.mark.slow
def test_batch_on_a_running_scheduler_by_address(tmp_path: Path, client: Any) -> None:
    corpus = tmp_path / "two.jsonl"
    write_jsonl(corpus, 2, seed=9)
    stats = batch.run_batch([str(corpus)], tmp_path / "run", scheduler=client.scheduler.address)
    assert stats.documents == 2 and not stats.errors
    assert client.scheduler_info()["workers"]  # the cluster is still there: only our client was closed


# --- linking in blocks ----------------------------------------------------------------------------

def _event(eid: str, doc: str, lat: float, lon: float, day: dt.date, admin1: str | None = None) -> Event:
    return Event(id=eid, document_id=doc, event_date=day, time_precision=1, event_type="Battles",
                 sub_event_type="Armed clash", actor1="Military Forces of Ruritania (2001-)",
                 latitude=lat, longitude=lon, geo_precision=1, admin1=admin1, country="Ruritania")


def test_block_linking_links_across_cell_and_period_edges() -> None:
    day = dt.date.fromordinal((dt.date(2022, 3, 1).toordinal() // batch_link.PERIOD_DAYS + 1)
                              * batch_link.PERIOD_DAYS)  # the first day of a period
    events = [
        _event("a-1", "a", 1.999, 30.0, day),                           # two sides of a cell edge, 1 km apart
        _event("b-1", "b", 2.001, 30.0, day),
        _event("c-1", "c", 10.0, 30.0, day),                            # far away
        _event("d-1", "d", 10.0, 30.0, day - dt.timedelta(days=1)),     # the day before: another period
        Event(id="e-1", document_id="e"),                               # undated: alone
    ]
    incidents = {frozenset(i) for i in batch_link.link_events(events)}
    assert incidents == {frozenset({"a-1", "b-1"}), frozenset({"c-1"}), frozenset({"d-1"}), frozenset({"e-1"})}
    assert {frozenset(e.id for e in i) for i in link.link(events)} == incidents


def test_block_linking_matches_plain_linking_on_spread_events() -> None:
    import random

    rng = random.Random(4)
    start = dt.date(2022, 1, 1)
    events = []
    for n in range(400):
        lat, lon = rng.choice([(33.5, 36.3), (36.2, 37.1), (15.5, 32.5), (9.0, 38.7)])
        events.append(_event(f"d{n}-1", f"d{n}", lat + rng.uniform(-0.03, 0.03), lon + rng.uniform(-0.03, 0.03),
                             start + dt.timedelta(days=rng.randrange(120))))
    blocked = {frozenset(i) for i in batch_link.link_events(events, events_per_task=50)}
    plain = {frozenset(e.id for e in i) for i in link.link(sorted(events, key=lambda e: (e.event_date, e.document_id)))}
    assert sorted(map(len, blocked)) == sorted(map(len, plain))
    assert sum(map(len, blocked)) == 400


@pytest.mark.slow
def test_block_linking_runs_on_the_cluster(client: Any) -> None:
    day = dt.date(2022, 5, 4)
    events = [_event(f"x{n}-1", f"x{n}", 12.0 + n * 0.001, 40.0, day) for n in range(3)]
    events += [_event(f"y{n}-1", f"y{n}", -5.0, 20.0 + n * 0.001, day) for n in range(2)]
    incidents = {frozenset(i) for i in batch_link.link_events(events, client=client)}
    assert incidents == {frozenset({"x0-1", "x1-1", "x2-1"}), frozenset({"y0-1", "y1-1"})}

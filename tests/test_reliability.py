"""Nothing lost, nothing hangs (issue 17): long texts, special files, read-only stores, a growing store.

Everything here is real: the real coder and spaCy parser (its ``max_length`` lowered so that a
text of a few thousand characters is "too large for the parser", which is exactly what a 1 MB text
is at the default), real files, real FIFOs and sockets, real SQLite files, a real Dask-free batch
partition, the real web app. Read-only media are stood in for at the lowest layer (``FileAccess``:
the store's only way to the file system), because the tests may run as root, who ignores
permission bits.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from flashpoint import errors
from flashpoint.corpus import ingest, open_store
from flashpoint.corpus.store import FileAccess
from flashpoint.corpus.store import db as store_db
from flashpoint.errors import StoreError
from flashpoint.ingest.files import document_from_text, read_sources
from flashpoint.model import Claimant, CodedDocument, Document, Event, Failure
from flashpoint.pipeline import Coder, default_coder, split_for_parser

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
FLASHPOINT = [PY, "-c", "from flashpoint.cli.main import main; main()"]

# --- texts written for these tests -------------------------------------------------------------

GOOD = ("Border clash in Tavush\n\nYerevan, 16 November 2021 - Armenian and Azerbaijani troops exchanged fire "
        "near the village of Berd in Tavush on Tuesday, killing two soldiers, the defence ministry said.\n")
OTHER = ("Market attack in Maiduguri\n\nMaiduguri, 3 March 2022 - Gunmen attacked a market in Maiduguri on "
         "Thursday, killing five traders, police said.\n")


def long_text(paragraphs: int) -> str:
    """Many short paragraphs of reporting, each a little different (our own words)."""
    towns = ["Berd", "Ijevan", "Goris", "Kapan", "Sisian", "Dilijan", "Jermuk", "Vardenis"]
    parts = ["Weekly security digest\n"]
    for i in range(paragraphs):
        town = towns[i % len(towns)]
        parts.append(f"On {1 + i % 27} November 2021, troops shelled positions near {town}, killing {1 + i % 6} "
                     f"soldiers and wounding {2 + i % 5}, officials said. Residents of {town} reported damage to "
                     f"homes and a school. Item {i} of the digest.\n")
    return "\n".join(parts)


@pytest.fixture
def small_parser() -> Iterator[Coder]:
    """The process-wide coder with spaCy's ``max_length`` lowered to 3,000 characters, restored after."""
    coder = default_coder()
    before = coder.nlp.max_length
    coder.nlp.max_length = 3_000
    try:
        yield coder
    finally:
        coder.nlp.max_length = before


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. documents too large for the parser -------------------------------------------------------

def test_split_for_parser_cuts_at_paragraphs_then_sentences_and_covers_the_text() -> None:
    text = "First paragraph here.\n\nSecond one is a little longer. It has two sentences.\n\nThird."
    bounds = split_for_parser(text, 40)
    assert "".join(text[a:b] for a, b in bounds) == text
    assert all(b - a <= 40 for a, b in bounds)
    assert text[bounds[0][0]:bounds[0][1]] == "First paragraph here.\n\n"
    no_breaks = "word " * 30
    assert "".join(no_breaks[a:b] for a, b in split_for_parser(no_breaks, 32)) == no_breaks
    assert split_for_parser("x" * 10, 4) == [(0, 4), (4, 8), (8, 10)]  # no space at all: hard cuts


def test_a_text_longer_than_the_parser_takes_is_parsed_in_chunks_with_whole_text_offsets(small_parser: Coder) -> None:
    text = long_text(60)
    assert len(text) > 3 * small_parser.nlp.max_length
    doc = small_parser.parse(text)
    assert doc.text == text
    document = document_from_text(text, source="digest.txt")
    coded = small_parser.code(document)
    assert coded.events, "the long digest reports shelling"
    for event in coded.events:
        for spans in event.evidence.values():
            for start, end in spans:
                assert 0 <= start < end <= len(document.text)
    late = [p for p in coded.places if p.start > 3 * small_parser.nlp.max_length]
    assert late and all(document.text[p.start:p.end] == p.name for p in late)


def test_code_goes_on_past_a_too_large_document(small_parser: Coder, tmp_path: Path) -> None:
    from flashpoint.cli.main import cli

    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    write(folder, "b_long.txt", long_text(60))
    write(folder, "c.txt", OTHER)
    result = CliRunner().invoke(cli, ["code", str(folder), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    titles = [json.loads(line)["document"]["title"] for line in result.stdout.splitlines() if line.strip()]
    assert titles == ["Border clash in Tavush", "Weekly security digest", "Market attack in Maiduguri"]


def test_ingest_stores_the_documents_around_a_too_large_one(small_parser: Coder, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    write(folder, "b_long.txt", long_text(60))
    write(folder, "c.txt", OTHER)
    with open_store(tmp_path / "corpus.db") as store:
        report = ingest([str(folder)], store)
        assert report.added == 3 and not report.failures
        assert {Path(d.source or "").name for d in map(store.document, store.document_ids()) if d} == {
            "a.txt", "b_long.txt", "c.txt"}


def test_a_parse_that_fails_is_a_failure_recorded_in_the_store_and_the_run_goes_on(tmp_path: Path) -> None:
    """The lowest layer refuses one text (a parser that raises, as spaCy's E088 did); the
    documents around it are coded and stored, the refused one is recorded with its reason."""
    coder = default_coder()

    class RefusingParser:
        """spaCy's pipeline, refusing any text that holds the word REFUSE."""

        max_length = coder.nlp.max_length

        def _check(self, text: str) -> str:
            if "REFUSE" in text:
                raise ValueError("[E088] Text of length 99 exceeds maximum")
            return text

        def __call__(self, text: str) -> Any:
            return coder.nlp(self._check(text))

        def pipe(self, items: Any, **kwargs: Any) -> Any:
            return coder.nlp.pipe(((self._check(t), c) for t, c in items), **kwargs)

    refusing = Coder(nlp=RefusingParser(), gazetteer=coder.gazetteer)  # type: ignore[arg-type]
    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    write(folder, "b.txt", "A report that the parser REFUSE s to read, with enough words in it to count.\n")
    write(folder, "c.txt", OTHER)
    with open_store(tmp_path / "corpus.db") as store:
        report = ingest([str(folder)], store, coder=refusing.code_many)
        assert report.added == 2
        assert [Path(f.source).name for f in report.failures] == ["b.txt"]
        recorded = store.failures()
        assert len(recorded) == 1 and recorded[0]["code"] == errors.E_PROCESSING and "E088" in recorded[0]["reason"]


def test_a_batch_partition_holding_a_too_large_document_is_coded_and_loads(small_parser: Coder,
                                                                             tmp_path: Path) -> None:
    from flashpoint.batch import run as batch

    corpus = tmp_path / "corpus.jsonl"
    records = [{"id": "a", "text": GOOD}, {"id": "big", "text": long_text(60)}, {"id": "c", "text": OTHER}]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (part,) = batch.plan_partitions([str(corpus)], 10)
    out = tmp_path / "run"
    counts = batch.code_partition(part, str(out), coder=small_parser)
    assert counts["documents"] == 3 and counts["failures"] == 0
    manifest = batch._manifest([str(corpus)], 10, [part], {part.index: counts}, "2024-01-01T00:00:00+00:00")
    batch._write_json_atomic(out / batch.MANIFEST, manifest)
    report = batch.load_run(out, tmp_path / "loaded.db")
    assert report["added"] == 3


def test_api_post_of_a_too_large_document_is_stored(small_parser: Coder, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from flashpoint.web.app import create_app

    app = create_app(tmp_path / "api.db", token="secret", warm=False)
    with TestClient(app) as client:
        response = client.post("/api/documents", params={"wait": 60}, json={"text": long_text(60)},
                               headers={"Authorization": "Bearer secret"})
        assert response.status_code == 201, response.text
        assert response.json()["result"]["events"] > 0
        again = client.post("/api/documents", params={"wait": 60}, json={"text": GOOD},
                            headers={"Authorization": "Bearer secret"})
        assert again.status_code == 201


# --- 2. only regular files ------------------------------------------------------------------------

def _within(seconds: float, work: Any) -> Any:
    """``work()``'s result, failing (instead of hanging the suite) when it takes longer."""
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (a hang)"
    return box["value"]


def test_fifos_and_sockets_are_skipped_in_one_line_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    os.mkfifo(folder / "b_pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "c_socket"))
    write(folder, "d.txt", OTHER)
    try:
        items = _within(20, lambda: list(read_sources([str(folder), str(folder / "b_pipe.txt")])))
    finally:
        server.close()
    kinds = [(Path(i.source or "").name, i.code if isinstance(i, Failure) else "doc") for i in items]
    assert kinds == [("a.txt", "doc"), ("b_pipe.txt", "E108"), ("c_socket", "E108"), ("d.txt", "doc"),
                     ("b_pipe.txt", "E108")]
    pipe = next(i for i in items if isinstance(i, Failure))
    assert "named pipe" in pipe.reason and "\n" not in pipe.reason


def test_code_on_a_directory_with_a_fifo_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    os.mkfifo(folder / "feed.jsonl")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([*FLASHPOINT, "code", str(folder), "--format", "jsonl"],
                          capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert len(done.stdout.strip().splitlines()) == 1
    assert "feed.jsonl: is a named pipe (FIFO)" in done.stderr and "[E108]" in done.stderr


def test_batch_plans_around_a_fifo(tmp_path: Path) -> None:
    from flashpoint.batch import run as batch

    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    os.mkfifo(folder / "pipe.jsonl")
    parts = _within(20, lambda: batch.plan_partitions([str(folder)], 10))
    items = _within(20, lambda: list(batch.read_partition(parts[0])))
    assert [type(i).__name__ for i in items] == ["Document", "Failure"] and items[1].code == "E108"


# --- 3. linear in the text's length: measured in bench/bench_long.py (speed is not tested by timing) ---


def _report(i: int, actor: str | None, other: str | None = None) -> CodedDocument:
    day = dt.date(2024, 3, 3)
    event = Event(id=f"r{i}-1", document_id=f"r{i}", event_date=day, time_precision=1, event_type="Battles",
                  sub_event_type="Armed clash", actor1=actor, actor2=other, latitude=48.73, longitude=37.57,
                  geo_precision=1, country="Ukraine", admin1="Donetsk", location="Kramatorsk",
                  claimant=Claimant(name=f"Desk {i % 5}", side=f"side {i % 2}"))
    return CodedDocument(Document(id=f"r{i}", text=f"Report {i}.", published=day, source=f"r{i}"), events=[event])


# --- 5. read-only media ------------------------------------------------------------------------------

class ReadOnlyMedia(FileAccess):
    """A read-only mount: SQLite cannot open the file for writing nor create files beside it
    (its -shm file), so only an immutable read succeeds; no lock file can be created."""

    def connect(self, uri: str) -> sqlite3.Connection:
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        return super().connect(uri)

    def open_lock(self, path: Path) -> int:
        raise OSError(errno.EROFS, "Read-only file system", str(path))


@pytest.fixture
def filled_db(tmp_path: Path) -> Path:
    path = tmp_path / "media" / "corpus.db"
    path.parent.mkdir()
    with open_store(path) as store:
        store.add(_report(1, None))
        store.add(_report(2, "Military Forces of Russia (2000-)"))
        store.add_failure(Failure("broken.html", "no article text found", "E101"))
    for leftover in path.parent.glob("corpus.db-*"):
        leftover.unlink()  # as it lies on media written elsewhere: no lock, -wal or -shm file
    return path


def test_a_store_on_read_only_media_reads_and_refuses_writes_in_one_line(filled_db: Path) -> None:
    from flashpoint.corpus import exports

    with open_store(filled_db, files=ReadOnlyMedia()) as store:
        assert len(store.incidents()) == 1
        assert store.failures()[0]["code"] == "E101"
        assert exports.write_acled_csv(store.iter_events(), filled_db.parent.parent / "out.csv") == 2
        with pytest.raises(StoreError) as caught:
            store.add(_report(3, None))
    message = str(caught.value)
    assert caught.value.code == "E506" and str(filled_db) in message and "\n" not in message
    assert not list(filled_db.parent.glob("corpus.db-*"))


def test_commands_that_only_read_work_on_read_only_media(filled_db: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from flashpoint.cli.store import COMMANDS

    monkeypatch.setattr(store_db, "DEFAULT_FILES", ReadOnlyMedia())  # the lowest layer, for the whole command
    group = click.Group("flashpoint", commands={c.name: c for c in COMMANDS if c.name})
    runner = CliRunner()
    out = tmp_path / "events.csv"
    for args in (["incidents", "--format", "json"], ["failures", "--format", "json"],
                 ["export", "--format", "acled-csv", "--out", str(out)]):
        result = runner.invoke(group, [*args, "--db", str(filled_db)])
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert len(out.read_text().splitlines()) == 3
    write(tmp_path / "docs", "a.txt", GOOD)
    refused = runner.invoke(group, ["ingest", str(tmp_path / "docs"), "--db", str(filled_db)])
    assert isinstance(refused.exception, StoreError) and refused.exception.code == "E506"


def test_serve_reads_a_store_on_read_only_media(filled_db: Path) -> None:
    from fastapi.testclient import TestClient

    from flashpoint.web.app import create_app

    store = open_store(filled_db, files=ReadOnlyMedia())
    with TestClient(create_app(store, warm=False)) as client:
        response = client.get("/api/incidents")
        assert response.status_code == 200, response.text
        assert client.get("/api/failures").status_code == 200


def test_a_full_disk_names_the_database(tmp_path: Path) -> None:
    class TinyDisk(FileAccess):
        def connect(self, uri: str) -> sqlite3.Connection:
            conn = super().connect(uri)
            conn.execute("PRAGMA max_page_count = 40")  # SQLite then answers "database or disk is full"
            return conn

    path = tmp_path / "full.db"
    # The disk fills while the schema is created or while reports are stored: either way, one line.
    with pytest.raises(StoreError) as caught, open_store(path, files=TinyDisk()) as store:
        for i in range(200):
            store.add(CodedDocument(Document(id=f"d{i}", text="A long report. " * 400, source=f"d{i}")))
    assert caught.value.code == "E507" and str(path) in str(caught.value) and "full" in str(caught.value)


# --- 6. smaller things ---------------------------------------------------------------------------

def test_a_file_name_with_a_newline_stays_on_one_error_line(tmp_path: Path) -> None:
    from flashpoint.cli.main import cli

    folder = tmp_path / "docs"
    write(folder, "bad\nname.txt", "")
    result = CliRunner().invoke(cli, ["code", str(folder), "--format", "jsonl"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "[E101]" in line]
    assert len(lines) == 1 and "bad\\nname.txt" in lines[0]


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.json", "blank.jsonl"])
def test_an_empty_json_or_jsonl_file_is_an_empty_failure(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, "\n\n" if name.startswith("blank") else "")
    (item,) = read_sources([str(path)])
    assert isinstance(item, Failure) and item.code == errors.E_EMPTY


def test_a_page_of_only_scripts_prints_no_library_warning(tmp_path: Path) -> None:
    page = write(tmp_path, "scripts.html", "<html><head><script>var a = 1;</script></head>"
                                           "<body><script>run();</script></body></html>")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([*FLASHPOINT, "code", str(page), "--format", "jsonl"],
                          capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 1
    assert "discarding data" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()][0].endswith("[E101]")


def test_resume_accepts_the_same_input_written_relative_or_absolute(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from flashpoint.batch import run as batch

    write(tmp_path / "docs", "a.txt", GOOD)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    parts, created = batch._prepare(out, ["docs"], 10, resume=False)
    out.mkdir()
    batch._write_json_atomic(out / batch.MANIFEST, batch._manifest(["docs"], 10, parts, {}, created))
    again, _ = batch._prepare(out, [str(tmp_path / "docs") + "/"], 10, resume=True)
    assert [p.to_dict() for p in again] == [p.to_dict() for p in parts]
    with pytest.raises(errors.UsageError):
        batch._prepare(out, [str(tmp_path / "other")], 10, resume=True)


def test_library_info_lines_stay_off_stderr_unless_asked_for() -> None:
    """Dask sets its loggers to INFO; without -v nothing below a warning reaches stderr."""
    script = ("import logging; from flashpoint.cli.main import _setup_logging; _setup_logging({v}); "
              "lg = logging.getLogger('distributed.scheduler'); logging.getLogger('distributed').setLevel(logging.INFO); "
              "lg.info('State start')")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    quiet = subprocess.run([PY, "-c", script.format(v=0)], capture_output=True, text=True, timeout=120, env=env)
    assert quiet.stderr == ""
    talky = subprocess.run([PY, "-c", script.format(v=1)], capture_output=True, text=True, timeout=120, env=env)
    assert "State start" in talky.stderr


def test_a_text_of_too_many_happenings_is_refused_in_one_line_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    """A dump of thousands of dated attacks is not one report: resolving it compares every mention
    with every event before it. It is refused once read, with what to do, and recorded; the reports
    around it are coded and stored (the limit is lowered here to keep the test small)."""
    coder = default_coder()
    strict = Coder(nlp=coder.nlp, gazetteer=coder.gazetteer, max_mentions=3)
    dump = "\n\n".join(f"On {day} March 2022, gunmen attacked a checkpoint near Gao, killing {day % 5 + 2} soldiers, "
                       "the army said." for day in range(1, 7))
    report, recorded = _between_two_reports(tmp_path, strict, "b_dump.txt", dump)
    assert report.added == 2
    (failure,) = report.failures
    assert Path(failure.source).name == "b_dump.txt" and failure.code == errors.E_TOO_LARGE
    assert "happenings" in failure.reason and "split it" in failure.reason and "\n" not in failure.reason
    (only,) = recorded
    assert only["code"] == errors.E_TOO_LARGE


def _between_two_reports(tmp_path: Path, coder: Coder, name: str, text: str) -> tuple[Any, list[dict[str, Any]]]:
    """Ingest a folder of two good reports with ``text`` (as ``name``) between them; the ingest
    report and the failures the store recorded."""
    folder = tmp_path / "docs"
    write(folder, "a.txt", GOOD)
    write(folder, name, text)
    write(folder, "c.txt", OTHER)
    with open_store(tmp_path / "corpus.db") as store:
        return ingest([str(folder)], store, coder=coder.code_many), store.failures()


def test_a_text_longer_than_one_report_is_refused_before_parsing_and_the_run_goes_on(tmp_path: Path) -> None:
    coder = default_coder()
    strict = Coder(nlp=coder.nlp, gazetteer=coder.gazetteer, max_chars=len(GOOD) + 10)
    report, recorded = _between_two_reports(tmp_path, strict, "b_book.txt", long_text(3))
    assert report.added == 2
    (failure,) = report.failures
    assert Path(failure.source).name == "b_book.txt" and failure.code == errors.E_TOO_LARGE
    assert "longer than flashpoint codes as one report" in failure.reason and "split it" in failure.reason
    assert recorded[0]["code"] == errors.E_TOO_LARGE
    with pytest.raises(errors.InputError, match="split it"):
        strict.code(Document(id="book", text=long_text(3)))

"""Batch coding on Dask: a corpus in, Parquet partitions and a manifest out.

The orchestrator (``run_batch``), as a list of stages:

1. plan: split the inputs into partitions (line ranges of JSONL files, row ranges of Parquet files,
   groups of other files), each with a stable index;
2. resume: a partition whose commit marker exists is finished and is not coded again;
3. code: each Dask worker process builds one ``Coder`` (a worker plugin, so the NLP pipeline and the
   gazetteer load once per process, not per task) and codes its partitions with ``nlp.pipe`` batches;
4. write: each partition's documents, events, places and failures go to
   ``OUT/{documents,events,places,failures}/part-XXXXX.parquet``, each written to a temporary name
   and renamed; only then is ``OUT/_done/part-XXXXX.json`` (the commit marker) renamed into place,
   so a run killed at any instant leaves each partition either wholly done or to be redone, and
   redoing it overwrites the same file names: no duplicate, nothing lost;
5. record: ``OUT/manifest.json`` lists the inputs, the partitions and each one's status and counts.

Readers of a finished run (``read_run``, ``read_events``) rebuild the data model from the Parquet
files, so ``flashpoint load`` stores exactly what ``flashpoint code`` would have produced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

from flashpoint import __version__, errors
from flashpoint.batch.link import link_events, write_incidents
from flashpoint.batch.worker import DEFAULT_BATCH_SIZE, process_coder, start_loading
from flashpoint.errors import InputError, UsageError
from flashpoint.ingest.files import walk
from flashpoint.model import CasualtyClaim, Claimant, CodedDocument, Document, Event, Failure, Place

if TYPE_CHECKING:
    import pyarrow as pa
    from distributed import Client

    from flashpoint.pipeline import Coder

__all__ = [
    "BatchStats",
    "CoderPlugin",
    "Partition",
    "code_partition",
    "load_run",
    "plan_partitions",
    "read_events",
    "read_partition",
    "read_run",
    "run_batch",
]

log = logging.getLogger(__name__)

PLUGIN_NAME = "flashpoint-coder"
TABLES = ("documents", "events", "places", "failures")
DONE_DIR = "_done"
MANIFEST = "manifest.json"
DEFAULT_PARTITION_SIZE = 500
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})


# --- partitions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Partition:
    """One unit of work: a slice of one input file, or a group of small files.

    ``kind`` is ``jsonl`` (bytes ``start``..``stop`` of ``path``, whose first line is ``first_line``),
    ``parquet`` (rows ``start``..``stop`` of ``path``) or ``files`` (every file in ``paths``).
    """

    index: int
    kind: str
    path: str = ""
    start: int = 0
    stop: int = 0
    first_line: int = 1
    paths: tuple[str, ...] = ()
    documents: int = 0
    """How many inputs the partition holds (records, rows or files): for progress only."""

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["paths"] = list(self.paths)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Partition:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["paths"] = tuple(values.get("paths", ()))
        return cls(**values)


def plan_partitions(inputs: Sequence[str], partition_size: int = DEFAULT_PARTITION_SIZE) -> list[Partition]:
    """Split ``inputs`` (files and directories) into partitions of about ``partition_size`` documents.

    JSONL and Parquet files are split by records; other files (text, HTML, JSON) are grouped,
    ``partition_size`` files a partition. Directories are walked in sorted order, hidden files
    skipped, as ``flashpoint code`` does. Raises ``UsageError`` for a missing input.
    """
    if partition_size < 1:
        raise UsageError("--partition-size must be at least 1", code=errors.E_BAD_OPTION)
    plans: list[tuple[str, Any]] = []
    loose: list[str] = []
    for path in _expand(inputs):
        suffix = path.suffix.lower() if path.is_file() else ""  # a FIFO or device: read_sources skips it in one line
        if suffix in JSONL_SUFFIXES:
            plans += [("jsonl", span) for span in _jsonl_spans(path, partition_size)]
        elif suffix in PARQUET_SUFFIXES:
            plans += [("parquet", span) for span in _parquet_spans(path, partition_size)]
        else:
            loose.append(str(path))
    for i in range(0, len(loose), partition_size):
        plans.append(("files", tuple(loose[i:i + partition_size])))
    return [_partition(index, kind, spec) for index, (kind, spec) in enumerate(plans)]


def _partition(index: int, kind: str, spec: Any) -> Partition:
    if kind == "files":
        return Partition(index, kind, paths=spec, documents=len(spec))
    path, start, stop, first_line, count = spec
    return Partition(index, kind, path=path, start=start, stop=stop, first_line=first_line, documents=count)


def _expand(inputs: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for source in inputs:
        path = Path(source)
        if path.is_dir():
            found += walk(path)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{source}: no such file or directory: check the path", code=errors.E_NO_SUCH_SOURCE)
    return found


def _jsonl_spans(path: Path, size: int) -> Iterator[tuple[str, int, int, int, int]]:
    """Byte ranges of ``path`` holding ``size`` non-blank lines each (one pass, no parsing)."""
    start, first_line, count, offset, number = 0, 1, 0, 0, 0
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if count == 0:
                start, first_line = offset, number
            offset += len(line)
            if line.strip():
                count += 1
            if count == size:
                yield str(path), start, offset, first_line, count
                count = 0
    if count:
        yield str(path), start, offset, first_line, count


def _parquet_spans(path: Path, size: int) -> Iterator[tuple[str, int, int, int, int]]:
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(path).metadata.num_rows
    for start in range(0, rows, size):
        stop = min(rows, start + size)
        yield str(path), start, stop, 0, stop - start


# --- reading a partition -------------------------------------------------------------------------

def read_partition(part: Partition) -> Iterator[Document | Failure]:
    """The partition's documents, in order; a ``Failure`` for each record that cannot be used."""
    if part.kind == "jsonl":
        yield from _read_jsonl_span(part)
    elif part.kind == "parquet":
        yield from _read_parquet_span(part)
    else:
        from flashpoint.ingest.files import read_sources

        yield from read_sources(list(part.paths))


def _read_jsonl_span(part: Partition) -> Iterator[Document | Failure]:
    with open(part.path, "rb") as f:
        f.seek(part.start)
        data = f.read(part.stop - part.start)
    for number, raw in enumerate(data.split(b"\n"), start=part.first_line):
        if not raw.strip():
            continue
        where = f"{part.path}:{number}"  # the same name ``flashpoint code`` gives a JSONL line
        try:
            value = json.loads(_decode_line(raw))
        except (ValueError, RecursionError) as err:
            yield Failure(where, f"line {number} is not valid JSON ({type(err).__name__}): fix or remove that line",
                          errors.E_BAD_JSON)
            continue
        yield _document(value, where)


def _decode_line(raw: bytes) -> str:
    """UTF-8 (a BOM allowed), else Windows-1252, as ``flashpoint code`` reads a file."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_parquet_span(part: Partition) -> Iterator[Document | Failure]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(part.path)
    groups, first, row = [], None, 0
    for g in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(g).num_rows
        if row + n > part.start and row < part.stop:
            groups.append(g)
            first = row if first is None else first
        row += n
    table = pf.read_row_groups(groups) if groups else None
    if table is None or first is None:
        return
    table = table.slice(part.start - first, part.stop - part.start)
    for offset, record in enumerate(table.to_pylist()):
        yield _document(_plain_record(record), f"{part.path}[{part.start + offset}]")


def _plain_record(record: dict[str, Any]) -> dict[str, Any]:
    """A Parquet row as a JSON-like record (dates as ISO strings, as a JSONL file would hold them)."""
    published = record.get("published")
    if isinstance(published, (dt.date, dt.datetime)):
        record["published"] = published.isoformat()
    return record


def _document(value: Any, where: str) -> Document | Failure:
    """A record as a Document, or the Failure saying why not (never raises)."""
    from flashpoint.ingest.files import document_from_record

    try:
        if not isinstance(value, dict):
            raise InputError(f"expected a JSON object with a 'text' or 'html' field, got {type(value).__name__}",
                             code=errors.E_BAD_JSON)
        return document_from_record(value, source=where)
    except InputError as err:
        reason = str(err.args[0]) if err.args else err.code
        return Failure(where, " ".join(reason.removeprefix(f"{where}: ").split()), err.code)
    except Exception as err:  # one odd record must not stop the partition
        log.debug("record %s failed", where, exc_info=True)
        return Failure(where, f"could not be processed ({type(err).__name__}: {err}); report this", errors.E_PROCESSING)


# --- the worker side -----------------------------------------------------------------------------

class CoderPlugin(WorkerPlugin):
    """A Dask worker plugin: one ``Coder`` per worker process, shared by every task it runs.

    ``setup`` tunes the worker's allocator and starts loading the pipeline on a background thread
    (``flashpoint.batch.worker``), so the plugin registers at once and the load overlaps with
    whatever else is starting; the first task waits for that load, never starts a second one.
    """

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.batch_size = batch_size

    def __getstate__(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["batch_size"])  # type: ignore[misc]

    def setup(self, worker: Any = None) -> None:
        start_loading()

    def ready_coder(self) -> Coder:
        """The worker's coder, its pipeline loaded (the first caller loads it)."""
        return process_coder(self.batch_size)


def _current_coder() -> Coder:
    """The coder of the worker running this task, or a process-wide one outside Dask."""
    try:
        from distributed import get_worker

        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except (ImportError, ValueError):
        plugin = None
    if plugin is None:
        return process_coder()
    return plugin.ready_coder()  # type: ignore[attr-defined,no-any-return]


def code_partition(part: Partition, out_dir: str, coder: Coder | None = None) -> dict[str, Any]:
    """Code one partition and commit its four Parquet files and its marker; returns its counts."""
    started = time.perf_counter()
    coder = coder or _current_coder()
    parse_started, cpu_started, thread_started = time.perf_counter(), time.process_time(), time.thread_time()
    coded: list[CodedDocument] = []
    failed: list[Failure] = []
    for item in coder.code_many(read_partition(part)):
        if isinstance(item, Failure):
            failed.append(item)
        else:
            coded.append(item)
    counts = write_partition(Path(out_dir), part, coded, failed)
    counts.update(seconds=round(time.perf_counter() - started, 3),
                  coding_seconds=round(time.perf_counter() - parse_started, 3),
                  cpu_seconds=round(time.process_time() - cpu_started, 3),
                  thread_cpu_seconds=round(time.thread_time() - thread_started, 3),
                  worker_pid=os.getpid(), worker_peak_rss_mb=_peak_rss_mb())
    _write_json_atomic(Path(out_dir) / DONE_DIR / f"{part.name}.json", counts)  # the commit point
    return counts


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kilobytes on Linux


# --- writing ------------------------------------------------------------------------------------

def write_partition(out: Path, part: Partition, coded: Sequence[CodedDocument],
                    failed: Sequence[Failure]) -> dict[str, Any]:
    """Write the partition's four tables, each atomically; returns the counts."""
    rows = {
        "documents": [_document_row(c) for c in coded],
        "events": [_event_row(e, c.document.id) for c in coded for e in c.events],
        "places": [_place_row(c.document.id, i, p) for c in coded for i, p in enumerate(c.places)],
        "failures": [{**f.to_dict(), "partition": part.index} for f in failed],
    }
    for table, records in rows.items():
        _write_parquet_atomic(out / table / f"{part.name}.parquet", records, _schema(table))
    return {"index": part.index, "documents": len(coded), "events": len(rows["events"]),
            "places": len(rows["places"]), "failures": len(failed)}


def _write_parquet_atomic(path: Path, records: list[dict[str, Any]], schema: pa.Schema) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(pa.Table.from_pylist(records, schema=schema), tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_INT_COLUMNS = frozenset({"year", "time_precision", "inter1", "inter2", "interaction", "geo_precision",
                          "fatalities", "injured", "captured", "geonameid", "missing", "claimant_official"})
_FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})
_DATE_COLUMNS = frozenset({"event_date", "end_date"})
_LIST_COLUMNS = frozenset({"claim_chain", "loaded_terms"})
_EVENT_EXTRA = ("geonameid", "claimant_quote", "evidence", "claimant_official", "missing", "fatalities_rule",
                "casualties", "initiator_claimant", "type_explanation", "location_reason")
"""Columns beyond ``flashpoint code``'s CSV, so that ``load`` can rebuild each event exactly."""


def _schema(table: str) -> pa.Schema:
    import pyarrow as pa

    from flashpoint.model import ACLED_COLUMNS, EXTRA_COLUMNS

    if table == "events":
        return pa.schema([(name, _column_type(name)) for name in (*ACLED_COLUMNS, *EXTRA_COLUMNS, *_EVENT_EXTRA)])
    if table == "documents":
        return pa.schema([("id", pa.string()), ("source", pa.string()), ("url", pa.string()), ("title", pa.string()),
                          ("outlet", pa.string()), ("published", pa.date32()), ("language", pa.string()),
                          ("text", pa.string()), ("removed", pa.list_(pa.string())), ("events", pa.int32()),
                          ("places", pa.int32())])
    if table == "places":
        place_types = {"start": pa.int32(), "end": pa.int32(), "geonameid": pa.int64(), "latitude": pa.float64(),
                       "longitude": pa.float64(), "score": pa.float64()}
        names = [f.name for f in dataclasses.fields(Place)]
        return pa.schema([("document_id", pa.string()), ("seq", pa.int32())]
                         + [(n, place_types.get(n, pa.string())) for n in names])
    return pa.schema([("source", pa.string()), ("code", pa.string()), ("reason", pa.string()),
                      ("partition", pa.int32())])


def _column_type(name: str) -> pa.DataType:
    import pyarrow as pa

    if name in _INT_COLUMNS:
        return pa.int64()
    if name in _FLOAT_COLUMNS:
        return pa.float64()
    if name in _DATE_COLUMNS:
        return pa.date32()
    if name in _LIST_COLUMNS:
        return pa.list_(pa.string())
    return pa.string()


def _document_row(coded: CodedDocument) -> dict[str, Any]:
    d = coded.document
    return {"id": d.id, "source": d.source, "url": d.url, "title": d.title, "outlet": d.outlet,
            "published": d.published, "language": d.language, "text": d.text, "removed": list(d.removed),
            "events": len(coded.events), "places": len(coded.places)}


def _event_row(event: Event, document_id: str) -> dict[str, Any]:
    """``flashpoint code``'s flat row, typed: empty cells become nulls, lists stay lists."""
    from flashpoint.output import event_row

    row = event_row(event, document_id)
    for name in _INT_COLUMNS | _FLOAT_COLUMNS:
        if row.get(name) == "":
            row[name] = None
    row.update(event_date=event.event_date, end_date=event.end_date, claim_chain=list(event.claimant.chain),
               loaded_terms=list(event.loaded_terms), geonameid=event.geonameid,
               claimant_quote=event.claimant.quote,
               evidence=json.dumps({k: [list(s) for s in v] for k, v in event.evidence.items()}),
               claimant_official=int(event.claimant.official), missing=event.missing,
               fatalities_rule=event.fatalities_rule,
               casualties=json.dumps([c.to_dict() for c in event.casualties], ensure_ascii=False),
               initiator_claimant=(json.dumps(event.initiator_claimant.to_dict(), ensure_ascii=False)
                                   if event.initiator_claimant is not None else None),
               type_explanation=(json.dumps(event.type_explanation, ensure_ascii=False)
                                 if event.type_explanation else None),
               location_reason=event.location_reason)
    return row


def _place_row(document_id: str, seq: int, place: Place) -> dict[str, Any]:
    row = place.to_dict()
    row.update(document_id=document_id, seq=seq, alternatives=json.dumps(place.alternatives, ensure_ascii=False))
    return row


# --- the manifest ---------------------------------------------------------------------------------

def _load_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except ValueError:
        raise UsageError(f"{path} is damaged: remove the run directory and start again", code=errors.E_DAMAGED_STATE) from None


def _done_markers(out: Path) -> dict[int, dict[str, Any]]:
    """Finished partitions, by index, from their commit markers (the truth; the manifest is a summary)."""
    done: dict[int, dict[str, Any]] = {}
    folder = out / DONE_DIR
    for path in sorted(folder.glob("part-*.json")) if folder.exists() else []:
        try:
            counts = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # cannot happen with atomic writes; redo the partition if it does
        done[int(counts["index"])] = counts
    return done


def _manifest(inputs: Sequence[str], partition_size: int, parts: Sequence[Partition],
              done: dict[int, dict[str, Any]], created: str) -> dict[str, Any]:
    partitions = []
    for p in parts:
        entry = p.to_dict()
        entry["status"] = "done" if p.index in done else "pending"
        entry["counts"] = done.get(p.index)
        partitions.append(entry)
    return {"flashpoint_version": __version__, "created": created,
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "inputs": [_same_input(i) for i in inputs], "partition_size": partition_size, "partitions": partitions,
            "totals": _totals(done.values())}


def _totals(counts: Iterable[dict[str, Any]]) -> dict[str, int]:
    totals = {"partitions_done": 0, "documents": 0, "events": 0, "places": 0, "failures": 0}
    for c in counts:
        totals["partitions_done"] += 1
        for k in ("documents", "events", "places", "failures"):
            totals[k] += int(c.get(k, 0))
    return totals


def _prepare(out: Path, inputs: Sequence[str], partition_size: int, resume: bool,
             workers: int = 1) -> tuple[list[Partition], str]:
    """The partitions to work on: planned anew, or the ones a previous run of this directory planned."""
    previous = _load_manifest(out)
    if previous is not None and not resume:
        raise UsageError(f"{out} already holds a run: pass --resume to finish it, or choose a new --out",
                         code=errors.E_RUN_EXISTS)
    if previous is not None:
        if [_same_input(i) for i in previous["inputs"]] != [_same_input(i) for i in inputs]:
            raise UsageError(f"{out} holds a run of other inputs: resume it with the same inputs, "
                             "or choose a new --out", code=errors.E_RUN_OTHER_INPUTS)
        parts = [Partition.from_dict(p) for p in previous["partitions"]]
        _remove_temporaries(out)
        return parts, str(previous["created"])
    parts = _fit_to_workers(plan_partitions(inputs, partition_size), inputs, partition_size, workers)
    return parts, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


PARTITIONS_PER_WORKER = 4
MIN_PARTITION_SIZE = 8


def _fit_to_workers(parts: list[Partition], inputs: Sequence[str], partition_size: int,
                    workers: int) -> list[Partition]:
    """A small input split finer, so that every worker has partitions to code.

    At the default size (500) a corpus of 300 documents was one partition: one worker coded it
    all while the others idled, and 2 workers were slower than ``flashpoint code``. Below
    ``PARTITIONS_PER_WORKER`` partitions a worker, the input is planned again with smaller ones
    (never below ``MIN_PARTITION_SIZE`` documents); ``partition_size`` stays the upper bound.
    """
    wanted = PARTITIONS_PER_WORKER * max(1, workers)
    total = sum(p.documents for p in parts)
    if len(parts) >= wanted or workers < 2:
        return parts
    size = max(MIN_PARTITION_SIZE, -(-total // wanted))
    return plan_partitions(inputs, size) if size < partition_size else parts


def _same_input(source: Any) -> str:
    """An input as a comparable name: a local path made absolute and normalised (``docs/`` and
    ``/home/me/docs`` are one input); a URL or anything else as written."""
    value = str(source)
    if "://" in value:
        return value
    return os.path.normpath(os.path.abspath(os.path.expanduser(value)))


def _remove_temporaries(out: Path) -> None:
    """Half-written files of a killed run (never read: finished files have no leading dot)."""
    for folder in (*TABLES, DONE_DIR):
        for tmp in (out / folder).glob(".*.tmp") if (out / folder).exists() else []:
            tmp.unlink(missing_ok=True)


# --- the orchestrator ------------------------------------------------------------------------------

@dataclass
class BatchStats:
    """What a batch run has done so far (passed to the progress callback after each partition)."""

    partitions: int = 0
    partitions_done: int = 0
    partitions_skipped: int = 0
    documents_planned: int = 0
    documents: int = 0
    events: int = 0
    places: int = 0
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    cpu_seconds: float = 0.0
    """CPU time the workers spent on the partitions coded in this run (all worker processes)."""
    thread_cpu_seconds: float = 0.0
    """Of ``cpu_seconds``, what the threads that ran the partitions used (the rest: Dask's own threads)."""
    incidents: int | None = None
    """Incidents found when the run was linked (None when it was not)."""
    peak_rss_mb: dict[int, float] = field(default_factory=dict)
    """Peak resident memory (MB) of each worker process, by pid."""

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    @property
    def rate(self) -> float:
        """Documents (coded or failed) per second in this run, skipped partitions not counted."""
        return (self.documents + self.failures) / self.elapsed if self.elapsed > 0 else 0.0

    def add(self, counts: dict[str, Any]) -> None:
        self.partitions_done += 1
        for name in ("documents", "events", "places", "failures"):
            setattr(self, name, getattr(self, name) + int(counts.get(name, 0)))
        self.cpu_seconds += float(counts.get("cpu_seconds", 0.0))
        self.thread_cpu_seconds += float(counts.get("thread_cpu_seconds", 0.0))
        if "worker_pid" in counts:
            pid = int(counts["worker_pid"])
            self.peak_rss_mb[pid] = max(self.peak_rss_mb.get(pid, 0.0), float(counts["worker_peak_rss_mb"]))

    def to_dict(self) -> dict[str, Any]:
        return {"partitions": self.partitions, "partitions_done": self.partitions_done,
                "partitions_skipped": self.partitions_skipped, "documents": self.documents, "events": self.events,
                "places": self.places, "failures": self.failures, "errors": list(self.errors),
                "seconds": round(self.elapsed, 2), "documents_per_second": round(self.rate, 2),
                "worker_cpu_seconds": round(self.cpu_seconds, 2),
                "peak_rss_mb_per_worker": sorted(self.peak_rss_mb.values()),
                **({"incidents": self.incidents} if self.incidents is not None else {})}


Progress = Callable[[BatchStats], None]


def run_batch(
    inputs: Sequence[str],
    out: str | Path,
    *,
    workers: int = 2,
    threads_per_worker: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    batch_size: int = 32,
    link: bool = False,
    client: Client | None = None,
    progress: Progress | None = None,
) -> BatchStats:
    """Code ``inputs`` into ``out`` on Dask; returns what was done.

    ``client`` reuses a running Dask client; else ``scheduler`` connects to a cluster by address;
    else a ``LocalCluster`` of ``workers`` processes with ``threads_per_worker`` threads is started
    (scripts that call this need the ``if __name__ == "__main__"`` guard). ``link`` also links
    the run's events into incidents (``RUN/incidents/part-00000.parquet``) on the same cluster.
    ``partition_size`` is an upper bound: a small input is split finer so that each of ``workers``
    gets several partitions (``_fit_to_workers``).
    """
    out = Path(out)
    cluster = _cluster(client, scheduler, workers, threads_per_worker)
    if _likely_to_run(out, inputs, resume):
        cluster.start()  # the workers spawn and load their pipelines while the plan is made
    # 1. Plan (or re-read the plan of the run being resumed).
    try:
        parts, created = _prepare(out, inputs, partition_size, resume, workers)
    except BaseException:
        cluster.close()
        raise
    out.mkdir(parents=True, exist_ok=True)
    # 2. Skip what is finished.
    done = _done_markers(out)
    todo = [p for p in parts if p.index not in done]
    stats = BatchStats(partitions=len(parts), partitions_skipped=len(parts) - len(todo),
                       documents_planned=sum(p.documents for p in todo))

    def write_manifest() -> None:
        _write_json_atomic(out / MANIFEST, _manifest(inputs, partition_size, parts, done, created))

    write_manifest()
    if not todo and not link:
        cluster.close()
        return stats
    with cluster as dask_client:
        # 3.-4. Code and write the rest on the cluster; 5. keep the manifest current.
        if todo:
            _code_all(dask_client, todo, out, batch_size, stats, done, progress, write_manifest)
        # 6. Optionally, link the run's events into incidents on the same cluster.
        if link:
            stats.incidents = link_run(out, client=dask_client)
    write_manifest()
    return stats


def _likely_to_run(out: Path, inputs: Sequence[str], resume: bool) -> bool:
    """Whether ``_prepare`` will pass, as far as a cheap look tells: start no cluster for a usage error."""
    return (resume or not (out / MANIFEST).exists()) and all(Path(i).exists() for i in inputs)


def _code_all(client: Client, todo: Sequence[Partition], out: Path, batch_size: int, stats: BatchStats,
              done: dict[int, dict[str, Any]], progress: Progress | None, write_manifest: Callable[[], None]) -> None:
    _register(client, batch_size)
    stats.started = time.perf_counter()  # from the first submission: workers still loading count
    last_write = time.monotonic()
    for part, counts, error in _submit(client, todo, out):
        if error is not None:
            stats.errors.append(f"{part.name}: {error}")
        else:
            done[part.index] = counts
            stats.add(counts)
        if progress:
            progress(stats)
        if time.monotonic() - last_write > 2.0:  # a summary; the markers are the truth
            write_manifest()
            last_write = time.monotonic()
    stats.finished = time.perf_counter()


def _register(client: Client, batch_size: int) -> None:
    """Give every worker, present or yet to join, its coder plugin; returns without waiting for loads.

    The plugin starts each worker's pipeline load in the background; partitions are submitted at
    once and each worker's first task waits for its own load, so start-up overlaps with coding.
    """
    client.register_plugin(CoderPlugin(batch_size=batch_size), name=PLUGIN_NAME)


def _submit(client: Client, todo: Sequence[Partition], out: Path) -> Iterator[tuple[Partition, dict[str, Any], str | None]]:
    """Each partition's result as it finishes; a partition that raised is reported, the others go on."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {client.submit(code_partition, p, str(out.resolve()), key=f"flashpoint-{run}-{p.name}",
                             pure=False, retries=1): p for p in todo}
    for future in as_completed(futures):
        part = futures[future]
        try:
            yield part, future.result(), None
        except Exception as exc:  # a partition that keeps failing is reported; the run goes on
            yield part, {}, f"{type(exc).__name__}: {exc}"
        finally:
            future.release()


class _cluster:
    """A context manager giving a Dask client: the caller's, one to a scheduler, or a local cluster."""

    def __init__(self, client: Client | None, scheduler: str | None, workers: int, threads: int,
                 coder: bool = True) -> None:
        self.given, self.scheduler, self.workers, self.threads = client, scheduler, workers, threads
        self.coder = coder
        self.client: Client | None = None
        self.cluster: Any = None

    def __enter__(self) -> Client:
        return self.start()

    def start(self) -> Client:
        """Connect or start the cluster (once; entering the context after this reuses it)."""
        if self.given is not None:
            return self.given
        if self.client is not None:
            return self.client
        from distributed import Client

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="30s")
            except OSError as exc:
                raise UsageError(f"cannot reach the Dask scheduler at {self.scheduler} ({exc}): check the address",
                                 code=errors.E_NO_SCHEDULER) from None
            return self.client
        # Workers join as they come up (``wait=False``): partitions are submitted at once and the
        # first worker ready starts coding while the others still load.
        # The client connects before the workers are asked for: a Client made after ``scale`` waits
        # (5 s here) while the cluster's event loop spawns the worker processes.
        self.cluster = start_local_cluster(self.workers, self.threads, wait=False, coder=self.coder)
        self.client = Client(self.cluster)
        self.cluster.scale(self.workers)
        return self.client

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Closing talks over connections the workers are closing too: Dask logs the races
        # (CommClosedError tracebacks, "still alive, killing") although every result is in.
        with _quiet_loggers("distributed", "distributed.client", "distributed.nanny", "distributed.worker",
                            "distributed.core", "tornado", "tornado.application", "asyncio"):
            if self.client is not None:
                self.client.close()
                self.client = None
            if self.cluster is not None:
                self.cluster.close()
                self.cluster = None


@contextlib.contextmanager
def _quiet_loggers(*names: str) -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def ensure_gazetteer() -> None:
    """Open (building if missing) the default gazetteer in this process, before workers need it."""
    from flashpoint.geo.gazetteer import Gazetteer

    Gazetteer.open().close()


def start_local_cluster(workers: int, threads_per_worker: int = 1, *, wait: bool = True, coder: bool = True) -> Any:
    """A ``LocalCluster`` whose workers load the coder as they start; ``wait=False``: no workers yet (``scale`` them).

    Each worker runs ``flashpoint.batch.worker`` as a preload (allocator tuned, pipeline loading
    on a background thread from the first second) and has Dask's sampling profiler off: with no
    dashboard nobody reads its samples, and it cost a worker about 7 % of its CPU.
    """
    import dask
    from distributed import LocalCluster

    ensure_gazetteer()  # built once here, not by every worker at once
    config = dask.config.merge(dask.config.config, {"distributed": {"worker": {"profile": {"enabled": False}}}})
    preload = [*dask.config.get("distributed.worker.preload", []), *(["flashpoint.batch.worker"] if coder else [])]
    cluster = LocalCluster(n_workers=workers if wait else 0, threads_per_worker=threads_per_worker, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR, preload=preload,
                           config={"distributed": config["distributed"]})
    return cluster


def local_client(workers: int = 2, threads_per_worker: int = 1) -> Client:
    """A client on a new LocalCluster set up as ``run_batch`` sets one up (for tests and benchmarks)."""
    from distributed import Client

    return Client(start_local_cluster(workers, threads_per_worker))


# --- reading a run ----------------------------------------------------------------------------------

def finished_partitions(run_dir: str | Path) -> list[str]:
    """Names (``part-XXXXX``) of the partitions a run has committed, in order."""
    run = Path(run_dir)
    if not (run / MANIFEST).exists():
        raise UsageError(f"{run} is not a batch run directory (no {MANIFEST}): give the --out of "
                         "`flashpoint batch`", code=errors.E_NOT_A_RUN)
    return [f"part-{i:05d}" for i in sorted(_done_markers(run))]


def _read_table(run: Path, table: str, name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(run / table / f"{name}.parquet").to_pylist()  # type: ignore[no-any-return]


def read_run(run_dir: str | Path) -> Iterator[CodedDocument | Failure]:
    """Every coded document and failure of a run's finished partitions, rebuilt as the data model."""
    run = Path(run_dir)
    for name in finished_partitions(run):
        places: dict[str, list[Place]] = {}
        for row in _read_table(run, "places", name):
            places.setdefault(row["document_id"], []).append(_place_from_row(row))
        events: dict[str, list[Event]] = {}
        for row in _read_table(run, "events", name):
            events.setdefault(row["document_id"], []).append(event_from_row(row))
        for row in _read_table(run, "documents", name):
            doc = _document_from_row(row)
            yield CodedDocument(document=doc, places=places.get(doc.id, []), events=events.get(doc.id, []))
        for row in _read_table(run, "failures", name):
            yield Failure(row["source"], row["reason"], row["code"])


def read_events(run_dir: str | Path) -> Iterator[Event]:
    """Every event of a run's finished partitions."""
    run = Path(run_dir)
    for name in finished_partitions(run):
        for row in _read_table(run, "events", name):
            yield event_from_row(row)


def _document_from_row(row: dict[str, Any]) -> Document:
    return Document(id=row["id"], text=row["text"], url=row["url"], title=row["title"], outlet=row["outlet"],
                    published=row["published"], language=row["language"] or "en",
                    removed=list(row["removed"] or []), source=row["source"])


def _place_from_row(row: dict[str, Any]) -> Place:
    values = {f.name: row[f.name] for f in dataclasses.fields(Place)}
    values["alternatives"] = json.loads(row["alternatives"] or "[]")
    return Place(**values)


def _none(value: Any) -> Any:
    return None if value == "" else value


def event_from_row(row: dict[str, Any]) -> Event:
    """An events-table row back as an ``Event`` (the inverse of the row the batch writes)."""
    claimant = Claimant(name=_none(row["claimant"]), party=_none(row["claimant_party"]),
                        side=_none(row["claimant_side"]), chain=list(row["claim_chain"] or []),
                        quote=row["claimant_quote"] or "none", official=bool(row.get("claimant_official", 1) in (1, None)))
    evidence = {k: [(int(a), int(b)) for a, b in v] for k, v in json.loads(row["evidence"] or "{}").items()}
    initiator_claimant = json.loads(row.get("initiator_claimant") or "null")
    return Event(
        id=row["event_uid"], event_date=row["event_date"], end_date=row["end_date"],
        time_precision=row["time_precision"], disorder_type=_none(row["disorder_type"]),
        event_type=_none(row["event_type"]), sub_event_type=_none(row["sub_event_type"]),
        actor1=_none(row["actor1"]), assoc_actor_1=_none(row["assoc_actor_1"]), inter1=row["inter1"],
        actor2=_none(row["actor2"]), assoc_actor_2=_none(row["assoc_actor_2"]), inter2=row["inter2"],
        initiator=_none(row["initiator"]), country=_none(row["country"]), admin1=_none(row["admin1"]),
        admin2=_none(row["admin2"]), location=_none(row["location"]), latitude=row["latitude"],
        longitude=row["longitude"], geo_precision=row["geo_precision"], geonameid=row["geonameid"],
        fatalities=row["fatalities"] or 0, injured=row["injured"] or 0, captured=row["captured"] or 0,
        claimant=claimant, loaded_terms=list(row["loaded_terms"] or []), source=_none(row["source"]),
        notes=row["notes"] or "", confidence=row["confidence"] or 0.0, document_id=_none(row["document_id"]),
        evidence=evidence, missing=row.get("missing") or 0, fatalities_rule=row.get("fatalities_rule") or "",
        casualties=[CasualtyClaim.from_dict(c) for c in json.loads(row.get("casualties") or "[]")],
        initiator_claimant=Claimant(**initiator_claimant) if initiator_claimant else None,
        type_explanation=json.loads(row.get("type_explanation") or "null"),
        location_reason=row.get("location_reason") or "",
    )


# --- loading a run into the store ----------------------------------------------------------------------

def load_run(run_dir: str | Path, db: str | Path | None = None) -> dict[str, Any]:
    """Store a run's coded documents and failures (idempotent: documents already there are skipped).

    The store links each document's events as it lands, exactly as ``flashpoint ingest`` does.
    """
    from flashpoint.corpus.ingestion import ingest_coded
    from flashpoint.corpus.store import DEFAULT_DB, open_store

    items = read_run(run_dir)  # checks the directory before the database is opened
    first = next(items, None)
    with open_store(db if db is not None else DEFAULT_DB) as store:
        report = ingest_coded(_chain(first, items), store)
    return report.to_dict()


def _chain(first: CodedDocument | Failure | None, rest: Iterator[CodedDocument | Failure]) -> Iterator[CodedDocument | Failure]:
    if first is not None:
        yield first
        yield from rest


def link_run(run_dir: str | Path, *, client: Client | None = None, workers: int = 2,
             scheduler: str | None = None) -> int:
    """Link a batch run's events and write ``RUN/incidents/part-00000.parquet``; returns the incident count.

    Uses ``client`` if given, else a cluster as ``run_batch`` would start it.
    """
    events = list(read_events(run_dir))
    with _cluster(client, scheduler, workers, 1, coder=False) as dask_client:
        incidents = link_events(events, client=dask_client)
    write_incidents(Path(run_dir), incidents, _write_parquet_atomic)
    return len(incidents)

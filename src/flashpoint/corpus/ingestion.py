"""Ingest: sources → documents → coded documents → the store, linking as each document lands.

The orchestrator, as a list of stages:
1. read every source (files, directories, stdin, URLs, feeds) into Documents or Failures;
2. drop documents already in the store (their id is a content hash), before the costly coding;
3. code the rest (``coder``: by default flashpoint's pipeline);
4. store each coded document with its events and links in one transaction; record each failure.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from flashpoint.corpus.store.store import Store
from flashpoint.model import CodedDocument, Document, Failure

log = logging.getLogger(__name__)

Coder = Callable[[Iterable[Document | Failure]], Iterable[CodedDocument | Failure]]
"""Codes a stream of documents; failures pass through unchanged."""

Progress = Callable[["IngestReport"], None]


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    skipped: int = 0
    events: int = 0
    failures: list[Failure] = field(default_factory=list)
    incidents: set[int] = field(default_factory=set)

    @property
    def processed(self) -> int:
        return self.added + self.skipped + len(self.failures)

    def to_dict(self) -> dict[str, object]:
        return {"added": self.added, "skipped": self.skipped, "events": self.events,
                "failed": len(self.failures), "incidents_touched": len(self.incidents)}


def default_coder(documents: Iterable[Document | Failure], workers: int = 1,
                  model: str | None = None) -> Iterator[CodedDocument | Failure]:
    from flashpoint.parallel import code_in_parallel

    return code_in_parallel(documents, workers=workers, model=model)


def ingest(
    sources: Iterable[str],
    store: Store,
    *,
    coder: Coder | None = None,
    published: dt.date | None = None,
    stdin: TextIO | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    model: str | None = None,
) -> IngestReport:
    """Read, code, store and link every document in ``sources``; never stops for one bad input.

    ``workers`` > 1 codes on that many processes (the store is still written by this one);
    ``model`` picks the type classifier as ``code --model`` does (None: the default).
    """
    from flashpoint.ingest.sources import read_any

    store.check_writable()  # read-only media: say so before coding anything
    report = IngestReport()
    documents = _new_only(read_any(list(sources), published=published, stdin=stdin), store, report, progress)
    coded = coder(documents) if coder else default_coder(documents, workers, model)
    for item in coded:
        if isinstance(item, Failure):
            store.add_failure(item)
            report.failures.append(item)
        else:
            _store_one(item, store, report)
        if progress:
            progress(report)
    return report


def ingest_coded(coded: Iterable[CodedDocument | Failure], store: Store) -> IngestReport:
    """Store already-coded documents (e.g. from ``flashpoint code --format jsonl``)."""
    report = IngestReport()
    for item in coded:
        if isinstance(item, Failure):
            store.add_failure(item)
            report.failures.append(item)
        else:
            _store_one(item, store, report)
    return report


def _new_only(items: Iterable[Document | Failure], store: Store, report: IngestReport,
              progress: Progress | None) -> Iterator[Document | Failure]:
    """Documents the store does not hold yet (so a re-run codes only what is missing)."""
    for item in items:
        if isinstance(item, Document) and store.has_document(item.id):
            report.skipped += 1
            if progress:
                progress(report)
            continue
        yield item


def _store_one(coded: CodedDocument, store: Store, report: IngestReport) -> None:
    result = store.add(coded)
    if result.added:
        report.added += 1
        report.events += result.events
        report.incidents.update(result.incidents)
    else:
        report.skipped += 1  # another process stored it while we coded it

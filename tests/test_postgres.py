"""PostgreSQL: the store's behaviour on a real server the suite starts itself (tests/pg.py).

test_store.py runs every store test on SQLite and on PostgreSQL; this file adds what only a shared
server has: several ingest processes writing to it at once, and the CI guarantee that these tests
fail loudly instead of skipping when the server binaries are missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pg
from flashpoint.corpus import ingest, open_store
from test_store import _ingest_process, partition, spec_coder, write_corpus


def test_url_forms_select_the_psycopg_driver() -> None:
    from flashpoint.corpus.store.db import database_url

    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("x.db").startswith("sqlite:////")


@pytest.mark.slow
def test_two_ingest_processes_on_one_postgres_database(tmp_path: Path) -> None:
    url = pg.database_url()
    spec = write_corpus(tmp_path / "all", 30)
    halves = [tmp_path / "a", tmp_path / "b"]
    for i, name in enumerate(sorted(spec)):
        halves[i % 2].mkdir(exist_ok=True)
        (tmp_path / "all" / name).rename(halves[i % 2] / name)
    for half in halves:
        (half / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    procs = [_ingest_process(half, url, 0.01) for half in halves]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, results):
        assert p.returncode == 0, err
    with open_store(tmp_path / "reference.db") as ref:
        for half in halves:
            ingest([str(half)], ref, coder=spec_coder(spec))
        expected = partition(ref)
    with open_store(url) as store:
        assert store.counts()["documents"] == 30
        assert partition(store) == expected and len(expected) == 10


def test_missing_server_binaries_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "_server", None)
    monkeypatch.setattr(pg, "PG_DIRS", ("/nonexistent/bin",))
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="initdb, pg_ctl"):
        pg.server()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        pg.server()

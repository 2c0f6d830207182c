"""Importing GeoNames dump files: from paths and from a local HTTP server, idempotent, and never
leaving a broken gazetteer behind (truncated or corrupt dumps, wrong URLs, a full disk)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashpoint.cli.gazetteer import gazetteer as gazetteer_cli
from flashpoint.errors import GazetteerError
from flashpoint.geo.gazetteer import Gazetteer
from flashpoint.geo.geonames import classify, fetch, import_dumps

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"
SIDE_FILES = ["alternateNamesV2.txt", "admin1CodesASCII.txt", "admin2Codes.txt", "hierarchy.txt"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump_content(path: Path) -> list[list[tuple[object, ...]]]:
    """Every table's rows, sorted: what "the same content" means for an index."""
    conn = sqlite3.connect(path)
    try:
        return [sorted(conn.execute(f"SELECT * FROM {t}").fetchall())
                for t in ("places", "names", "admins", "countries", "hierarchy", "keyset")]
    finally:
        conn.close()


@pytest.fixture()
def dumps(tmp_path: Path) -> dict[str, Path]:
    """The fixture files, plus AZ.zip holding AZ.txt as GeoNames ships it (with a readme)."""
    out = {name: FIXTURES / name for name in ["AZ.txt", *SIDE_FILES]}
    az_zip = tmp_path / "src" / "AZ.zip"
    az_zip.parent.mkdir()
    with zipfile.ZipFile(az_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "fixture")
        zf.write(FIXTURES / "AZ.txt", "AZ.txt")
    out["AZ.zip"] = az_zip
    return out


@pytest.fixture()
def small_db(tmp_path: Path, dumps: dict[str, Path]) -> Path:
    """A gazetteer holding only the fixture dumps."""
    db = tmp_path / "small.sqlite"
    import_dumps([str(dumps["AZ.zip"]), *(str(dumps[n]) for n in SIDE_FILES)], gazetteer_path=db,
                 progress=False, cache_dir=tmp_path / "cache")
    return db


# -- importing ----------------------------------------------------------------------------------


def test_import_gives_villages_rivers_mountains_and_crossings(small_db: Path) -> None:
    with Gazetteer.open(small_db, build=False) as gaz:
        village = next(e for e in gaz.lookup("Zabukh") if e.feature_class == "P")
        assert (village.geonameid, village.country, village.admin1, village.admin2) == (
            99000101, "Azerbaijan", "Laçın Rayonu", "Zabux Bələdiyyəsi")
        assert gaz.lookup("Zabukh village")[0].geonameid == 99000101  # from alternateNamesV2
        river = gaz.lookup("Akera River")[0]
        assert (river.feature_class, river.feature_code) == ("H", "STM")
        assert gaz.lookup("Kyzylbogaz")[0].feature_code == "MT"
        assert gaz.lookup("Lachin crossing point")[0].feature_code == "PSTB"
        assert gaz.lookup("Lachin District")[0].geonameid == 147626
        assert gaz.country("AZ") is not None and gaz.country("AZ").name == "Azerbaijan"  # type: ignore[union-attr]
        info = gaz.info()
        assert info["places"] == {"A": 3, "H": 1, "P": 3, "S": 1, "T": 1}
        imports = info["imports"]
        assert isinstance(imports, list) and len(imports) == 5
        assert all(len(i["sha256"]) == 64 for i in imports)


def test_import_skips_codes_unknown_places_and_common_words(small_db: Path) -> None:
    with Gazetteer.open(small_db, build=False) as gaz:
        assert gaz.lookup("AZ3500") == [] and gaz.lookup("Nowhere Special") == []
        assert gaz.lookup("Report") == [] and not gaz.is_name("Report")
        assert gaz.get(99000105) is not None  # the village is there, just not under a common word


def test_reimport_gives_the_same_content(tmp_path: Path, dumps: dict[str, Path], small_db: Path) -> None:
    before = dump_content(small_db)
    summary = import_dumps([str(dumps["AZ.zip"]), *(str(dumps[n]) for n in SIDE_FILES)],
                           gazetteer_path=small_db, progress=False)
    assert summary["rows"]["geonames"] == 9
    assert dump_content(small_db) == before
    with Gazetteer.open(small_db, build=False) as gaz:
        assert len(gaz.info()["imports"]) == 5  # type: ignore[arg-type]


def test_import_into_the_default_gazetteer_keeps_english_division_names(
        tmp_path: Path, gazetteer_path: Path, dumps: dict[str, Path]) -> None:
    db = tmp_path / "world.sqlite"
    shutil.copyfile(gazetteer_path, db)
    import_dumps([str(dumps["AZ.txt"]), str(dumps["admin1CodesASCII.txt"])], gazetteer_path=db, progress=False)
    with Gazetteer.open(db, build=False) as gaz:
        assert gaz.get(147626).name == "Lachin"  # type: ignore[union-attr]
        zabux = {e.geonameid: e for e in gaz.lookup("Zabux")}[99000101]
        assert (zabux.country, zabux.admin1) == ("Azerbaijan", "Lachin")
        assert gaz.is_name("Zabukh") and gaz.lookup("Paris")[0].country == "France"


# -- bad input leaves the gazetteer intact ------------------------------------------------------


def test_truncated_dump_is_one_error_and_changes_nothing(tmp_path: Path, small_db: Path) -> None:
    truncated = tmp_path / "XX.txt"
    data = (FIXTURES / "AZ.txt").read_bytes()
    truncated.write_bytes(data[: len(data) - 40])
    before = sha(small_db)
    with pytest.raises(GazetteerError) as err:
        import_dumps([str(truncated)], gazetteer_path=small_db, progress=False)
    assert err.value.code == "E303" and "\n" not in str(err.value)
    assert "truncated" in str(err.value) or "columns" in str(err.value)
    assert sha(small_db) == before
    assert not list(tmp_path.glob(".small.sqlite*"))  # no temporary copy left behind


def test_corrupt_zip_is_one_error_and_changes_nothing(tmp_path: Path, dumps: dict[str, Path], small_db: Path) -> None:
    broken = tmp_path / "AM.zip"
    data = dumps["AZ.zip"].read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    before = sha(small_db)
    with pytest.raises(GazetteerError, match="zip|archive") as err:
        import_dumps([str(broken)], gazetteer_path=small_db, progress=False)
    assert err.value.code == "E303"
    assert sha(small_db) == before


def test_garbage_lines_are_reported_with_their_line_number(tmp_path: Path, small_db: Path) -> None:
    bad = tmp_path / "BB.txt"
    bad.write_text("this is not\ta geonames dump\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 1"):
        import_dumps([str(bad)], gazetteer_path=small_db, progress=False)


def test_full_disk_is_one_error_and_changes_nothing(tmp_path: Path, small_db: Path) -> None:
    big = tmp_path / "CC.txt"
    row = "{gid}\tPlace {gid}\tPlace {gid}\tAlt {gid},Other {gid}\t10.0\t20.0\tP\tPPL\tAZ\t\t28\t\t\t\t0\t\t0\tAsia/Baku\t2024-01-01\n"
    big.write_text("".join(row.format(gid=90_000_000 + i) for i in range(3000)), encoding="utf-8")
    before = sha(small_db)
    with pytest.raises(GazetteerError) as err:
        import_dumps([str(big)], gazetteer_path=small_db, progress=False, max_db_bytes=small_db.stat().st_size)
    assert err.value.code == "E305" and "disk space" in str(err.value)
    assert sha(small_db) == before


def test_missing_file_and_unknown_name_are_clear(tmp_path: Path, small_db: Path) -> None:
    with pytest.raises(GazetteerError, match="no such file"):
        import_dumps([str(tmp_path / "ZZ.zip")], gazetteer_path=small_db, progress=False)
    with pytest.raises(GazetteerError, match="not a GeoNames dump file name"):
        classify("notes.pdf")


# -- URLs ----------------------------------------------------------------------------------------


class _Server:
    """Serves files from memory on 127.0.0.1, with Range support; can cut the first response short."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[tuple[str, str | None]] = []
        self.cut_first = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                if start >= len(body):
                    self.send_error(416, "Range Not Satisfiable")
                    return
                self.send_response(206 if rng else 200)
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                payload = body[start:]
                if server.cut_first:
                    server.cut_first = False
                    payload = payload[: len(payload) // 2]
                    self.wfile.write(payload)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server(dumps: dict[str, Path]) -> Iterator[_Server]:
    srv = _Server({f"/dump/{name}": path.read_bytes() for name, path in dumps.items()})
    yield srv
    srv.close()


def test_import_from_urls(tmp_path: Path, server: _Server) -> None:
    db = tmp_path / "from-web.sqlite"
    urls = [f"{server.url}/dump/{n}" for n in ("AZ.zip", "admin1CodesASCII.txt", "alternateNamesV2.txt")]
    summary = import_dumps(urls, gazetteer_path=db, progress=False, cache_dir=tmp_path / "cache")
    assert summary["rows"]["geonames"] == 9
    assert {s["sha256"] for s in summary["sources"]} >= {sha(FIXTURES / "admin1CodesASCII.txt")}
    with Gazetteer.open(db, build=False) as gaz:
        assert gaz.lookup("Zabukh village")[0].geonameid == 99000101
    # Cached: a second import does not download again.
    n = len(server.requests)
    import_dumps(urls, gazetteer_path=db, progress=False, cache_dir=tmp_path / "cache")
    assert len(server.requests) == n


def test_interrupted_download_resumes_with_a_range_request(tmp_path: Path, server: _Server,
                                                           dumps: dict[str, Path]) -> None:
    server.cut_first = True
    path = fetch(f"{server.url}/dump/AZ.zip", tmp_path / "cache", retries=2, backoff=0)
    assert path.read_bytes() == dumps["AZ.zip"].read_bytes()
    ranges = [r for p, r in server.requests if p == "/dump/AZ.zip"]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert not list(path.parent.glob("*.part"))


def test_wrong_url_is_one_error_and_changes_nothing(tmp_path: Path, server: _Server, small_db: Path) -> None:
    before = sha(small_db)
    with pytest.raises(GazetteerError, match="HTTP 404") as err:
        import_dumps([f"{server.url}/dump/XY.zip"], gazetteer_path=small_db, progress=False,
                     cache_dir=tmp_path / "cache")
    assert err.value.code == "E304"
    assert sha(small_db) == before
    assert [r for r in server.requests if r[0] == "/dump/XY.zip"] == [("/dump/XY.zip", None)]  # no retries on 404


def test_unreachable_server_gives_up_with_one_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="after 2 attempts") as err:
        fetch("http://127.0.0.1:9/AZ.zip", tmp_path / "cache", retries=1, backoff=0, timeout=2)
    assert err.value.code == "E304"


def test_cli_import(tmp_path: Path, dumps: dict[str, Path]) -> None:
    db = tmp_path / "cli.sqlite"
    result = CliRunner().invoke(gazetteer_cli, ["import", str(dumps["AZ.txt"]), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    lookup = CliRunner().invoke(gazetteer_cli, ["lookup", "Zabux", "--db", str(db)])
    assert '"geonameid": 99000101' in lookup.output.replace('"geonameid":99000101', '"geonameid": 99000101')

"""API load test: N concurrent clients for a fixed time against /api/events with filters.

    .venv/bin/python bench/bench_api.py                          # 100k events; 1, 10, 50 clients; 20 s each
    .venv/bin/python bench/bench_api.py --events 10000 --clients 20 --seconds 5
    .venv/bin/python bench/bench_api.py --workers 1,2 --clients 50   # the ratio of 2 workers to 1

1. builds (or reuses, with --db) a database of generated events: rows written straight into the
   store's tables (coding and linking 100k reports is bench_code/bench_store's business), spread
   over 30 countries and six years, each event its own incident, one in ten disputed;
2. starts ``flashpoint serve --workers N`` in a child process on 127.0.0.1, as a user starts it;
3. runs the clients (keep-alive; ``--client raw``: HTTP written and read on asyncio streams, the
   default, cheap enough to leave the cores to the server; ``--client httpx``: a typical client), each sending a filtered query after another
   (date range + country, type + bbox, actor + dates, disputed + dates, text search ...), for
   ``--seconds``; then stops the server it started and prints errors, latency p50/p99, requests/s,
   for each worker count and each client count, with the load average before and after, and the
   ratio of each worker count's requests/s to the first's (the baseline in the same run).
Bounded: it stops by itself after the given time (plus set-up).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

START = dt.date(2019, 1, 1)
DAYS = 6 * 365
COUNTRIES = [(f"Country {i:02d}", -30 + (i % 10) * 8.0, 20 + (i // 10) * 12.0) for i in range(30)]
TYPES = (("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Riots", "Mob violence"),
         ("Strategic developments", "Arrests"))
ACTORS = ("Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan (2003-)", "Protesters (Mali)",
          "Police Forces of Kenya (2022-)", "Unidentified Armed Group (Sudan)", "Civilians (Yemen)")
SIDES = ("Armenia", "Azerbaijan", "Mali", "Sudan", None)


def build(path: Path, n_events: int, per_doc: int = 5, seed: int = 7) -> None:
    """A database of ``n_events`` generated events (``per_doc`` per document, one incident each)."""
    from flashpoint.corpus.store import open_store

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    with open_store(path) as store, store.engine.begin() as conn:
        docs, evs, incs, links = [], [], [], []
        for i in range(n_events):
            if i % per_doc == 0:
                doc_id = f"d{i // per_doc:08d}"
                docs.append({"id": doc_id, "url": None, "title": f"Report {i // per_doc}", "outlet": "Bench Wire",
                             "published": START + dt.timedelta(days=rng.randrange(DAYS)), "language": "en",
                             "text": "Generated report.", "removed": "[]", "source": "bench", "ingested_at": now})
            country, lon0, lat0 = rng.choice(COUNTRIES)
            day = START + dt.timedelta(days=rng.randrange(DAYS))
            etype, sub = rng.choice(TYPES)
            a1, a2 = rng.sample(ACTORS, 2)
            side = rng.choice(SIDES)
            lat, lon = lat0 + rng.uniform(-3, 3), lon0 + rng.uniform(-3, 3)
            killed = rng.choice((0, 0, 0, 1, 2, 3, 5, 12))
            event_id = f"{doc_id}-{i % per_doc}"
            evs.append({
                "id": event_id, "document_id": doc_id, "seq": i % per_doc, "event_date": day, "end_date": None,
                "time_precision": 1, "disorder_type": "Political violence", "event_type": etype,
                "sub_event_type": sub, "actor1": a1, "assoc_actor_1": None, "inter1": 1, "actor2": a2,
                "assoc_actor_2": None, "inter2": 1, "initiator": a1, "country": country,
                "admin1": f"Province {rng.randrange(8)}", "admin2": None, "location": f"Town {rng.randrange(500)}",
                "latitude": lat, "longitude": lon, "geo_precision": 1, "geonameid": None, "fatalities": killed,
                "injured": 0, "captured": 0,
                "claimant": json.dumps({"name": f"Ministry of {side}" if side else "Bench Wire", "party": side,
                                        "side": side, "chain": [], "quote": "none"}),
                "claimant_side": side, "loaded_terms": "[]", "source": "Bench Wire",
                "notes": f"On {day}, {a1} clashed with {a2} near Town.", "confidence": 1.0, "evidence": "{}",
                "date_lo": day - dt.timedelta(days=1), "date_hi": day + dt.timedelta(days=1)})
            incs.append({"id": i + 1, "date_lo": day, "date_hi": day, "country": country, "admin1": None,
                         "location": None, "latitude": lat, "longitude": lon, "n_events": 1, "n_documents": 1,
                         "disputed": "fatalities" if rng.random() < 0.1 else "", "created_at": now,
                         "updated_at": now})
            links.append({"event_id": event_id, "incident_id": i + 1, "linked_by": "auto"})
            if len(evs) >= 10_000:
                _flush(conn, docs, evs, incs, links)
        _flush(conn, docs, evs, incs, links)


def _flush(conn: Any, docs: list, evs: list, incs: list, links: list) -> None:  # type: ignore[type-arg]
    from sqlalchemy import insert

    from flashpoint.corpus.store.schema import documents, events, incident_events, incidents

    for table, rows in ((documents, docs), (events, evs), (incidents, incs), (incident_events, links)):
        if rows:
            conn.execute(insert(table), rows)
            rows.clear()


def queries(rng: random.Random) -> list[dict[str, str]]:
    """A mix of filtered queries an analyst's map would send."""
    out = []
    for _ in range(200):
        a = START + dt.timedelta(days=rng.randrange(DAYS - 90))
        since, until = a.isoformat(), (a + dt.timedelta(days=rng.choice((7, 30, 90)))).isoformat()
        country, lon0, lat0 = rng.choice(COUNTRIES)
        etype, _ = rng.choice(TYPES)
        bbox = f"{lon0 - 2:.1f},{lat0 - 2:.1f},{lon0 + 2:.1f},{lat0 + 2:.1f}"
        out += [
            {"since": since, "until": until, "country": country},
            {"event_type": etype, "bbox": bbox},
            {"since": since, "until": until, "actor": "azerbaijan"},
            {"disputed": "true", "since": since, "until": until},
            {"side": "Mali", "event_type": etype, "since": since, "until": until},
            {"q": "Town 42", "country": country},
        ]
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SRC = Path(__file__).resolve().parents[1] / "src"


def start_server(db: Path, port: int, workers: int, src: Path = SRC) -> subprocess.Popen[bytes]:
    """``flashpoint serve`` as a user runs it (read-only), from ``src`` (this checkout by default;
    another checkout's sources give a baseline in the same run). ``--workers`` is passed only to a
    serve that has it (older ones ran one worker)."""
    code = "import sys; from flashpoint.cli.main import main; main(sys.argv[1:])"
    env = {**os.environ, "FLASHPOINT_TOKEN": "", "PYTHONPATH": str(src)}
    args = [sys.executable, "-c", code, "serve", "--db", str(db), "--port", str(port)]
    if "--workers" in (src / "flashpoint" / "cli" / "serve.py").read_text():
        args += ["--workers", str(workers)]
    elif workers != 1:
        raise SystemExit(f"{src}: this serve has no --workers")
    return subprocess.Popen(args, env=env)


async def wait_up(base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(base + "/api/facets")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            await asyncio.sleep(0.2)


async def load(base: str, clients: int, seconds: float, limit: int, client: str = "raw") -> dict[str, Any]:
    """``clients`` concurrent keep-alive clients, each sending the next query as soon as its answer
    is in, for ``seconds``. ``client``: ``raw`` (default) writes each request and reads each answer
    on an asyncio stream, about a tenth of a millisecond of CPU a request, so the figures measure the
    server rather than the load generator that shares its cores; ``httpx`` is a typical Python
    client (several times the cost per request: on 2 cores it takes CPU the server would use)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    items = 0
    stop = time.monotonic() + seconds

    def failed(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    async def raw_client(n: int) -> None:
        nonlocal items
        rng = random.Random(n)
        mix = [urlencode({**q, "limit": str(limit)}) for q in queries(rng)]
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.monotonic() < stop:
                request = (f"GET /api/events?{rng.choice(mix)} HTTP/1.1\r\nHost: {host}\r\n"
                           "Accept: application/json\r\nAccept-Encoding: gzip\r\n\r\n").encode()
                t0 = time.perf_counter()
                writer.write(request)
                status, body = await _read_response(reader)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    failed(str(status))
                else:
                    items += body.count(b'"id"') if body[:2] != b"\x1f\x8b" else 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            failed(type(exc).__name__)
        finally:
            writer.close()

    async def httpx_client(n: int) -> None:
        import httpx

        nonlocal items
        rng = random.Random(n)
        mix = queries(rng)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while time.monotonic() < stop:
                params = {**rng.choice(mix), "limit": str(limit)}
                t0 = time.perf_counter()
                try:
                    response = await http.get("/api/events", params=params)
                    latencies.append(time.perf_counter() - t0)
                    if response.status_code != 200:
                        failed(str(response.status_code))
                    else:
                        items += len(response.json()["items"])
                except httpx.HTTPError as exc:
                    failed(type(exc).__name__)

    one = raw_client if client == "raw" else httpx_client
    t0 = time.monotonic()
    await asyncio.gather(*(one(n) for n in range(clients)))
    elapsed = time.monotonic() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"clients": clients, "client": client, "seconds": round(elapsed, 1), "requests": len(latencies),
            "errors": sum(errors.values()), "error_kinds": errors, "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else None, "items_returned": items}


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 answer off a kept-alive connection: (status, body as sent)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return status, await reader.readexactly(int(headers[b"content-length"]))
    if headers.get(b"transfer-encoding", b"").lower() != b"chunked":
        raise ValueError("an answer with neither Content-Length nor chunked encoding")
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        chunks.append(await reader.readexactly(size + 2))
        if size == 0:
            return status, b"".join(c[:-2] for c in chunks)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants (Linux /proc): the
    server's cost per request, which the machine's other load does not inflate the way it does latency."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        used[child] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += used.get(p, 0.0)
        todo.extend(c for c, parent in parents.items() if parent == p)
    return total


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def run(db: Path, workers: int, clients: list[int], seconds: float, limit: int,
        src: Path = SRC, client: str = "raw") -> list[dict[str, Any]]:
    """One server with ``workers`` processes, loaded by each client count in turn."""
    port = _free_port()
    server = start_server(db, port, workers, src)
    out = []
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_up(base))
        asyncio.run(load(base, min(clients), 2, limit, client))  # warm each worker's caches and pools
        for n in clients:
            before, cpu0 = round(os.getloadavg()[0], 2), tree_cpu_seconds(server.pid)
            result = asyncio.run(load(base, n, seconds, limit, client))
            cpu = tree_cpu_seconds(server.pid) - cpu0
            result.update(src=str(src), workers=workers, load_1m_before=before, load_1m_after=round(os.getloadavg()[0], 2),
                          server_cpu_ms_per_request=round(1000 * cpu / max(1, result["requests"]), 2))
            print(json.dumps(result), file=sys.stderr)
            out.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=_ints, default=[1, 10, 50], help="client counts, e.g. 1,10,50")
    parser.add_argument("--workers", type=_ints, default=[1], help="server worker counts, e.g. 1,2")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--limit", type=int, default=100, help="page size asked for")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="the load generator: raw HTTP on asyncio streams (cheap) or httpx (a typical client)")
    parser.add_argument("--db", type=Path, help="reuse (or create) this database instead of a temporary one")
    parser.add_argument("--src", type=Path, default=SRC, help="the flashpoint sources to serve (default: this checkout)")
    args = parser.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "bench.db"
    if not args.db.exists():
        t0 = time.perf_counter()
        build(args.db, args.events)
        print(f"built {args.events} events in {time.perf_counter() - t0:.1f} s: {args.db}", file=sys.stderr)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr)
    results: list[dict[str, Any]] = []
    try:
        for workers in args.workers:
            results += run(args.db, workers, args.clients, args.seconds, args.limit, args.src, args.client)
    finally:
        if tmp is not None:
            tmp.cleanup()
    base = {r["clients"]: r["rps"] for r in results if r["workers"] == args.workers[0]}
    for r in results:
        r["events_in_db"] = args.events
        r["rps_vs_first_workers"] = round(r["rps"] / base[r["clients"]], 2) if base.get(r["clients"]) else None
    print(json.dumps({"cpus": os.cpu_count(), "runs": results}, indent=2))


if __name__ == "__main__":
    main()

"""``flashpoint serve``: the web map and REST API over a database. The lead registers ``COMMANDS`` in cli.py.

Read-only unless FLASHPOINT_TOKEN is set in the environment (a secret never goes on the command
line, where other users can read it in the process list).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from flashpoint.errors import UsageError

DEFAULT_JOB_TIMEOUT_S = 120.0
GRACEFUL_S = 5
"""On SIGTERM, requests in flight get this long to finish; then the server stops regardless."""


def _is_url(db: str) -> bool:
    return "://" in db


@click.command("serve")
@click.option("--db", "db", default="flashpoint.db", envvar="FLASHPOINT_DB", show_default=True,
              help="Database: a SQLite file path or a postgresql:// URL (env FLASHPOINT_DB).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 exposes the server to the network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="An origin allowed to call the API from other sites (repeatable; default none).")
@click.option("--tile-url", envvar="FLASHPOINT_TILE_URL", default=None,
              help="Map tiles under the outlines, e.g. http://localhost:8080/{z}/{x}/{y}.png (env FLASHPOINT_TILE_URL; "
                   "default none: offline outlines only).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes answering requests [default: the cores available].")
@click.option("--job-timeout", type=click.FloatRange(1, 3600), default=DEFAULT_JOB_TIMEOUT_S, show_default=True,
              help="Seconds a posted document may take to code before its job is stopped.")
def serve(db: str, host: str, port: int, cors_origins: tuple[str, ...], tile_url: str | None,
          workers: int | None, job_timeout: float) -> None:
    """Serve the map, incident pages and REST API (OpenAPI at /docs) over a database.

    Writes (POST /api/documents) need FLASHPOINT_TOKEN in the environment; without it the server
    is read-only. Posted documents are coded in the background (poll /api/jobs/ID).
    """
    if not _is_url(db) and not Path(db).exists():
        raise click.UsageError(f"no database at {db}: create one with `flashpoint ingest SOURCES --db {db}`")
    try:
        import uvicorn

        from flashpoint.web.app import app_from_env  # noqa: F401  (checks the web extras are there)
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"the web app needs {exc.name}: pip install fastapi uvicorn jinja2") from None
    workers = workers or default_workers()
    token = os.environ.get("FLASHPOINT_TOKEN") or None
    with tempfile.TemporaryDirectory(prefix="flashpoint-jobs-") as jobs_dir:
        os.environ.update(serve_environment(db, cors_origins, tile_url, jobs_dir, job_timeout))
        try:
            from flashpoint.web.app import create_app

            create_app(db, token=token, warm=False, jobs_dir=jobs_dir).state.store.close()  # a bad database fails here, in one line
            _build_outlines()  # once, here: the workers then read the file instead of each building it
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        from flashpoint.web import listen
        from flashpoint.web.protocol import NoDelayHttp

        # A socket per worker where the kernel spreads connections (flashpoint.web.listen says why).
        spread = workers > 1 and listen.spreads_connections()
        held = None
        try:  # before saying "serving": a taken port is refused in one line
            if spread:
                held = listen.claim_port(host, port)
            else:
                listen.check_port(host, port)
        except OSError as exc:
            raise click.UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                   "choose another port with --port") from None
        mode = "writes allowed with the token" if token else "read-only (set FLASHPOINT_TOKEN to allow writes)"
        click.echo(f"flashpoint: serving {db} at http://{host}:{port}/ with {workers} worker"
                   f"{'s' if workers > 1 else ''} — {mode}; API docs at /docs", err=True)
        # An import string and a factory: each worker process builds its own app (and database pool).
        # The protocol sets TCP_NODELAY per connection (flashpoint.web.protocol says why).
        app, http = "flashpoint.web.app:app_from_env", NoDelayHttp
        if held is None:
            uvicorn.run(app, factory=True, host=host, port=port, workers=workers, http=http, log_level="warning",
                        timeout_graceful_shutdown=GRACEFUL_S)
            return
        listen.run_workers(uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, http=http,
                                          log_level="warning", timeout_graceful_shutdown=GRACEFUL_S), held)


def _build_outlines() -> None:
    from flashpoint.web.outlines import world_geojson

    try:
        world_geojson()
    except UsageError:
        pass  # the map page says what to install


def default_workers() -> int:
    """The cores this process may use (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def serve_environment(db: str, cors_origins: tuple[str, ...], tile_url: str | None, jobs_dir: str,
                      job_timeout: float) -> dict[str, str]:
    """What ``app_from_env`` reads in each worker (the token is already in the environment)."""
    return {"FLASHPOINT_DB": db, "FLASHPOINT_CORS_ORIGINS": ",".join(cors_origins),
            "FLASHPOINT_TILE_URL": tile_url or "", "FLASHPOINT_JOBS_DIR": jobs_dir,
            "FLASHPOINT_JOB_TIMEOUT": str(job_timeout)}


COMMANDS = (serve,)

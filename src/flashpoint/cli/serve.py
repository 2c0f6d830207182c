"""``flashpoint serve``: the web map and REST API over a database. The lead registers ``COMMANDS`` in cli.py.

Read-only unless FLASHPOINT_TOKEN is set in the environment (a secret never goes on the command
line, where other users can read it in the process list).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from flashpoint.errors import UsageError


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
def serve(db: str, host: str, port: int, cors_origins: tuple[str, ...], tile_url: str | None) -> None:
    """Serve the map, incident pages and REST API (OpenAPI at /docs) over a database.

    Writes (POST /api/documents) need FLASHPOINT_TOKEN in the environment; without it the server
    is read-only.
    """
    if not _is_url(db) and not Path(db).exists():
        raise click.UsageError(f"no database at {db}: create one with `flashpoint ingest SOURCES --db {db}`")
    try:
        import uvicorn

        from flashpoint.web.app import create_app
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"the web app needs {exc.name}: pip install fastapi uvicorn jinja2") from None
    token = os.environ.get("FLASHPOINT_TOKEN") or None
    try:
        app = create_app(db, token=token, cors_origins=list(cors_origins) or None, tile_url=tile_url)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    mode = "writes allowed with the token" if token else "read-only (set FLASHPOINT_TOKEN to allow writes)"
    click.echo(f"flashpoint: serving {db} at http://{host}:{port}/ — {mode}; API docs at /docs", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS = (serve,)

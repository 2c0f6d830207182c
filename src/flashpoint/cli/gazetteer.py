"""``flashpoint gazetteer``: inspect, query and extend the gazetteer. A thin shell over
``flashpoint.geo.gazetteer`` and ``flashpoint.geo.geonames``; JSON on stdout, talk on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["gazetteer"]

_DB_OPTION = click.option(
    "--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Gazetteer index file (default: $FLASHPOINT_HOME/gazetteer-v1.sqlite, built on first use).",
)


def _emit(data: Any) -> None:
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent))


@click.group(name="gazetteer")
def gazetteer() -> None:
    """Inspect, query and extend the gazetteer (places, their names and coordinates)."""


@gazetteer.command("info")
@_DB_OPTION
def info_cmd(db: Path | None) -> None:
    """What the gazetteer holds and where it lives (builds it on first use)."""
    from flashpoint.geo.gazetteer import Gazetteer

    with Gazetteer.open(db) as gaz:
        _emit(gaz.info())


@gazetteer.command("lookup")
@click.argument("name")
@click.option("--country", "country", metavar="XX", default=None,
              help="Only places in this country (ISO 3166 alpha-2 code, e.g. AZ).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many candidates to list.")
@_DB_OPTION
def lookup_cmd(name: str, country: str | None, limit: int, db: Path | None) -> None:
    """Candidate places for NAME, ranked, with their scores."""
    from flashpoint.geo.gazetteer import Gazetteer

    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise click.BadParameter("give a two-letter ISO code such as AZ", param_hint="--country")
    with Gazetteer.open(db) as gaz:
        _emit([e.to_dict() for e in gaz.lookup(name, country_code=country, limit=limit)])


@gazetteer.command("import")
@click.argument("sources", nargs=-1, required=True)
@_DB_OPTION
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def import_cmd(sources: tuple[str, ...], db: Path | None, quiet: bool) -> None:
    """Import GeoNames dump files or URLs (XX.zip, allCountries.zip, alternateNamesV2.zip,
    admin1CodesASCII.txt, admin2Codes.txt, hierarchy.zip) into the gazetteer."""
    from flashpoint.geo.geonames import import_dumps

    _emit(import_dumps(list(sources), gazetteer_path=db, progress=False if quiet else None))

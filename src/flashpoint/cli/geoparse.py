"""``flashpoint geoparse FILE``: every place a text names, with coordinates and why (JSON on stdout).

A thin shell: it reads the file, then calls :func:`geoparse_file_text`, which tests and Python code
can call directly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from flashpoint.errors import E_BINARY, E_EMPTY, E_UNREADABLE, FlashpointError, InputError, UsageError


def geoparse_file_text(text: str, *, outlet_country: str | None = None,
                       gazetteer_path: Path | None = None, events: bool = False) -> dict[str, Any]:
    """Geoparse ``text``: its places, and (with ``events``) each sentence's event location."""
    from flashpoint.geo.gazetteer import Gazetteer
    from flashpoint.geo.geoparse import Geoparser
    from flashpoint.nlp.components import load_pipeline

    gazetteer = Gazetteer.open(gazetteer_path)
    nlp = load_pipeline(gazetteer)
    geoparser = Geoparser(gazetteer)
    doc = nlp(text)
    places = geoparser.places(doc, outlet_country=outlet_country)
    result: dict[str, Any] = {"places": [p.to_dict() for p in places]}
    if events:
        result["sentences"] = [
            {"start": s.start_char, "end": s.end_char,
             "locations": [loc.to_dict() for loc in geoparser.locate_all(places, s.start_char, s.end_char, text)]}
            for s in doc.sents
        ]
    return result


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    data = Path(path).read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"{path} looks binary; give a plain-text article", code=E_BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; convert it (e.g. with iconv) and retry", code=E_UNREADABLE) from None
    if not text.strip():
        raise InputError(f"{path} is empty; give an article with text", code=E_EMPTY)
    return text


@click.command("geoparse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--outlet-country", metavar="COUNTRY", default=None,
              help="The outlet's country (name or ISO code): a weak hint for ambiguous names.")
@click.option("--gazetteer", "gazetteer_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Gazetteer index to use (default: the one under $FLASHPOINT_HOME).")
@click.option("--events", is_flag=True, help="Also give, for each sentence, where its event would be located.")
def geoparse(file: str, outlet_country: str | None, gazetteer_path: Path | None, events: bool) -> None:
    """Every place FILE names, with coordinates, kind and the reason for each choice (JSON)."""
    try:
        text = _read_text(file)
        result = geoparse_file_text(text, outlet_country=outlet_country,
                                    gazetteer_path=gazetteer_path, events=events)
    except FlashpointError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2 if isinstance(err, UsageError) else 1)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))

"""Corpus commands: ingest, incidents, show, export, failures, unlink. Thin shells over the store.

stdout is data (JSON when not on a terminal), stderr is talk. The lead registers ``COMMANDS`` in cli.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from flashpoint import errors
from flashpoint.cli.common import failure_line, language_option, parse_date
from flashpoint.errors import StoreError

DB_HELP = "Database: a SQLite file path or a postgresql:// URL (default ./flashpoint.db; env FLASHPOINT_DB)."


def _db_option(f: Any) -> Any:
    return click.option("--db", "db", default="flashpoint.db", envvar="FLASHPOINT_DB", show_default=True,
                        metavar="PATH_OR_URL", help=DB_HELP)(f)


def _open(db: str) -> Any:
    from flashpoint.corpus.store import open_store

    return open_store(db)


def _fmt(fmt: str | None) -> str:
    return fmt or ("table" if sys.stdout.isatty() else "json")


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2 if sys.stdout.isatty() else None, default=str)
    sys.stdout.write("\n")


# --- ingest ---------------------------------------------------------------------------------------

@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@_db_option
@click.option("--published", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Publication date for inputs that do not carry one.")
@click.option("--model", default=None, help="Type classifier: 'default' (the encoder head; the default when built), "
              "'rules' (rules only, fastest) or a trained model's name or folder.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on stderr.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to code on (default: the cores available; small inputs use one).")
@language_option
def ingest_cmd(sources: tuple[str, ...], db: str, published: dt.date | None, model: str | None, quiet: bool,
               workers: int | None, language: str | None) -> None:
    """Code reports (files, directories, JSONL, feeds, URLs) into the database and link incidents.

    Re-ingesting a document changes nothing; a failed input is recorded (see `flashpoint failures`).
    """
    from flashpoint.corpus import ingest
    from flashpoint.ingest.files import reading_language
    from flashpoint.parallel import available_cores

    show = not quiet and sys.stderr.isatty()

    def progress(report: Any) -> None:
        if show:
            click.echo(f"\ringested {report.added}, already stored {report.skipped}, failed "
                       f"{len(report.failures)}, events {report.events}", err=True, nl=False)

    with _open(db) as store, reading_language(language):
        report = ingest(list(sources), store, published=published, stdin=sys.stdin, progress=progress,
                        workers=workers or available_cores(), model=model)
    if show:
        click.echo("", err=True)
    for failure in report.failures:
        click.echo(failure_line(failure.source, failure.reason, failure.code), err=True)
    _dump(report.to_dict())
    if report.failures:
        click.echo(f"flashpoint: {len(report.failures)} input(s) failed; the others were stored.", err=True)
        sys.exit(1)


# --- incidents ------------------------------------------------------------------------------------

_INCIDENT_COLUMNS = ("id", "start", "end", "location", "country", "events", "documents", "disputed")


def _incident_cells(inc: dict[str, Any]) -> dict[str, Any]:
    return {"id": inc["id"], "start": inc["dates"]["start"] or "", "end": inc["dates"]["end"] or "",
            "location": inc["place"]["location"] or inc["place"]["admin1"] or "",
            "country": inc["place"]["country"] or "", "events": inc["n_events"], "documents": inc["n_documents"],
            "disputed": ", ".join(inc["disputed_fields"])}


@click.command("incidents")
@_db_option
@click.option("--since", callback=parse_date, default=None, metavar="YYYY-MM-DD", help="Incidents on or after this day.")
@click.option("--until", callback=parse_date, default=None, metavar="YYYY-MM-DD", help="Incidents on or before this day.")
@click.option("--country", default=None, help="Only incidents in this country (any of its reports).")
@click.option("--disputed", is_flag=True, help="Only incidents whose sides disagree on something.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
def incidents_cmd(db: str, since: dt.date | None, until: dt.date | None, country: str | None, disputed: bool,
                  fmt: str | None) -> None:
    """List incidents: reports of one happening linked across documents and sides."""
    with _open(db) as store:
        rows = store.incidents(since=since, until=until, country=country, disputed=disputed)
    fmt = _fmt(fmt)
    if fmt == "json":
        _dump(rows)
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(_INCIDENT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(_incident_cells(r) for r in rows)
    else:
        _table([_incident_cells(r) for r in rows], _INCIDENT_COLUMNS)


def _table(rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
    cols = list(columns)
    widths = {c: min(40, max([len(c)] + [len(str(r[c])) for r in rows])) for c in cols}
    width = shutil.get_terminal_size((160, 24)).columns
    for cells in [{c: c for c in cols}, *rows]:
        line = "  ".join(str(cells[c])[:widths[c]].ljust(widths[c]) for c in cols)
        click.echo(line[:width].rstrip())
    if not rows:
        click.echo("(none)")


# --- show -----------------------------------------------------------------------------------------

@click.group("show")
def show_group() -> None:
    """Show one incident (every side's version, field by field) or one event."""


@show_group.command("incident")
@click.argument("incident_id", type=int)
@_db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
def show_incident_cmd(incident_id: int, db: str, fmt: str | None) -> None:
    """Each claimant's version of incident ID, field by field, with the words it was read from."""
    with _open(db) as store:
        data = store.incident(incident_id)
    if data is None:
        raise StoreError(f"no incident {incident_id}: list them with `flashpoint incidents`", code=errors.E_NO_INCIDENT)
    if _fmt(fmt) == "json":
        _dump(data)
    else:
        click.echo(render_incident(data))


def _snippet(evidence: list[dict[str, Any]]) -> str:
    quotes = [e["text"] for e in evidence if e.get("text")]
    return f'  «{" … ".join(quotes)}»' if quotes else ""


def render_incident(data: dict[str, Any]) -> str:
    """An incident for people: its reports, then each field with every side's version."""
    place = data["place"]
    where = ", ".join(p for p in (place["location"], place["admin1"], place["country"]) if p) or "place unknown"
    dates = data["dates"]["start"] or "date unknown"
    if data["dates"]["end"] and data["dates"]["end"] != data["dates"]["start"]:
        dates += f" to {data['dates']['end']}"
    lines = [f"Incident {data['id']} · {dates} · {where} · {data['n_events']} report(s) "
             f"from {data['n_documents']} document(s)", "", "Reports:"]
    for e in data["events"]:
        doc = e.get("document") or {}
        who = e["claimant"]["name"] or e["claimant"]["party"] or "unattributed"
        side = e["claimant"]["side"] or e["claimant"]["party"] or "?"
        lines.append(f"  {who} ({side}) in {doc.get('outlet') or '?'}, published {doc.get('published') or '?'}"
                     f" — event {e['id']}")
        link = e.get("link") or {}
        if link.get("reasons"):
            lines.append(f"    linked: {'; '.join(link['reasons'])}")
        elif link.get("linked_by") == "user":
            lines.append("    linked: separated by the user (unlink)")
    for title, names in (("Disputed:", list(data["disputed"])),
                         ("Agreed:", [f for f in data["versions"] if f in data["agreed"]]),
                         ("Stated by one side only:", [f for f in data["versions"] if f in data["single"]])):
        if not names:
            continue
        lines += ["", title]
        for name in names:
            lines.append(f"  {name}")
            for v in data["versions"][name]:
                late = "  (superseded by a later report from this side)" if v["superseded"] else ""
                lines.append(f"    {v['side']} ({v['claimant'] or '?'}): {_value(v)}{late}{_snippet(v['evidence'])}")
    summary = data["summary"]
    if "by_side" in summary:
        lines += ["", "Casualties by victim side (each claimant's figure; later figures replace earlier ones):"]
        lines += _casualty_lines(summary["by_side"])
        totals = ", ".join(f"{k} {summary[k]}" for k in ("fatalities", "injured", "captured", "missing"))
        lines += ["", f"Summary: {totals}", f"  {data['summary_rule']}."]
        return "\n".join(lines)
    figures = ", ".join(
        f"{k} {summary[k]}" + (f" (claims {summary[k + '_claimed'][0]}–{summary[k + '_claimed'][1]})"
                               if k + "_claimed" in summary else "")
        for k in ("fatalities", "injured", "captured"))
    lines += ["", f"Summary: {figures}", f"  by {data['summary_rule']}."]
    return "\n".join(lines)


def _value(v: dict[str, Any]) -> str:
    """A version's value; a casualty claim with its kind and qualifier ("at least 5 killed", "several captured")."""
    if "qualifier" not in v:
        return str(v["value"])
    figure = "no figure" if v["value"] is None else str(v["value"])
    qualifier = v["qualifier"] if v["qualifier"] not in ("exact",) else ""
    bits = [qualifier, figure if v["value"] is not None or qualifier != "several" else "", v["kind"]]
    extra = f" (with {v['combined_with']})" if v.get("combined_with") else ""
    return " ".join(b for b in bits if b) + extra


def _casualty_lines(by_side: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for side, groups in by_side.items():
        for group, item in groups.items():
            figure = "no count" if item["figure"] is None else item["figure"]
            lines.append(f"  {side} — {group}: {figure}")
            for v in item["claims"]:
                late = "  (superseded)" if v["superseded"] else ""
                lines.append(f"    per {v['claimant'] or '?'} [{v['side']}]: {_value(v)}{late}{_snippet(v['evidence'])}")
    return lines


@show_group.command("event")
@click.argument("event_id")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
def show_event_cmd(event_id: str, db: str, fmt: str | None) -> None:
    """One event, its document and the incident it is linked into."""
    with _open(db) as store:
        data = store.event(event_id)
    if data is None:
        raise StoreError(f"no event {event_id!r}: see `flashpoint show incident ID` for event ids", code=errors.E_NO_EVENT)
    if _fmt(fmt) == "json":
        _dump(data)
        return
    text = (data.get("document") or {}).get("text") or ""
    for name, value in data.items():
        if name in ("document", "evidence"):
            continue
        spans = data["evidence"].get(name, [])
        quote = " … ".join(text[s:e] for s, e in spans)
        click.echo(f"{name:16} {value}" + (f"  «{quote}»" if quote else ""))
    doc = data.get("document") or {}
    click.echo(f"{'document':16} {doc.get('id')}  {doc.get('title') or ''}  ({doc.get('outlet') or '?'})")


# --- export, failures, unlink --------------------------------------------------------------------

@click.command("export")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["acled-csv", "geojson", "jsonl", "parquet"]), required=True,
              help="acled-csv and parquet: one row per event; geojson and jsonl: see --by.")
@click.option("--by", type=click.Choice(["event", "incident"]), default="event", show_default=True,
              help="One feature/line per event or per incident (geojson, jsonl).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="File to write.")
def export_cmd(db: str, fmt: str, by: str, out: Path) -> None:
    """Export the corpus: ACLED-style CSV, GeoJSON, JSONL or Parquet."""
    from flashpoint.corpus import exports

    if by == "incident" and fmt in ("acled-csv", "parquet"):
        raise click.UsageError(f"--format {fmt} has one row per event: drop --by incident")
    with _open(db) as store:
        if fmt == "acled-csv":
            n = exports.write_acled_csv(store.iter_events(), out)
        elif fmt == "parquet":
            n = exports.write_parquet(store.iter_events(), out)
        elif by == "incident":
            incidents = (store.incident(i["id"]) for i in store.incidents())
            records = (i for i in incidents if i is not None)
            n = (exports.write_geojson(exports.incident_features(records), out) if fmt == "geojson"
                 else exports.write_jsonl(records, out))
        elif fmt == "geojson":
            n = exports.write_geojson(exports.event_features(store.iter_events()), out)
        else:
            n = exports.write_jsonl(exports.event_dicts(store.iter_events()), out)
    click.echo(f"flashpoint: wrote {n} {by}(s) to {out}", err=True)


@click.command("failures")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
              help="Output format (default: table on a terminal, json otherwise).")
def failures_cmd(db: str, fmt: str | None) -> None:
    """Inputs that could not be processed, with the reason and what to do."""
    with _open(db) as store:
        rows = store.failures()
    fmt = _fmt(fmt)
    columns = ("last_seen", "code", "source", "reason", "count")
    if fmt == "json":
        _dump(rows)
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _table(rows, columns)


@click.command("unlink")
@click.argument("event_id")
@click.option("--from", "from_incident", type=int, default=None, metavar="INCIDENT_ID",
              help="The incident it must be taken from (a check against mistakes).")
@_db_option
def unlink_cmd(event_id: str, from_incident: int | None, db: str) -> None:
    """Take a wrongly linked event out of its incident; linking will never put them together again."""
    with _open(db) as store:
        new_id = store.unlink(event_id, from_incident)
    _dump({"event_id": event_id, "incident_id": new_id})
    click.echo(f"flashpoint: event {event_id} is now incident {new_id}; the separation is remembered", err=True)


COMMANDS: tuple[click.Command, ...] = (ingest_cmd, incidents_cmd, show_group, export_cmd, failures_cmd, unlink_cmd)
"""The corpus commands, for ``cli.add_command``."""

__all__ = ["COMMANDS", "render_incident"]

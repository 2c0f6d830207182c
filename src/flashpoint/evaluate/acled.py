"""Scoring against an ACLED-format export: each distinct ``notes`` text is one document.

ACLED notes are short summaries written by ACLED's coders, and the rows sharing
one notes text are the events that summary was coded into (one report split
across days or places). We give each notes text to the coder and compare its
events with those rows.

The coder gets no publication date of its own from the export, and must not be
handed the gold date of each event. We use the earliest ``event_date`` among the
note's rows as the publication date: notes open with their date anyway ("On 16
November 2021, …"), and a report is never published before the first thing it
reports, so this anchors relative dates ("the next day") without giving away
the date of any later event.

Some gold the text cannot support: ACLED splits a total death toll across the
events of one report ("a total of 12 fatalities split across the three events"),
so no reading of the text gives a row's own count; and an event coded with
geo_precision 3 sits at a region's generic point the text never names. Such
rows are matched as usual but reported apart, outside the main figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.matching import DEFAULT_SETTINGS, MatchSettings
from flashpoint.evaluate.report import Case, Coder, Record, attach_results, build_report, run_coder
from flashpoint.model import Document
from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPE_OF, EVENT_TYPES

REQUIRED_COLUMNS = ("event_date", "event_type", "sub_event_type", "notes")
FATALITIES_SPLIT = "fatalities_split"
GENERIC_LOCATION = "generic_location"

_SPLIT = re.compile(
    r"\bsplit\s+(?:evenly|equally|across|between|among)\b"
    r"|\bfatalit(?:y|ies)\s+(?:count\s+)?(?:(?:was|were|are|is|has been|have been)\s+)?split\b"
    r"|\btotal\s+of\s+[\d,]+\s+(?:\w+\s+){0,3}?fatalit(?:y|ies)\b[^.]*?\b(?:across|between|among)\b",
    re.IGNORECASE,
)
_TEXT_FORMATS = ("%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y", "%d-%B-%Y",
                 "%B %d, %Y", "%b %d, %Y")
_SLASH = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")


@dataclass
class AcledRow:
    """One row of an ACLED-format export (only the columns evaluation uses)."""

    line: int
    event_id_cnty: str
    event_date: dt.date
    event_type: str
    sub_event_type: str
    notes: str
    values: dict[str, str]
    """Every column of the row as read (empty cells as empty strings)."""

    def get(self, column: str) -> str | None:
        value = self.values.get(column, "")
        return value.strip() or None

    @property
    def geo_precision(self) -> int | None:
        value = self.get("geo_precision")
        return int(float(value)) if value else None


# --- dates ---------------------------------------------------------------------------------------


def slash_day_first(values: Iterable[str]) -> bool | None:
    """Whether an export's ``d/m/y`` dates put the day first, judged from the whole column.

    ACLED's own exports use "16 November 2021" or ISO dates; spreadsheets re-save them as
    "11/16/2021" (month first) or "16/11/2021". One date with a first number above 12 shows
    the day comes first; one with a second number above 12 shows the month does. With no
    such date the order is unknown (``None``) and month-first is assumed.
    """
    day_first = month_first = False
    for value in values:
        match = _SLASH.match(value)
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    if day_first and month_first:
        raise EvaluationError(
            "event_date mixes day-first (16/11/2021) and month-first (11/16/2021) dates; "
            "re-export the file with ISO dates (2021-11-16)",
            code=errors.E_BAD_GOLD_VALUE,
        )
    return True if day_first else False if month_first else None


def parse_acled_date(text: str, *, day_first: bool | None = None) -> dt.date:
    """A date in any of ACLED's export formats ("16 November 2021", "2021-11-16", "16-Nov-21", "11/16/2021")."""
    value = " ".join(text.split())
    match = _SLASH.match(value)
    if match:
        a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        year += 2000 if year < 100 else 0
        day, month = (a, b) if day_first else (b, a)
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    else:
        for fmt in _TEXT_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
    raise EvaluationError(
        f"event_date {text!r} is not a date in an ACLED format (16 November 2021, 2021-11-16, 16-Nov-21)",
        code=errors.E_BAD_GOLD_VALUE,
    )


# --- reading -------------------------------------------------------------------------------------


def _check_type(row: Mapping[str, str], line: int) -> tuple[str, str]:
    event_type, sub = row["event_type"].strip(), row["sub_event_type"].strip()
    if sub not in ALL_SUB_EVENT_TYPES:
        raise EvaluationError(
            f"line {line}: sub_event_type {sub!r} is not one of ACLED's 25 (see flashpoint.typology)", code=errors.E_BAD_GOLD_TYPE)
    if event_type not in EVENT_TYPES or EVENT_TYPE_OF[sub] != event_type:
        raise EvaluationError(
            f"line {line}: event_type {event_type!r} does not go with sub_event_type {sub!r}; "
            f"ACLED puts it under {EVENT_TYPE_OF[sub]!r}", code=errors.E_BAD_GOLD_TYPE)
    return event_type, sub


def parse_acled_rows(rows: Iterable[Mapping[str, str]], columns: Iterable[str]) -> list[AcledRow]:
    """ACLED rows from CSV dicts (as ``csv.DictReader`` gives them); rows start at line 2."""
    missing = [c for c in REQUIRED_COLUMNS if c not in set(columns)]
    if missing:
        raise EvaluationError(
            f"not an ACLED-format CSV: no {', '.join(missing)} column; export from ACLED with the "
            "event_date, event_type, sub_event_type and notes columns at least", code=errors.E_BAD_GOLD_FILE)
    raw = [{k: (v or "") for k, v in row.items() if k is not None} for row in rows]
    day_first = slash_day_first(r["event_date"] for r in raw)
    result = []
    for line, row in enumerate(raw, start=2):
        if not row["notes"].strip():
            raise EvaluationError(f"line {line}: empty notes; every row needs the text it was coded from",
                                  code=errors.E_BAD_GOLD_FILE)
        event_type, sub = _check_type(row, line)
        try:
            date = parse_acled_date(row["event_date"], day_first=day_first)
        except EvaluationError as err:
            raise EvaluationError(f"line {line}: {err.args[0]}", code=err.code) from None
        result.append(AcledRow(line, row.get("event_id_cnty", "").strip(), date, event_type, sub,
                               row["notes"].strip(), row))
    return result


def read_acled(path: Path) -> list[AcledRow]:
    """Read an ACLED-format CSV export (UTF-8, with or without a byte-order mark; commas or semicolons)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = handle.readline()
            handle.seek(0)
            # Spreadsheets in many locales re-save CSV with semicolons.
            delimiter = ";" if header.count(";") > header.count(",") else ","
            reader = csv.DictReader(handle, delimiter=delimiter)
            rows = list(reader)
            return parse_acled_rows(rows, reader.fieldnames or [])
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}: not UTF-8 text; save the CSV as UTF-8", code=errors.E_BAD_GOLD_FILE) from None
    except csv.Error as err:
        raise EvaluationError(f"{path}: not a readable CSV ({err})", code=errors.E_BAD_GOLD_FILE) from None


# --- gold records and documents -----------------------------------------------------------------


def unsupported_reason(row: AcledRow) -> str | None:
    """Why a row's gold cannot be read from its notes, or ``None`` if it can."""
    if _SPLIT.search(row.notes):
        return FATALITIES_SPLIT
    if row.geo_precision == 3:
        return GENERIC_LOCATION
    return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def gold_record(row: AcledRow) -> Record:
    """The row's event as a gold record: only the columns the export has are scored."""
    record: Record = {"event_date": row.event_date, "event_type": row.event_type,
                      "sub_event_type": row.sub_event_type}
    for column in ("actor1", "actor2", "country", "admin1", "location"):
        if column in row.values:
            record[column] = row.get(column)
    lat, lon = _float(row.get("latitude")), _float(row.get("longitude"))
    if lat is not None and lon is not None:
        record["latitude"], record["longitude"] = lat, lon
    for column in ("inter1", "inter2"):  # inter codes: scored where the export has them
        code = row.get(column)
        if code not in (None, "") and str(code).strip().isdigit():
            record[column] = int(str(code).strip())
    fatalities = row.get("fatalities")
    if fatalities is not None:
        record["fatalities"] = int(float(fatalities))
    return record


def acled_cases(rows: list[AcledRow]) -> tuple[list[Document], list[Case]]:
    """One document per distinct notes text, in first-seen order, with the rows coded from it."""
    by_note: dict[str, list[AcledRow]] = {}
    for row in rows:
        by_note.setdefault(row.notes, []).append(row)
    documents, cases = [], []
    for n, (notes, group) in enumerate(by_note.items(), start=1):
        doc_id = group[0].event_id_cnty or f"note-{n}"
        documents.append(Document(id=doc_id, text=notes, published=min(r.event_date for r in group),
                                  source=f"line {group[0].line}"))
        cases.append(Case(doc_id=doc_id, text=notes, gold=[gold_record(r) for r in group],
                          excluded=[unsupported_reason(r) for r in group]))
    return documents, cases


def evaluate_acled(rows: list[AcledRow], coder: Coder, settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """Code each notes text and score the events against the export's rows."""
    documents, cases = acled_cases(rows)
    attach_results(cases, run_coder(coder, documents))
    report = build_report("acled", cases, settings)
    report["rows"] = len(rows)
    report["publication_date"] = "earliest event_date of the note's rows"
    return report

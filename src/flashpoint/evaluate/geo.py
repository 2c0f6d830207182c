"""Scoring a geoparser against gold in the XML layout of public geoparsing corpora.

The layout::

    <articles>
      <article docid="…">
        <text>…</text>
        <toponyms>
          <toponym><start>…</start><end>…</end><name>…</name>
            <gaztag geonameid="…"><lat>…</lat><lon>…</lon></gaztag>
          </toponym> …

Offsets index ``<text>``; a toponym without ``<gaztag>`` is scored for recognition only.

Measures, as the geoparsing literature reports them: toponym precision/recall/F1 for exact and
for overlapping spans; for every gold toponym the system found (overlap) that has coordinates,
the distance between the gold point and the system's — accuracy within 161 km (100 miles),
median and mean error. ``end_to_end_accuracy_161km`` divides by all gold toponyms with
coordinates, so missed names count as wrong: the figure comparable with "finds and resolves
59% of place names".
"""

from __future__ import annotations

import statistics
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.geo.geodesy import haversine_km
from flashpoint.model import Place

ACCURACY_KM = 161.0
"""100 miles: the customary threshold of "correct" in geoparsing evaluation."""

E_GEO_XML = errors.E_BAD_GOLD_FILE
E_GEO_OFFSETS = errors.E_BAD_GOLD_VALUE

CONTEXT_CHARS = 40


@dataclass(frozen=True)
class GeoGoldToponym:
    start: int
    end: int
    name: str
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class GeoGoldArticle:
    text: str
    toponyms: list[GeoGoldToponym] = field(default_factory=list)
    docid: str = ""




# ---------------------------------------------------------------------------------------------
# Reading


def read_geo_gold(path: Path | str) -> list[GeoGoldArticle]:
    """Read a gold file; a malformed one raises :class:`EvaluationError` naming what to fix."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise EvaluationError(f"{path}: no such file", code=errors.E_NO_GOLD_FILE) from None
    except ET.ParseError as err:
        raise EvaluationError(f"{path}: not well-formed XML ({err}); fix the file and retry",
                              code=E_GEO_XML) from None
    if root.tag != "articles":
        raise EvaluationError(f"{path}: the root element must be <articles>, not <{root.tag}>", code=E_GEO_XML)
    return [_article(el, f"{path}: article {n}") for n, el in enumerate(root.findall("article"), 1)]


def _article(el: ET.Element, where: str) -> GeoGoldArticle:
    text_el = el.find("text")
    if text_el is None:
        raise EvaluationError(f"{where}: no <text>", code=E_GEO_XML)
    text = text_el.text or ""
    docid = el.get("docid") or el.get("id") or where.rsplit(" ", 1)[-1]
    toponyms = [
        _toponym(t, text, f"{where}, toponym {k}")
        for k, t in enumerate(el.findall("./toponyms/toponym"), 1)
    ]
    return GeoGoldArticle(text=text, toponyms=toponyms, docid=docid)


def _toponym(el: ET.Element, text: str, where: str) -> GeoGoldToponym:
    try:
        start = int(_child_text(el, "start", where))
        end = int(_child_text(el, "end", where))
    except ValueError:
        raise EvaluationError(f"{where}: <start>/<end> must be integers", code=E_GEO_OFFSETS) from None
    name = (el.findtext("name") or "").strip()
    if not 0 <= start < end <= len(text):
        raise EvaluationError(f"{where}: offsets {start}-{end} fall outside the text "
                              f"({len(text)} characters)", code=E_GEO_OFFSETS)
    if name and text[start:end] != name:
        raise EvaluationError(f"{where}: text[{start}:{end}] is {text[start:end]!r}, not {name!r}; "
                              "offsets must index <text> exactly", code=E_GEO_OFFSETS)
    geonameid = lat = lon = None
    tag = el.find("gaztag")
    if tag is not None:
        try:
            gid = tag.get("geonameid")
            geonameid = int(gid) if gid not in (None, "") else None
            lat_s, lon_s = tag.findtext("lat"), tag.findtext("lon")
            lat = float(lat_s) if lat_s not in (None, "") else None
            lon = float(lon_s) if lon_s not in (None, "") else None
        except ValueError:
            raise EvaluationError(f"{where}: geonameid, <lat> and <lon> must be numbers", code=E_GEO_XML) from None
    return GeoGoldToponym(start, end, name or text[start:end], geonameid, lat, lon)


def _child_text(el: ET.Element, tag: str, where: str) -> str:
    value = el.findtext(tag)
    if value is None:
        raise EvaluationError(f"{where}: no <{tag}>", code=E_GEO_OFFSETS)
    return value.strip()


# ---------------------------------------------------------------------------------------------
# Scoring


def _prf(tp: int, n_system: int, n_gold: int) -> dict[str, float]:
    p = tp / n_system if n_system else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _overlap_pairs(gold: list[GeoGoldToponym], system: list[Place]) -> list[tuple[int, int]]:
    """One-to-one pairs of overlapping spans; exact matches first, then by largest overlap."""
    candidates = []
    for gi, g in enumerate(gold):
        for si, s in enumerate(system):
            ov = min(g.end, s.end) - max(g.start, s.start)
            if ov > 0:
                exact = g.start == s.start and g.end == s.end
                candidates.append((not exact, -ov, gi, si))
    candidates.sort()
    used_g: set[int] = set()
    used_s: set[int] = set()
    pairs = []
    for _, _, gi, si in candidates:
        if gi not in used_g and si not in used_s:
            used_g.add(gi)
            used_s.add(si)
            pairs.append((gi, si))
    return pairs


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT_CHARS):start]
    right = text[end:end + CONTEXT_CHARS]
    return f"{left}[{text[start:end]}]{right}".replace("\n", " ")


def _system_dict(p: Place) -> dict[str, Any]:
    return {"name": p.name, "start": p.start, "end": p.end, "kind": p.kind, "geonameid": p.geonameid,
            "resolved_name": p.resolved_name, "country_code": p.country_code,
            "latitude": p.latitude, "longitude": p.longitude, "reason": p.reason}


def _gold_dict(g: GeoGoldToponym) -> dict[str, Any]:
    return {"name": g.name, "start": g.start, "end": g.end, "geonameid": g.geonameid,
            "latitude": g.latitude, "longitude": g.longitude}


def evaluate_geo(articles: list[GeoGoldArticle], geoparse_text: Callable[[str], list[Place]]) -> dict[str, Any]:
    """Geoparse every article and score it against its gold toponyms."""
    n_gold = n_system = exact = overlap = 0
    distances: list[float] = []
    unresolved = 0
    with_point = 0
    errors: list[dict[str, Any]] = []
    for art in articles:
        system = sorted(geoparse_text(art.text), key=lambda p: (p.start, p.end))
        n_gold += len(art.toponyms)
        n_system += len(system)
        pairs = _overlap_pairs(art.toponyms, system)
        overlap += len(pairs)
        matched_g = {gi for gi, _ in pairs}
        matched_s = {si for _, si in pairs}
        for gi, si in pairs:
            g, s = art.toponyms[gi], system[si]
            if g.start == s.start and g.end == s.end:
                exact += 1
            if not g.has_point:
                continue
            with_point += 1
            assert g.latitude is not None and g.longitude is not None
            if s.latitude is None or s.longitude is None:
                unresolved += 1
                errors.append(_error(art, "unresolved", g.start, g.end, g, s))
                continue
            d = haversine_km(g.latitude, g.longitude, s.latitude, s.longitude)
            distances.append(d)
            if d > ACCURACY_KM:
                errors.append({**_error(art, "wrong_resolution", g.start, g.end, g, s), "error_km": round(d, 1)})
        for gi, g in enumerate(art.toponyms):
            if gi not in matched_g:
                errors.append(_error(art, "missed", g.start, g.end, g, None))
        for si, s in enumerate(system):
            if si not in matched_s:
                errors.append(_error(art, "false_positive", s.start, s.end, None, s))
    gold_points = sum(1 for a in articles for t in a.toponyms if t.has_point)
    within = sum(1 for d in distances if d <= ACCURACY_KM)
    resolved_pairs = with_point  # found by the system and with a gold point
    return {
        "articles": len(articles),
        "counts": {
            "gold_toponyms": n_gold, "system_toponyms": n_system, "exact_matches": exact,
            "overlap_matches": overlap, "gold_with_coordinates": gold_points,
            "matched_with_coordinates": resolved_pairs, "unresolved": unresolved,
            "within_161km": within,
        },
        "toponyms_exact": _prf(exact, n_system, n_gold),
        "toponyms_overlap": _prf(overlap, n_system, n_gold),
        "accuracy_161km": round(within / resolved_pairs, 4) if resolved_pairs else 0.0,
        "end_to_end_accuracy_161km": round(within / gold_points, 4) if gold_points else 0.0,
        "median_error_km": round(statistics.median(distances), 1) if distances else None,
        "mean_error_km": round(statistics.fmean(distances), 1) if distances else None,
        "errors": errors,
    }


def _error(art: GeoGoldArticle, kind: str, start: int, end: int, gold: GeoGoldToponym | None,
           system: Place | None) -> dict[str, Any]:
    return {
        "article": art.docid, "type": kind, "text": art.text[start:end],
        "context": _context(art.text, start, end),
        "gold": _gold_dict(gold) if gold else None,
        "system": _system_dict(system) if system else None,
    }

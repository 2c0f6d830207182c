"""Agreed and disputed fields of one incident, with each side's versions and the conservative summary."""

from __future__ import annotations

import datetime as dt
import random

from flashpoint.corpus.disputes import compare, version_keys
from flashpoint.model import CasualtyClaim, Claimant, Event

D = dt.date(2021, 11, 16)
TEXT_AM = "The ministry said Azerbaijani forces attacked; one serviceman was killed and 12 were captured."
TEXT_AZ1 = "The ministry said Armenian units opened fire first; two soldiers were killed."
TEXT_AZ2 = "Updating its figures, the ministry said seven soldiers were killed and ten wounded."
TEXT_WIRE = "Fighting broke out on the border on Tuesday, the agency reported."


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return (start, start + len(words))


def ev(doc: str, side: str | None, name: str, **kw: object) -> Event:
    base: dict[str, object] = dict(event_date=D, time_precision=1, event_type="Battles", sub_event_type="Armed clash",
                                   location="Sotk", claimant=Claimant(name=name, side=side))
    base.update(kw)
    return Event(id=f"{doc}-1", document_id=doc, **base)  # type: ignore[arg-type]


def incident() -> tuple[list[Event], dict[str, dt.date | None], dict[str, str]]:
    am = ev("am", "Armenia", "Ministry of Defence of Armenia", initiator="Military Forces of Azerbaijan (2003-)",
            fatalities=1, captured=12,
            evidence={"initiator": [span(TEXT_AM, "Azerbaijani forces")], "fatalities": [span(TEXT_AM, "one serviceman")],
                      "captured": [span(TEXT_AM, "12 were captured")]})
    az1 = ev("az1", "Azerbaijan", "Ministry of Defence of Azerbaijan", initiator="Military Forces of Armenia (2018-)",
             fatalities=2, location="Kalbajar", evidence={"fatalities": [span(TEXT_AZ1, "two soldiers")]})
    az2 = ev("az2", "Azerbaijan", "Ministry of Defence of Azerbaijan", initiator="Military Forces of Armenia",
             fatalities=7, injured=10, location="Kalbajar",
             evidence={"fatalities": [span(TEXT_AZ2, "seven soldiers")], "injured": [span(TEXT_AZ2, "ten wounded")]})
    wire = ev("wire", None, "the agency", location="Sotk")
    published = {"am": D, "az1": D, "az2": D + dt.timedelta(days=1), "wire": D}
    texts = {"am": TEXT_AM, "az1": TEXT_AZ1, "az2": TEXT_AZ2, "wire": TEXT_WIRE}
    return [am, az2, az1, wire], published, texts


def test_initiator_is_disputed_and_each_version_attributed_with_evidence() -> None:
    events, published, texts = incident()
    c = compare(events, published=published, texts=texts)
    initiator = c.disputed["initiator"]
    by_side = {v.side: v for v in initiator if not v.superseded}
    assert set(by_side) == {"Armenia", "Azerbaijan"}          # the wire names no initiator: not a version
    assert by_side["Armenia"].value.startswith("Military Forces of Azerbaijan")
    assert by_side["Armenia"].evidence[0]["text"] == "Azerbaijani forces"
    assert by_side["Armenia"].document_id == "am"


def test_a_sides_later_figure_supersedes_its_earlier_one_and_both_are_kept() -> None:
    events, published, texts = incident()
    c = compare(events, published=published, texts=texts)
    killed = {(v.side, v.value): v for v in c.disputed["fatalities"]}
    assert killed[("Azerbaijan", 2)].superseded and not killed[("Azerbaijan", 7)].superseded
    assert not killed[("Armenia", 1)].superseded
    assert killed[("Azerbaijan", 7)].evidence[0]["text"] == "seven soldiers"


def test_summary_is_the_lowest_current_claim_and_says_so() -> None:
    events, published, texts = incident()
    c = compare(events, published=published, texts=texts)
    assert c.summary["fatalities"] == 1 and c.summary["fatalities_claimed"] == [1, 7]
    assert "conservative" in c.summary_rule and "lowest" in c.summary_rule


def test_agreed_single_and_silence() -> None:
    events, published, texts = incident()
    c = compare(events, published=published, texts=texts)
    assert c.agreed["event_date"] == "2021-11-16" and c.agreed["sub_event_type"] == "Armed clash"
    assert c.single["captured"].value == 12 and c.single["captured"].side == "Armenia"
    assert "injured" in c.single and "injured" not in c.disputed
    assert c.disputed["location"]                               # Sotk per Armenia and the wire, Kalbajar per Azerbaijan


def test_an_update_alone_is_not_a_dispute() -> None:
    events, published, _ = incident()
    az = [e for e in events if e.document_id in ("az1", "az2")]
    c = compare(az, published=published)
    assert "fatalities" not in c.disputed
    assert c.single["fatalities"].value == 7 and len(c.versions["fatalities"]) == 2


def test_same_actor_with_or_without_regime_period_is_one_claim() -> None:
    a = ev("a", "Armenia", "x", initiator="Military Forces of Azerbaijan (2003-)")
    b = ev("b", None, "wire", initiator="Military Forces of Azerbaijan")
    assert "initiator" in compare([a, b]).agreed


def test_json_shape() -> None:
    events, published, texts = incident()
    data = compare(events, published=published, texts=texts).to_dict()
    entry = data["disputed"]["fatalities"][0]
    assert {"claimant", "side", "value", "document_id", "evidence"} <= set(entry)


def test_a_vaguer_place_or_date_that_contains_the_other_is_not_a_dispute() -> None:
    fine = ev("a", "Azerbaijan", "ministry", location="Shusha", admin1="Shusha", country="Azerbaijan", geo_precision=1)
    vague = ev("b", "Russia", "peacekeepers", location="Azerbaijan", country="Azerbaijan", geo_precision=3,
               event_date=dt.date(2021, 11, 1), time_precision=3)
    c = compare([fine, vague])
    assert c.agreed["location"] == "Shusha" and c.agreed["event_date"] == "2021-11-16"
    elsewhere = ev("c", "Armenia", "ministry", location="Sotk", admin1="Gegharkunik", country="Armenia",
                   event_date=dt.date(2021, 11, 15))
    c = compare([fine, elsewhere])
    assert "location" in c.disputed and "event_date" in c.disputed


# --- casualty claims by victim side (issue 16) --------------------------------------------------

def claim(kind: str, count: int | None, victim: str, claimant_side: str, qualifier: str = "exact",
          official: bool = True) -> CasualtyClaim:
    return CasualtyClaim(kind=kind, count=count, qualifier=qualifier, victim_side=victim,
                         claimant=f"voice of {claimant_side}", claimant_side=claimant_side, official=official)


def claims_incident() -> tuple[list[Event], dict[str, dt.date | None]]:
    am1 = ev("am1", "Armenia", "MoD Armenia", casualties=[
        claim("killed", 1, "Armenia", "Armenia"), claim("killed", None, "Azerbaijan", "Armenia", "several"),
        claim("missing", 2, "Armenia", "Armenia")])
    am2 = ev("am2", "Armenia", "MoD Armenia", casualties=[
        claim("killed", 6, "Armenia", "Armenia", "revised"), claim("killed", 5, "Azerbaijan", "Armenia", "at least")])
    az = ev("az", "Azerbaijan", "MoD Azerbaijan", casualties=[
        claim("killed", 2, "Azerbaijan", "Azerbaijan"), claim("captured", 2, "Armenia", "Azerbaijan")])
    mp = ev("mp", "Armenia", "an opposition MP", casualties=[
        claim("killed", 15, "Armenia", "Armenia", "unconfirmed", official=False)])
    published = {"am1": D, "am2": D + dt.timedelta(days=1), "az": D, "mp": D + dt.timedelta(days=2)}
    return [am1, az, am2, mp], published


def test_own_dead_are_not_compared_with_the_enemys_dead() -> None:
    """Armenia's 1 (then 6) own dead and Azerbaijan's 2 own dead are different people: the only
    killed disputes are about the same victims (Azerbaijani dead 2 vs at least 5; Armenian dead 6 vs
    a lawmaker's 15)."""
    events, published = claims_incident()
    c = compare(events, published=published)
    assert "fatalities" not in c.disputed
    assert {"killed:Armenia", "killed:Azerbaijan", "captured:Armenia"} <= set(c.disputed)
    armenian = {(v.side, v.value): v for v in c.versions["killed:Armenia"]}
    assert armenian[("Armenia", 1)].superseded and not armenian[("Armenia", 6)].superseded  # revised, both kept
    assert not armenian[("Armenia (unofficial)", 15)].superseded                              # never replaces the ministry
    assert c.summary["fatalities"] == 6 + 2                                                   # summed over victim sides


def test_a_vague_claim_that_fits_is_no_dispute_and_a_revision_alone_is_none() -> None:
    am1 = ev("am1", "Armenia", "MoD Armenia", casualties=[claim("killed", None, "Azerbaijan", "Armenia", "several")])
    az = ev("az", "Azerbaijan", "MoD Azerbaijan", casualties=[claim("killed", 3, "Azerbaijan", "Azerbaijan")])
    c = compare([am1, az], published={"am1": D, "az": D})
    assert "killed:Azerbaijan" not in c.disputed and c.versions["killed:Azerbaijan"][0].value is None


def test_civilians_killed_in_different_towns_are_not_rival_counts() -> None:
    """A rebel statement's 3 civilians killed in one village and a deputy's 12 in another town are
    different people; the same town's 3 against 12 is a dispute."""
    def civ(doc: str, side: str, count: int, qualifier: str, town: str) -> Event:
        c = claim("killed", count, "Civilians (Congo)", side, qualifier)
        c.places = [town]
        return ev(doc, side, f"voice of {side}", casualties=[c])
    published = {"a": D, "b": D}
    apart = compare([civ("a", "M23", 3, "exact", "Mushaki"), civ("b", "Congo", 12, "at least", "Sake")], published=published)
    assert "killed:Civilians (Congo)" not in apart.disputed
    same = compare([civ("a", "M23", 3, "exact", "Sake"), civ("b", "Congo", 12, "at least", "Sake")], published=published)
    assert "killed:Civilians (Congo)" in same.disputed


def _random_report(rng: random.Random, i: int) -> tuple[Event, dt.date]:
    """A report drawn from few values, so that many reports repeat each other field by field."""
    side = rng.choice(("Armenia", "Azerbaijan", None))
    claims = [CasualtyClaim(kind=rng.choice(("killed", "injured", "captured", "missing")),
                            count=rng.choice((1, 3, None)), qualifier=rng.choice(("exact", "at least", "up to", "revised")),
                            victim_side=rng.choice(("Armenia", "Azerbaijan", "Civilians (Armenia)", "unidentified")),
                            claimant_side=side, official=rng.random() < 0.8, earlier=rng.random() < 0.1,
                            text=rng.choice(("3 soldiers", "several soldiers")), places=rng.choice(([], ["Sotk"])))
              for _ in range(rng.choice((0, 0, 1, 2)))]
    event = Event(id=f"e{i}", document_id=f"d{i}", claimant=Claimant(name=f"MoD {side}", side=side),
                  initiator=rng.choice((None, "Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan")),
                  fatalities=rng.choice((0, 1, 4)), injured=rng.choice((0, 2)),
                  evidence={"fatalities": [(0, 1)]} if rng.random() < 0.3 else {},
                  location=rng.choice(("Sotk", "Kut", "Armenia", None)), admin1=rng.choice(("Gegharkunik", None)),
                  country=rng.choice(("Armenia", "Azerbaijan")), latitude=rng.choice((40.2, 40.3, None)), longitude=45.9,
                  geo_precision=rng.choice((1, 2)), event_type=rng.choice(("Battles", "Explosions/Remote violence")),
                  event_date=rng.choice((D, D + dt.timedelta(days=1))), time_precision=rng.choice((1, 2)),
                  casualties=claims)
    return event, D + dt.timedelta(days=rng.choice((0, 1, 2)))


def test_the_last_report_of_each_version_key_gives_the_same_disputed_fields_as_all_reports() -> None:
    """What the store keeps of a growing incident (incident_versions): per version key, the last
    report in order. Judged on those alone, an incident has the same disputed fields."""
    rng = random.Random(5)
    checked = 0
    for trial in range(300):
        reports = [_random_report(rng, trial * 100 + i) for i in range(rng.randrange(2, 40))]
        published = {e.document_id or "": day for e, day in reports}
        last: dict[str, Event] = {}
        for event, day in reports:
            for key in version_keys(event, day):
                last[key] = event
        kept = [e for e, _ in reports if any(last[k] is e for k in version_keys(e, published[e.document_id or ""]))]
        full = compare([e for e, _ in reports], published=published)
        assert sorted(compare(kept, published=published).disputed) == sorted(full.disputed)
        checked += len(kept) < len(reports)
    assert checked > 30  # the keys did merge reports in many incidents

"""Linking: which reports are one happening, built from hand-made events."""

from __future__ import annotations

import datetime as dt
import random

from flashpoint.corpus import link
from flashpoint.model import Claimant, Event

D = dt.date(2021, 11, 16)
SOTK = (40.205, 45.939)          # a village on the Armenian side of the border
KALBAJAR = (40.105, 46.038)      # a district town on the Azerbaijani side, ~14 km away
TOVUZ = (40.992, 45.628)         # ~90 km north


def ev(doc: str, **kw: object) -> Event:
    base: dict[str, object] = dict(
        event_date=D, time_precision=1, event_type="Battles", sub_event_type="Armed clash",
        actor1="Military Forces of Azerbaijan (2003-)", actor2="Military Forces of Armenia (2018-)",
        latitude=SOTK[0], longitude=SOTK[1], geo_precision=1, country="Armenia", admin1="Gegharkunik",
        location="Sotk")
    base.update(kw)
    return Event(id=f"{doc}-1", document_id=doc, **base)  # type: ignore[arg-type]


def test_two_sides_of_one_border_clash_link_despite_reversed_actors_and_countries() -> None:
    armenia = ev("am")
    azerbaijan = ev("az", actor1="Military Forces of Armenia (2018-)", actor2="Military Forces of Azerbaijan (2003-)",
                    latitude=KALBAJAR[0], longitude=KALBAJAR[1], geo_precision=2, country="Azerbaijan",
                    admin1="Kalbajar", location="Kalbajar", sub_event_type="Shelling/artillery/missile attack",
                    event_type="Explosions/Remote violence")
    assert link.why_not(armenia, azerbaijan) is None
    assert len(link.link([armenia, azerbaijan])) == 1


def test_exact_dates_must_be_the_same_day_but_a_month_covers_its_days() -> None:
    # One-sided reports (no dyad) must name the same day; the front rule below allows a day for a dyad.
    assert link.why_not(ev("a", actor2=None), ev("b", actor2=None, event_date=D + dt.timedelta(days=1))) == "dates"
    assert link.compatible(ev("a"), ev("b", event_date=dt.date(2021, 11, 1), time_precision=3))
    assert not link.compatible(ev("a"), ev("b", event_date=dt.date(2021, 10, 30), time_precision=3))
    week = ev("b", event_date=D + dt.timedelta(days=3), time_precision=2)
    assert link.compatible(ev("a"), week)
    assert link.why_not(ev("a"), ev("b", event_date=None)) == "dates"


def test_a_range_links_with_a_day_inside_it() -> None:
    ranged = ev("b", event_date=dt.date(2021, 11, 15), end_date=dt.date(2021, 11, 17))
    assert link.compatible(ev("a"), ranged)


def test_distance_allowed_grows_with_geo_precision() -> None:
    far = dict(latitude=TOVUZ[0], longitude=TOVUZ[1], admin1="Tovuz", country="Azerbaijan", location="Tovuz")
    assert link.why_not(ev("a"), ev("b", **far)) == "places"                      # two towns 90 km apart
    assert link.compatible(ev("a", geo_precision=3), ev("b", geo_precision=3, **far))  # region-level reports
    near = dict(latitude=KALBAJAR[0], longitude=KALBAJAR[1], admin1="Kalbajar", location="Kalbajar")
    one_sided = dict(actor2=None)
    assert not link.compatible(ev("a", **one_sided), ev("b", **near, **one_sided))  # 14 km, both exact towns
    assert link.compatible(ev("a"), ev("b", geo_precision=2, **near))              # "near" allows 40 km


def test_front_rule_links_one_dyads_fighting_across_each_sides_own_places_and_a_day() -> None:
    """Issue 16: the same dyad, dated within a day, each side naming its own village (14 km apart, both
    exact towns) is one happening; the reasons say why; a third party or 90 km away is not."""
    near = dict(latitude=KALBAJAR[0], longitude=KALBAJAR[1], admin1="Kalbajar", location="Kalbajar",
                country="Azerbaijan")
    a, b = ev("a"), ev("b", event_date=D + dt.timedelta(days=1), **near)
    assert link.why_not(a, b) is None
    why = link.reasons(a, b)
    assert why[0].startswith("same dyad") and "1 day apart" in why and any("km apart" in r for r in why)
    far = dict(latitude=TOVUZ[0], longitude=TOVUZ[1], admin1="Tovuz", location="Tovuz")
    assert link.why_not(a, ev("c", **far)) == "places"
    iran = ev("d", actor1="Military Forces of Iran (1979-)", actor2="Military Forces of Azerbaijan (2003-)", **near)
    assert link.why_not(a, iran) is not None                                     # a third country is not the dyad
    assert link.why_not(a, ev("e", event_date=D + dt.timedelta(days=2), **near)) == "dates"


def test_same_admin1_links_only_when_one_place_is_not_a_town() -> None:
    a = ev("a", latitude=40.0, longitude=45.0)
    b = ev("b", latitude=40.6, longitude=45.6)   # ~85 km, same division
    assert not link.compatible(a, b)
    assert link.compatible(a, ev("b", latitude=None, longitude=None, geo_precision=3, location=None))


def test_places_without_points_link_by_name_within_a_country() -> None:
    a = ev("a", latitude=None, longitude=None, admin1=None, location="Sotk")
    assert link.compatible(a, ev("b", latitude=None, longitude=None, admin1=None, location="sotk"))
    assert not link.compatible(a, ev("b", latitude=None, longitude=None, admin1=None, location="Vardenis"))


def test_types_and_actors() -> None:
    protest = ev("b", event_type="Protests", sub_event_type="Peaceful protest", actor1="Protesters (Armenia)", actor2=None)
    assert link.why_not(ev("a"), protest) == "event types"
    others = ev("b", actor1="Military Forces of Russia (2000-)", actor2="Military Forces of Ukraine (2019-)")
    assert link.why_not(ev("a"), others) == "actors"
    unnamed = ev("b", actor1="Unidentified Armed Group (Armenia)", actor2=None)
    assert link.compatible(ev("a"), unnamed)
    police = ev("b", actor1="Police Forces of Armenia (2018-)", actor2="Military Forces of Azerbaijan (2003-)")
    assert link.compatible(ev("a"), police)


def test_events_of_one_document_share_an_incident_only_in_different_voices() -> None:
    a, b = ev("doc"), ev("doc")
    b.id = "doc-2"
    assert len(link.link([a, b])) == 2                     # the coder said: two happenings
    a.claimant = Claimant(name="Armenia's defence ministry", side="Armenia")
    b.claimant = Claimant(name="Azerbaijan's defence ministry", side="Azerbaijan")
    assert len(link.link([a, b])) == 1                     # a wire relaying both sides' versions


def test_complete_linkage_keeps_a_vague_report_from_chaining_two_days() -> None:
    day1, day2 = ev("a", actor2=None), ev("b", actor2=None, event_date=D + dt.timedelta(days=1))
    month = ev("c", actor2=None, event_date=dt.date(2021, 11, 1), time_precision=3)
    incidents = link.link([day1, day2, month])
    assert sorted(len(i) for i in incidents) == [1, 2]


def test_user_separation_is_respected() -> None:
    a, b = ev("a"), ev("b")
    assert len(link.link([a, b], cannot_link=[frozenset((a.id, b.id))])) == 2


def test_new_event_joins_the_closer_of_two_candidate_incidents() -> None:
    linker = link.Linker()
    first = linker.add(ev("a", geo_precision=3, latitude=40.0, longitude=45.0))
    other = ev("a", latitude=41.0, longitude=46.0, geo_precision=1, admin1="Tavush")
    other.id = "a-2"   # the same document reports a second clash 140 km away
    second = linker.add(other)
    assert first != second
    joined = linker.add(ev("c", latitude=41.01, longitude=46.01, geo_precision=1, admin1="Tavush"))
    assert joined == second


def test_blocking_finds_the_same_incidents_as_comparing_every_pair() -> None:
    rng = random.Random(7)
    events = []
    for i in range(400):
        events.append(ev(f"d{i}", event_date=D + dt.timedelta(days=rng.randrange(20)),
                         time_precision=rng.choice((1, 1, 1, 2, 3)), geo_precision=rng.choice((1, 2, 3)),
                         latitude=40 + rng.random() * 3, longitude=44 + rng.random() * 3,
                         admin1=rng.choice(("A", "B", "C", None))))
    blocked = link.link(events)
    # Brute force: the same greedy rule with every incident as a candidate.
    brute: dict[int, list[Event]] = {}
    for e in events:
        key = link.choose_incident(e, brute)
        if key is None:
            key = len(brute) + 1
            brute[key] = []
        brute[key].append(e)
    assert sorted(sorted(x.id for x in i) for i in blocked) == sorted(sorted(x.id for x in i) for i in brute.values())


def test_blocking_cells_reach_the_widest_radius_far_north() -> None:
    a = ev("a", latitude=69.0, longitude=33.0, geo_precision=3, admin1=None)
    b = ev("b", latitude=69.0, longitude=36.5, geo_precision=3, admin1=None)   # ~140 km east
    assert link.distance_km(69.0, 33.0, 69.0, 36.5) < 150
    assert len(link.link([a, b])) == 1


def test_one_event_per_kind_with_its_count_chooses_as_every_member_does() -> None:
    """The store judges a candidate incident on one report per ``kind_key`` with its count (the
    incident's kinds), not on every member: the choice is the same."""
    rng = random.Random(3)
    actors = ("Military Forces of Azerbaijan (2003-)", "Military Forces of Armenia (2018-)", "Civilians (Armenia)", None)

    def draw(i: int) -> Event:
        return ev(f"d{i}", event_date=D + dt.timedelta(days=rng.choice((0, 0, 1))), time_precision=rng.choice((1, 1, 2)),
                  event_type=rng.choice(("Battles", "Explosions/Remote violence", "Violence against civilians")),
                  actor1=rng.choice(actors), actor2=rng.choice(actors), geo_precision=rng.choice((1, 2)),
                  latitude=rng.choice((SOTK[0], KALBAJAR[0])), longitude=rng.choice((SOTK[1], KALBAJAR[1])))

    incidents: dict[int, list[Event]] = {}
    differing = 0
    for i in range(600):
        event = draw(i)
        kinds: dict[int, dict[str, list[Event]]] = {}
        for key, members in incidents.items():
            for m in members:
                kinds.setdefault(key, {}).setdefault(link.kind_key(m), []).append(m)
        firsts = {k: [group[0] for group in g.values()] for k, g in kinds.items()}
        counts = {k: [len(group) for group in g.values()] for k, g in kinds.items()}
        chosen = link.choose_incident(event, incidents)
        assert link.choose_incident(event, firsts, counts=counts) == chosen
        differing += sum(len(f) < len(incidents[k]) for k, f in firsts.items())
        incidents.setdefault(chosen if chosen is not None else len(incidents) + 1, []).append(event)
    assert differing > 100 and max(len(m) for m in incidents.values()) > 10

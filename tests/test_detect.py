"""Event detection: frames from the parse, the clause's status, one event per happening and place.

Every sentence here was written for these tests; each test is one failure class of issue 13.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flashpoint.extract import clause
from flashpoint.extract.dates import find_dates
from flashpoint.extract.detect import Trigger, find_triggers
from flashpoint.model import Document
from flashpoint.pipeline import default_coder


def triggers(text: str, year: int = 2024) -> list[Trigger]:
    doc = default_coder().nlp(text)
    return [t for sent in doc.sents for t in find_triggers(sent, year)]


def live(text: str, year: int = 2024) -> list[Trigger]:
    """Triggers that tell a happening (what the coder keeps)."""
    return [t for t in triggers(text, year) if t.status == clause.EVENT]


def frames_of(text: str) -> set[str]:
    return {t.frame for t in live(text)}


# ------------------------------------------------------------------ frames, not phrases


def test_firing_verb_reaches_its_target_past_a_weapon_phrase() -> None:
    found = live("The enemy fired with heavy machine guns and grenade launchers on the positions of our unit near the village.")
    assert [t.text for t in found] == ["fired"]


def test_firing_without_a_target_is_no_event() -> None:
    assert not live("The company fired forty workers last month.")


def test_passive_shells_fired_by_an_agent() -> None:
    assert {"shelling", "firing"} <= frames_of("Shells fired by the rebels landed in the market square.")


def test_grenade_launcher_is_not_a_grenade() -> None:
    assert "grenade" not in frames_of("Police seized a grenade launcher and two rifles from the house.")


def test_explosion_at_a_plant_is_an_accident() -> None:
    assert not live("An explosion at a gas plant killed three workers on the night shift.")


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("Villagers found four bodies in a ditch outside the town.", "bodies_found"),
        ("Two robbers died in a shoot-out with police at the market.", "firing"),
        ("The monitors observed 14 explosions and 20 bursts of fire near the station.", "firing"),
        ("Unknown men assassinated the district chief on his way home.", "killing"),
        ("Guards tortured a detainee at the camp, his family said.", "killing"),
        ("A sniper wounded two soldiers near the bridge.", "killing"),
        ("A man threw an explosive at the gate of the barracks.", "grenade"),
    ],
)
def test_violence_verbs_the_lexicon_lacked(text: str, frame: str) -> None:
    assert frame in frames_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "Farmers blocked the main road to the capital for several hours.",
        "Hundreds gathered in front of the town hall demanding clean water.",
        "Youths burned tyres at the junction after the arrest of a local leader.",
        "Traders chanted slogans outside the market office.",
        "Nurses walked through the town centre carrying placards about unpaid wages.",
    ],
)
def test_protests_without_a_protest_noun(text: str) -> None:
    assert "protesting" in frames_of(text)


def test_stone_pelting_is_rioting() -> None:
    assert "rioting" in frames_of("Students pelted the police with stones near the campus.")


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("Soldiers patrolled the border villages on Sunday.", "patrolling"),
        ("Police enforced the lockdown in the old city.", "patrolling"),
        ("The militia released twelve prisoners on Friday.", "patrolling"),
        ("Three officers defected to the rebel side.", "group_change"),
        ("Customs officers seized a cache of weapons at the port.", "seizing_weapons"),
    ],
)
def test_strategic_developments(text: str, frame: str) -> None:
    assert frame in frames_of(text)


def test_a_handover_without_a_shot_is_no_violence() -> None:
    assert frames_of("Government troops entered the town without a shot fired.") == {"withdrawing"}


def test_weapon_words_need_to_be_used() -> None:
    assert not live("The bomber flew to the base with four cruise missiles on board.")
    assert not live("The forces fired tear gas canisters to push the crowd back.")


@pytest.mark.parametrize(
    "text",
    [
        "The newspaper won a long legal battle over the leaked files.",
        "The opposition withdrew from the talks with the government on Friday.",
        "Nine people were killed after a tornado tore through the county.",
        "The minister signed the new budget law on Monday.",
    ],
)
def test_not_conflict_events(text: str) -> None:
    assert not live(text)


def test_event_word_modifying_another_noun_is_no_event() -> None:
    assert not live("The brigade keeps up its combat readiness and carries out combat tasks.")


# ------------------------------------------------------------------ is this a happening?


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("More than 4,000 soldiers were killed in the 2016 war.", clause.BACKGROUND),
        ("Two men were found guilty of killing a shopkeeper.", clause.BACKGROUND),
        ("The ceasefire has held since the spring.", clause.BACKGROUND),
        ("At least thirty people have been killed in the province since January.", clause.HABITUAL),
        ("The army will withdraw from the district next month.", clause.FUTURE),
        ("Troops were sent to capture the heights.", clause.FUTURE),
        ("If the rebels shell the town again, the army would respond.", clause.HYPOTHETICAL),
        ("The militia did not attack the convoy.", clause.NEGATED),
        ("The attackers failed to detonate the device at the gate.", clause.NEGATED),
    ],
)
def test_clause_status(text: str, status: str) -> None:
    found = triggers(text)
    assert found, text
    assert found[0].status == status


@pytest.mark.parametrize(
    "text",
    [
        "Rebel fighters have withdrawn from the hill town, residents said.",
        "The army has set up a base on the outskirts of the city.",
    ],
)
def test_news_lead_present_perfect_is_an_event(text: str) -> None:
    assert live(text)


# ------------------------------------------------------------------ one event per happening, per place


def code(text: str, published: dt.date, title: str | None = None) -> list:
    document = Document(id="t", text=text, title=title, published=published, source="t")
    return default_coder().code(document).events


def test_headline_and_body_are_one_event() -> None:
    text = (
        "Roadside bomb kills four soldiers in Kandahar\n"
        "A roadside bomb killed four soldiers on a patrol in Kandahar on Monday, officials said.\n"
    )
    events = code(text, dt.date(2024, 3, 5), title="Roadside bomb kills four soldiers in Kandahar")
    assert len(events) == 1
    assert events[0].fatalities == 4


def test_one_event_per_listed_place_with_split_fatalities() -> None:
    text = "Artillery shelling killed six civilians in Kherson and Nikopol on Tuesday, officials said.\n"
    events = code(text, dt.date(2024, 3, 6))
    assert sorted(e.location or "" for e in events) == ["Kherson", "Nikopol"]
    assert sum(e.fatalities or 0 for e in events) == 6
    assert all("split" in e.notes for e in events)


def test_a_place_and_its_region_are_not_a_list() -> None:
    text = "On 2 March 2024, gunmen threw a grenade at a checkpoint in Aden (Al Mansurah, Aden), wounding two guards.\n"
    assert len(code(text, dt.date(2024, 3, 4))) == 1


def test_page_metadata_is_never_an_event_date() -> None:
    text = "Last update: 12 March 2024. Updated 11 March 2024. Troops shelled the town on 3 March 2024."
    dates = find_dates(text, dt.date(2024, 3, 12))
    assert [m.date for m in dates if not m.metadata] == [dt.date(2024, 3, 3)]
    assert len([m for m in dates if m.metadata]) == 2


def test_a_daily_bulletin_tells_of_the_day_before() -> None:
    text = "As of 08:00 on 9 May, over the past day the enemy fired mortars at our positions near the village of Avdiivka.\n"
    events = code(text, dt.date(2024, 5, 9))
    assert [e.event_date for e in events] == [dt.date(2024, 5, 8)]


def test_the_sharpest_date_of_a_sentence_is_the_events() -> None:
    text = "The body of a driver who was kidnapped last week was found outside the town of Kisumu on Monday.\n"
    events = code(text, dt.date(2024, 5, 9))
    assert [e.event_date for e in events] == [dt.date(2024, 5, 6)]

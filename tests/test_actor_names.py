"""ACLED's actor forms: regime periods, external forces, localised generic actors, named groups
for generic words. Sentences written by us."""

from __future__ import annotations

from flashpoint.extract import actors
from flashpoint.extract.mentions import Mention
from flashpoint.resolve import events


def test_state_forces_carry_the_regime_period_and_unit() -> None:
    guards = actors.normalise_actor("Armenian border guards")
    assert guards is not None and actors.acled_name(guards) == "Military Forces of Armenia (2018-) Border Guard"
    police = actors.normalise_actor("the Kenyan police")
    assert police is not None and actors.acled_name(police) == "Police Forces of Kenya (2022-)"
    crowd = actors.normalise_actor("protesters", default_country="Chile")
    assert crowd is not None and actors.acled_name(crowd) == "Protesters (Chile)"
    assert actors.strip_period("Military Forces of Armenia (2018-) Border Guard") == "Military Forces of Armenia"


def test_a_user_period_wins_over_the_shipped_one() -> None:
    mine = actors.Dictionary(periods=(("Military Forces of Kenya", "(1999-)"),))
    soldiers = actors.normalise_actor("Kenyan soldiers")
    assert soldiers is not None
    with actors.using(mine):
        assert actors.acled_name(soldiers) == "Military Forces of Kenya (1999-)"
    assert actors.acled_name(soldiers) == "Military Forces of Kenya (2022-)"


def test_foreign_state_forces_are_external() -> None:
    assert events._external("Military Forces of Russia (2000-)", 1, "Ukraine") == 8
    assert events._external("Military Forces of Ukraine (2019-)", 1, "Ukraine") == 1
    assert events._external("Military Forces of the Democratic Republic of Congo (2019-)", 1,
                            "Democratic Republic of Congo") == 1
    assert events._external("Protesters (Ukraine)", 6, "Ukraine") == 6


def test_actors_named_without_a_country_take_the_events() -> None:
    assert events._localised("Civilians", "Mali") == "Civilians (Mali)"
    assert events._localised("Military Forces", "Mali") == "Military Forces of Mali (2021-)"
    assert events._localised("Protesters (United States)", "Lebanon") == "Protesters (Lebanon)"


def _mention(text: str, agent: str | None, target: str | None) -> Mention:
    m = Mention(sent_index=0, sent_span=(0, len(text)), sub_event_type="Attack", score=1.0, triggers=[],
                is_reference=False)
    m.agent = actors.normalise_actor(agent, default_country="Somalia") if agent else None
    m.target = actors.normalise_actor(target, default_country="Somalia") if target else None
    return m


def test_a_generic_doer_is_the_group_the_sentence_names() -> None:
    text = "Gunmen stormed a police post outside Afgooye; Al Shabaab said its fighters carried it out."
    m = events._named_for_generic(_mention(text, "gunmen", "police"), text)
    assert m.agent is not None and m.agent.name == "Al Shabaab"
    assert m.target is not None and m.target.kind == "police"


def test_a_generic_doer_stays_generic_when_no_or_several_groups_are_named() -> None:
    plain = "Gunmen stormed a police post outside Afgooye overnight."
    assert events._named_for_generic(_mention(plain, "gunmen", None), plain).agent.kind == "unidentified"  # type: ignore[union-attr]
    two = "Gunmen attacked the camp; both Al Shabaab and the Islamic State have fighters nearby, and ISWAP too."
    m = events._named_for_generic(_mention(two, "gunmen", None), two)
    assert m.agent is not None and m.agent.kind == "unidentified"


def test_actor2_is_not_actor1_under_another_form() -> None:
    assert events._same_actor("Military Forces of Armenia (2018-)", "Military Forces of Armenia (2018-) Border Guard")
    assert not events._same_actor("Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan (2003-)")


def _explosive(text: str, agent: str, agent_span: tuple[int, int]) -> Mention:
    m = Mention(sent_index=0, sent_span=(0, len(text)), sub_event_type="Remote explosive/landmine/IED", score=1.0,
                triggers=[], is_reference=False)
    m.agent, m.agent_span = actors.normalise_actor(agent, default_country="Kenya"), agent_span
    return m


def test_who_struck_a_mine_was_hit_by_it() -> None:
    text = "A police truck struck a roadside bomb outside Wajir on Monday."
    m = events._victim_of_explosive(_explosive(text, "police", (0, 14)), text)
    assert m.agent is None and m.target is not None and m.target.kind == "police"
    planted = "Police said they defused a bomb near the market in Wajir."
    kept = events._victim_of_explosive(_explosive(planted, "police", (0, 6)), planted)
    assert kept.agent is not None and kept.agent.kind == "police"


def test_the_group_a_story_blames_is_the_doer_when_the_parse_found_none() -> None:
    from flashpoint.model import Event

    text = "Two soldiers died when their truck hit a mine laid by suspected Al Shabaab fighters near Mandera."
    b = events._Building(Event(id="e", document_id="d", sub_event_type="Remote explosive/landmine/IED",
                               event_type="Explosions/Remote violence"))
    b.mentions.append(_explosive(text, "soldiers", (4, 12)))
    events._named_perpetrator(b.event, b, text)
    assert b.event.actor1 == "Al Shabaab"
    target_only = "Troops shelled Al Shabaab positions near Mandera."
    c = events._Building(Event(id="f", document_id="d", sub_event_type="Shelling/artillery/missile attack",
                               event_type="Explosions/Remote violence"))
    c.mentions.append(_explosive(target_only, "troops", (0, 6)))
    events._named_perpetrator(c.event, c, target_only)
    assert c.event.actor1 is None


def test_nationality_from_the_text_survives_localisation() -> None:
    assert events._localised("Unidentified Armed Group (Kenya)", "Kenya", "Somalia") == "Unidentified Armed Group (Somalia)"
    assert events._localised("Civilians (Azerbaijan)", "Azerbaijan", "Armenia") == "Civilians (Armenia)"
    # Crowds are named by where they gather, unless only the country of the event is known.
    assert events._localised("Protesters (Lebanon)", "France", "Lebanon", precise=True) == "Protesters (France)"
    assert events._localised("Protesters (Lebanon)", "United States", "Lebanon", precise=False) == "Protesters (Lebanon)"


def test_a_document_defines_acronyms_for_the_groups_it_names() -> None:
    text = "Monitors verified a raid by the National Salvation Front (NAS) on an army post. Two NAS fighters died."
    assert actors.normalise_actor("NAS fighters", default_country="South Sudan").kind == "unidentified"  # type: ignore[union-attr]
    with actors.reading(text):
        found = actors.normalise_actor("NAS fighters", default_country="South Sudan")
        restated = actors.normalise_actor("the National Salvation Front (NAS)")
    assert found is not None and found.name == "NAS: National Salvation Front"
    assert restated is not None and restated.name == "NAS: National Salvation Front"


def test_whose_weapons_they_were_says_who_acted() -> None:
    text = "A rocket fired from an Iranian drone hit a fuel depot near the port, witnesses said."
    found = actors.state_weapons_in(text)
    assert [a.name for _, a in found] == ["Military Forces of Iran"]
    assert actors.state_weapons_in("Iranian officials said the depot was empty.") == []


def test_armed_men_disguised_as_state_forces_are_not_state_forces() -> None:
    for phrase in ("gunmen posing as police officers", "attackers dressed as soldiers", "armed men wearing army uniforms"):
        actor = actors.normalise_actor(phrase, default_country="Iraq")
        assert actor is not None and actor.name == "Unidentified Armed Group (Iraq)", (phrase, actor)


def test_who_repelled_an_attack_was_attacked() -> None:
    from flashpoint.model import Document
    from flashpoint.pipeline import Coder, default_coder

    base = default_coder()
    coder = Coder(nlp=base.nlp, gazetteer=base.gazetteer)
    text = "On 3 March 2024, Nigerian troops repelled an attack by Boko Haram fighters on their base near Monguno."
    events = coder.code(Document(id="r", text=text)).events
    assert events and events[0].actor1 == "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"
    assert events[0].actor2 == "Military Forces of Nigeria (2023-)"

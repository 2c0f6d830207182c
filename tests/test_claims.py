"""Casualty claims by side (issue 16), through the real coder on short reports written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from flashpoint.extract.claims import acled_fatalities, settle_sides
from flashpoint.model import CasualtyClaim, Document, Event

pytestmark = pytest.mark.slow

PUBLISHED = dt.date(2024, 3, 5)


def coded(text: str, outlet: str = "Northern Ministry of Defence") -> list[Event]:
    from flashpoint.pipeline import code_documents

    (result,) = code_documents([Document(id="t", text=text, outlet=outlet, published=PUBLISHED)])
    return list(result.events)  # type: ignore[union-attr]


def claims(text: str, outlet: str = "Northern Ministry of Defence") -> list[CasualtyClaim]:
    return [c for e in coded(text, outlet) for c in e.casualties]


def test_vague_amounts_stay_vague_and_missing_is_not_captured() -> None:
    found = claims("The Armenian Ministry of Defence said Azerbaijani forces shelled Armenian positions near Tegh "
                   "on March 4. A number of Armenian servicemen were taken prisoner. The whereabouts of two "
                   "servicemen are being established.")
    by_kind = {c.kind: c for c in found}
    assert by_kind["captured"].count is None and by_kind["captured"].qualifier == "several"
    assert by_kind["missing"].count == 2 and by_kind["missing"].victim_side == "Armenia"


def test_a_claim_about_the_enemy_stays_about_the_enemy() -> None:
    found = claims("The Armenian Ministry of Defence said Azerbaijani forces attacked Armenian positions near Tegh "
                   "on March 4. Two Armenian servicemen were killed. At least five servicemen of the adversary "
                   "were killed.")
    sides = {(c.victim_side, c.count, c.qualifier) for c in found if c.kind == "killed"}
    assert ("Armenia", 2, "exact") in sides and ("Azerbaijan", 5, "at least") in sides


def test_new_casualty_words_and_revised_tolls() -> None:
    found = claims("The army said fighting with M23 rebels broke out near Sake on March 4. Twelve M23 terrorists "
                   "were neutralised and three soldiers fell on the field of honour. The number of soldiers "
                   "killed has risen to four.", outlet="Armed Forces of the Democratic Republic of the Congo")
    killed = {(c.count, c.qualifier) for c in found if c.kind == "killed"}
    assert (12, "exact") in killed and (3, "exact") in killed and (4, "revised") in killed


def test_a_lawmakers_figure_is_unofficial_and_a_past_war_toll_never_attaches() -> None:
    events = coded("An opposition lawmaker said on Monday that 15 soldiers were killed in the clash with "
                   "Azerbaijani forces near Tegh on March 4. The two countries fought a war in 2020 in which "
                   "more than 6,500 people were killed.", outlet="Yerevan Daily")
    found = [c for e in events for c in e.casualties]
    assert all(c.count != 6500 for c in found)
    fifteen = [c for c in found if c.count == 15]
    assert fifteen and not fifteen[0].official and fifteen[0].qualifier == "unconfirmed"


def test_acled_fatalities_sum_each_victim_side_once_and_say_how() -> None:
    claims_ = [CasualtyClaim("killed", 1, victim_side="Armenia", claimant="MoD", claimant_side="Armenia"),
               CasualtyClaim("killed", None, "several", victim_side="Azerbaijan", claimant="MoD",
                             claimant_side="Armenia"),
               CasualtyClaim("killed", 70, "up to", victim_side="Azerbaijan", claimant="MP", claimant_side="Armenia",
                             combined_with="injured")]
    total, rule = acled_fatalities(claims_)
    assert total == 1                       # not 10 for "several", not 70 for "up to 70 killed and wounded"
    assert "Armenia" in rule and "vague, not counted" in rule


def test_enemy_and_own_are_settled_against_the_dyad() -> None:
    enemy = CasualtyClaim("killed", 4, victim_side="enemy", claimant_side="Kyrgyzstan")
    own = CasualtyClaim("injured", 2, victim_side=None, claimant_side="Kyrgyzstan")
    settle_sides([enemy, own], ("Military Forces of Tajikistan (1991-)", "Military Forces of Kyrgyzstan (1991-)"), None)
    assert enemy.victim_side == "Tajikistan" and own.victim_side == "Kyrgyzstan"

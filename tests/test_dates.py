"""Date mentions: explicit forms, ranges, relative and anaphoric phrases, year inference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flashpoint.extract.dates import DateMention, find_dates, inherit

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"
PUB = dt.date(2021, 11, 20)  # a Saturday
D = dt.date


def one(text: str, published: dt.date | None = PUB) -> DateMention:
    mentions = find_dates(text, published)
    assert len(mentions) == 1, [m.text for m in mentions]
    return mentions[0]


@pytest.mark.parametrize(("text", "span", "date"), [
    ("On November 16, 2021, troops advanced.", "November 16, 2021", D(2021, 11, 16)),
    ("Troops advanced on 16 November 2021.", "16 November 2021", D(2021, 11, 16)),
    ("Fighting resumed on Tuesday, 16 November 2021, at dawn.", "Tuesday, 16 November 2021", D(2021, 11, 16)),
    ("the 16th of November 2021", "16th of November 2021", D(2021, 11, 16)),
    ("on NOVEMBER 16, 2021", "NOVEMBER 16, 2021", D(2021, 11, 16)),
    ("Sept. 3, 2020", "Sept. 3, 2020", D(2020, 9, 3)),
    ("reported on 2021-11-16 by", "2021-11-16", D(2021, 11, 16)),
    ("dated 16/11/2021.", "16/11/2021", D(2021, 11, 16)),
    ("dated 16.11.2021.", "16.11.2021", D(2021, 11, 16)),
    ("dated 03/04/2021.", "03/04/2021", D(2021, 4, 3)),  # day first
    ("dated 11/16/2021.", "11/16/2021", D(2021, 11, 16)),  # month first only when day first is impossible
])
def test_explicit_dates_with_a_year(text: str, span: str, date: dt.date) -> None:
    m = one(text)
    assert (m.text, m.date, m.end_date, m.precision) == (span, date, None, 1)
    assert text[m.start:m.end] == span
    assert not (m.relative or m.anaphoric or m.year_inferred)


@pytest.mark.parametrize(("text", "span", "date"), [
    ("The post was shelled on 16 Nov. and again later.", "16 Nov.", D(2021, 11, 16)),
    ("The post was shelled on Nov. 16 and again later.", "Nov. 16", D(2021, 11, 16)),
    ("Police said on Monday (Nov. 15) that", "Monday (Nov. 15)", D(2021, 11, 15)),
    ("on Monday, November 15, gunmen", "Monday, November 15", D(2021, 11, 15)),
    ("November 16th", "November 16th", D(2021, 11, 16)),
])
def test_dates_without_a_year_take_the_publication_year(text: str, span: str, date: dt.date) -> None:
    m = one(text)
    assert (m.text, m.date, m.precision, m.year_inferred) == (span, date, 1, True)


@pytest.mark.parametrize(("text", "span", "first", "last", "precision"), [
    ("On November 6-7, the minister visited", "November 6-7", D(2021, 11, 6), D(2021, 11, 7), 2),
    ("clashes on 6–7 November 2021 near", "6–7 November 2021", D(2021, 11, 6), D(2021, 11, 7), 2),
    ("fighting between 3 and 5 May killed", "between 3 and 5 May", D(2021, 5, 3), D(2021, 5, 5), 2),
    ("from 30 October to 2 November 2021", "from 30 October to 2 November 2021", D(2021, 10, 30), D(2021, 11, 2), 2),
    ("from October 30 to November 2, 2021", "from October 30 to November 2, 2021", D(2021, 10, 30), D(2021, 11, 2), 2),
    ("shelled on the night of 15-16 November", "on the night of 15-16 November", D(2021, 11, 15), D(2021, 11, 16), 1),
])
def test_ranges_keep_first_and_last_day(text: str, span: str, first: dt.date, last: dt.date,
                                        precision: int) -> None:
    m = one(text)
    assert (m.text, m.date, m.end_date, m.precision) == (span, first, last, precision)


def test_a_range_across_the_new_year_ends_in_the_next_year() -> None:
    m = one("between 30 December and 2 January", D(2022, 1, 5))
    assert (m.date, m.end_date) == (D(2021, 12, 30), D(2022, 1, 2))


@pytest.mark.parametrize(("text", "span", "first", "last"), [
    ("Attacks rose in early November.", "early November", D(2021, 11, 1), D(2021, 11, 10)),
    ("Attacks rose in mid-November.", "mid-November", D(2021, 11, 11), D(2021, 11, 20)),
    ("Attacks rose at the end of October.", "the end of October", D(2021, 10, 21), D(2021, 10, 31)),
    ("Attacks rose in November 2021.", "November 2021", D(2021, 11, 1), D(2021, 11, 30)),
    ("The village was shelled in March.", "March", D(2021, 3, 1), D(2021, 3, 31)),
])
def test_months_have_precision_3(text: str, span: str, first: dt.date, last: dt.date) -> None:
    m = one(text)
    assert (m.text, m.date, m.end_date, m.precision) == (span, first, last, 3)


@pytest.mark.parametrize(("text", "date", "end", "precision"), [
    ("Two were killed yesterday.", D(2021, 11, 19), None, 1),
    ("Two were killed on Tuesday.", D(2021, 11, 16), None, 1),
    ("Two were killed last Tuesday.", D(2021, 11, 16), None, 1),
    ("Two were killed on Saturday.", D(2021, 11, 20), None, 1),  # published on a Saturday: that day
    ("Two were killed last Saturday.", D(2021, 11, 13), None, 1),
    ("Two were killed two days ago.", D(2021, 11, 18), None, 1),
    ("Two were killed the day before yesterday.", D(2021, 11, 18), None, 1),
    ("Two were killed overnight.", D(2021, 11, 19), D(2021, 11, 20), 1),
    ("Clashes have continued since Sunday.", D(2021, 11, 14), D(2021, 11, 20), 2),
    ("Clashes broke out earlier this week.", D(2021, 11, 15), D(2021, 11, 20), 2),
    ("Clashes broke out last week.", D(2021, 11, 8), D(2021, 11, 14), 2),
    ("Clashes broke out last month.", D(2021, 10, 1), D(2021, 10, 31), 3),
])
def test_relative_dates_resolve_against_publication(text: str, date: dt.date, end: dt.date | None,
                                                     precision: int) -> None:
    m = one(text)
    assert m.relative
    assert (m.date, m.end_date, m.precision) == (date, end, precision)


def test_relative_dates_without_publication_stay_unknown() -> None:
    m = one("Two were killed yesterday.", None)
    assert m.relative and m.date is None


@pytest.mark.parametrize(("text", "offset"), [
    ("On the same day, troops", 0), ("That day, troops", 0), ("the same night the post", 0),
    ("Later that day, a second", 0), ("The next day, a second", 1), ("Two days later, a second", 2),
    ("the previous day", -1),
])
def test_anaphoric_phrases_are_flagged_not_dated(text: str, offset: int) -> None:
    m = one(text)
    assert m.anaphoric and m.date is None and m.offset == offset


def test_inherit_takes_the_previous_date_plus_offset() -> None:
    first, same, nxt = find_dates("On 19 November 2021 a post was hit. On the same day X. The next day Y.", None)
    assert inherit(same, first).date == D(2021, 11, 19)
    assert inherit(nxt, first).date == D(2021, 11, 20)
    assert inherit(same, None) is same


@pytest.mark.parametrize("text", [
    "Armenia attempted to deploy 60 soldiers on the road.",
    "In order to compensate for the heavy defeat in the 44-day war",
    "7 servicemen became martyrs and 10 soldiers were injured.",
    "The shelling began at 10:30 and lasted until 22:40.",
    "the shop may 5 times a year close",
    "the November Revolution",
    "3/4 of the houses; 1,200 troops; 2021 budget",
])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text, PUB) == []


def test_a_count_after_a_month_is_not_its_day() -> None:
    m = one("In May 12 people were killed.")
    assert (m.text, m.precision) == ("May", 3)
    assert one("On May 12 people were killed.").date == D(2021, 5, 12)


def test_impossible_dates_are_dropped() -> None:
    assert find_dates("on 31 November and on 2021-02-30", PUB) == []


def test_year_from_the_nearest_preceding_explicit_year() -> None:
    text = "On 3 May 2019 a convoy was hit. On 7 May another. In 2020 nothing. On 5 June 2020 a raid. On 9 June more."
    dates = [m.date for m in find_dates(text, D(2023, 1, 1))]
    assert dates == [D(2019, 5, 3), D(2019, 5, 7), D(2020, 6, 5), D(2020, 6, 9)]


def test_context_year_crosses_new_year_forward() -> None:
    dates = [m.date for m in find_dates("On December 30, 2021 X. On January 2 Y.", None)]
    assert dates == [D(2021, 12, 30), D(2022, 1, 2)]


def test_publication_year_never_puts_a_date_well_after_publication() -> None:
    assert one("on 28 December", D(2022, 1, 3)).date == D(2021, 12, 28)
    assert one("talks on 25 November", PUB).date == D(2021, 11, 25)  # a few days ahead is allowed


def test_no_year_and_no_publication_gives_no_date() -> None:
    m = one("On November 13, a grenade was thrown.", None)
    assert m.date is None and m.text == "November 13" and not m.year_inferred


def test_context_year_argument_and_start_offset() -> None:
    mentions = find_dates("On 13 November a grenade was thrown.", None, start=100, context_year=2021)
    assert [(x.start, x.end, x.date) for x in mentions] == [(103, 114, D(2021, 11, 13))]


def test_seed_dates() -> None:
    text = SEED.read_text(encoding="utf-8")
    found = [(m.text, m.date, m.end_date, m.precision, m.anaphoric, m.year_inferred)
             for m in find_dates(text, None)]
    assert found == [
        ("November 16, 2021", D(2021, 11, 16), None, 1, False, False),
        ("November 16, 2021", D(2021, 11, 16), None, 1, False, False),
        ("November 6-7", D(2021, 11, 6), D(2021, 11, 7), 2, False, True),
        ("November 19, 2021", D(2021, 11, 19), None, 1, False, False),
        ("On the same day", None, None, 1, True, False),
        ("November 13", D(2021, 11, 13), None, 1, False, True),
    ]
    for m in find_dates(text, None):
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize(("text", "date", "end", "precision"), [
    ("Shots were heard this morning.", D(2021, 11, 20), None, 1),
    ("Shots were heard earlier today.", D(2021, 11, 20), None, 1),
    ("Shots were heard yesterday evening.", D(2021, 11, 19), None, 1),
    ("Shots were heard last night.", D(2021, 11, 19), None, 1),
    ("Shots were heard a month ago.", D(2021, 10, 20), None, 3),
    ("Shots were heard three weeks ago.", D(2021, 10, 30), None, 2),
])
def test_more_relative_forms(text: str, date: dt.date, end: dt.date | None, precision: int) -> None:
    m = one(text)
    assert m.relative and (m.date, m.end_date, m.precision) == (date, end, precision)


def test_weekend_before_a_monday_paper() -> None:
    m = one("Protests spread over the weekend.", D(2021, 11, 22))
    assert (m.date, m.end_date, m.precision) == (D(2021, 11, 20), D(2021, 11, 21), 2)


def test_lower_case_weekday_and_month_words_are_not_dates() -> None:
    assert find_dates("a monday-to-friday job; they may 3 times march", PUB) == []


def test_month_first_numeric_date_when_day_first_is_impossible() -> None:
    assert one("dated 11/26/2021.").date == D(2021, 11, 26)

"""Russian date mentions: the same DateMentions as English, read from Russian words, offsets in the Russian text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flashpoint.extract.dates import DateMention, find_dates, inherit

PUB = dt.date(2021, 11, 20)  # a Saturday
D = dt.date
RU = Path(__file__).resolve().parent / "fixtures" / "ru" / "articles.jsonl"


def one(text: str, published: dt.date | None = PUB) -> DateMention:
    mentions = find_dates(text, published, language="ru")
    assert len(mentions) == 1, [m.text for m in mentions]
    m = mentions[0]
    assert text[m.start:m.end] == m.text
    return m


@pytest.mark.parametrize(("text", "span", "date", "end", "precision"), [
    ("16 ноября армия пошла", "16 ноября", D(2021, 11, 16), None, 1),
    ("16 ноября 2021 года армия", "16 ноября 2021 года", D(2021, 11, 16), None, 1),
    ("16 ноября 2021 г. армия", "16 ноября 2021 г.", D(2021, 11, 16), None, 1),
    ("Это было 3 Мая 2019 года.", "3 Мая 2019 года", D(2019, 5, 3), None, 1),
    ("6–7 ноября министр", "6–7 ноября", D(2021, 11, 6), D(2021, 11, 7), 2),
    ("6-7 ноября министр", "6-7 ноября", D(2021, 11, 6), D(2021, 11, 7), 2),
    ("с 6 по 8 ноября шли бои", "с 6 по 8 ноября", D(2021, 11, 6), D(2021, 11, 8), 2),
    ("с 30 октября по 5 ноября погибли", "с 30 октября по 5 ноября", D(2021, 10, 30), D(2021, 11, 5), 2),
    ("в ночь на 16 ноября обстреляли", "в ночь на 16 ноября", D(2021, 11, 15), D(2021, 11, 16), 1),
    ("в ночь с 15 на 16 ноября обстреляли", "в ночь с 15 на 16 ноября", D(2021, 11, 15), D(2021, 11, 16), 1),
    ("в ночь на 1 марта 2020 года", "в ночь на 1 марта 2020 года", D(2020, 2, 29), D(2020, 3, 1), 1),
    ("в ноябре 2021 года", "в ноябре 2021 года", D(2021, 11, 1), D(2021, 11, 30), 3),
    ("в начале ноября", "в начале ноября", D(2021, 11, 1), D(2021, 11, 10), 3),
    ("в конце октября", "в конце октября", D(2021, 10, 21), D(2021, 10, 31), 3),
    ("в 2020 году погибли", "в 2020 году", D(2020, 1, 1), D(2020, 12, 31), 3),
    ("16.11.2021 в 14:00", "16.11.2021", D(2021, 11, 16), None, 1),
    ("накануне, 16 ноября, около 18:40", "накануне, 16 ноября", D(2021, 11, 16), None, 1),
])
def test_explicit_russian_dates(text: str, span: str, date: dt.date, end: dt.date | None, precision: int) -> None:
    m = one(text)
    assert (m.text, m.date, m.end_date, m.precision) == (span, date, end, precision)
    assert not (m.relative or m.anaphoric)


def test_a_year_less_date_takes_the_year_of_the_last_explicit_year() -> None:
    text = "19 ноября 2020 года обстреляли город. 13 ноября там же бросили гранату."
    first, second = find_dates(text, dt.date(2021, 11, 20), language="ru")
    assert second.date == D(2020, 11, 13) and second.year_inferred


@pytest.mark.parametrize(("text", "date", "end", "precision"), [
    ("сегодня утром", D(2021, 11, 20), None, 1),
    ("вчера вечером", D(2021, 11, 19), None, 1),
    ("позавчера", D(2021, 11, 18), None, 1),
    ("Накануне в Горловке", D(2021, 11, 19), None, 1),
    ("в понедельник", D(2021, 11, 15), None, 1),
    ("во вторник утром", D(2021, 11, 16), None, 1),
    ("в среду", D(2021, 11, 17), None, 1),
    ("в пятницу", D(2021, 11, 19), None, 1),
    ("в субботу", D(2021, 11, 20), None, 1),  # the paper's own day
    ("в минувшую субботу", D(2021, 11, 13), None, 1),
    ("в воскресенье", D(2021, 11, 14), None, 1),
    ("в ночь на субботу", D(2021, 11, 19), D(2021, 11, 20), 1),
    ("минувшей ночью", D(2021, 11, 19), D(2021, 11, 20), 1),
    ("за прошедшие сутки", D(2021, 11, 19), None, 1),
    ("два дня назад", D(2021, 11, 18), None, 1),
    ("неделю назад", D(2021, 11, 13), None, 2),
    ("на прошлой неделе", D(2021, 11, 8), D(2021, 11, 14), 2),
    ("в прошлом месяце", D(2021, 10, 1), D(2021, 10, 31), 3),
])
def test_relative_russian_dates(text: str, date: dt.date, end: dt.date | None, precision: int) -> None:
    m = one(text)
    assert (m.date, m.end_date, m.precision, m.relative) == (date, end, precision, True)


def test_relative_dates_need_a_publication_date() -> None:
    m = one("вчера", None)
    assert m.date is None and m.relative


@pytest.mark.parametrize(("text", "offset"), [
    ("в тот же день", 0), ("В тот же день", 0), ("тем же вечером", 0), ("на следующий день", 1),
    ("на другой день", 1), ("днём ранее", -1), ("днем ранее", -1), ("через два дня", 2), ("через 3 дня", 3),
    ("спустя пять дней", 5), ("двумя днями ранее", -2),
])
def test_anaphoric_russian_dates(text: str, offset: int) -> None:
    m = one(text)
    assert m.anaphoric and m.date is None and m.offset == offset


def test_anaphora_inherit_the_previous_date() -> None:
    text = "19 ноября подразделения обстреляли технику. В тот же день армия выдвинула солдат."
    explicit, same_day = find_dates(text, PUB, language="ru")
    assert inherit(same_day, explicit).date == D(2021, 11, 19)


def test_nakanune_after_an_earlier_date_is_the_day_before_it() -> None:
    text = "13 ноября бросили гранату. Накануне армия обстреляла село."
    explicit, eve = find_dates(text, PUB, language="ru")
    assert eve.anaphoric and eve.offset == -1
    assert inherit(eve, explicit).date == D(2021, 11, 12)


@pytest.mark.parametrize("text", [
    "накануне выборов прошли митинги",  # the eve of an event, not a date
    "Октябрьский район",  # a month-like word in a name
    "около 15 снарядов",  # a count
    "в 18:40 открыли огонь",  # a time of day
    "май",  # a bare month word with no preposition, modifier or year
])
def test_no_date(text: str) -> None:
    assert find_dates(text, PUB, language="ru") == []


def test_counts_in_words_and_vague_counts() -> None:
    found = find_dates("ровно неделю назад; через несколько дней; через двое суток", PUB, language="ru")
    assert [m.text for m in found] == ["неделю назад"]  # «несколько» is no number; «суток» no anaphora here


def test_offsets_are_shifted_into_the_document() -> None:
    [m] = find_dates("16 ноября", PUB, start=100, language="ru")
    assert (m.start, m.end) == (100, 109)


def test_page_dates_are_metadata() -> None:
    m = one("Обновлено: 19 ноября")
    assert m.metadata


def test_english_is_the_default_and_unchanged() -> None:
    [m] = find_dates("On November 16, 2021, troops advanced.", PUB)
    assert m.date == D(2021, 11, 16)
    assert find_dates("On November 16, 2021, troops advanced.", PUB, language="en")[0].date == m.date
    assert find_dates("16 ноября", PUB) == []  # English rules do not read Russian months


def test_every_gold_event_date_of_the_russian_fixtures_is_found() -> None:
    """Each Russian gold event's date is among the dates the text yields (anaphora inherited)."""
    for line in RU.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        published = dt.date.fromisoformat(article["published"])
        found, previous = set(), None
        for m in find_dates(article["text"], published, language="ru"):
            resolved = inherit(m, previous) if m.anaphoric else m
            if resolved.date is not None:
                found.add(resolved.date)
                if resolved.precision == 1:
                    previous = resolved
        for event in article["events"]:
            assert dt.date.fromisoformat(event["event_date"]) in found, (article["id"], event["event_date"])

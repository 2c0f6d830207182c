"""The Russian coding path (issue 20): the parse, the Russian stages, and the whole coder.

The short sentences here were written for these tests. The retelling of the sample statement is
the team's Russian fixture ru-001 (tests/fixtures/ru/articles.jsonl): it must be coded with the
events, figures and claimant of the English statement (tests/test_seed.py).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flashpoint.extract.ru.casualties import find_casualties
from flashpoint.extract.ru.detect import find_triggers
from flashpoint.model import CodedDocument, Document
from flashpoint.nlp.ru import parser
from flashpoint.pipeline import Coder

ROOT = Path(__file__).resolve().parents[1]
RU_GOLD = ROOT / "tests" / "fixtures" / "ru" / "articles.jsonl"


def _sentence(text: str):  # type: ignore[no-untyped-def]
    return next(iter(parser()(text).sents))


def test_the_parse_covers_the_text_with_ud_annotations() -> None:
    text = "  Вчера  военные открыли огонь по селу.\n\nПострадавших нет, сообщили в МВД Армении.\n"
    doc = parser()(text)
    assert doc.text == text  # offsets index the Russian text as written
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == [
        "Вчера  военные открыли огонь по селу.", "Пострадавших нет, сообщили в МВД Армении."]
    fired = next(t for t in doc if t.text == "открыли")
    assert fired.lemma_ == "открыть" and fired.pos_ == "VERB" and "Past" in fired.morph.get("Tense", [])
    assert {c.dep_ for c in fired.children} >= {"nsubj", "obj"}
    assert any(e.label_ == "GPE" and e.text == "Армении" for e in doc.ents)


def test_natasha_loads_with_the_network_off() -> None:
    code = (
        "import sys\n"
        "def refuse(event, args):\n"
        "    if event in ('socket.connect', 'socket.getaddrinfo', 'socket.gethostbyname'):\n"
        "        raise OSError('network is off in this test')\n"
        "sys.addaudithook(refuse)\n"
        "from flashpoint.nlp.ru import parser\n"
        "doc = parser()('Колонна попала под обстрел у села.')\n"
        "print(len(doc))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip()) == 7


@pytest.mark.parametrize(("text", "expected"), [
    ("В результате обстрела погибли семь военнослужащих, ещё двое получили ранения.", [("killed", 7), ("injured", 2)]),
    ("Боевики взяли в плен семерых пограничников.", [("captured", 7)]),
    ("По меньшей мере пять человек погибли, более десяти ранены.", [("killed", 5), ("injured", 10)]),
    ("Один военнослужащий получил ранение.", [("injured", 1)]),
    ("Трое солдат пропали без вести.", [("missing", 3)]),
    ("Двадцать пять боевиков были уничтожены.", [("killed", 25)]),
])
def test_casualty_figures_in_every_case(text: str, expected: list[tuple[str, int]]) -> None:
    found = find_casualties(_sentence(text))
    assert [(c.kind, c.count) for c in found] == expected


def test_qualifiers_and_the_victims_of_an_elliptic_figure() -> None:
    found = find_casualties(_sentence("Погибли по меньшей мере пять армянских военнослужащих, ещё трое получили ранения."))
    assert [(c.kind, c.count, c.qualifier) for c in found] == [("killed", 5, "at_least"), ("injured", 3, "exact")]
    assert found[0].victim == found[1].victim == "Military Forces of Armenia"


@pytest.mark.parametrize(("text", "status"), [
    ("Военные обстреляли позиции противника.", "event"),
    ("Военные не обстреливали позиции противника.", "negated"),
    ("Если военные обстреляют позиции, последует ответ.", "hypothetical"),
    ("Командование планирует атаковать позиции противника.", "future"),
])
def test_clause_status_of_triggers(text: str, status: str) -> None:
    triggers = find_triggers(_sentence(text), 2024)
    assert triggers and triggers[0].status == status


def _coded(text: str, published: dt.date) -> CodedDocument:
    document = Document(id="t", text=text, published=published, language="ru", source="test")
    return Coder().code(document)


def test_a_short_russian_report_is_coded_like_an_english_one() -> None:
    text = ("Вечером 3 марта армянские подразделения обстреляли из минометов позиции азербайджанской армии "
            "у села Сотк, сообщили в пресс-службе министерства обороны Азербайджана. Один военнослужащий погиб, "
            "ещё двое получили ранения.")
    coded = _coded(text, dt.date(2024, 3, 4))
    [event] = coded.events
    assert event.event_date == dt.date(2024, 3, 3)
    assert event.sub_event_type == "Shelling/artillery/missile attack"
    assert (event.fatalities, event.injured) == (1, 2)
    assert event.actor1 is not None and event.actor1.startswith("Military Forces of Armenia")
    assert event.actor2 is not None and event.actor2.startswith("Military Forces of Azerbaijan")
    assert event.claimant.side == "Azerbaijan"
    assert event.location == "Sotk" and event.country == "Armenia"
    assert event.notes.startswith("On ") and event.notes.isascii()  # notes are written in English
    assert event.type_explanation and "Russian" in str(event.type_explanation["note"])
    for spans in event.evidence.values():  # every field points at the Russian words
        assert all(0 <= a < b <= len(text) for a, b in spans)


@pytest.fixture(scope="module")
def statement() -> CodedDocument:
    """The sample statement retold in Russian (fixture ru-001), coded by the real coder."""
    record = next(json.loads(line) for line in RU_GOLD.read_text(encoding="utf-8").splitlines()
                  if line.strip() and json.loads(line)["id"] == "ru-001")
    document = Document(id="ru-001", text=record["text"], published=dt.date.fromisoformat(record["published"]),
                        language="ru", source="ru-001")
    return Coder().code(document)


def test_the_russian_statement_has_the_english_statements_events(statement: CodedDocument) -> None:
    by_day = {(e.event_date, e.event_type) for e in statement.events}
    assert by_day == {
        (dt.date(2021, 11, 16), "Battles"), (dt.date(2021, 11, 13), "Explosions/Remote violence"),
        (dt.date(2021, 11, 19), "Battles"), (dt.date(2021, 11, 19), "Strategic developments"),
        (dt.date(2021, 11, 6), "Strategic developments"),
    }
    [visit] = [e for e in statement.events if e.event_date == dt.date(2021, 11, 6)]
    assert visit.end_date == dt.date(2021, 11, 7) and visit.time_precision == 2


def test_the_russian_statement_has_the_english_figures_and_claimant(statement: CodedDocument) -> None:
    [clash] = [e for e in statement.events if e.event_date == dt.date(2021, 11, 16)]
    assert clash.sub_event_type == "Armed clash"
    assert {clash.actor1, clash.actor2} == {"Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan (2003-)"}
    assert (clash.fatalities, clash.injured) == (7, 10)
    assert clash.location in ("Lachin", "Kalbajar") and clash.geo_precision == 2
    assert clash.claimant.side == "Azerbaijan" and clash.claimant.party == "Government of Azerbaijan"
    [grenade] = [e for e in statement.events if e.event_date == dt.date(2021, 11, 13)]
    assert grenade.sub_event_type == "Grenade" and (grenade.fatalities, grenade.injured) == (0, 3)
    assert grenade.location == "Shusha" and grenade.geo_precision == 2
    assert all(e.claimant.side == "Azerbaijan" for e in statement.events)


def test_a_worker_codes_russian_documents_too() -> None:
    """parallel.py's worker function runs the same dispatch (Document.language travels with it)."""
    from flashpoint import parallel

    ru = Document(id="r", text="Вчера в Бишкеке прошел митинг протеста.", published=dt.date(2022, 10, 24),
                  language="ru", source="r")
    [result] = parallel._code_chunk([ru])
    assert isinstance(result, CodedDocument) and result.document.language == "ru"
    assert [e.event_type for e in result.events] == ["Protests"]

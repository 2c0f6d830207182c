"""Ingest: files, pages, JSON records, directories and stdin become Documents or Failures."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from flashpoint import errors, settings
from flashpoint.errors import InputError
from flashpoint.ingest.clean import remove_chrome
from flashpoint.ingest.files import (
    detect_language,
    document_from_html,
    document_from_record,
    document_from_text,
    is_clearly_non_english,
    read_sources,
    reading_language,
)
from flashpoint.model import Document, Failure

FIX = Path(__file__).parent / "fixtures" / "ingest"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"


def read(*sources: str | Path, **kwargs: object) -> list[Document | Failure]:
    return list(read_sources([str(s) for s in sources], **kwargs))  # type: ignore[arg-type]


def only_doc(*sources: str | Path, **kwargs: object) -> Document:
    (doc,) = read(*sources, **kwargs)
    assert isinstance(doc, Document), doc
    return doc


def only_failure(*sources: str | Path, **kwargs: object) -> Failure:
    (failure,) = read(*sources, **kwargs)
    assert isinstance(failure, Failure), failure
    assert "\n" not in failure.reason and ": " in failure.reason  # one line: what is wrong, what to do
    assert not failure.reason.startswith(failure.source)  # the Failure names its source already
    return failure


# --- the seed -------------------------------------------------------------------------------

def test_seed_chrome_is_removed_and_listed() -> None:
    doc = only_doc(SEED)
    original = SEED.read_text(encoding="utf-8")
    assert doc.removed == [
        "Related Articles",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Back to top button",
    ]
    assert original.startswith(doc.text)  # the story is untouched, so offsets mean the same thing
    assert doc.text.endswith("the embassy of the Republic of Azerbaijan in the Russian Federation said.")
    assert doc.title == "Azerbaijani Embassy in Russia: Armenia resorts to military-political provocation"
    assert doc.published is None  # the statement carries no publication date: not invented
    assert doc.id == hashlib.sha256(doc.text.encode()).hexdigest()[:16]
    assert doc.source == str(SEED) and doc.language == "en"


def test_published_option_sets_the_date() -> None:
    assert only_doc(SEED, published=dt.date(2021, 11, 20)).published == dt.date(2021, 11, 20)


# --- chrome in plain text -------------------------------------------------------------------

def test_pasted_page_loses_every_kind_of_chrome() -> None:
    doc = only_doc(FIX / "pasted_page.txt")
    for chrome in ("Skip to content", "Share on Facebook", "Advertisement", "Read more:", "Tags:",
                   "Follow us on Telegram", "Subscribe to our newsletter", "Related Articles",
                   "Students march for second day", "4 Comments", "Shameful", "Leave a Reply", "Name *",
                   "Email *", "Website", "Save my name", "Post Comment", "We use cookies", "All rights reserved",
                   "Back to top"):
        assert chrome not in doc.text, chrome
        assert any(chrome in line for line in doc.removed), chrome
    assert doc.removed[0] == "Skip to content" and doc.removed[-1] == "Back to top button"
    for story in ("Police used water cannon", "It did not reply to a request for comment",
                  "would share video of the arrests", "return to the square on Monday."):
        assert story in doc.text
    assert doc.title == "Police disperse sit-in outside parliament, dozens detained"
    assert doc.published == dt.date(2024, 3, 3)  # from "Posted on March 3, 2024 by Desk Editor"


def test_story_lines_about_sharing_replying_or_the_top_stay() -> None:
    text = (FIX / "story_words.txt").read_text(encoding="utf-8")
    clean, removed = remove_chrome(text)
    assert (clean, removed) == (text, [])


def test_chrome_heading_near_the_top_does_not_cut_the_story() -> None:
    text = "Related Articles\n\nTroops shelled the town on Monday, killing two.\n\nThe army denied it."
    clean, removed = remove_chrome(text)
    assert removed == ["Related Articles"]
    assert clean == "Troops shelled the town on Monday, killing two.\n\nThe army denied it."


def test_copyright_only_as_a_line_of_its_own() -> None:
    text = "Copyright lawsuits were filed against the broadcaster on Monday.\n© 2022 Example News"
    assert remove_chrome(text) == ("Copyright lawsuits were filed against the broadcaster on Monday.",
                                   ["© 2022 Example News"])


# --- HTML -----------------------------------------------------------------------------------

def test_html_page_text_and_metadata() -> None:
    doc = only_doc(FIX / "wire_page.html")
    assert doc.title == "Two killed as shelling hits border villages"
    assert doc.outlet == "Caspian Wire"
    assert doc.published == dt.date(2022, 3, 14)
    assert doc.url == "https://caspianwire.example/news/2022/03/14/shelling-border-villages"
    assert "artillery shells struck the villages of Kornak and Telav" in doc.text
    assert "most recently on March 2" in doc.text
    for chrome in ("Politics", "Share on Facebook", "Border talks postponed", "my cousin lives in Telav",
                   "Leave a Reply", "Post Comment", "All rights reserved", "Back to top"):
        assert chrome not in doc.text, chrome


def test_html_comments_are_excluded() -> None:
    doc = only_doc(FIX / "blog_comments.html")
    assert "police fired tear gas" in doc.text
    assert "shot a boy dead" not in doc.text and "Forty people were beaten" not in doc.text
    assert "uses cookies" not in doc.text
    assert (doc.outlet, doc.published) == ("Lakeside Daily", dt.date(2023, 6, 9))


def test_html_without_date_metadata_reads_its_dateline() -> None:
    doc = only_doc(FIX / "ministry_page.html")
    assert doc.outlet == "Ministry of Defence and Veterans Affairs"
    assert doc.published == dt.date(2023, 2, 4)
    assert "Skip to content" not in doc.text and "Read also" not in doc.text


def test_given_values_override_page_metadata() -> None:
    html = (FIX / "wire_page.html").read_text(encoding="utf-8")
    doc = document_from_html(html, source="x.html", id="mine", title="T", outlet="O",
                             published=dt.date(2022, 3, 15))
    assert (doc.id, doc.title, doc.outlet, doc.published) == ("mine", "T", "O", dt.date(2022, 3, 15))


def test_html_with_no_article_is_an_empty_failure(tmp_path: Path) -> None:
    page = tmp_path / "blank.html"
    page.write_text("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    assert only_failure(page).code == errors.E_EMPTY


# --- JSON and JSONL -------------------------------------------------------------------------

def test_jsonl_bad_lines_fail_alone_and_the_rest_go_on() -> None:
    path = FIX / "docs.jsonl"
    results = read(path)
    outcome = [(r.source.rsplit(":", 1)[1], r.id if isinstance(r, Document) else r.code) for r in results]
    assert outcome == [
        ("1", "wire-001"), ("2", "ministry-002"), ("3", errors.E_BAD_JSON), ("4", errors.E_BAD_JSON),
        ("6", errors.E_NOT_ENGLISH), ("7", errors.E_EMPTY), ("8", errors.E_BAD_JSON),
        ("9", results[-1].id if isinstance(results[-1], Document) else "?"),
    ]
    bad = results[2]
    assert isinstance(bad, Failure) and "line 3" in bad.reason and "\n" not in bad.reason
    wire, ministry, last = results[0], results[1], results[-1]
    assert isinstance(wire, Document) and isinstance(ministry, Document) and isinstance(last, Document)
    assert (wire.title, wire.outlet, wire.url, wire.published) == (
        "Gunmen kill four at checkpoint", "Sahel Wire", "https://wire.example/a1", dt.date(2023, 2, 5))
    assert wire.removed == ["Share on Facebook", "Related Articles"]
    assert ministry.published == dt.date(2023, 2, 4) and "ambushed" in ministry.text  # "html" field
    assert last.id == hashlib.sha256(last.text.encode()).hexdigest()[:16]


def test_json_list_gives_one_document_per_object() -> None:
    docs = read(FIX / "two_records.json")
    assert [(d.source.rsplit("/", 1)[1], d.id, d.published) for d in docs if isinstance(d, Document)] == [
        ("two_records.json[0]", "list-1", dt.date(2022, 8, 11)),
        ("two_records.json[1]", "list-2", dt.date(2022, 8, 12)),
    ]


def test_bad_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "text": "Troops clashed",\n  "id": 3,,\n}\n')
    failure = only_failure(path)
    assert failure.code == errors.E_BAD_JSON and "line 3" in failure.reason


def test_published_option_only_fills_in_a_missing_date() -> None:
    docs = read(FIX / "two_records.json", FIX / "short.txt", FIX / "wire_page.html", published=dt.date(2022, 9, 1))
    assert [d.published for d in docs if isinstance(d, Document)] == [
        dt.date(2022, 8, 11), dt.date(2022, 8, 12),  # the records' own dates
        dt.date(2022, 9, 1),  # plain text without a dateline: the option's date
        dt.date(2022, 3, 14),  # the page's metadata
    ]


def test_document_from_record_fields() -> None:
    doc = document_from_record({"id": 7, "text": "Troops clashed near the river on Monday.", "url": "u",
                                "published": "2022-01-02T08:00:00Z"}, source="s")
    assert (doc.id, doc.url, doc.published, doc.source) == ("7", "u", dt.date(2022, 1, 2), "s")
    with pytest.raises(InputError) as err:
        document_from_record({"title": "no body"}, source="s")
    assert err.value.code == errors.E_BAD_JSON


# --- directories and stdin ------------------------------------------------------------------

def test_directory_is_read_recursively_sorted_skipping_hidden() -> None:
    results = read(FIX / "corpus")
    names = [r.source.split("corpus/", 1)[1] for r in results]
    assert names == ["a_records.json[0]", "a_records.json[1]", "b_short.txt", "sub/a_page.html", "sub/russian.txt"]
    assert isinstance(results[-1], Document) and results[-1].language == "ru"  # Russian is read (issue 20)


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    assert only_failure(tmp_path).code == errors.E_EMPTY


@pytest.mark.parametrize(("content", "expect"), [
    ("Troops clashed near the river on Monday, officials said.", "Troops clashed"),
    ((FIX / "wire_page.html").read_text(encoding="utf-8"), "Kornak and Telav"),
    (json.dumps({"id": "s1", "text": "Police detained five protesters on Friday."}), "Police detained"),
    ('{"id": "a", "text": "Gunmen attacked a bus."}\n{"id": "b", "text": "Rioters burned a car."}\n', "Gunmen"),
])
def test_stdin_is_sniffed(content: str, expect: str) -> None:
    docs = read("-", stdin=io.StringIO(content))
    assert docs and all(isinstance(d, Document) for d in docs)
    assert expect in docs[0].text  # type: ignore[union-attr]
    assert all(d.source is not None and d.source.startswith("-") for d in docs)  # type: ignore[union-attr]


# --- bad input ------------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    assert only_failure(tmp_path / "nope.txt").code == errors.E_NOT_FOUND


def test_empty_file() -> None:
    assert only_failure(FIX / "empty.txt").code == errors.E_EMPTY


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert only_failure(path).code == errors.E_BINARY
    other = tmp_path / "blob.dat"
    other.write_bytes(b"abc\x00\x01\x02" * 100)
    assert only_failure(other).code == errors.E_BINARY


def test_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Troops clashed near the river. " * (settings.MAX_DOCUMENT_BYTES // 31 + 10))
    failure = only_failure(path)
    assert failure.code == errors.E_TOO_LARGE and "MB" in failure.reason


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Troops clashed near the river. " * 5 + b"\x81\x8d\x8f\x90\x9d\xff")
    assert only_failure(path).code == errors.E_UNREADABLE


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    path.write_bytes("Troops shelled the caf\u00e9 \u201cat dawn\u201d on Monday.".encode("cp1252"))
    assert only_doc(path).text == "Troops shelled the caf\u00e9 \u201cat dawn\u201d on Monday."


def test_unreadable_file_fails_in_one_line_and_the_next_is_read(tmp_path: Path) -> None:
    # A regular file whose read fails for every user, root included (a permission bit would not
    # stop root, who runs CI): reading /proc/self/mem at offset 0 is an I/O error.
    good = tmp_path / "good.txt"
    good.write_text("Troops clashed near the river on Monday.")
    failure, document = read("/proc/self/mem", good)
    assert isinstance(failure, Failure) and failure.code == errors.E_UNREADABLE
    assert "\n" not in failure.reason and "check the file" in failure.reason
    assert isinstance(document, Document) and "Troops clashed" in document.text


def test_non_english_is_refused_but_english_with_names_is_not() -> None:
    assert only_failure(FIX / "not_english.txt").code == errors.E_NOT_ENGLISH
    assert isinstance(read(FIX / "names_list.txt")[0], Document)
    assert isinstance(read(FIX / "short.txt")[0], Document)
    assert not is_clearly_non_english("Kalbajar, Lachin, Shusha, Fuzuli, Aghdam, Tartar, Goranboy, Gadabay.")
    assert is_clearly_non_english((FIX / "corpus" / "sub" / "russian.txt").read_text(encoding="utf-8"))
    assert detect_language((FIX / "corpus" / "sub" / "russian.txt").read_text(encoding="utf-8")) == "ru"


def test_a_failure_never_stops_the_run(tmp_path: Path) -> None:
    results = read(tmp_path / "missing.txt", FIX / "empty.txt", SEED, FIX / "not_english.txt", FIX / "short.txt")
    assert [type(r).__name__ for r in results] == ["Failure", "Failure", "Document", "Failure", "Document"]


# --- plain-text builder ---------------------------------------------------------------------

def test_title_only_when_short_and_followed_by_a_blank_line() -> None:
    assert document_from_text("Headline here\n\nBody text about a clash.", source="s").title == "Headline here"
    assert document_from_text("Two soldiers were killed.\n\nMore text.", source="s").title is None
    assert document_from_text("A line\nanother line", source="s").title is None


@pytest.mark.parametrize(("text", "date"), [
    ("Clash on border\n\nBaku, 20 November 2021 — Two soldiers were killed.", dt.date(2021, 11, 20)),
    ("Nov 20, 2021 /Report/ Two soldiers were killed.", dt.date(2021, 11, 20)),
    ("BAKU, Nov 20 (Reuters) - Two soldiers were killed.", None),  # no year in the dateline: unknown
    ("Two soldiers were killed on 16 November 2021, officials said.", None),  # a date in a sentence
])
def test_dateline(text: str, date: dt.date | None) -> None:
    assert document_from_text(text, source="s").published == date


def test_explicit_id_and_published_win() -> None:
    doc = document_from_text("Baku, 20 November 2021 — Two soldiers were killed.", source="s", id="x1",
                             published=dt.date(2021, 11, 21))
    assert (doc.id, doc.published) == ("x1", dt.date(2021, 11, 21))


# --- more bad input -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # Written for these tests: the same short report in Portuguese, Italian, French and German.
    "Segundo o ministério da Defesa, os combates começaram na terça-feira de manhã perto da fronteira "
    "e duraram várias horas. Dois soldados morreram e outros cinco ficaram feridos, disse o porta-voz.",
    "Secondo il ministero della Difesa, i combattimenti sono iniziati martedì mattina vicino al confine e "
    "sono durati diverse ore. Due soldati sono morti e altri cinque sono rimasti feriti, ha detto il portavoce.",
    "Selon le ministère de la Défense, les combats ont commencé mardi matin près de la frontière et ont duré "
    "plusieurs heures. Deux soldats ont été tués et cinq autres blessés, a indiqué le porte-parole.",
    "Nach Angaben des Verteidigungsministeriums begannen die Kämpfe am Dienstagmorgen in der Nähe der Grenze "
    "und dauerten mehrere Stunden. Zwei Soldaten wurden getötet und fünf weitere verletzt.",
    "据国防部称，战斗于周二上午在边境附近开始，持续了数小时。军队发言人说，两名士兵死亡，另有五人受伤。",
])
def test_clearly_non_english_texts(text: str) -> None:
    assert is_clearly_non_english(text)


@pytest.mark.parametrize("text", [
    "Victims: Mohammed al-Hassan, Ali al-Masri, Omar el-Sayed, Ahmad al-Khatib, Youssef al-Najjar, "
    "Khaled el-Din, Samir al-Tayeb, Hassan al-Sharif, Ibrahim al-Masri, Tariq el-Hadi, Walid al-Amin.",
    "Dead: João dos Santos, Maria da Silva, José de Souza, Antônio dos Reis, Francisco da Costa, "
    "Paulo de Oliveira, Carlos dos Anjos, Pedro da Cruz, Lucas de Lima, Mateus do Carmo, Ana de Jesus.",
    'The commander shouted "Мы не отступим!" before the assault on Tuesday, a video shared online shows.',
    "Kəlbəcər, Laçın, Şuşa, Füzuli, Ağdam, Tərtər, Goranboy, Gədəbəy: shelling reported overnight.",
])
def test_english_with_foreign_names_or_quotes_passes(text: str) -> None:
    assert not is_clearly_non_english(text)


def test_stdin_bytes_are_decoded_like_files() -> None:
    binary = io.TextIOWrapper(io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), encoding="utf-8")
    assert [(f.source, f.code) for f in read("-", stdin=binary)] == [("-", errors.E_BINARY)]
    latin = io.TextIOWrapper(io.BytesIO("Troops reached the caf\u00e9 on Monday.".encode("cp1252")))
    (doc,) = read("-", stdin=latin)
    assert isinstance(doc, Document) and doc.text == "Troops reached the caf\u00e9 on Monday."


def test_text_without_words_is_empty() -> None:
    assert [f.code for f in read("-", stdin=io.StringIO("[" * 5000 + "]" * 5000))] == [errors.E_EMPTY]


def test_jsonl_record_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "docs.ndjson"
    path.write_text('["a list"]\n{"text": "Gunmen attacked a bus near the market on Friday."}\n')
    results = read(path)
    assert isinstance(results[0], Failure) and results[0].code == errors.E_BAD_JSON
    assert isinstance(results[1], Document) and results[1].source == f"{path}:2"


def test_picture_and_account_furniture_goes_but_similar_story_lines_stay() -> None:
    text = ("Listen to this article, 3 min\nImage source, Getty Images\n"
            "Image caption, Smoke rises over the town after the strike\nPhoto: AFP\n"
            "The photo showed smoke over the town, residents said.\nSign in\n"
            "Register to vote, the commission urged on Monday.")
    clean, removed = remove_chrome(text)
    assert clean == ("The photo showed smoke over the town, residents said.\n"
                     "Register to vote, the commission urged on Monday.")
    assert removed == ["Listen to this article, 3 min", "Image source, Getty Images",
                       "Image caption, Smoke rises over the town after the strike", "Photo: AFP", "Sign in"]


# --- language: English, Russian, and Ukrainian refused ----------------------------------------

# Written for these tests: one short report, in Russian and in Ukrainian.
RUSSIAN = ("В результате обстрела погибли два военнослужащих, ещё трое получили ранения. Об этом сообщили "
           "в пресс-службе министерства обороны, отметив, что это была уже третья провокация за неделю.")
UKRAINIAN = ("Внаслідок обстрілу загинули двоє військовослужбовців, ще троє отримали поранення. Про це "
             "повідомили в пресс-службі міністерства оборони, зазначивши, що це вже третя провокація за тиждень.")
BULGARIAN = ("В резултат на обстрела загинаха двама военнослужещи, а още трима бяха ранени. Това съобщиха от "
             "пресслужбата на министерството на отбраната, като отбелязаха, че това е трета провокация за седмица.")


def test_languages_are_told_apart() -> None:
    assert detect_language(RUSSIAN) == "ru"
    assert detect_language(UKRAINIAN) == "uk"
    assert detect_language(BULGARIAN) == "other"
    assert detect_language("Troops clashed near the border on Monday, the ministry said in a statement.") == "en"
    assert detect_language('The commander shouted "Мы не отступим!" before the assault on Tuesday, a video shows.') == "en"


def test_russian_is_read_and_ukrainian_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "ru.txt").write_text(RUSSIAN, encoding="utf-8")
    (tmp_path / "uk.txt").write_text(UKRAINIAN, encoding="utf-8")
    russian, ukrainian = read(tmp_path / "ru.txt", tmp_path / "uk.txt")
    assert isinstance(russian, Document) and russian.language == "ru" and russian.text == RUSSIAN
    assert isinstance(ukrainian, Failure) and ukrainian.code == errors.E_NOT_ENGLISH
    assert "Ukrainian" in ukrainian.reason and "--language" in ukrainian.reason and "\n" not in ukrainian.reason


def test_language_can_be_forced(tmp_path: Path) -> None:
    (tmp_path / "uk.txt").write_text(UKRAINIAN, encoding="utf-8")
    with reading_language("ru"):
        [forced] = read(tmp_path / "uk.txt")
    assert isinstance(forced, Document) and forced.language == "ru"
    record = document_from_record({"text": "Короткая заметка.", "language": "ru"}, source="s")
    assert record.language == "ru"
    with pytest.raises(InputError) as err:
        document_from_record({"text": RUSSIAN, "language": "fr"}, source="s")
    assert err.value.code == errors.E_NOT_ENGLISH

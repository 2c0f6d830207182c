"""Ingest: turn files, directories, JSON records and stdin into ``Document`` objects.

Readers (``read_sources``) do the I/O; the ``document_from_*`` builders are pure and raise
``InputError`` with a code when a document is unusable. ``read_sources`` never raises for a bad
document: it yields a ``Failure`` naming the input and what to do, and goes on with the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TextIO

from flashpoint import errors, lang, settings
from flashpoint.errors import InputError
from flashpoint.extract.dates import find_dates, parse_iso_date
from flashpoint.ingest.clean import remove_chrome
from flashpoint.model import Document, Failure

__all__ = [
    "LANGUAGES",
    "content_id",
    "dateline_date",
    "detect_language",
    "document_from_html",
    "document_from_record",
    "document_from_text",
    "is_clearly_non_english",
    "read_sources",
    "reading_language",
]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"\xd0\xcf\x11\xe0",
                 b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x7fELF")
"""File signatures of formats people mistake for text (PDF, Office, images, archives, executables)."""
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|article|div|p|meta|title)\b", re.IGNORECASE)


# --- reading sources ------------------------------------------------------------------------

def read_sources(sources: Iterable[str], *, published: dt.date | None = None,
                 stdin: TextIO | None = None) -> Iterator[Document | Failure]:
    """Every document in ``sources``, in order; a ``Failure`` for each input that cannot be used.

    A source is a file path (by extension: .txt/.text/.md text, .html/.htm HTML, .json one object or
    a list, .jsonl/.ndjson one object per line; anything else is sniffed), a directory (read
    recursively in sorted order, hidden files skipped) or ``-`` for stdin (sniffed). ``published``
    is the publication date for documents that carry none (no metadata, record field or dateline).
    """
    for source in sources:
        try:
            for item in _read_source(source, stdin):
                if published is not None and isinstance(item, Document) and item.published is None:
                    item.published = published
                yield item
        except Exception as err:  # a last guard: one source must never end the run with a traceback
            log.debug("reading %s failed", source, exc_info=True)
            yield Failure(source, _unexpected(err), errors.E_PROCESSING)


def _read_source(source: str, stdin: TextIO | None) -> Iterator[Document | Failure]:
    if source == "-":
        yield from _read_stdin(stdin if stdin is not None else sys.stdin)
        return
    path = Path(source)
    if source and path.is_dir():
        yield from _read_directory(path)
    elif not source or not path.exists():
        yield Failure(source, "no such file or directory: check the path", errors.E_NOT_FOUND)
    else:
        yield from _read_file(path)


def _unexpected(err: Exception) -> str:
    return f"could not be processed ({type(err).__name__}: {err}); report this with the input attached"


def _read_directory(root: Path) -> Iterator[Document | Failure]:
    files = walk(root)
    if not files:
        yield Failure(str(root), "the directory holds no files: put documents in it (hidden files are skipped)",
                      errors.E_EMPTY)
    for path in files:
        yield from _read_file(path)


def walk(root: Path) -> list[Path]:
    """Files under ``root``, recursively, sorted by path, skipping hidden files and directories
    (what ``code`` reads of a directory; ``batch`` plans the same files)."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder) / n for n in names if not n.startswith(".")]
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _read_file(path: Path) -> Iterator[Document | Failure]:
    source = str(path)
    suffix = path.suffix.lower()
    try:
        data = _read_bytes(path, limit=suffix not in JSON_SUFFIXES | JSONL_SUFFIXES)
        text = _decode(data, source)
    except InputError as err:
        yield _failure(source, err)
        return
    if suffix in JSON_SUFFIXES | JSONL_SUFFIXES and not text.strip():
        yield Failure(source, "is empty: give a file with one JSON object per line (.jsonl) or a JSON object or "
                              "list (.json)", errors.E_EMPTY)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_documents(text, source)
    elif suffix in JSON_SUFFIXES:
        yield from _json_documents(text, source)
    elif suffix in HTML_SUFFIXES:
        yield _guarded(source, lambda: document_from_html(text, source=source))
    elif suffix in TEXT_SUFFIXES:
        yield _guarded(source, lambda: document_from_text(text, source=source))
    else:
        yield from _sniffed(text, source)


def _read_stdin(stream: TextIO) -> Iterator[Document | Failure]:
    """stdin, as bytes when it has them (so that encodings and binary data are handled as for files)."""
    try:
        buffer = getattr(stream, "buffer", None)
        text = _decode(buffer.read(), "-") if buffer is not None else stream.read()
    except InputError as err:
        yield _failure("-", err)
        return
    except (OSError, UnicodeDecodeError) as err:
        yield Failure("-", f"cannot be read ({err}): pipe a UTF-8 document into flashpoint", errors.E_UNREADABLE)
        return
    if "\x00" in text[:8192]:
        yield Failure("-", "looks like binary data, not text: convert it to text first", errors.E_BINARY)
        return
    yield from _sniffed(text, "-")


def _sniffed(text: str, source: str) -> Iterator[Document | Failure]:
    """Decide between JSON, JSONL, HTML and plain text by looking at the content."""
    head = text.lstrip()[:2000]
    if head.startswith(("{", "[")):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            if head.startswith("{") and "\n" in text.strip():
                yield from _jsonl_documents(text, source)
                return
        else:
            yield from _json_value_documents(value, source)
            return
    if head.startswith("<") and _HTML_SNIFF.search(head):
        yield _guarded(source, lambda: document_from_html(text, source=source))
        return
    yield _guarded(source, lambda: document_from_text(text, source=source))


def _json_documents(text: str, source: str) -> Iterator[Document | Failure]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        yield Failure(source, f"line {err.lineno}, column {err.colno} is not valid JSON ({_json_message(err)}): "
                              "fix the file", errors.E_BAD_JSON)
        return
    except (ValueError, RecursionError) as err:
        yield Failure(source, f"is not valid JSON ({type(err).__name__}): fix the file", errors.E_BAD_JSON)
        return
    yield from _json_value_documents(value, source)


def _json_value_documents(value: Any, source: str) -> Iterator[Document | Failure]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield _record(item, f"{source}[{index}]")
    else:
        yield _record(value, source)


def _jsonl_documents(text: str, source: str) -> Iterator[Document | Failure]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield Failure(where, f"line {number}, column {err.colno} is not valid JSON ({_json_message(err)}): "
                                 "fix or remove that line", errors.E_BAD_JSON)
            continue
        except (ValueError, RecursionError) as err:
            yield Failure(where, f"line {number} is not valid JSON ({type(err).__name__}): fix or remove that line",
                          errors.E_BAD_JSON)
            continue
        yield _record(value, where)


def _json_message(err: json.JSONDecodeError) -> str:
    return re.sub(r"\s+at$", "", err.msg).lower()  # "Unterminated string starting at" (the position follows)


def _record(value: Any, source: str) -> Document | Failure:
    def build() -> Document:
        if not isinstance(value, dict):
            raise InputError(f"{source}: expected a JSON object with a 'text' or 'html' field, "
                             f"got {type(value).__name__}", code=errors.E_BAD_JSON)
        return document_from_record(value, source=source)

    return _guarded(source, build)


def _guarded(source: str, build: Any) -> Document | Failure:
    """Run a document builder; any failure becomes a ``Failure`` so that the run goes on."""
    try:
        return build()  # type: ignore[no-any-return]
    except InputError as err:
        return _failure(source, err)
    except Exception as err:  # a library choking on one odd document must not end the run
        log.debug("processing %s failed", source, exc_info=True)
        return Failure(source, _unexpected(err), errors.E_PROCESSING)


def _failure(source: str, err: InputError) -> Failure:
    """The error as a Failure. Its reason leaves out the source, which the Failure names already
    (a CLI prints ``source: [code] reason``); ``InputError`` messages keep it for direct callers."""
    reason = str(err.args[0]) if err.args else err.code
    prefix = f"{source}: "
    if reason.startswith(prefix):
        reason = reason[len(prefix):]
    return Failure(source, " ".join(reason.split()), err.code)


# --- bytes to text --------------------------------------------------------------------------

_SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _not_regular(path: Path, mode: int) -> InputError:
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), "not a regular file")
    return InputError(f"{path}: is {kind}, not a file: skipped (only regular files are read)",
                      code=errors.E_NOT_REGULAR)


def _read_bytes(path: Path, *, limit: bool) -> bytes:
    """The file's bytes; over-size single documents are refused before they are read.

    Only regular files are read: reading a FIFO would wait for a writer forever, and a device may
    never end. The check runs before opening (a socket cannot be opened) and again on the open
    descriptor, which is opened non-blocking so that a FIFO swapped in meanwhile cannot hang us.
    """
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _not_regular(path, info.st_mode)
            if limit and info.st_size > settings.MAX_DOCUMENT_BYTES:
                raise InputError(_too_large(str(path), info.st_size), code=errors.E_TOO_LARGE)
            return fh.read()
    except PermissionError:
        raise InputError(f"{path}: permission denied: make the file readable (chmod +r) or copy it",
                         code=errors.E_UNREADABLE) from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory that cannot be listed", code=errors.E_UNREADABLE) from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err}): check the file",
                         code=errors.E_UNREADABLE) from None


def _too_large(source: str, size: int) -> str:
    limit_mb = settings.MAX_DOCUMENT_BYTES / (1024 * 1024)
    return (f"{source}: is {size / (1024 * 1024):.1f} MB, over the {limit_mb:g} MB limit for one document: "
            "split it into separate documents")


def _decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{source}: broken UTF-16 text: save it as UTF-8", code=errors.E_UNREADABLE) from None
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise InputError(f"{source}: is a binary file, not text: convert it to text or HTML first",
                         code=errors.E_BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(f"{source}: is neither UTF-8 nor Windows-1252 text: save it as UTF-8",
                             code=errors.E_UNREADABLE) from None
    if _control_share(text[:8192]) > 0.05:
        raise InputError(f"{source}: looks like binary data, not text: convert it to text first",
                         code=errors.E_BINARY)
    return text


def _control_share(sample: str) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(sample)


# --- building documents ---------------------------------------------------------------------

def document_from_text(text: str, *, source: str, id: str | None = None, url: str | None = None,
                       title: str | None = None, outlet: str | None = None,
                       published: dt.date | None = None, language: str | None = None) -> Document:
    """A document from plain text: chrome removed, title and dateline read if present.

    The text is kept as written apart from removed chrome lines, so that offsets index it.
    ``language`` forces the language ("en" or "ru"); else it is detected (``detect_language``).
    Raises ``InputError`` (E101 empty, E103 too large, E104 not in a language flashpoint reads).
    """
    _check_size(text, source)
    clean, removed = remove_chrome(text)
    language = _check_content(clean, source, language)
    return Document(
        id=id if id is not None else content_id(clean),
        text=clean,
        url=url,
        title=title if title is not None else title_line(clean),
        outlet=outlet,
        published=published if published is not None else dateline_date(clean),
        language=language,
        removed=removed,
        source=source,
    )


def document_from_html(html: str, *, source: str, id: str | None = None, url: str | None = None,
                       title: str | None = None, outlet: str | None = None,
                       published: dt.date | None = None, language: str | None = None) -> Document:
    """A document from a web page: main text by trafilatura (comments excluded), metadata from the page.

    Values passed in take precedence over the page's own metadata.
    """
    _check_size(html, source)
    extracted = _extract_html(html)
    text = extracted.get("text") or ""
    if not text.strip():
        raise InputError(f"{source}: no article text found in the HTML page: check that it is an article "
                         "page, or pass the text itself", code=errors.E_EMPTY)
    clean, removed = remove_chrome(text)
    language = _check_content(clean, source, language)
    page_date = parse_iso_date(extracted["date"]) if extracted.get("date") else None
    return Document(
        id=id if id is not None else content_id(clean),
        text=clean,
        url=url if url is not None else extracted.get("url"),
        title=title if title is not None else (extracted.get("title") or title_line(clean)),
        outlet=outlet if outlet is not None else (extracted.get("sitename") or extracted.get("hostname")),
        published=published if published is not None else (page_date or dateline_date(clean)),
        language=language,
        removed=removed,
        source=source,
    )


def document_from_record(obj: dict[str, Any], *, source: str) -> Document:
    """A document from a JSON object: ``text`` or ``html``, optional ``id``, ``url``, ``title``,
    ``outlet``, ``published`` (``YYYY-MM-DD`` or an ISO datetime), ``language`` ("en"/"ru": forces it)."""
    body = obj.get("text")
    kind = "text"
    if not (isinstance(body, str) and body.strip()) and isinstance(obj.get("html"), str):
        body, kind = obj["html"], "html"
    if body is None:
        raise InputError(f"{source}: the record has neither a 'text' nor an 'html' field: add one",
                         code=errors.E_BAD_JSON)
    if not isinstance(body, str):
        raise InputError(f"{source}: the record's '{kind}' field must be a string", code=errors.E_BAD_JSON)
    fields = {name: _optional_str(obj, name, source) for name in ("id", "url", "title", "outlet", "language")}
    published = _record_date(obj.get("published"), source)
    build = document_from_html if kind == "html" else document_from_text
    return build(body, source=source, id=fields["id"], url=fields["url"], title=fields["title"],
                 outlet=fields["outlet"], published=published, language=fields["language"])


def _optional_str(obj: dict[str, Any], name: str, source: str) -> str | None:
    value = obj.get(name)
    if value is None or isinstance(value, str):
        return value or None
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{source}: the record's '{name}' field must be a string", code=errors.E_BAD_JSON)


def _record_date(value: Any, source: str) -> dt.date | None:
    if value is None or value == "":
        return None
    date = parse_iso_date(value) if isinstance(value, str) else None
    if date is None:
        raise InputError(f"{source}: 'published' is not a date ({value!r}): write it as YYYY-MM-DD or null",
                         code=errors.E_BAD_JSON)
    return date


def _extract_html(html: str) -> dict[str, Any]:
    import trafilatura  # heavy import, only when a page is read

    _quiet_trafilatura()
    result = trafilatura.bare_extraction(
        html, include_comments=False, with_metadata=True,
        # Only dates the page states in its markup or URL; never a guess from the body text.
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    if result is None:
        return {}
    return result.as_dict() if hasattr(result, "as_dict") else dict(result)


def _quiet_trafilatura() -> None:
    """trafilatura warns "discarding data: None" for a page without text, which our E101 failure
    already says in its own line; keep its warnings out unless the user set its level."""
    logger = logging.getLogger("trafilatura")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def content_id(text: str) -> str:
    """A document id from its clean text: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_size(text: str, source: str) -> None:
    size = len(text.encode("utf-8", errors="replace"))
    if size > settings.MAX_DOCUMENT_BYTES:
        raise InputError(_too_large(source, size), code=errors.E_TOO_LARGE)


def _check_content(text: str, source: str, language: str | None = None) -> str:
    """Refuse an empty text or one in a language flashpoint does not read; the document's language.

    A language given by the caller (a record's ``language``, ``--language``) wins over detection."""
    if not text.strip():
        raise InputError(f"{source}: is empty (or only web-page chrome): give a document with text",
                         code=errors.E_EMPTY)
    if _WORD.search(text) is None:
        raise InputError(f"{source}: has no words in it: give a document with text", code=errors.E_EMPTY)
    forced = language or _FORCED_LANGUAGE.get()
    if forced is not None:
        if forced not in LANGUAGES:
            raise InputError(f"{source}: language {forced!r} is not one flashpoint reads: use one of "
                             f"{', '.join(LANGUAGES)}", code=errors.E_NOT_ENGLISH)
        return forced
    found = detect_language(text)
    if found in LANGUAGES:
        return found
    named = _LANGUAGE_NAMES.get(found, "not in English or Russian")
    raise InputError(f"{source}: is {named}: flashpoint reads English and Russian reports; translate it first "
                     "(or force the language with --language en|ru)", code=errors.E_NOT_ENGLISH)


# --- title and dateline ---------------------------------------------------------------------

def title_line(text: str) -> str | None:
    """The first line when it reads as a headline: short, followed by a blank line, no final period."""
    lines = text.lstrip("\n\r\t ").splitlines()
    if len(lines) < 2 or lines[1].strip():
        return None
    first = lines[0].strip()
    if not first or len(first) > 200 or first.endswith((".", ",", ";", ":")):
        return None
    return first


_DATELINE_LEAD = re.compile(
    r"\s*(?:[A-Z][\w.'’ -]{0,40}(?:\([A-Za-z.' ]{1,30}\))?,\s*|(?P<label>(?i:published|posted|date)(?:\s+on)?\s*:?\s*))?")
_DATELINE_TAIL = re.compile(r"\s*(?:[-–—/(|.,:]|\d{1,2}:\d{2}|$)")


def dateline_date(text: str) -> dt.date | None:
    """The publication date from a dateline near the top ("Baku, 20 November 2021 —",
    "Nov 20, 2021 /Report/", "Published: 20 November 2021"). None unless the line gives a year."""
    lines = [line for line in text[:1500].splitlines() if line.strip()][:5]
    for line in lines:
        line = line[:160]  # a dateline opens its line
        explicit = [m for m in find_dates(line, None) if not (m.relative or m.anaphoric)]
        if not explicit:
            continue
        first = explicit[0]  # only the first date of a line can be its dateline
        if first.date is None or first.year_inferred or first.precision != 1:
            continue
        lead = _DATELINE_LEAD.fullmatch(line, 0, first.start)
        if lead and (lead.group("label") or _DATELINE_TAIL.match(line, first.end)):
            return first.date  # "Posted on March 3, 2024 by Desk Editor": a label needs no punctuation
    return None


# --- language -------------------------------------------------------------------------------

LANGUAGES: tuple[str, ...] = ("en", "ru")
"""The languages flashpoint codes (``Document.language``)."""

_LANGUAGE_NAMES = {"uk": "in Ukrainian", "other": "not in English or Russian"}

_FORCED_LANGUAGE: ContextVar[str | None] = ContextVar("flashpoint_forced_language", default=None)


@contextmanager
def reading_language(language: str | None) -> Iterator[None]:
    """Documents read inside this block are taken to be in ``language`` (``--language``), not
    detected; None leaves detection on."""
    token = _FORCED_LANGUAGE.set(language)
    try:
        yield
    finally:
        _FORCED_LANGUAGE.reset(token)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = frozenset("іїєґ")
_RUSSIAN_LETTERS = frozenset("ыэъё")
"""Letters of one language's alphabet and not the other's (ъ and ё are rare but Russian only)."""


def detect_language(text: str) -> str:
    """"en", "ru", "uk" or "other", from a sample of the text.

    A mostly-Cyrillic text is Russian when it has letters only Russian writes (ы э ъ ё) and more
    Russian than Ukrainian function words, Ukrainian on the mirror evidence (і ї є ґ, its own
    function words), else another Cyrillic language (Bulgarian, Serbian …: "other"). A Latin
    text is English unless ``is_clearly_non_english`` says plainly otherwise; a text too short to
    judge is taken as English, as before.
    """
    sample = text[:6000].lower()
    words = _WORD.findall(sample)
    letters = sum(len(w) for w in words)
    if letters < 40:
        return "en"
    cyrillic = len(_CYRILLIC.findall(sample))
    if cyrillic / letters < 0.5:
        return "other" if is_clearly_non_english(text) else "en"
    ru_letters = sum(1 for ch in sample if ch in _RUSSIAN_LETTERS)
    uk_letters = sum(1 for ch in sample if ch in _UKRAINIAN_LETTERS)
    ru_words = sum(1 for w in words if w in lang.words("ru", "function_words"))
    uk_words = sum(1 for w in words if w in lang.words("uk", "function_words"))
    if ru_letters > 2 * uk_letters and ru_words > uk_words:
        return "ru"
    if uk_letters > 2 * ru_letters and uk_words > ru_words:
        return "uk"
    return "other"


_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset("""
a about after against all also an and are as at be been before but by can could did do does during
for from had has have he her his how i if in into is it its more most no not of on one or other our
out over said says she so some such than that the their them there these they this those through to
under up was we were what when where which while who will with would you been being after since
""".split())
_OTHER_LATIN = frozenset("""
et est dans pour que qui sur par avec ont été sont pas plus cette aux
y por con para se es fue su sus como pero según tras entre una los las
os um uma não em com foi pela pelo mais são na nas nos ao aos à às numa num seu sua
und ist nicht mit ein eine auf für sich wurde zu im bei nach auch wird sind
il che per sono gli nel alla è anche della delle
het een niet zijn voor ook naar werd
ve bir bu için ile olarak daha göre olan sonra gibi
dan yang ini itu dengan untuk dari pada akan
""".split())
"""Function words of common Latin-script languages. Name particles (de, da, dos, van, al, el, o) are
left out on purpose: an English list of names full of them must not look foreign."""


def is_clearly_non_english(text: str) -> bool:
    """A cheap check that only says yes when a text is plainly in another language.

    It needs enough text to judge, few English function words, and positive evidence of another
    language (mostly non-Latin letters, or many function words of a common European language).
    English texts full of names have few function words but no such evidence, so they pass.
    """
    sample = text[:6000]  # a few paragraphs are enough to judge
    words = _WORD.findall(sample.lower())
    letters = sum(len(w) for w in words)
    if letters < 40:
        return False
    english = sum(1 for w in words if w in _ENGLISH) / len(words)
    if english >= 0.12:
        return False
    latin = sum(1 for w in words for ch in w if ch < "\u0250")
    if latin / letters < 0.5:
        return True  # mostly another script (Cyrillic, Arabic, CJK, …) and few English words
    if letters < 150:
        return False  # too short to judge a Latin-script text
    other = sum(1 for w in words if w in _OTHER_LATIN) / len(words)
    accented = sum(1 for w in words if not w.isascii()) / len(words)
    # Many foreign function words, or some of them plus many accented words (ç, ã, é: Portuguese,
    # French, Turkish). Names alone, however accented, bring no foreign function words.
    return other >= 0.10 or (other >= 0.04 and accented >= 0.08)

"""Russian date mentions: the same ``DateMention``s as :mod:`flashpoint.extract.dates`, read from Russian.

Russian reports write the day before the month and inflect the month («16 ноября», «в ноябре»), date
a night by the morning it ends in («в ночь на 16 ноября» is the night of 15–16 November), and lean on
«накануне», «в тот же день» and weekdays («в понедельник»). The words live in ``lang/ru`` data files
(months, weekdays, relative and anaphoric phrases, numerals); this module turns them into regular
expressions once, on first use, and reuses the English module's year inference, so a Russian date
resolves exactly as its English twin would. Offsets index the Russian text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from flashpoint.extract import dates as en
from flashpoint.extract.dates import DAY_PRECISION, MONTH_PRECISION, RANGE_PRECISION, DateMention
from flashpoint.lang import ordered_words, table, words

__all__ = ["find_dates_ru"]

_FLAGS = re.IGNORECASE
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?![\d:])"
_YEAR = r"(?:1[89]|20)\d\d(?![\d:])"
_YEAR_TAIL = rf"(?:\s+(?P<y>{_YEAR})(?:-?м)?(?:\s*(?:год[ауе]?|г\.)(?!\w))?)?"
_DASH = r"\s*[-\u2010-\u2015]\s*"


# --- data -----------------------------------------------------------------------------------

def _phrase_regex(phrase: str) -> str:
    """A data-file phrase as a regex: spaces match any run of spaces, "е" and "ё" match each other."""
    parts = []
    for ch in phrase:
        if ch in "её":
            parts.append("[её]")
        elif ch.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _alternation(phrases: list[str]) -> str:
    """Longest first, so "сегодня ночью" wins over "сегодня"."""
    return "|".join(_phrase_regex(p) for p in sorted(set(phrases), key=len, reverse=True))


def _fold(word: str) -> str:
    return " ".join(word.lower().replace("ё", "е").split())


@functools.cache
def _months() -> dict[str, int]:
    return {_fold(r["form"]): int(r["month"]) for r in table("ru", "months")}


@functools.cache
def _weekdays() -> dict[str, int]:
    return {_fold(r["form"]): int(r["weekday"]) for r in table("ru", "weekdays")}


@functools.cache
def _numbers() -> dict[str, int]:
    return {_fold(r["word"]): int(r["value"]) for r in table("ru", "numerals")}


@functools.cache
def _relative() -> dict[str, tuple[int, str]]:
    return {_fold(r["phrase"]): (int(r["offset"]), r["unit"]) for r in table("ru", "relative_dates")}


@functools.cache
def _modifiers() -> dict[str, tuple[int, int]]:
    return {_fold(r["phrase"]): (int(r["first"]), int(r["last"])) for r in table("ru", "date_modifiers")}


@functools.cache
def _anaphoric() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, offset template) per anaphoric phrase; "{n}" becomes a number group."""
    number = r"(?P<n>\d{1,2}|[^\W\d_]+)"  # a numeral word is checked after matching (cheaper than 140 alternatives)
    out = []
    for row in table("ru", "anaphoric_dates"):
        body = _phrase_regex(row["phrase"]).replace(re.escape("{n}"), number).replace("{n}", number)
        out.append((re.compile(rf"(?<!\w)(?:{body})(?!\w)", _FLAGS), row["offset"]))
    return out


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    mon = rf"(?:{_alternation(list(_months()))})(?!\w)"
    wd = rf"(?:{_alternation(list(_weekdays()))})(?!\w)"
    tod = _alternation(list(ordered_words("ru", "time_of_day")))
    mod = _alternation(list(_modifiers()))
    return {
        # «в ночь с 15 на 16 ноября», «в ночь на 16 ноября»
        "night": re.compile(rf"(?<!\w)в\s+ночь\s+(?:с\s+(?P<d1>{_DAY})\s+(?:(?P<m1>{mon})\s+)?)?на\s+"
                            rf"(?P<d2>{_DAY})\s+(?P<m>{mon}){_YEAR_TAIL}", _FLAGS),
        # «с 30 октября по 5 ноября», «30 октября – 2 ноября»
        "xrange": re.compile(rf"(?<![\w.,])(?:(?:в\s+период\s+)?с\s+)?(?P<d1>{_DAY})\s+(?P<m1>{mon})"
                             rf"(?:{_DASH}|\s+(?:по|до)\s+)(?P<d2>{_DAY})\s+(?P<m>{mon}){_YEAR_TAIL}", _FLAGS),
        # «6–7 ноября», «с 6 по 8 ноября», «6 и 7 ноября»
        "range": re.compile(rf"(?<![\w.,])(?:(?:в\s+период\s+)?с\s+)?(?P<d1>{_DAY})(?:{_DASH}|\s+(?:по|и|до)\s+)"
                            rf"(?P<d2>{_DAY})\s+(?P<m>{mon}){_YEAR_TAIL}", _FLAGS),
        "day": re.compile(rf"(?<![\w.,])(?P<d1>{_DAY})\s+(?P<m>{mon}){_YEAR_TAIL}", _FLAGS),
        # «в начале ноября», «в ноябре 2021 года», «ноябрь 2021»
        "month": re.compile(rf"(?<!\w)(?:(?P<mod>{mod})\s+|(?P<prep>в|во|с|до|к|за)\s+)?(?P<m>{mon})"
                            rf"{_YEAR_TAIL}", _FLAGS),
        "year": re.compile(rf"(?<!\w)(?:в|во)\s+(?P<y>{_YEAR})(?:-?м)?\s+году(?!\w)", _FLAGS),
        # «в понедельник», «в минувшую субботу вечером», «в ночь на воскресенье»
        "weekday": re.compile(rf"(?<!\w)(?P<night>в\s+ночь\s+на\s+|(?:в|во)\s+(?P<last>(?:прошл|минувш|прошедш)"
                              rf"(?:ий|ую|ое|ый)\s+)?)(?P<wd>{wd})(?:\s+(?:{tod})(?!\w))?", _FLAGS),
        "relative": re.compile(rf"(?<!\w)(?P<phrase>{_alternation(list(_relative()))})"
                               rf"(?:\s+(?P<tod>{tod}))?(?!\w)", _FLAGS),
        "ago": re.compile(r"(?<!\w)(?:(?P<n>\d{1,2}|[^\W\d_]+)\s+)?(?P<unit>"
                          r"дн(?:я|ей)|день|сутки|суток|недел(?:ю|и|ь)|месяц(?:а|ев)?)\s+назад(?!\w)", _FLAGS),
        "eve": re.compile(rf"\s+(?:{_alternation(list(ordered_words('ru', 'eve_nouns')))})", _FLAGS),
        "metadata": re.compile(rf"(?:{_alternation(list(words('ru', 'date_metadata_labels')))})"
                               r"\s*[:\-\u2013\u2014]?\s*$", _FLAGS),
        "apposition": re.compile(rf"(?<!\w)(?:{_alternation(list(ordered_words('ru', 'date_apposition_words')))})"
                                 r"\s*,\s*$", _FLAGS),
    }


# --- public API -----------------------------------------------------------------------------

def find_dates_ru(text: str, published: dt.date | None, *, start: int = 0,
                  context_year: int | None = None) -> list[DateMention]:
    """Every date mention in Russian ``text``, in order (see ``dates.find_dates``)."""
    pats = _patterns()
    windows = _windows(text)
    raw: list[DateMention] = _explicit(text, pats, windows["explicit"])
    taken = [(m.start, m.end) for m in raw]
    for found in (_weekday_mentions(text, published, pats, windows["weekday"]),
                  _relative_mentions(text, published, pats, windows["relative"]),
                  _ago_mentions(text, published, pats, windows["ago"]),
                  _anaphoric_mentions(text, windows["anaphoric"])):
        fresh = [m for m in found if not en._overlaps(m, taken)]
        raw += fresh
        taken += [(m.start, m.end) for m in fresh]
    raw.sort(key=lambda m: m.start)
    nights = {(m.start, m.end) for m in raw if isinstance(m, _Night)}
    resolved = _settle_nights(en._infer_years(raw, published, context_year), nights)
    resolved = _eve_in_context(resolved, published)
    for m in resolved:
        m.metadata = pats["metadata"].search(text, max(0, m.start - 40), m.start) is not None
        m.start += start
        m.end += start
    return resolved


# --- where to look --------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_BEFORE, _AFTER = 48, 32
"""Characters around an anchor word that a phrase may take («в ночь с 15 на 16 ноября 2021 года»)."""


@functools.cache
def _anchor_words() -> dict[str, frozenset[str]]:
    """The words every phrase of a kind contains (its last word, or a month or weekday), folded."""
    def last_words(phrases: Iterable[str]) -> frozenset[str]:
        return frozenset(_fold(p.replace("{n}", "")).split()[-1] for p in phrases if p.strip())

    months = frozenset(form.rstrip(".") for form in _months())
    return {
        "explicit": months | {"году"},
        "weekday": frozenset(_weekdays()),
        "relative": last_words(_relative()),
        "ago": frozenset({"назад"}),
        "anaphoric": last_words(row["phrase"] for row in table("ru", "anaphoric_dates")),
    }


def _windows(text: str) -> dict[str, list[tuple[int, int]]]:
    """Per kind of phrase, the merged stretches of text around its anchor words: the patterns run
    only there (one pass of a word regex instead of dozens of alternation-heavy scans)."""
    anchors = _anchor_words()
    found: dict[str, list[tuple[int, int]]] = {kind: [] for kind in anchors}
    n = len(text)
    for match in _WORD.finditer(text):
        word = _fold(match.group())
        for kind, vocabulary in anchors.items():
            if word in vocabulary:
                found[kind].append((max(0, match.start() - _BEFORE), min(n, match.end() + _AFTER)))
    return {kind: _merge(spans) for kind, spans in found.items()}


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:  # already in text order
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _matches(pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    for lo, hi in windows:
        yield from pattern.finditer(text, lo, hi)


# --- explicit -------------------------------------------------------------------------------

class _Night(en._Raw):
    """«в ночь на 16 ноября»: the night before the day named; settled once the year is known."""


def _explicit(text: str, pats: dict[str, re.Pattern[str]], windows: list[tuple[int, int]]) -> list[DateMention]:
    """Explicit dates, left to right; at each place the longest form is taken first."""
    found: list[tuple[int, int, en._Raw]] = []
    for kind in ("night", "xrange", "range", "day", "month", "year"):
        for match in _matches(pats[kind], text, windows):
            mention = _build(kind, match)
            if mention is not None:
                found.append((mention.start, -mention.end, mention))
    for pattern_kind in ("iso", "numeric"):
        pattern = dict(en._AT_DIGIT)[pattern_kind]
        for match in pattern.finditer(text):
            mention = en._build(pattern_kind, match)
            if mention is not None:
                found.append((mention.start, -mention.end, mention))
    out: list[DateMention] = []
    taken_to = -1
    for pos, _, mention in sorted(found, key=lambda f: (f[0], f[1])):
        if pos >= taken_to:
            _absorb_apposition(text, mention, pats)
            out.append(mention)
            taken_to = mention.end
    return out


def _absorb_apposition(text: str, mention: DateMention, pats: dict[str, re.Pattern[str]]) -> None:
    """«накануне, 16 ноября»: the relative word restates the date and belongs to it."""
    lead = pats["apposition"].search(text, max(0, mention.start - 16), mention.start)
    if lead:
        mention.start = lead.start()
        mention.text = text[mention.start:mention.end]


def _month(word: str | None) -> int:
    return _months()[_fold(word or "")]


def _build(kind: str, match: re.Match[str]) -> en._Raw | None:
    g = match.groupdict()
    text, start, end = match.string, match.start(), match.end()
    year = int(g["y"]) if g.get("y") else None
    if kind == "year":
        raw = en._raw(text, start, end, year, 1, 1, precision=MONTH_PRECISION)
        raw.month2, raw.day2 = 12, 31
        return raw
    if kind == "month":
        return _month_mention(text, start, end, g, year)
    month = _month(g["m"])
    if kind == "day":
        return en._raw(text, start, end, year, month, int(g["d1"]))
    if kind == "night" and not g.get("d1"):
        night = _Night(start=start, end=end, text=text[start:end], date=None, end_date=None,
                       precision=DAY_PRECISION, year=year, month=month, day=int(g["d2"]))
        return night
    month1 = _month(g["m1"]) if g.get("m1") else month
    d1, d2 = int(g["d1"]), int(g["d2"])
    if month1 == month and d2 <= d1:
        return None
    raw = en._raw(text, start, end, year, month1, d1,
                  precision=DAY_PRECISION if kind == "night" else RANGE_PRECISION)
    raw.month2, raw.day2 = month, d2
    return raw


def _month_mention(text: str, start: int, end: int, g: dict[str, str | None], year: int | None) -> en._Raw | None:
    """«в ноябре», «в начале ноября», «ноябрь 2021 года»: the month is known, not the day."""
    if not (g.get("mod") or g.get("prep") or year):
        return None  # a bare month word needs a preposition, a modifier or a year to be a date
    raw = en._raw(text, start, end, year, _month(g["m"]), 0, precision=MONTH_PRECISION)
    modifier = g.get("mod")
    raw.month_only = _modifiers()[_fold(modifier)] if modifier else (1, 31)
    return raw


def _settle_nights(mentions: list[DateMention], nights: set[tuple[int, int]]) -> list[DateMention]:
    """«в ночь на 16 ноября» is the night of 15–16 November: day precision, the evening's date first
    and the morning's as end date (as the English «the night of 15-16 November»)."""
    for m in mentions:
        if (m.start, m.end) in nights and m.date is not None:
            m.date, m.end_date = m.date - dt.timedelta(days=1), m.date
    return mentions


# --- relative, weekday, anaphoric -----------------------------------------------------------

def _weekday_mentions(text: str, published: dt.date | None, pats: dict[str, re.Pattern[str]],
                      windows: list[tuple[int, int]]) -> list[DateMention]:
    out: list[DateMention] = []
    for match in _matches(pats["weekday"], text, windows):
        weekday = _weekdays()[_fold(match.group("wd"))]
        date = None
        if published is not None:
            back = (published.weekday() - weekday) % 7
            if match.group("last") and back == 0:
                back = 7
            date = published - dt.timedelta(days=back)
        end_date = None
        if date is not None and match.group("night").strip().lower().startswith("в ночь"):
            date, end_date = date - dt.timedelta(days=1), date  # «в ночь на субботу»: Friday into Saturday
        out.append(DateMention(match.start(), match.end(), match.group(0), date, end_date, DAY_PRECISION,
                               relative=True))
    return out


def _relative_mentions(text: str, published: dt.date | None, pats: dict[str, re.Pattern[str]],
                       windows: list[tuple[int, int]]) -> list[DateMention]:
    out: list[DateMention] = []
    for match in _matches(pats["relative"], text, windows):
        phrase = _fold(match.group("phrase"))
        if phrase == "накануне" and pats["eve"].match(text, match.end()):
            continue  # «накануне выборов»: the eve of something, not a date
        offset, unit = _relative()[phrase]
        date, end_date, precision = _resolve_relative(offset, unit, published)
        out.append(DateMention(match.start(), match.end(), match.group(0), date, end_date, precision,
                               relative=True))
    return out


def _resolve_relative(offset: int, unit: str, published: dt.date | None) -> tuple[dt.date | None, dt.date | None, int]:
    precision = {"week": RANGE_PRECISION, "weekend": RANGE_PRECISION, "month": MONTH_PRECISION}.get(unit, DAY_PRECISION)
    if published is None:
        return None, None, precision
    one = dt.timedelta(days=1)
    if unit == "day":
        return published + offset * one, None, precision
    if unit == "night":
        return published - one, published, precision
    english = {("week", -1): "last week", ("week", 0): "this week", ("weekend", -1): "last weekend",
               ("month", -1): "last month", ("month", 0): "this month"}[(unit, offset)]
    first, last = en._relative_span(english, published)
    return first, last, precision


def _ago_mentions(text: str, published: dt.date | None, pats: dict[str, re.Pattern[str]],
                  windows: list[tuple[int, int]]) -> list[DateMention]:
    """«два дня назад», «неделю назад», «месяц назад»: calendar arithmetic on publication."""
    out: list[DateMention] = []
    for match in _matches(pats["ago"], text, windows):
        n = _count(match.group("n"))
        begin = match.start() if n is not None else match.start("unit")  # «ровно неделю назад»
        unit = _fold(match.group("unit"))
        precision, days = DAY_PRECISION, n or 1
        if unit.startswith("недел"):
            precision, days = RANGE_PRECISION, 7 * (n or 1)
        elif unit.startswith("месяц"):
            precision, days = MONTH_PRECISION, 30 * (n or 1)
        date = published - dt.timedelta(days=days) if published is not None else None
        out.append(DateMention(begin, match.end(), text[begin:match.end()], date, None, precision, relative=True))
    return out


def _count(word: str | None) -> int | None:
    """A number written in digits or as a numeral word («два», «двумя»); None for any other word."""
    if not word:
        return None
    return int(word) if word.isdigit() else _numbers().get(_fold(word))


def _anaphoric_mentions(text: str, windows: list[tuple[int, int]]) -> list[DateMention]:
    found: dict[tuple[int, int], DateMention] = {}
    for pattern, template in _anaphoric():
        for match in _matches(pattern, text, windows):
            n = _count(match.groupdict().get("n"))
            if "{n}" in template and n is None:
                continue  # «через несколько дней»: no number, no date
            offset = int(template.replace("{n}", str(n or 0)))
            found.setdefault(match.span(), DateMention(match.start(), match.end(), match.group(0), None, None,
                                                       DAY_PRECISION, anaphoric=True, offset=offset))
    # Longest first where two phrases overlap («позднее в тот же день» over «в тот же день»).
    out: list[DateMention] = []
    for span in sorted(found, key=lambda s: (s[0], -s[1])):
        if not en._overlaps(found[span], [(m.start, m.end) for m in out]):
            out.append(found[span])
    return out


def _eve_in_context(mentions: list[DateMention], published: dt.date | None) -> list[DateMention]:
    """«накануне» after an explicit date that is not the publication day is the day before *that*
    date («13 ноября … Накануне …» is 12 November): it becomes anaphoric, inherited by the caller."""
    out: list[DateMention] = []
    previous: DateMention | None = None
    for m in mentions:
        if m.relative and _fold(m.text).startswith("накануне") and previous is not None \
                and previous.date is not None and previous.date != published:
            m = replace(m, date=None, end_date=None, relative=False, anaphoric=True, offset=-1)
        if not (m.relative or m.anaphoric) and m.date is not None:
            previous = m
        out.append(m)
    return out

"""Find and normalise date mentions in report text (pure functions, no I/O).

Explicit forms ("November 16, 2021", "16 Nov.", "2021-11-16", "November 6-7") are read with regular
expressions: they are the bulk of dates in conflict reporting and a regex pass costs microseconds,
where ``dateparser`` costs about a millisecond per call. ``dateparser`` is used only for "N days
ago"-style phrases, cached. Weekdays, "yesterday", "last week" are plain calendar arithmetic on the
publication date.

Russian text is read by :mod:`flashpoint.extract.dates.ru` (``find_dates(..., language="ru")``) into the
same mentions, with the year inference below.

Every mention records how sure it is (ACLED's ``time_precision``) and whether its year was inferred.
A date that cannot be pinned down (no year in the text and no publication date) keeps ``date=None``:
flashpoint says it does not know rather than inventing a year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

__all__ = ["DateMention", "find_dates", "inherit", "parse_iso_date"]

DAY_PRECISION, RANGE_PRECISION, MONTH_PRECISION = 1, 2, 3
FUTURE_TOLERANCE = dt.timedelta(days=7)
"""A year-less date may fall at most this far after publication ("talks on November 25")."""


@dataclass
class DateMention:
    """One date expression in the text and what it means."""

    start: int
    end: int
    text: str
    date: dt.date | None
    """First (or only) day; None when it cannot be pinned (no year and no publication date)."""
    end_date: dt.date | None
    """Last day of a range ("November 6-7", "last week", "in early November"); None for one day."""
    precision: int
    """ACLED time_precision: 1 day, 2 range or week, 3 month."""
    anaphoric: bool = False
    """"on the same day", "later that day": the caller inherits the previous event's date."""
    relative: bool = False
    """"yesterday", "on Tuesday", "two days ago": resolved against the publication date."""
    year_inferred: bool = False
    """The text gave no year; it came from an earlier date in the text or from publication."""
    offset: int = 0
    """For anaphoric mentions: days to add to the inherited date ("the next day" is +1)."""
    metadata: bool = False
    """The page's own date ('Last update: …', 'Posted on …'): a publication date, never an event's."""


# --- patterns -------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
"""English month prefixes (not ``calendar.month_abbr``, which follows the user's locale)."""
_MON = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"  # only an abbreviation takes a dot
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?:1[89]|20)\d\d(?![\d:])"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DASH = r"\s*[-\u2010-\u2015]\s*"
_TO = rf"(?:{_DASH}|\s+(?:to|and|until|till|through|thru)\s+)"
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "several": None, "few": None,
}

_FLAGS = re.IGNORECASE
_YEAR_TAIL = rf"(?:,?\s+(?P<y>{_YEAR}))?"

# Cheap anchors found with one scan each (patterns that start with a character class let the regex
# engine skip through the text in C); the full patterns then run only where an anchor is.
_DIGIT_ANCHOR = re.compile(r"[0-9][0-9]*")
_MONTH_ANCHOR = re.compile(
    r"[ADFJMNOS](?:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec|AN|EB|AR|PR|AY|UN|UL|UG|EP|CT|OV|EC)")
_KEYWORDS = ("day", "week", "month", "night", "morning", "afternoon", "evening", "ago", "hours")
"""Every relative or anaphoric phrase contains one of these (found with str.find, faster than a regex)."""

# Explicit dates, matched at an anchor. Case is checked afterwards ("may" the verb is not May).
_AT_MONTH: list[tuple[str, re.Pattern[str]]] = [
    ("xrange", re.compile(rf"(?P<m1>{_MON})\s+(?P<d1>{_DAY}){_TO}(?P<m>{_MON})\s+(?P<d2>{_DAY}){_YEAR_TAIL}", _FLAGS)),
    ("range", re.compile(rf"(?P<m>{_MON})\s+(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY}){_YEAR_TAIL}", _FLAGS)),
    ("day", re.compile(rf"(?P<m>{_MON})\s+(?P<d1>{_DAY}){_YEAR_TAIL}", _FLAGS)),
    ("month", re.compile(rf"(?P<m>{_MON})(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?(?![\w-])", _FLAGS)),
]
_AT_DIGIT: list[tuple[str, re.Pattern[str]]] = [
    ("xrange", re.compile(rf"(?<![\w.,])(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m1>{_MON}){_TO}"
                          rf"(?P<d2>{_DAY})(?:\s+of)?\s+(?P<m>{_MON}){_YEAR_TAIL}", _FLAGS)),
    ("range", re.compile(rf"(?<![\w.,])(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY})(?:\s+of)?\s+(?P<m>{_MON}){_YEAR_TAIL}",
                         _FLAGS)),
    ("day", re.compile(rf"(?<![\w.,])(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m>{_MON}){_YEAR_TAIL}", _FLAGS)),
    ("iso", re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<mn>0[1-9]|1[0-2])-(?P<d1>0[1-9]|[12]\d|3[01])(?![\d-])")),
    ("numeric", re.compile(r"(?<![\d/.-])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:19|20)\d\d)(?![\d/])")),
]

# What may stand just before an explicit date and belongs to it (matched on a short slice before it).
_BEFORE_NIGHT = re.compile(r"(?:\bon\s+)?\bthe\s+night\s+of\s+(?:the\s+)?$", _FLAGS)
_BEFORE_RANGE = re.compile(r"\b(?:between|from)\s+(?:the\s+)?$", _FLAGS)
_BEFORE_WEEKDAY = re.compile(rf"\b(?P<wd>{_WD})(?P<join>\s*,\s*|\s*\(\s*|\s+)(?:the\s+)?$")
_BEFORE_MODIFIER = re.compile(
    r"\b(?P<mod>early|mid|late|(?:the\s+)?(?:middle|end|beginning|start)\s+of)[\s-]+(?:the\s+month\s+of\s+)?$",
    _FLAGS)
_CLOSE_PAREN = re.compile(r"\s*\)")
_BEFORE_ON = re.compile(rf"\bon\s+(?:{_WD},?\s+)?$", _FLAGS)
_BEFORE_MONTH_PREP = re.compile(r"\b(?:in|during|throughout|since|until|by|of|over|from|last|this|next)\s+$", _FLAGS)

_RELATIVE = re.compile(
    rf"\b(?P<phrase>(?:the\s+)?day\s+before\s+yesterday|yesterday(?:\s+(?:morning|afternoon|evening))?"
    rf"|(?:earlier\s+|later\s+)?today|this\s+(?:morning|afternoon|evening)|tonight|last\s+night|overnight"
    rf"|(?:earlier|later)\s+this\s+(?:week|month)|(?:this|last|past|previous)\s+(?:week|month|weekend)"
    rf"|over\s+the\s+(?:past\s+)?weekend|at\s+the\s+weekend"
    rf"|(?:(?:on|last|this|since|early|late)\s+)?(?:{_WD})(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|(?P<n>\d{{1,2}}|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|few)"
    rf"\s+(?P<unit>day|week|month)s?\s+ago)\b",
    _FLAGS,
)

_ANAPHORIC = re.compile(
    r"\b(?:(?:on|during|in|by)\s+)?(?P<phrase>(?:later|earlier)\s+(?:that|the\s+same)\s+(?:day|night|morning|afternoon|evening)"
    r"|(?:that|the\s+same)\s+(?:day|night|morning|afternoon|evening)"
    r"|the\s+(?:next|following|previous|preceding)\s+(?:day|night|morning|evening)|the\s+day\s+(?:before|after)"
    r"|(?P<n>a|one|two|three|four|five|six|seven|\d)\s+days?\s+(?P<dir>later|earlier|before|after)"
    r"|hours\s+(?:later|earlier))\b",
    _FLAGS,
)

_AGO_PRECISION = {"day": DAY_PRECISION, "week": RANGE_PRECISION, "month": MONTH_PRECISION}
_MODIFIER_DAYS = {"early": (1, 10), "beginning": (1, 10), "start": (1, 10), "mid": (11, 20), "middle": (11, 20),
                  "late": (21, 31), "end": (21, 31)}
_COUNT_AFTER = re.compile(
    r"\s+(?:people|persons|civilians|soldiers|servicemen|troops|fighters|militants|protesters|police|"
    r"policemen|officers|others|children|women|men|members|bodies|of\s+(?:them|whom|the)|more|were|are|have|had|"
    r"killed|dead|died|injured|wounded|hurt|missing|houses|homes|vehicles)\b", re.IGNORECASE)


# --- public API -----------------------------------------------------------------------------

def find_dates(text: str, published: dt.date | None, *, start: int = 0,
               context_year: int | None = None, language: str = "en") -> list[DateMention]:
    """Every date mention in ``text``, in order, resolved as far as the text allows.

    ``start`` is the offset of ``text`` in the document: spans are shifted by it, so that a caller
    passing one sentence gets offsets into ``Document.text``. ``context_year`` is a year known from
    text before this slice (an earlier sentence); an explicit year inside ``text`` takes over from it.
    ``language`` picks the words: ``"ru"`` reads Russian (:mod:`flashpoint.extract.dates.ru`); any
    other code gets the English rules (digits and ISO dates read the same in every language).
    """
    if language == "ru":
        from flashpoint.extract.dates.ru import find_dates_ru  # only when Russian is read

        return find_dates_ru(text, published, start=start, context_year=context_year)
    raw = _explicit_mentions(text)
    windows = _keyword_windows(text)
    if windows:
        taken = [(m.start, m.end) for m in raw]
        raw += [m for m in _relative_mentions(text, published, windows) if not _overlaps(m, taken)]
        taken = [(m.start, m.end) for m in raw]
        raw += [m for m in _anaphoric_mentions(text, windows) if not _overlaps(m, taken)]
    raw.sort(key=lambda m: m.start)
    resolved = _infer_years(raw, published, context_year)
    for m in resolved:
        m.metadata = _metadata(text, m.start)
        m.start += start
        m.end += start
    return resolved


_METADATA_LABEL = re.compile(
    r"(?:\b(?:last\s+)?(?:updated?|modified|edited|published|posted|created)(?:\s+(?:on|at))?"
    r"|\bupdate|\bdate\s+of\s+publication)\s*[:\-\u2013\u2014]?\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s*)?$",
    re.IGNORECASE,
)


def _metadata(text: str, start: int) -> bool:
    """'Last update: 12 March', 'Updated 14:05, 3 May': the page's own dates, never an event's."""
    return _METADATA_LABEL.search(text[max(0, start - 40):start]) is not None


def inherit(mention: DateMention, previous: DateMention | None) -> DateMention:
    """Resolve an anaphoric mention ("on the same day", "the next day") against an earlier one."""
    if not mention.anaphoric or previous is None or previous.date is None:
        return mention
    delta = dt.timedelta(days=mention.offset)
    end = previous.end_date + delta if previous.end_date and mention.offset == 0 else None
    return replace(mention, date=previous.date + delta, end_date=end, precision=previous.precision,
                   year_inferred=previous.year_inferred)


def parse_iso_date(value: str) -> dt.date | None:
    """``YYYY-MM-DD`` (or an ISO datetime) to a date; None when it is not one."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- explicit dates -------------------------------------------------------------------------

@dataclass
class _Raw(DateMention):
    """A mention before year inference: the parts the text gave."""

    year: int | None = None
    month: int = 0
    day: int = 0
    month2: int = 0
    day2: int = 0
    month_only: tuple[int, int] | None = None


def _explicit_mentions(text: str) -> list[DateMention]:
    """Explicit dates, left to right; at each anchor the longest form is tried first."""
    anchors = [(m.start(), _AT_DIGIT) for m in _DIGIT_ANCHOR.finditer(text)]
    anchors += [(m.start(), _AT_MONTH) for m in _MONTH_ANCHOR.finditer(text)
                if not (m.start() and text[m.start() - 1].isalpha())]
    anchors.sort(key=lambda a: a[0])
    found: list[DateMention] = []
    taken_to = -1
    for pos, patterns in anchors:
        if pos < taken_to:
            continue
        for kind, pattern in patterns:
            match = pattern.match(text, pos)
            mention = _build(kind, match) if match else None
            if mention is not None:
                found.append(mention)
                taken_to = mention.end
                break
    return found


def _build(kind: str, match: re.Match[str]) -> _Raw | None:
    groups = match.groupdict()
    for key in ("m", "m1"):
        if groups.get(key) and not _is_month_word(groups[key]):
            return None
    text, start, end = match.string, match.start(), match.end()
    year = int(groups["y"]) if groups.get("y") else None
    if kind == "iso":
        return _raw(text, start, end, year, int(groups["mn"]), int(groups["d1"]))
    if kind == "numeric":
        return _numeric(text, start, end, int(groups["a"]), int(groups["b"]), year)
    if kind == "month":
        return _month_mention(text, start, end, _month_number(groups["m"]), year)
    if kind == "day":
        return _day_mention(text, start, end, _month_number(groups["m"]), _day(groups["d1"]), year)
    return _range_mention(text, start, end, groups, year)


def _day_mention(text: str, start: int, end: int, month: int, day: int, year: int | None) -> _Raw | None:
    if year is None and text[start].isalpha() and _COUNT_AFTER.match(text, end) \
            and not _BEFORE_ON.search(text, max(0, start - 16), start):
        return None  # "In May 12 people were killed": a count, not a day ("On May 12 people ..." is a day)
    before = _BEFORE_WEEKDAY.search(text, max(0, start - 14), start)
    if before:  # "Monday, November 15" / "on Monday (Nov. 15)": the weekday is part of the date
        start = before.start()
        close = _CLOSE_PAREN.match(text, end)
        if "(" in before.group("join") and close:
            end = close.end()
    return _raw(text, start, end, year, month, day)


def _range_mention(text: str, start: int, end: int, groups: dict[str, str | None],
                   year: int | None) -> _Raw | None:
    month = _month_number(groups["m"] or "")
    month1 = _month_number(groups["m1"] or "") if groups.get("m1") else month
    d1, d2 = _day(groups["d1"] or ""), _day(groups["d2"] or "")
    if month1 == month and d2 <= d1:
        return None  # "5-3 May" is not a range we can trust
    precision = RANGE_PRECISION
    night = _BEFORE_NIGHT.search(text, max(0, start - 24), start)
    lead = night or _BEFORE_RANGE.search(text, max(0, start - 14), start)
    if lead:
        start = lead.start()
    if night:
        precision = DAY_PRECISION  # one night over two dates: the day is known
    raw = _raw(text, start, end, year, month1, d1, precision=precision)
    raw.month2, raw.day2 = month, d2
    return raw


def _month_mention(text: str, start: int, end: int, month: int, year: int | None) -> _Raw | None:
    """ "November 2021", "in early November", "mid-November": the month is known, not the day."""
    modifier = _BEFORE_MODIFIER.search(text, max(0, start - 24), start)
    if modifier:
        start = modifier.start()
    elif year is None and not _BEFORE_MONTH_PREP.search(text, max(0, start - 12), start):
        return None  # a bare "November" may be a name ("November Revolution"): need more context
    raw = _raw(text, start, end, year, month, 0, precision=MONTH_PRECISION)
    raw.month_only = _modifier_days(modifier.group("mod") if modifier else None)
    return raw


def _modifier_days(mod: str | None) -> tuple[int, int]:
    """Days of the month a modifier points to: "early" 1-10, "mid" 11-20, "late" 21-end."""
    if not mod:
        return 1, 31
    words = [w for w in re.split(r"[\s-]+", mod.lower()) if w not in ("the", "of")]
    return _MODIFIER_DAYS.get(words[0], (1, 31)) if words else (1, 31)


def _raw(text: str, start: int, end: int, year: int | None, month: int, day: int,
         precision: int = DAY_PRECISION) -> _Raw:
    return _Raw(start=start, end=end, text=text[start:end], date=None, end_date=None, precision=precision,
                year=year, month=month, day=day)


def _numeric(text: str, start: int, end: int, a: int, b: int, year: int | None) -> _Raw | None:
    """``16/11/2021``: day first (the world's usual order) unless that is impossible."""
    if 1 <= b <= 12 and 1 <= a <= 31:
        day, month = a, b
    elif 1 <= a <= 12 and 13 <= b <= 31:
        day, month = b, a
    else:
        return None
    return _raw(text, start, end, year, month, day)


def _is_month_word(word: str) -> bool:
    # Capitalised or upper-case only: "may" and "march" in lower case are a verb.
    return word[0].isupper()


def _month_number(word: str) -> int:
    return _MONTHS[word[:3].lower()]


def _day(token: str) -> int:
    return int(re.match(r"\d+", token).group())  # type: ignore[union-attr]


# --- relative and anaphoric -----------------------------------------------------------------

def _keyword_windows(text: str) -> list[tuple[int, int, int]]:
    """(keyword position, window start, window end) for every time word ("day", "week", "ago", …).

    Relative and anaphoric phrases all contain one of these words, so their regexes only need to run
    on a few short windows instead of the whole text.
    """
    low = text.lower()
    n = len(text)
    windows = []
    for word in _KEYWORDS:
        pos = low.find(word)
        while pos >= 0:
            windows.append((pos, max(0, pos - 36), min(n, pos + len(word) + 30)))
            pos = low.find(word, pos + 1)
    windows.sort()
    return windows


def _window_matches(pattern: re.Pattern[str], text: str,
                    windows: list[tuple[int, int, int]]) -> list[re.Match[str]]:
    seen: dict[tuple[int, int], re.Match[str]] = {}
    for pos, lo, hi in windows:
        for match in pattern.finditer(text, lo, hi):
            cut = match.end() == hi and hi < len(text)  # the window may have cut the phrase short
            if match.start() <= pos < match.end() and not cut:
                seen.setdefault(match.span(), match)
    return [seen[span] for span in sorted(seen)]


def _relative_mentions(text: str, published: dt.date | None,
                       windows: list[tuple[int, int, int]]) -> list[DateMention]:
    out: list[DateMention] = []
    for match in _window_matches(_RELATIVE, text, windows):
        phrase = match.group("phrase")
        if re.search(_WD, phrase, _FLAGS) and not re.search(_WD, phrase):
            continue  # "monday" in lower case is not a weekday mention
        date, end_date, precision = _resolve_relative(phrase, match.group("n"), match.group("unit"), published)
        out.append(DateMention(match.start(), match.end(), phrase, date, end_date, precision, relative=True))
    return out


_DAY_OFFSETS = {"yesterday": -1, "last night": -1, "today": 0, "tonight": 0, "this": 0,
                "the day before yesterday": -2, "day before yesterday": -2}
"""Phrases that name one day relative to publication (keyed by their first words, see below)."""


def _resolve_relative(phrase: str, n: str | None, unit: str | None,
                      published: dt.date | None) -> tuple[dt.date | None, dt.date | None, int]:
    """(first day, last day or None, precision) of a relative phrase on a publication date."""
    low = " ".join(phrase.lower().split())
    precision = _relative_precision(low, unit)
    if published is None:
        return None, None, precision
    if unit:
        return _dateparser_relative(low, published), None, precision
    offset = _day_offset(low)
    if offset is not None:
        return published + dt.timedelta(days=offset), None, precision
    if low == "overnight":  # the night before publication, into its day
        return published - dt.timedelta(days=1), published, precision
    if low.endswith(("week", "weekend", "month")):
        first, last = _relative_span(low, published)
        return first, last, precision
    return _weekday(low, published, precision)


def _day_offset(low: str) -> int | None:
    for prefix in ("earlier ", "later "):
        low = low.removeprefix(prefix)  # "earlier today" is today
    if low.startswith("yesterday"):
        return -1
    if low.startswith("this ") and not low.endswith(("week", "weekend", "month")):
        return 0  # this morning / afternoon / evening
    return _DAY_OFFSETS.get(low)


def _relative_span(low: str, published: dt.date) -> tuple[dt.date, dt.date]:
    """Days covered by "last week", "earlier this week", "over the weekend", "last month"."""
    one = dt.timedelta(days=1)
    previous = low.startswith(("last", "past", "previous"))
    if low.endswith("weekend"):
        saturday = published - dt.timedelta(days=(published.weekday() - 5) % 7)
        if saturday == published:  # on a Saturday, "the weekend" is the one before
            saturday -= 7 * one
        return saturday, saturday + one
    if low.endswith("week"):
        monday = published - dt.timedelta(days=published.weekday())
        return (monday - 7 * one, monday - one) if previous else (monday, published)
    first = published.replace(day=1)
    if previous:
        last = first - one
        return last.replace(day=1), last
    return first, published


def _relative_precision(low: str, unit: str | None) -> int:
    if unit:
        return _AGO_PRECISION[unit.lower()]
    if low.endswith("month"):
        return MONTH_PRECISION
    if low.endswith(("week", "weekend")) or low.startswith("since"):
        return RANGE_PRECISION
    return DAY_PRECISION


def _weekday(low: str, published: dt.date, precision: int) -> tuple[dt.date | None, dt.date | None, int]:
    """The weekday on or before publication ("on Saturday" in Saturday's paper is that day);
    "last Saturday" is strictly before; "since Sunday" runs to publication."""
    name = next(w for w in _WEEKDAYS if w in low)
    back = (published.weekday() - _WEEKDAYS.index(name)) % 7
    if low.startswith("last") and back == 0:
        back = 7
    date = published - dt.timedelta(days=back)
    if low.startswith("since"):
        return date, published, precision
    return date, None, precision


@lru_cache(maxsize=4096)
def _dateparser_relative(phrase: str, published: dt.date) -> dt.date | None:
    import dateparser  # slow to import and to call: only here, and cached

    base = dt.datetime.combine(published, dt.time(12))
    parsed = dateparser.parse(phrase, languages=["en"],
                              settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    return parsed.date() if parsed else None


def _anaphoric_mentions(text: str, windows: list[tuple[int, int, int]]) -> list[DateMention]:
    out: list[DateMention] = []
    for match in _window_matches(_ANAPHORIC, text, windows):
        phrase = match.group("phrase").lower()
        offset = _anaphoric_offset(phrase, match.group("n"), match.group("dir"))
        out.append(DateMention(match.start(), match.end(), match.group(0), None, None, DAY_PRECISION,
                               anaphoric=True, offset=offset))
    return out


def _anaphoric_offset(phrase: str, n: str | None, direction: str | None) -> int:
    if n:
        count = int(n) if n.isdigit() else (_NUMBER_WORDS.get(n.lower()) or 1)
        return count if direction and direction.lower() in ("later", "after") else -count
    if any(w in phrase for w in ("next", "following", "day after")):
        return 1
    if any(w in phrase for w in ("previous", "preceding", "day before")):
        return -1
    return 0


# --- years ----------------------------------------------------------------------------------

def _infer_years(mentions: list[DateMention], published: dt.date | None,
                 context_year: int | None) -> list[DateMention]:
    """Give year-less dates the year of the nearest explicit date before them, else publication's."""
    context: dt.date | None = dt.date(context_year, 7, 1) if context_year else None
    out: list[DateMention] = []
    for m in mentions:
        if not isinstance(m, _Raw):
            out.append(m)
            continue
        resolved = _resolve_raw(m, published, context)
        if resolved is None:
            continue
        if m.year is not None and resolved.date is not None:
            context = resolved.date
        out.append(resolved)
    return out


def _resolve_raw(m: _Raw, published: dt.date | None, context: dt.date | None) -> DateMention | None:
    """The mention with its year settled; None when the parts are no calendar date ("31 November")."""
    if _safe_date(2000, m.month, m.day or 1) is None:  # 2000 is a leap year: only impossible days fail
        return None
    if m.day2 and _safe_date(2000, m.month2, m.day2) is None:
        return None
    year, inferred = m.year, False
    if year is None:
        year = _pick_year(m, published, context)
        inferred = year is not None
    base = DateMention(m.start, m.end, m.text, None, None, m.precision, year_inferred=inferred)
    if year is None:
        return base  # the day and month are known, the year is not: said, not invented
    if m.month_only is not None:
        last = calendar.monthrange(year, m.month)[1]
        lo, hi = m.month_only
        base.date, base.end_date = _safe_date(year, m.month, lo), _safe_date(year, m.month, min(hi, last))
        return base
    base.date = _safe_date(year, m.month, m.day)
    if base.date is None:  # 29 February in a common year
        return None
    if m.day2:
        year2 = year + 1 if m.month2 < m.month else year  # "30 December - 2 January"
        base.end_date = _safe_date(year2, m.month2, m.day2)
        if base.end_date is None:  # "6-31 November"
            return None
    return base


def _pick_year(m: _Raw, published: dt.date | None, context: dt.date | None) -> int | None:
    anchor = context or published
    if anchor is None:
        return None
    day = m.day or 15
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        date = _safe_date(year, m.month, min(day, calendar.monthrange(year, m.month)[1]))
        if date is None:
            continue
        if published is not None and date > published + FUTURE_TOLERANCE:
            continue
        candidates.append((abs((date - anchor).days), -year, year))
    if not candidates:
        return None
    if context is None and published is not None:
        # From publication alone: the latest year that is not (much) after publication.
        return max(c[2] for c in candidates)
    return min(candidates)[2]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _overlaps(m: DateMention, taken: list[tuple[int, int]]) -> bool:
    return _overlaps_span(m.start, m.end, taken)


def _overlaps_span(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)

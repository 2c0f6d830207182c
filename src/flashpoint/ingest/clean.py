"""Remove web-page chrome left in plain text (copy-pasted or scraped pages).

Line-based and conservative: a line is chrome only when the *whole line* is a known piece of page
furniture ("Related Articles", "Leave a Reply", "Share on Facebook", a comment-form label, a cookie
notice, a copyright line). A sentence of the story that mentions sharing, replying or the top of
something never matches, because every pattern is anchored to the whole line and short.

Where a page's tail starts (a related-articles or comments heading in the second half of the text),
everything from there on is chrome: headlines of other stories and readers' comments are not the report.
"""

from __future__ import annotations

import re

__all__ = ["remove_chrome"]

_SOCIAL = (r"facebook|twitter|x|whatsapp|telegram|linkedin|vk|vkontakte|reddit|pinterest|email|e-mail|"
           r"print|messenger|viber|tumblr|threads|bluesky|mastodon|instagram|youtube|tiktok|copy\s+link|"
           r"ok|odnoklassniki|line|wechat|weibo|pocket|flipboard")

_TAIL_HEADINGS = re.compile(
    r"(?:related(?:\s+(?:articles?|posts?|stories|news|content|coverage|reading|topics))?"
    r"|(?:you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested\s+in|have\s+missed))"
    r"|more\s+(?:stories|news|articles|on\s+this\s+(?:story|topic))|read\s+next|recommended(?:\s+for\s+you)?"
    r"|most\s+(?:read|popular|viewed)|latest\s+(?:news|stories|articles)|trending(?:\s+now)?"
    r"|leave\s+a\s+(?:reply|comment)|(?:\d+\s+)?comments?(?:\s*\(\d+\))?|no\s+comments(?:\s+yet)?"
    r"|add\s+(?:a\s+)?comment|join\s+the\s+(?:discussion|conversation)|(?:show|view|load)\s+(?:all\s+)?"
    r"(?:\d+\s+)?(?:more\s+)?comments|discussion|responses?|\d+\s+(?:responses?|replies|thoughts\s+on\s+.{1,120}))"
    r"[:.]?",
    re.IGNORECASE,
)
"""Headings that open the tail of a page (other stories, readers' comments)."""

_CHROME_LINES = re.compile(
    "|".join((
        # comment forms
        r"your\s+email\s+address\s+will\s+not\s+be\s+published\.?(?:\s+required\s+fields\s+are\s+marked\s*\*?)?",
        r"required\s+fields\s+are\s+marked\s*\*?",
        r"(?:name|email|e-mail|website|url|comment|message|your\s+name|your\s+email)\s*\*?\s*:?",
        r"save\s+my\s+name,?\s+email,?\s+(?:and\s+)?website\s+in\s+this\s+browser.{0,60}",
        r"notify\s+me\s+of\s+(?:new|follow-up)\s+(?:comments|posts).{0,60}",
        r"(?:post|submit|send)\s+(?:a\s+)?(?:comment|reply)|cancel\s+reply|reply|log\s+in\s+to\s+reply",
        r"leave\s+a\s+(?:reply|comment)",
        # navigation
        r"(?:back|go|return|scroll)\s+to\s+top(?:\s+button)?|top\s+button|skip\s+to\s+(?:main\s+)?content",
        r"menu|search|home|print|close|previous\s+(?:article|post)|next\s+(?:article|post)|sign\s+in|log\s*in"
        r"|register|listen\s+to\s+(?:this\s+)?(?:article|story)(?:\s*[,(]?\s*\d+\s*min[^\n]{0,10})?",
        r"home\s*[»›>/|].{0,120}",
        # sharing and following
        rf"share(?:\s+(?:this|the)\s+(?:article|story|post|page))?(?:\s+(?:on|via|to))?(?:\s*:)?"
        rf"(?:\s*(?:{_SOCIAL})[\s,|·•]*)*",
        rf"(?:{_SOCIAL})(?:[\s,|·•]+(?:{_SOCIAL}))*",
        r"share\s+this\s*:?",
        rf"(?:follow|join|find)\s+us\s+(?:on|at)\s+(?:{_SOCIAL}|social\s+media|google\s+news)"
        rf"(?:\s*(?:,|and|or)\s*(?:{_SOCIAL}))*.{{0,40}}",
        r"(?:subscribe|sign\s+up)(?:\s+(?:to|for))?(?:\s+(?:our|the))?\s*(?:free\s+|daily\s+|weekly\s+)?"
        r"(?:newsletter|channel|updates|mailing\s+list|alerts|youtube\s+channel|telegram\s+channel).{0,60}",
        r"subscribe(?:\s+now)?",
        # cookie notices
        r".{0,200}\b(?:we|this\s+(?:web)?site)\s+uses?\s+cookies\b.{0,300}",
        r"(?:accept|reject|allow|manage)(?:\s+all)?(?:\s+cookies)?|cookie\s+(?:settings|policy|preferences)",
        # leads to other pages, labels
        r"(?:read\s+(?:more|also)|see\s+also|also\s+read|related)\s*:.{0,200}|read\s+more(?:\s*(?:»|›|>|\.\.\.|…))?",
        r"(?:tags?|topics?|filed\s+under|categories|category|keywords)\s*:.{0,300}",
        # picture furniture ("Image caption, ..." lines repeat the story or describe a photo)
        r"image\s+(?:source|caption|credit)s?\s*[,:].{0,300}|(?:photo|picture)(?:\s+credit)?\s*:\s*.{0,80}",
        # legal, ads
        r"(?:©|\(c\)).{0,200}|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|by\b).{0,200}",
        r".{0,120}\ball\s+rights\s+reserved\.?.{0,80}",
        r"advertisement|advertising|sponsored(?:\s+content)?|scroll\s+to\s+continue(?:\s+with\s+content)?",
        r"click\s+here\s+to\s+(?:subscribe|comment|share|read\s+more).{0,60}",
    )),
    re.IGNORECASE,
)
"""Whole lines of page furniture. Every alternative must match the entire (stripped) line."""


def remove_chrome(text: str) -> tuple[str, list[str]]:
    """The text without page chrome, and the removed lines (stripped, in order).

    Kept lines are returned unchanged. Blank lines that only separated removed chrome go with it, and
    trailing whitespace left behind by a removed tail is dropped; nothing else in the text moves.
    """
    lines = text.splitlines(keepends=True)
    tail = _tail_start(lines)
    kept: list[str] = []
    removed: list[str] = []
    swallow_blanks = False  # after removing chrome that followed a blank line, its blank lines go too
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index >= tail or (stripped and _is_chrome(stripped)):
            if stripped:
                removed.append(stripped)
            swallow_blanks = not kept or not kept[-1].strip()
            continue
        if not stripped and swallow_blanks:
            continue
        swallow_blanks = False
        kept.append(line)
    if not removed:
        return text, []
    return "".join(kept).rstrip(), removed


def _is_chrome(line: str) -> bool:
    if len(line) > 600:
        return False
    return _CHROME_LINES.fullmatch(line) is not None or _TAIL_HEADINGS.fullmatch(line) is not None


def _tail_start(lines: list[str]) -> int:
    """Index of the first line of a related/comments tail, or len(lines) when there is none.

    A tail heading counts only in the second half of the text (by characters): near the top the same
    words are navigation, and cutting there would throw the story away.
    """
    total = sum(len(line) for line in lines)
    seen = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if seen >= total / 2 and stripped and _TAIL_HEADINGS.fullmatch(stripped):
            return index
        seen += len(line)
    return len(lines)

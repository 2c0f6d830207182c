"""Sources on the web: pages by URL and RSS/Atom feeds, read into Documents.

Nothing is fetched unless the user names a URL or a feed. Fetching uses the standard library
(urllib) with a timeout, a few retries with exponential back-off for transient trouble (timeouts,
connection errors, 429 and 5xx), a size limit, and a content-type check, so a binary file or a
huge download is refused with a clear reason instead of being coded. A feed's items are fetched
one by one, de-duplicated by URL (fragment and tracking parameters ignored) and by content (the
document id is a hash of the clean text). Local files and directories go to ``flashpoint.ingest.files``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from flashpoint import __version__, errors, settings
from flashpoint.errors import InputError
from flashpoint.model import Document, Failure

__all__ = ["FeedItem", "FetchOptions", "Fetched", "fetch", "is_url", "parse_feed", "read_any", "read_feed",
           "read_url", "normalise_url"]

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/xml", "text/xml"})
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid)$", re.IGNORECASE)
_FEED_SNIFF = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how far to fetch."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    """Seconds before the first retry; doubled for each next one."""
    max_bytes: int = settings.MAX_DOCUMENT_BYTES
    user_agent: str = f"flashpoint/{__version__} (+conflict event coding)"


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    charset: str | None
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    title: str | None = None
    published: dt.date | None = None
    content: str | None = None


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def normalise_url(url: str) -> str:
    """A URL for de-duplication: no fragment, no tracking parameters, lower-case host."""
    parts = urllib.parse.urlsplit(url.strip())
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    path = parts.path or "/"
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path,
                                    urllib.parse.urlencode(query), ""))


# --- fetching -----------------------------------------------------------------------------------

def fetch(url: str, options: FetchOptions = FetchOptions(), *, accept: frozenset[str] | None = None) -> Fetched:
    """GET ``url``; raises InputError (with a code) when it cannot be had or is not acceptable text."""
    accept = accept or (HTML_TYPES | TEXT_TYPES | FEED_TYPES)
    delay = options.backoff
    for attempt in range(options.retries + 1):
        try:
            return _fetch_once(url, options, accept)
        except _Transient as exc:
            if attempt == options.retries:
                raise InputError(f"{url}: {exc} after {options.retries + 1} tries: check the address or try later",
                                 code=errors.E_UNREADABLE) from None
            log.info("%s: %s; retrying in %.1f s", url, exc, delay)
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


class _Transient(Exception):
    """A failure worth retrying (timeout, connection trouble, 429, 5xx)."""


def _fetch_once(url: str, options: FetchOptions, accept: frozenset[str]) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": options.user_agent,
                                                   "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
                                                             "application/atom+xml,text/plain;q=0.9,*/*;q=0.1"})
    try:
        with urllib.request.urlopen(request, timeout=options.timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in accept:
                raise InputError(f"{url}: content type {content_type} is not a web page, text or feed",
                                 code=errors.E_BINARY)
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > options.max_bytes:
                raise InputError(_too_large(url, int(length), options), code=errors.E_TOO_LARGE)
            body = response.read(options.max_bytes + 1)
            if len(body) > options.max_bytes:
                raise InputError(_too_large(url, len(body), options), code=errors.E_TOO_LARGE)
            return Fetched(response.geturl(), content_type, response.headers.get_content_charset(), body)
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise _Transient(f"HTTP {exc.code}") from None
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}: check the address", code=errors.E_NOT_FOUND) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _Transient(f"cannot connect ({reason})") from None


def _too_large(url: str, size: int, options: FetchOptions) -> str:
    return f"{url}: {size} bytes is over the {options.max_bytes}-byte limit: save the part you need and ingest that"


# --- feeds ----------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node: ET.Element, *names: str) -> str | None:
    for child in node:
        if _local(child.tag) in names and (child.text or "").strip():
            return (child.text or "").strip()
    return None


def _atom_link(entry: ET.Element) -> str | None:
    links = [c for c in entry if _local(c.tag) == "link"]
    for c in links:
        if c.get("rel", "alternate") == "alternate" and c.get("href"):
            return c.get("href")
    return next((c.get("href") for c in links if c.get("href")), None)


def _feed_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()  # RSS: RFC 822
    except (TypeError, ValueError):
        pass
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()  # Atom: RFC 3339
    except ValueError:
        return None


def parse_feed(data: bytes | str, base_url: str | None = None) -> list[FeedItem]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; raises InputError when it is not one."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"{base_url or 'feed'}: not a well-formed feed ({exc})", code=errors.E_UNREADABLE) from None
    if _local(root.tag) not in ("rss", "feed", "RDF"):
        raise InputError(f"{base_url or 'feed'}: XML but not an RSS or Atom feed", code=errors.E_UNREADABLE)
    items: list[FeedItem] = []
    for node in root.iter():
        kind = _local(node.tag)
        if kind == "item":
            link = _child_text(node, "link") or _child_text(node, "guid")
            items.append(FeedItem(
                link=urllib.parse.urljoin(base_url or "", link) if link else None,
                title=_child_text(node, "title"),
                published=_feed_date(_child_text(node, "pubDate", "date")),
                content=_child_text(node, "encoded") or _child_text(node, "description"),
            ))
        elif kind == "entry":
            link = _atom_link(node)
            items.append(FeedItem(
                link=urllib.parse.urljoin(base_url or "", link) if link else None,
                title=_child_text(node, "title"),
                published=_feed_date(_child_text(node, "published", "updated")),
                content=_child_text(node, "content", "summary"),
            ))
    return items


def looks_like_feed(head: bytes) -> bool:
    return bool(_FEED_SNIFF.search(head[:2048]))


# --- sources → documents --------------------------------------------------------------------

def _document(fetched: Fetched, source: str, *, title: str | None = None,
              published: dt.date | None = None) -> Document:
    from flashpoint.ingest.files import document_from_html, document_from_text

    if fetched.content_type in HTML_TYPES:
        return document_from_html(fetched.text(), source=source, url=fetched.url, title=title, published=published)
    return document_from_text(fetched.text(), source=source, url=fetched.url, title=title, published=published)


def read_url(url: str, *, published: dt.date | None = None, options: FetchOptions = FetchOptions(),
             seen: set[str] | None = None) -> Iterator[Document | Failure]:
    """A page (one Document) or a feed (a Document per item) at ``url``."""
    try:
        fetched = fetch(url, options)
    except InputError as exc:
        yield Failure(url, str(exc.args[0]), exc.code)
        return
    if fetched.content_type in FEED_TYPES or looks_like_feed(fetched.body):
        yield from read_feed(fetched.body, source=url, base_url=fetched.url, published=published,
                             options=options, seen=seen)
        return
    yield _guard(url, lambda: _document(fetched, url, published=published))


def read_feed(data: bytes | str, *, source: str, base_url: str | None = None, published: dt.date | None = None,
              options: FetchOptions = FetchOptions(), seen: set[str] | None = None) -> Iterator[Document | Failure]:
    """Fetch each item of a feed once (by URL); an item that cannot be fetched falls back to its own content."""
    try:
        items = parse_feed(data, base_url)
    except InputError as exc:
        yield Failure(source, str(exc.args[0]), exc.code)
        return
    seen = seen if seen is not None else set()
    for item in items:
        if item.link is None:
            if item.content:
                yield _guard(source, lambda item=item: _item_document(item, source, published))
            continue
        key = normalise_url(item.link)
        if key in seen:
            continue
        seen.add(key)
        yield _read_item(item, published, options)


def _read_item(item: FeedItem, published: dt.date | None, options: FetchOptions) -> Document | Failure:
    assert item.link is not None
    date = published or item.published
    try:
        fetched = fetch(item.link, options, accept=HTML_TYPES | TEXT_TYPES)
    except InputError as exc:
        if item.content:
            log.info("%s: %s; using the feed's own text", item.link, exc)
            return _guard(item.link, lambda: _item_document(item, item.link or "", published))
        return Failure(item.link, str(exc.args[0]), exc.code)
    return _guard(item.link, lambda: _document(fetched, item.link or "", title=item.title, published=date))


def _item_document(item: FeedItem, source: str, published: dt.date | None) -> Document:
    from flashpoint.ingest.files import document_from_html

    assert item.content is not None
    return document_from_html(f"<html><body><article>{item.content}</article></body></html>", source=source,
                              url=item.link, title=item.title, published=published or item.published)


def _guard(source: str, build: object) -> Document | Failure:
    try:
        return build()  # type: ignore[operator, no-any-return]
    except InputError as exc:
        return Failure(source, str(exc.args[0]), exc.code)


def _is_local_feed(path: Path) -> bool:
    """A local file that is an RSS/Atom feed (sniffed: an .xml file may be anything)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            return looks_like_feed(fh.read(2048))
    except OSError:
        return False


def read_any(sources: Iterable[str], *, published: dt.date | None = None, stdin: TextIO | None = None,
             options: FetchOptions = FetchOptions()) -> Iterator[Document | Failure]:
    """Every document from files, directories, stdin (``-``), URLs and feeds, each document once."""
    from flashpoint.ingest.files import read_sources

    seen_urls: set[str] = set()
    seen_ids: set[str] = set()
    for source in sources:
        if is_url(source):
            if normalise_url(source) in seen_urls:
                continue
            seen_urls.add(normalise_url(source))
            stream: Iterable[Document | Failure] = read_url(source, published=published, options=options,
                                                            seen=seen_urls)
        elif source != "-" and _is_local_feed(Path(source)):
            stream = read_feed(Path(source).read_bytes(), source=source, published=published, options=options,
                               seen=seen_urls)
        else:
            stream = read_sources([source], published=published, stdin=stdin)
        for item in stream:
            if isinstance(item, Document):
                if item.id in seen_ids:
                    continue
                seen_ids.add(item.id)
            yield item

"""Web sources: pages and RSS/Atom feeds served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flashpoint import errors
from flashpoint.ingest import sources
from flashpoint.ingest.sources import FetchOptions
from flashpoint.model import CodedDocument, Document, Failure

FAST = FetchOptions(timeout=2.0, retries=2, backoff=0.01)


def article(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article>"
            "<footer>Copyright the Example Desk. All rights reserved.</footer></body></html>")


CLASH = article("Border clash reported", (
    "Officials in the capital said on Wednesday that soldiers on both sides of the border exchanged fire "
    "for several hours overnight near a mountain village.\n"
    "According to the defence ministry, two servicemen were wounded and taken to a district hospital. "
    "The other side has not commented on the incident so far.\n"
    "Residents told reporters that the shooting stopped before dawn and that roads had reopened."))
GRENADE = article("Grenade thrown at farm workers", (
    "A grenade was thrown at a group of farm workers repairing an irrigation channel outside the town "
    "on Saturday, local authorities said in a statement.\n"
    "One worker was lightly injured by fragments, the statement added, and police opened an inquiry. "
    "Officials described the attack as a deliberate provocation and called for calm."))
PROTEST = article("Teachers march over pay", (
    "Several hundred teachers marched through the centre of the city on Monday to demand higher pay and "
    "better conditions in rural schools.\n"
    "The march ended peacefully outside the ministry of education, where union leaders handed in a "
    "petition signed by thousands of members."))


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    statuses: list[int] = field(default_factory=list)
    """Statuses to answer before the normal 200 (e.g. [503, 503] for two transient errors)."""
    delay: float = 0.0


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?")[0]
                site.hits[path] += 1
                route = site.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                time.sleep(route.delay)
                if route.statuses:
                    self.send_error(route.statuses.pop(0))
                    return
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, body: str | bytes, **kw: object) -> str:
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **kw)  # type: ignore[arg-type]
        return self.base + path


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.server.shutdown()
    s.server.server_close()


def rss(base: str, links: list[str]) -> str:
    items = "".join(f"<item><title>Item {i}</title><link>{base}{link}</link>"
                    f"<pubDate>Wed, 17 Nov 2021 09:0{i % 10}:00 GMT</pubDate></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>'


def docs(items: list[Document | Failure]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def test_a_page_becomes_a_document_without_its_chrome(site: Site) -> None:
    url = site.add("/news/clash", CLASH)
    (doc,) = list(sources.read_url(url, options=FAST))
    assert isinstance(doc, Document)
    assert "exchanged fire" in doc.text and "All rights reserved" not in doc.text
    assert doc.url == url and doc.source == url


def test_feed_items_are_fetched_once_by_url_and_by_content(site: Site) -> None:
    site.add("/a", CLASH)
    site.add("/b", GRENADE)
    site.add("/b-copy", GRENADE)                     # the same article under a second address
    feed = site.add("/feed.xml", rss(site.base, ["/a", "/b", "/a?utm_source=rss#top", "/b-copy"]),
                    content_type="application/rss+xml")
    got = list(sources.read_any([feed], options=FAST))
    assert all(isinstance(g, Document) for g in got)
    assert len(got) == 2
    assert site.hits["/a"] == 1                       # the tracking-parameter duplicate was not fetched
    assert {d.published.isoformat() for d in docs(got) if d.published} <= {"2021-11-17"}


def test_atom_feed_and_a_local_feed_file(site: Site, tmp_path: Path) -> None:
    site.add("/p", PROTEST)
    atom = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            f'<entry><title>March</title><link rel="alternate" href="{site.base}/p"/>'
            '<published>2021-11-15T08:00:00Z</published></entry></feed>')
    path = tmp_path / "feed.xml"
    path.write_text(atom, encoding="utf-8")
    (doc,) = list(sources.read_any([str(path)], options=FAST))
    assert isinstance(doc, Document) and "teachers" in doc.text
    assert doc.published is not None and doc.published.isoformat() == "2021-11-15"


def test_transient_errors_are_retried_with_back_off(site: Site) -> None:
    url = site.add("/flaky", CLASH, statuses=[503, 429])
    (doc,) = list(sources.read_url(url, options=FAST))
    assert isinstance(doc, Document) and site.hits["/flaky"] == 3


def test_missing_pages_are_not_retried(site: Site) -> None:
    (failure,) = list(sources.read_url(site.base + "/gone", options=FAST))
    assert isinstance(failure, Failure) and failure.code == errors.E_NOT_FOUND and site.hits["/gone"] == 1


def test_refused_content_type_size_and_timeout(site: Site) -> None:
    pdf = site.add("/report.pdf", b"%PDF-1.7 binary", content_type="application/pdf")
    big = site.add("/big", article("Big", "word " * 4000))
    slow = site.add("/slow", CLASH, delay=1.0)
    small = FetchOptions(timeout=0.3, retries=1, backoff=0.01, max_bytes=10_000)
    results = {url: list(sources.read_url(url, options=small))[0] for url in (pdf, big, slow)}
    assert all(isinstance(r, Failure) for r in results.values())
    assert results[pdf].code == errors.E_BINARY
    assert results[big].code == errors.E_TOO_LARGE
    assert results[slow].code == errors.E_UNREADABLE and "2 tries" in results[slow].reason


def test_a_feed_item_that_cannot_be_fetched_falls_back_to_its_own_text(site: Site) -> None:
    body = GRENADE.split("<article>")[1].split("</article>")[0]
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Grenade</title>'
            f'<link>{site.base}/missing</link><description><![CDATA[{body}]]></description></item>'
            f'<item><title>Nothing</title><link>{site.base}/also-missing</link></item></channel></rss>')
    url = site.add("/feed", feed, content_type="application/xml")
    got = list(sources.read_url(url, options=FAST))
    assert isinstance(got[0], Document) and "irrigation channel" in got[0].text
    assert isinstance(got[1], Failure) and got[1].source.endswith("/also-missing")


def test_ingest_a_feed_into_the_store(site: Site, tmp_path: Path) -> None:
    from flashpoint.corpus import ingest, open_store

    site.add("/a", CLASH)
    site.add("/b", GRENADE)
    feed = site.add("/feed.xml", rss(site.base, ["/a", "/b"]), content_type="application/rss+xml")

    def no_events(items):  # type: ignore[no-untyped-def]
        for item in items:
            yield item if isinstance(item, Failure) else CodedDocument(item)

    with open_store(tmp_path / "feed.db") as store:
        assert ingest([feed], store, coder=no_events).added == 2
        assert ingest([feed], store, coder=no_events).skipped == 2
        assert {d.url for d in map(store.document, store.document_ids()) if d} == {site.base + "/a", site.base + "/b"}

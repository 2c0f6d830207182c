"""A Russian report in the store and on the web: its text shown as written, its evidence highlighted
on the Russian words, its fields in English (issue 20, item 4)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from flashpoint.corpus.ingestion import ingest
from flashpoint.corpus.store import open_store
from flashpoint.web.app import create_app

REPORT = (
    "Министерство обороны Азербайджана сообщило, что 14 марта 2024 года армянские подразделения "
    "обстреляли позиции азербайджанской армии в Лачинском районе. По данным ведомства, один "
    "военнослужащий получил ранение.\n"
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("ru-web")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    db = folder / "ru.db"
    with open_store(db) as store:
        report = ingest([str(folder / "report.txt")], store)
    assert report.added == 1 and not report.failures
    with TestClient(create_app(db, warm=False)) as c:
        yield c


def test_the_russian_document_page_highlights_the_russian_words(client: TestClient) -> None:
    (doc,) = client.get("/api/documents", params={"limit": 10}).json()["items"]
    assert doc["language"] == "ru"
    full = client.get(f"/api/documents/{doc['id']}").json()
    assert full["text"] == REPORT  # stored as written
    (event,) = [e for e in full["events"] if e["sub_event_type"]]
    assert event["event_date"] == "2024-03-14" and event["country"] == "Azerbaijan"
    assert event["injured"] == 1 and event["location"] == "Lachin"  # fields in English, figures read from Russian
    page = client.get(f"/documents/{doc['id']}").text
    marked = [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", page, re.S)]
    assert marked, "no evidence highlighted on the page"
    # The evidence marks sit on the Russian words the fields were read from (offsets index the text).
    for words in ("обстреляли", "14 марта 2024 года", "Лачинском районе", "один военнослужащий"):
        assert words in marked, (words, marked)

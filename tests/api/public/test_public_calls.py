"""Open calls in public (issue 17, item 5) over HTTP on both databases: no token, the call
section only, unpublished, cancelled and closed cases never shown and answered 404."""

from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from httpx2 import Response
from icalendar import Calendar

from tests.api_helpers import ApiClient, World, join_need, make_ready, patch_case, trigger

ATOM = "{http://www.w3.org/2005/Atom}"
NEED_SECRET = "Intern note: budgettet er 2,4 mio. kr. og borgeren hedder Jens"
CASE_TITLE_SECRET = "Internt sagsnavn 4711"
CALL_KEYS = {
    "id",
    "title",
    "text",
    "criteria",
    "submission_deadline",
    "min_proposals",
    "published_at",
    "municipalities",
    "url",
}


Calls = tuple[World, dict[str, Any], dict[str, Any], dict[str, Any]]
"""The `calls` fixture: the world, a published call, an unpublished need, a cancelled call."""


def _case(api: ApiClient, w: World, title: str = CASE_TITLE_SECRET) -> dict[str, Any]:
    response = api.post(
        "/cases",
        token=w.manager,
        json={"title": title, "need": {"description": NEED_SECRET}},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _feed(api: ApiClient, path: str, content_type: str) -> Response:
    """A public feed, read without a token: it answers 200 with `content_type`."""
    response = api.get(path, token=None)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    return response


def _publish(api: ApiClient, w: World, case: dict[str, Any], **call: Any) -> dict[str, Any]:
    """Make the need ready (with `call` fields on top), keep the secret need text, advance."""
    make_ready(api, w, case)
    patch_case(api, case["id"], {"need": {"description": NEED_SECRET}, "call": call}, w.manager)
    response = trigger(api, case["id"], w.manager, "advance")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "match"
    published: dict[str, Any] = response.json()
    return published


@pytest.fixture
def calls(api: ApiClient) -> Calls:
    """One published call, one unpublished need and one cancelled published call."""
    w = api.world()
    published = _publish(api, w, _case(api, w), title="Ro om aftenen, tryghed; og søvn")
    unpublished = _case(api, w, "Ikke offentliggjort")
    cancelled = _publish(api, w, _case(api, w, "Annulleret opslag"), title="Trukket tilbage")
    response = trigger(api, cancelled["id"], w.manager, "cancel", "Behovet er løst")
    assert response.status_code == 200, response.text
    return w, published, unpublished, cancelled


def test_the_list_needs_no_token_and_shows_the_call_section_only(
    api: ApiClient, calls: Calls
) -> None:
    _, published, _, _ = calls
    response = api.get("/public/calls", token=None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "total"}
    assert body["total"] == 1 and [c["id"] for c in body["items"]] == [published["id"]]
    item = body["items"][0]
    assert set(item) == CALL_KEYS
    assert [set(c) for c in item["criteria"]] == [{"name", "weight"}] * 2
    assert item["criteria"] == published["call"]["criteria"]
    assert item["title"] == "Ro om aftenen, tryghed; og søvn"
    assert item["text"] == published["call"]["text"]
    assert datetime.fromisoformat(item["submission_deadline"]) == datetime.fromisoformat(
        published["call"]["submission_deadline"]
    )
    assert item["municipalities"] == [
        {"id": published["lead_municipality_id"], "name": "Furesø Kommune"}
    ]
    assert item["url"] == f"http://127.0.0.1:8000/ui/public/calls/{published['id']}"
    # nothing of the need, the case's own title, its state or its people
    for secret in (NEED_SECRET, CASE_TITLE_SECRET, "owner_email", "need", "participants"):
        assert secret not in response.text
    one = api.get(f"/public/calls/{published['id']}", token=None)
    assert one.status_code == 200 and one.json() == item


def test_unpublished_cancelled_closed_and_missing_cases_are_404(
    api: ApiClient, calls: Calls
) -> None:
    w, published, unpublished, cancelled = calls
    listed = {c["id"] for c in api.get("/public/calls", token=None).json()["items"]}
    assert unpublished["id"] not in listed and cancelled["id"] not in listed
    for case_id in (unpublished["id"], cancelled["id"], 999_999):
        response = api.get(f"/public/calls/{case_id}", token=None)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert NEED_SECRET not in response.text
    # an id no row can have is 422 like everywhere, never a 500
    assert api.get("/public/calls/0", token=None).status_code == 422
    assert api.get(f"/public/calls/{2**40}", token=None).status_code == 422
    # the same 404 with a token: a partner may see the cancelled case elsewhere, not here
    assert api.get(f"/public/calls/{cancelled['id']}", token=w.partner).status_code == 404
    # once the deadline has passed the call is closed: gone from the list and the feeds
    api.clock.advance(days=41)
    assert api.get("/public/calls", token=None).json() == {"items": [], "total": 0}
    assert api.get(f"/public/calls/{published['id']}", token=None).status_code == 404
    ics = Calendar.from_ical(api.get("/public/calls.ics", token=None).content)
    assert list(ics.walk("VEVENT")) == []
    atom = ET.fromstring(api.get("/public/calls.atom", token=None).content)
    assert atom.findall(f"{ATOM}entry") == []


def test_a_call_sent_back_to_need_leaves_the_public(api: ApiClient, calls: Calls) -> None:
    w, published, _, _ = calls
    response = trigger(api, published["id"], w.manager, "send_back", "Opslaget skal rettes")
    assert response.status_code == 200, response.text
    assert api.get("/public/calls", token=None).json()["total"] == 0
    assert api.get(f"/public/calls/{published['id']}", token=None).status_code == 404


def test_co_owners_publish_with_the_lead(api: ApiClient) -> None:
    w = api.world()
    case = _case(api, w)
    assert api.post(f"/cases/{case['id']}/share", token=w.manager).status_code == 200
    join_need(api, w, case["id"], w.outsider_manager)
    _publish(api, w, case, title="Fælles opslag")
    item = api.get("/public/calls", token=None).json()["items"][0]
    assert [m["name"] for m in item["municipalities"]] == ["Furesø Kommune", "Gladsaxe Kommune"]
    atom = ET.fromstring(api.get("/public/calls.atom", token=None).content)
    entry = atom.find(f"{ATOM}entry")
    assert entry is not None
    authors = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
    assert authors == ["Furesø Kommune", "Gladsaxe Kommune"]
    summary = entry.findtext(f"{ATOM}summary") or ""
    assert "Offentliggjort af Furesø Kommune og Gladsaxe Kommune" in summary


def test_the_list_is_paginated_closing_soonest_first(api: ApiClient) -> None:
    w = api.world()
    ids = []
    for days in (30, 10, 20):
        case = _case(api, w)
        deadline = api.clock.now.replace(microsecond=0).isoformat()
        later = datetime.fromisoformat(deadline).timestamp() + days * 86400
        iso = datetime.fromtimestamp(later, tz=api.clock.now.tzinfo).isoformat()
        ids.append(_publish(api, w, case, submission_deadline=iso)["id"])
    first = api.get("/public/calls?limit=2", token=None).json()
    assert first["total"] == 3 and [c["id"] for c in first["items"]] == [ids[1], ids[2]]
    rest = api.get("/public/calls?limit=2&offset=2", token=None).json()
    assert [c["id"] for c in rest["items"]] == [ids[0]]
    assert api.get("/public/calls?limit=0", token=None).status_code == 422
    assert api.get("/public/calls?state=need", token=None).status_code == 422


def test_atom_feed_is_rfc_4287(api: ApiClient, calls: Calls) -> None:
    _, published, _, _ = calls
    response = _feed(api, "/public/calls.atom", "application/atom+xml; charset=utf-8")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    # atom:feed: exactly one id, title and updated; an author; a self link
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
    assert feed.findtext(f"{ATOM}title") == "Åbne opslag"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "OPI-sagsstyring"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://127.0.0.1:8000/api/v1/public/calls.atom"
    assert links["alternate"] == "http://127.0.0.1:8000/ui/public/calls"
    datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "")  # RFC 3339
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    url = f"http://127.0.0.1:8000/ui/public/calls/{published['id']}"
    for tag in ("id", "title", "updated"):
        assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.findtext(f"{ATOM}title") == "Ro om aftenen, tryghed; og søvn"
    alternate = entry.find(f"{ATOM}link")
    assert alternate is not None and alternate.get("href") == url
    assert alternate.get("rel") == "alternate"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Furesø Kommune"
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "text"
    assert "effekt: 60 %" in (content.text or "")
    for secret in (NEED_SECRET, CASE_TITLE_SECRET):
        assert secret not in response.text
    english = api.get("/public/calls.atom", token=None, headers={"Accept-Language": "en"})
    assert ET.fromstring(english.content).findtext(f"{ATOM}title") == "Open calls"


def test_ics_feed_has_stable_uids_dtstamp_and_escaped_text(api: ApiClient, calls: Calls) -> None:
    _, published, _, _ = calls
    first = _feed(api, "/public/calls.ics", "text/calendar; charset=utf-8")
    # RFC 5545 escapes commas and semicolons in TEXT values
    assert b"SUMMARY:Frist for forslag: Ro om aftenen\\, tryghed\\; og s" in first.content
    calendar = Calendar.from_ical(first.content)
    assert str(calendar["version"]) == "2.0" and "prodid" in calendar
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    uid = f"call-{published['id']}-submission-deadline@opi-workflow"
    assert str(event["uid"]) == uid
    assert event.decoded("dtstart") == datetime.fromisoformat(
        published["call"]["submission_deadline"]
    )
    assert event.decoded("dtstamp") == api.clock.now.replace(microsecond=0)
    assert str(event["summary"]) == "Frist for forslag: Ro om aftenen, tryghed; og søvn"
    assert "Furesø Kommune" in str(event["description"])
    for secret in (NEED_SECRET, CASE_TITLE_SECRET):
        assert secret not in first.text
    # the UID stays the same however often and whenever the feed is read
    api.clock.advance(days=3)
    again = Calendar.from_ical(api.get("/public/calls.ics", token=None).content)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [uid]


def test_public_paths_are_in_openapi_without_security(api: ApiClient) -> None:
    spec = api.client.get("/openapi.json").json()
    for path in (
        "/api/v1/public/calls",
        "/api/v1/public/calls/{case_id}",
        "/api/v1/public/calls.atom",
        "/api/v1/public/calls.ics",
    ):
        operation = spec["paths"][path]["get"]
        assert "security" not in operation, path
    assert (
        "application/atom+xml"
        in (spec["paths"]["/api/v1/public/calls.atom"]["get"]["responses"]["200"]["content"])
    )
    assert set(spec["components"]["schemas"]["OpenCall"]["properties"]) == CALL_KEYS
    assert "/api/v1/organisation-requests" in spec["paths"]
    assert "/api/v1/organisation-requests/{request_id}/decision" in spec["paths"]


def test_a_paused_call_stays_public_while_it_takes_proposals(api: ApiClient, calls: Calls) -> None:
    """On hold, the call keeps its deadline and still takes proposals, so every company must
    still be able to find it (equal treatment)."""
    w, published, _, _ = calls
    response = trigger(api, published["id"], w.manager, "pause", "Afventer budget")
    assert response.status_code == 200 and response.json()["on_hold"] is True
    assert [c["id"] for c in api.get("/public/calls", token=None).json()["items"]] == [
        published["id"]
    ]
    proposal = api.post(
        f"/cases/{published['id']}/proposals",
        token=w.partner,
        json={"title": "Sanserum", "summary": "Lys og lyd."},
    )
    assert proposal.status_code == 201, proposal.text

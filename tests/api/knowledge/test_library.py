"""The knowledge library over HTTP on both databases (issue 17): what it holds, the numbers
and effects of the success criteria, who may read it, search and bad input."""

from typing import Any

import pytest

from tests.api_helpers import ApiClient, World, drive, patch_case, trigger

CRITERIA = [
    {"metric": "Uro-episoder pr. uge", "baseline": 14, "target": 7, "result": 8.4, "unit": "antal"},
    {"metric": "Nye brugere", "baseline": 0, "target": 5, "result": 4},
    {"metric": "Tilfredshed", "baseline": "3,5", "target": "4", "result": "4,2"},
    {"metric": "Stemning", "baseline": "urolig", "target": "rolig"},
]


def _case(api: ApiClient, w: World, title: str) -> dict[str, Any]:
    response = api.post("/cases", token=w.manager, json={"title": title, "need": {}})
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


@pytest.fixture
def library(api: ApiClient) -> tuple[World, dict[str, int]]:
    """Furesø's dementia case in scale, a cancelled pilot, and a need not yet in the library."""
    w = api.world()
    scaled = _case(api, w, "Ro om aftenen på plejehjemmet")
    scaled = drive(api, w, scaled, "pilot")
    patch_case(api, scaled["id"], {"pilot": {"success_criteria": CRITERIA}}, w.manager)
    scaled = drive(api, w, scaled, "scale")
    patch_case(
        api,
        scaled["id"],
        {
            "scale": {
                "knowledge_summary": "Drejebog for ro om aftenen.",
                "adopting_municipalities": [
                    {"organisation_id": w.adopter["id"], "letter_of_intent_at": "2026-03-01"},
                    {"name": "Aarhus Kommune"},
                ],
                "purchase_route": "tender",
            }
        },
        w.manager,
    )
    failed = _case(api, w, "Sensorer i sengen mod faldulykker")
    failed = drive(api, w, failed, "pilot")
    cancelled = trigger(api, failed["id"], w.manager, "cancel", "Sensorerne gav falske alarmer.")
    assert cancelled.status_code == 200, cancelled.text
    early = _case(api, w, "Demente borgere keder sig")
    return w, {"scaled": scaled["id"], "failed": failed["id"], "early": early["id"]}


def _read(api: ApiClient, token: str, path: str = "/knowledge", **params: Any) -> dict[str, Any]:
    """GET `path` (the library's list unless told) as `token`, answered 200; its JSON."""
    response = api.get(path, token=token, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_library_holds_scaled_and_cancelled_pilots_only(
    api: ApiClient, library: tuple[World, dict[str, int]]
) -> None:
    w, ids = library
    body = _read(api, w.outsider_manager)  # a municipality with no part in any of them
    assert body["total"] == 2
    assert {i["case_id"] for i in body["items"]} == {ids["scaled"], ids["failed"]}
    assert api.get(f"/knowledge/{ids['early']}", token=w.outsider_manager).status_code == 404
    assert [i["case_id"] for i in _read(api, w.auditor, state="cancelled")["items"]] == [
        ids["failed"]
    ]
    assert _read(api, w.staff, outcome="success")["total"] == 1
    assert _read(api, w.manager, municipality_id=w.lead["id"])["total"] == 2
    assert _read(api, w.manager, municipality_id=w.adopter["id"])["total"] == 0


def test_success_criteria_carry_numbers_and_computed_effects(
    api: ApiClient, library: tuple[World, dict[str, int]]
) -> None:
    w, ids = library
    entry = _read(api, w.outsider_manager, f"/knowledge/{ids['scaled']}")
    criteria = {c["metric"]: c for c in entry["success_criteria"]}
    calm = criteria["Uro-episoder pr. uge"]
    assert (calm["baseline"], calm["target"], calm["result"], calm["unit"]) == (14, 7, 8.4, "antal")
    assert calm["effect_percent"] == -40.0 and calm["target_percent"] == -50.0
    assert calm["target_reached"] is False
    zero = criteria["Nye brugere"]  # a baseline of zero has no percent
    assert zero["effect_percent"] is None and zero["target_reached"] is False
    danish = criteria["Tilfredshed"]  # numbers written the Danish way are numbers
    assert danish["effect_percent"] == 20.0 and danish["target_reached"] is True
    words = criteria["Stemning"]
    assert words["result"] is None and words["effect_percent"] is None
    assert words["target_reached"] is None
    assert entry["outcome"] == "success" and entry["evaluation_report"]
    assert entry["knowledge_summary"] == "Drejebog for ro om aftenen."
    assert entry["purchase_route"] == "tender"
    assert entry["adopting_municipalities"] == [
        {
            "organisation_id": w.adopter["id"],
            "name": "Randers Kommune",
            "letter_of_intent_at": "2026-03-01",
        },
        {"organisation_id": None, "name": "Aarhus Kommune", "letter_of_intent_at": None},
    ]
    assert [s["organisation"]["name"] for s in entry["solutions"]] == ["RoligRum ApS"]
    assert entry["published_by"] == [{"id": w.lead["id"], "name": "Furesø Kommune"}]
    assert entry["description"].startswith("Beboere med demens")
    assert entry["lessons"] is None


def test_a_cancelled_pilot_shows_its_lessons(
    api: ApiClient, library: tuple[World, dict[str, int]]
) -> None:
    w, ids = library
    entry = api.get(
        f"/knowledge/{ids['failed']}", token=w.staff, headers={"Accept-Language": "en"}
    ).json()
    assert entry["state"] == "cancelled" and entry["cancelled_from"] == "pilot"
    assert entry["state_label"] == "Cancelled"
    assert entry["lessons"] == "Sensorerne gav falske alarmer."


def test_companies_never_read_the_library(
    api: ApiClient, library: tuple[World, dict[str, int]]
) -> None:
    w, ids = library
    for path in ("/knowledge", f"/knowledge/{ids['scaled']}"):
        response = api.get(path, token=w.partner)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.get("/knowledge", token=None).status_code == 401


def test_search_is_danish_and_never_breaks(
    api: ApiClient, library: tuple[World, dict[str, int]]
) -> None:
    w, ids = library
    found = _read(api, w.outsider_manager, q="faldulykke")
    assert [i["case_id"] for i in found["items"]] == [ids["failed"]]
    assert found["items"][0]["rank"] is not None
    # "demens" finds "demente" in both needs, never the early one outside the library
    assert _read(api, w.outsider_manager, q="demens")["total"] == 2
    for q in ('"demente', "demens AND OR NOT", "NEAR(a b)", "a:*", "🙂", "x" * 500, "   "):
        response = api.get("/knowledge", token=w.outsider_manager, params={"q": q})
        assert response.status_code == 200, (q, response.text)
    for params in (
        {"q": "x" * 501},
        {"q": "a\x00b"},
        {"state": "need"},
        {"outcome": "great"},
        {"municipality_id": 2**31},
        {"limit": 0},
        {"unknown": 1},
    ):
        response = api.get("/knowledge", token=w.outsider_manager, params=params)
        assert response.status_code == 422, (params, response.text)
    for bad in ("0", str(2**31), "abc"):
        assert api.get(f"/knowledge/{bad}", token=w.manager).status_code == 422


def test_the_library_is_in_openapi(api: ApiClient) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/api/v1/knowledge" in paths and "/api/v1/knowledge/{case_id}" in paths

"""Over HTTP: success criteria with numbers and an adopter by id are accepted (issue 17)."""

from typing import Any

from tests.api_helpers import ApiClient, create_case, drive, patch_case


def _without_none(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as stored: the API shows the unset optional fields as null."""
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def test_numbers_in_success_criteria_and_an_adopter_by_id(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "agreement")
    criteria = [{"metric": "Uro-episoder pr. uge", "baseline": 12, "target": 6, "unit": "episoder"}]
    patched = patch_case(api, case["id"], {"pilot": {"success_criteria": criteria}}, w.manager)
    assert _without_none(patched["pilot"]["success_criteria"]) == criteria

    case = drive(api, w, patched, "scale")
    adopter = {"organisation_id": w.adopter["id"], "letter_of_intent_at": "2027-09-01"}
    patched = patch_case(
        api, case["id"], {"scale": {"adopting_municipalities": [adopter]}}, w.manager
    )
    assert _without_none(patched["scale"]["adopting_municipalities"]) == [adopter]
    advance = next(t for t in patched["transitions"] if t["trigger"] == "advance")
    assert "scale.adoption" not in {u["code"] for u in advance["unmet"]}


def test_an_adopter_with_neither_name_nor_id_is_refused(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "scale")
    response = api.patch(
        f"/cases/{case['id']}",
        token=w.manager,
        json={"scale": {"adopting_municipalities": [{"letter_of_intent_at": "2027-09-01"}]}},
        headers={"If-Match": api.get(f"/cases/{case['id']}", token=w.manager).headers["etag"]},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")

"""Companies compete in `match`: none ever reads another's proposal, by any path of the API."""

from typing import Any

import pytest

from tests.api_helpers import ApiClient, World, create_case, drive, make_ready, trigger

SECRET_TITLE = "Rivalens hemmelige sanserum"
SECRET_SUMMARY = "Pris 1.234.567 kr; vores særlige algoritme"


@pytest.fixture
def world(api: ApiClient) -> World:
    """The usual cast of organisations and tokens."""
    return api.world()


def _submit(api: ApiClient, case_id: int, token: str, title: str, summary: str = "") -> int:
    response = api.post(
        f"/cases/{case_id}/proposals", token=token, json={"title": title, "summary": summary}
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(f"/proposals/{response.json()['id']}")
    proposal_id: int = response.json()["id"]
    return proposal_id


def _leaks(response: Any, rival: dict[str, Any]) -> bool:
    text = response.text
    return SECRET_TITLE in text or SECRET_SUMMARY in text or rival["name"] in text


def test_partner_never_reads_a_competitors_proposal(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    cid = case["id"]
    own = _submit(api, cid, world.partner, "Sanserum", "Lys og lyd")
    rival = _submit(api, cid, world.rival_partner, SECRET_TITLE, SECRET_SUMMARY)
    other_case = drive(api, world, create_case(api, world), "match")

    # Its own proposal, and only that, by the list and by id.
    listed = api.get(f"/cases/{cid}/proposals", token=world.partner)
    assert listed.json()["total"] == 1
    assert [p["id"] for p in listed.json()["items"]] == [own]
    assert listed.json()["items"][0]["assessments"] is None
    assert api.get(f"/cases/{cid}/proposals/{own}", token=world.partner).status_code == 200

    # The competitor's proposal answers exactly like a proposal that does not exist.
    missing = api.get(f"/cases/{cid}/proposals/999999", token=world.partner)
    assert missing.status_code == 404
    for path in (
        f"/cases/{cid}/proposals/{rival}",
        f"/cases/{other_case['id']}/proposals/{rival}",
        f"/cases/{cid}/proposals/{rival}/assessments",
        f"/cases/{cid}/proposals/{rival}/decision",
    ):
        response = api.get(path, token=world.partner)
        assert response.status_code in (404, 405), (path, response.status_code)
        assert not _leaks(response, world.rival)
        if response.status_code == 404:
            assert response.json() == {**missing.json(), "detail": response.json()["detail"]}

    # Writing to it is refused by role, and reveals nothing either.
    for path, body in (
        (f"/cases/{cid}/proposals/{rival}/assessments",
         {"scores": {}, "rationale": "x", "conflict_of_interest": False}),
        (f"/cases/{cid}/proposals/{rival}/decision", {"decision": "rejected", "rationale": "x"}),
    ):  # fmt: skip
        response = api.post(path, token=world.partner, json=body)
        assert response.status_code == 403
        assert not _leaks(response, world.rival)

    # Every other read a partner can make: the case, the case list, the audit trail,
    # deadlines and notifications. None shows the rival's proposal or that the rival bid.
    for path in (
        f"/cases/{cid}",
        "/cases",
        f"/cases?q={SECRET_TITLE[:10]}",
        f"/cases/{cid}/audit",
        f"/audit?case_id={cid}",
        "/audit",
        f"/cases/{cid}/deadlines",
        "/deadlines",
        f"/cases/{cid}/notifications",
    ):
        response = api.get(path, token=world.partner)
        assert response.status_code < 500, (path, response.text)
        assert not _leaks(response, world.rival), path

    # The same Idempotency-Key from a competitor never replays another company's answer.
    key = {"Idempotency-Key": "same-key-for-both"}
    body = {"title": "Samme titel"}
    first = api.post(f"/cases/{cid}/proposals", token=world.rival_partner, json=body, headers=key)
    second = api.post(f"/cases/{cid}/proposals", token=world.partner, json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["organisation_id"] == world.company["id"]
    assert "idempotent-replayed" not in second.headers


def test_partner_sees_the_published_call_only(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    cid = case["id"]
    view = api.get(f"/cases/{cid}", token=world.partner)
    assert view.status_code == 200
    assert "etag" not in view.headers
    body = view.json()
    assert body["view"] == "call"
    # The publishers (the lead, then co-owners) are named on the call (issue 17).
    assert set(body) == {"view", "id", "title", "state", "state_label", "lead_municipality_id",
                         "published_by", "call"}  # fmt: skip
    assert body["call"]["title"] == case["call"]["title"]
    summary = api.get("/cases", token=world.partner).json()["items"]
    assert [(c["id"], c["view"], c["version"]) for c in summary] == [(cid, "call", None)]

    # Submitting makes the company an interested party; it still sees the call alone.
    _submit(api, cid, world.partner, "Sanserum")
    _submit(api, cid, world.rival_partner, SECRET_TITLE, SECRET_SUMMARY)
    assert api.get(f"/cases/{cid}", token=world.partner).json()["view"] == "call"


def test_selected_partner_sees_the_case_but_not_the_losing_bidder(
    api: ApiClient, world: World
) -> None:
    case = drive(api, world, create_case(api, world), "match")
    cid = case["id"]
    make_ready(api, world, case)  # company selected, rival rejected
    assert trigger(api, cid, world.manager, "advance").status_code == 200

    mine = api.get(f"/cases/{cid}", token=world.partner)
    assert mine.json()["view"] == "full"
    assert [p["organisation_id"] for p in mine.json()["participants"]] == [
        world.lead["id"],
        world.company["id"],
    ]
    assert world.rival["name"] not in mine.text
    # The manager sees everyone who bid.
    managers = api.get(f"/cases/{cid}", token=world.manager).json()
    assert {p["organisation_id"] for p in managers["participants"]} == {
        world.lead["id"],
        world.company["id"],
        world.rival["id"],
    }
    # The losing bidder keeps seeing its own (rejected, with the reason) proposal and the call.
    assert api.get(f"/cases/{cid}", token=world.rival_partner).json()["view"] == "call"
    own = api.get(f"/cases/{cid}/proposals", token=world.rival_partner).json()["items"]
    assert [p["organisation_id"] for p in own] == [world.rival["id"]]
    assert own[0]["decision"]["decision"] == "rejected"
    assert own[0]["decision"]["rationale"]


def test_contracting_side_sees_every_proposal_with_scores(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    make_ready(api, world, case)
    for token in (world.manager, world.auditor):
        proposals = api.get(f"/cases/{case['id']}/proposals", token=token).json()["items"]
        assert {p["organisation_id"] for p in proposals} == {
            world.company["id"],
            world.rival["id"],
        }
        assert all(len(p["assessments"]) == 1 for p in proposals)
        assert {p["decision"]["decision"] for p in proposals} == {"selected", "rejected"}


def test_assessment_input_is_checked(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    pid = _submit(api, case["id"], world.partner, "Sanserum")
    path = f"/cases/{case['id']}/proposals/{pid}/assessments"
    for scores in ({"effekt": 11}, {"effekt": -1}, {"effekt": 7.5}, {"effekt": True},
                   {"effekt": "7"}, {"ukendt": 5}):  # fmt: skip
        body = {"scores": scores, "rationale": "x", "conflict_of_interest": False}
        response = api.post(path, token=world.manager, json=body)
        assert response.status_code == 422, (scores, response.text)
    response = api.post(
        f"/cases/{case['id']}/proposals/{pid}/decision",
        token=world.manager,
        json={"decision": "maybe", "rationale": "x"},
    )
    assert response.status_code == 422
    assert api.get(f"/cases/{case['id']}/proposals/4242", token=world.manager).status_code == 404


def _details(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    advance = next(t for t in case["transitions"] if t["trigger"] == "advance")
    return {u["code"]: u.get("details", {}) for u in advance["unmet"]}


def test_a_selected_company_learns_nothing_of_its_competitors_from_the_guards(
    api: ApiClient, world: World
) -> None:
    # Issue 15, finding 7: once selected, a company sees the whole case, and the unmet
    # requirements of `advance` listed the competitor's proposal id and its decision.
    case = drive(api, world, create_case(api, world), "match")
    cid = case["id"]
    own = _submit(api, cid, world.partner, "Sanserum", "Lys og lyd")
    rival = _submit(api, cid, world.rival_partner, SECRET_TITLE, SECRET_SUMMARY)
    api.clock.advance(days=41)
    decided = api.post(
        f"/cases/{cid}/proposals/{own}/decision",
        token=world.manager,
        json={"decision": "selected", "rationale": "Bedst på effekt."},
    )
    assert decided.status_code == 201, decided.text

    seen = api.get(f"/cases/{cid}", token=world.partner)
    assert seen.status_code == 200 and seen.json()["state"] == "match"
    details = _details(seen.json())
    assert details["proposals.assessed"] == {"proposal_ids": [own]}
    assert details["proposals.decided"] == {
        "undecided": [],
        "without_rationale": [],
        "selected": [own],
    }
    assert str(rival) not in str(details)

    # The manager still sees every proposal the guards are waiting for.
    managed = _details(api.get(f"/cases/{cid}", token=world.manager).json())
    assert managed["proposals.assessed"] == {"proposal_ids": [own, rival]}
    assert managed["proposals.decided"]["undecided"] == [rival]

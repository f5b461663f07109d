"""One case from `need` to `completed` through the HTTP API alone, on SQLite and PostgreSQL.

Before each `advance` the case shows exactly the requirements still unmet; the test satisfies
them over HTTP and checks that `advance` is then allowed and taken.
"""

from sqlalchemy import func, select
from sqlmodel import Session, col

from states import REQUIREMENTS
from tests.api_helpers import ApiClient, create_case, make_ready, trigger
from tests.chain import assert_chain_intact
from workflow.models import AuditEvent

HOLD_ON_EMPTY_DATA = {
    "proposals.assessed",  # with no proposal yet, "every proposal is assessed" holds
    "agreement.dpa",  # with no personal data, no data processing agreement is needed
}
UNMET_BEFORE = {
    state.value: {r.code for r in reqs} - HOLD_ON_EMPTY_DATA for state, reqs in REQUIREMENTS.items()
}
NEXT = {"need": "match", "match": "agreement", "agreement": "pilot", "pilot": "scale",
        "scale": "completed"}  # fmt: skip


def _advance_status(case: dict[str, object]) -> dict[str, object]:
    transitions = case["transitions"]
    assert isinstance(transitions, list)
    return next(t for t in transitions if t["trigger"] == "advance")


def test_case_runs_need_to_completed_over_http(api: ApiClient) -> None:
    w = api.world()
    case = create_case(api, w)
    assert case["state"] == "need" and case["version"] == 1

    while case["state"] != "completed":
        state = case["state"]
        status = _advance_status(api.get(f"/cases/{case['id']}", token=w.manager).json())
        assert not status["allowed"]
        assert {u["code"] for u in status["unmet"]} == UNMET_BEFORE[state]  # type: ignore[attr-defined]

        make_ready(api, w, case)
        api.clock.advance(hours=1)
        status = _advance_status(api.get(f"/cases/{case['id']}", token=w.manager).json())
        assert status == {
            "trigger": "advance",
            "allowed": True,
            "reason_required": False,
            "to": NEXT[state],
            "unmet": [],
        }

        response = trigger(api, case["id"], w.manager, "advance")
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        case = response.json()
        assert case["state"] == NEXT[state]

    assert case["transitions"] == []  # a completed case has no triggers left
    with Session(api.db.engine) as session:
        transitions = session.execute(
            select(func.count()).where(
                col(AuditEvent.case_id) == case["id"],
                col(AuditEvent.action) == "case.transition",
            )
        ).scalar_one()
        assert transitions == 5
        events = assert_chain_intact(session, f"case:{case['id']}")
        assert [e.action for e in events].count("proposal.submitted") == 2
        global_actions = {e.action for e in assert_chain_intact(session, "global")}
        assert {"organisation.created", "token.created"} <= global_actions

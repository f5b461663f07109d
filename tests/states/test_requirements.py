"""Every requirement code of SPEC §3: unmet on empty data, then met by the data it names."""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from states import REQUIREMENTS, CaseFacts, CaseState, unmet_for
from states.facts import AssessmentFacts, ProposalFacts
from states.requirements import ALL_CODES
from states.sections import (
    AgreementSection,
    CallSection,
    NeedSection,
    PilotSection,
    ScaleSection,
)
from tests.factories import NOW, ready_call, ready_need

LEAD, COMPANY, RIVAL, OTHER_TOWN = 1, 2, 3, 4
SPEC_CODES = {
    "need.owner",
    "need.description",
    "need.target_group",
    "need.expected_value",
    "need.legal_track",
    "call.ready",
    "call.closed",
    "call.min_proposals",
    "proposals.assessed",
    "proposals.decided",
    "agreement.signed",
    "agreement.clauses",
    "agreement.dpa",
    "pilot.plan",
    "pilot.ethics",
    "pilot.ended",
    "pilot.evaluation",
    "scale.knowledge_shared",
    "scale.adoption",
    "scale.purchase_route",
}


def empty() -> CaseFacts:
    return CaseFacts(now=NOW, lead_municipality_id=LEAD)


def codes(state: str, facts: CaseFacts) -> set[str]:
    return {u.code for u in unmet_for(CaseState(state), facts)}


def scored(
    pid: int, org: int, decision: str | None = "selected", coi: bool = False
) -> ProposalFacts:
    return ProposalFacts(
        id=pid,
        organisation_id=org,
        assessments=(AssessmentFacts({"effekt": 7, "pris": 5}, conflict_of_interest=coi),),
        decision=decision,
        decision_rationale="Begrundet" if decision else None,
    )


CLOSED_CALL = CallSection.model_validate(
    {**ready_call(NOW - timedelta(days=50)), "submission_deadline": (NOW - timedelta(days=1))}
)
ALL_CLAUSES = {
    c: True for c in ("ip", "confidentiality", "publication", "budget", "termination", "state_aid")
}
PLAN = PilotSection(
    site="Svanepunktet",
    start_date=date(2027, 1, 4),
    end_date=date(2027, 5, 31),
    success_criteria=[{"metric": "Uro", "baseline": "14", "target": "7"}],  # type: ignore[list-item]
    ethics_notification_required=False,
)

# code -> (state, a function that turns empty facts into facts meeting exactly that code)
MEETS: dict[str, tuple[str, Callable[[CaseFacts], CaseFacts]]] = {
    "need.owner": (
        "need",
        lambda f: replace(f, need=NeedSection(owner_name="Hanne", owner_email="h@furesoe.dk")),
    ),
    "need.description": ("need", lambda f: replace(f, need=NeedSection(description="Uro"))),
    "need.target_group": ("need", lambda f: replace(f, need=NeedSection(target_group="Beboere"))),
    "need.expected_value": ("need", lambda f: replace(f, need=NeedSection(expected_value="Ro"))),
    "need.legal_track": ("need", lambda f: replace(f, need=NeedSection(legal_track="mini_trial"))),
    "call.ready": ("need", lambda f: replace(f, call=CallSection.model_validate(ready_call(NOW)))),
    "call.closed": ("match", lambda f: replace(f, call=CLOSED_CALL)),
    "call.min_proposals": ("match", lambda f: replace(f, proposals=(scored(1, COMPANY),))),
    "proposals.assessed": ("match", lambda f: replace(f, call=CLOSED_CALL)),
    "proposals.decided": ("match", lambda f: replace(f, proposals=(scored(1, COMPANY),))),
    "agreement.signed": (
        "agreement",
        lambda f: replace(f, signed_organisation_ids=frozenset({LEAD})),
    ),
    "agreement.clauses": (
        "agreement",
        lambda f: replace(f, agreement=AgreementSection(clauses=ALL_CLAUSES)),
    ),
    "agreement.dpa": ("agreement", lambda f: f),
    "pilot.plan": ("agreement", lambda f: replace(f, pilot=PLAN)),
    "pilot.ethics": (
        "agreement",
        lambda f: replace(f, pilot=PilotSection(ethics_notification_required=False)),
    ),
    "pilot.ended": ("pilot", lambda f: replace(f, pilot=PilotSection(ended_at=NOW))),
    "pilot.evaluation": (
        "pilot",
        lambda f: replace(
            f,
            pilot=PilotSection.model_validate(
                {"evaluation": {"outcome": "partial", "report": "Delvis effekt"}}
            ),
        ),
    ),
    "scale.knowledge_shared": (
        "scale",
        lambda f: replace(f, scale=ScaleSection(knowledge_summary="Drejebog", published_at=NOW)),
    ),
    "scale.adoption": (
        "scale",
        lambda f: replace(
            f,
            scale=ScaleSection.model_validate(
                {
                    "adopting_municipalities": [
                        {
                            "name": "Randers",
                            "organisation_id": OTHER_TOWN,
                            "letter_of_intent_at": "2026-10-01",
                        }
                    ]
                }
            ),
        ),
    ),
    "scale.purchase_route": (
        "scale",
        lambda f: replace(f, scale=ScaleSection(purchase_route="none")),
    ),
}
# These hold vacuously on empty data (no proposals to assess, no personal data): make them
# unmet first with the data that triggers them.
MAKE_UNMET: dict[str, Callable[[CaseFacts], CaseFacts]] = {
    "proposals.assessed": lambda f: replace(f, proposals=(ProposalFacts(1, COMPANY),)),
    "agreement.dpa": lambda f: replace(f, pilot=PilotSection(personal_data=True)),
}
MEETS["agreement.dpa"] = (
    "agreement",
    lambda f: replace(
        f,
        pilot=PilotSection(personal_data=True),
        agreement=AgreementSection.model_validate({"dpa_signed_at": NOW.isoformat()}),
    ),
)
MEETS["proposals.assessed"] = (
    "match",
    lambda f: replace(
        f, call=CallSection.model_validate(ready_call(NOW)), proposals=(scored(1, COMPANY),)
    ),
)


def test_the_codes_are_exactly_those_of_the_spec() -> None:
    assert set(ALL_CODES) == SPEC_CODES
    assert set(MEETS) == SPEC_CODES
    for state, reqs in REQUIREMENTS.items():
        assert all(r.code in SPEC_CODES and r.state is state for r in reqs)


@pytest.mark.parametrize("code", sorted(SPEC_CODES))
def test_code_unmet_then_met(code: str) -> None:
    state, meet = MEETS[code]
    before = MAKE_UNMET.get(code, lambda f: f)(empty())
    assert code in codes(state, before)
    unmet = next(u for u in unmet_for(CaseState(state), before) if u.code == code)
    assert unmet.message("da") and unmet.message("en") and unmet.message_da != unmet.message_en
    assert code not in codes(state, meet(empty()))


@pytest.mark.parametrize("state", ["need", "match", "agreement", "pilot", "scale"])
def test_every_unmet_requirement_is_listed_not_just_the_first(state: str) -> None:
    # One unassessed, undecided proposal: too few for an innovation partnership, so every
    # match requirement fails at once too.
    facts = replace(
        empty(),
        need=NeedSection(legal_track="innovation_partnership" if state == "match" else None),
        proposals=(ProposalFacts(1, COMPANY),),
        pilot=PilotSection(personal_data=True),
    )
    assert codes(state, facts) == {r.code for r in REQUIREMENTS[CaseState(state)]}


def need_with(**call: Any) -> CaseFacts:
    return replace(
        empty(),
        need=NeedSection.model_validate(ready_need("innovation_partnership")),
        call=CallSection.model_validate({**ready_call(NOW), **call}),
    )


def test_innovation_partnership_needs_thirty_days() -> None:
    soon = need_with(submission_deadline=(NOW + timedelta(days=29)).isoformat())
    unmet = next(u for u in unmet_for(CaseState.NEED, soon) if u.code == "call.ready")
    assert "submission_deadline_too_soon" in unmet.details["problems"]
    assert "30" in unmet.message_da and "30" in unmet.message_en
    assert (
        codes("need", need_with(submission_deadline=(NOW + timedelta(days=30)).isoformat()))
        == set()
    )


def test_criteria_weights_must_sum_to_100() -> None:
    facts = need_with(criteria=[{"name": "effekt", "weight": 60}, {"name": "pris", "weight": 30}])
    unmet = next(u for u in unmet_for(CaseState.NEED, facts) if u.code == "call.ready")
    assert unmet.details["problems"] == ["criteria_weights"]
    assert "90" in unmet.message_en


def test_past_deadline_makes_the_call_unready() -> None:
    facts = need_with(submission_deadline=(NOW - timedelta(minutes=1)).isoformat())
    assert "call.ready" in codes("need", facts)


def test_innovation_partnership_needs_three_proposals() -> None:
    base = replace(need_with(), proposals=(scored(1, COMPANY), scored(2, RIVAL, "rejected")))
    assert "call.min_proposals" in codes("match", base)
    three = replace(base, proposals=(*base.proposals, scored(3, 5, "rejected")))
    assert "call.min_proposals" not in codes("match", three)
    explicit = replace(
        base, call=CallSection.model_validate({**ready_call(NOW), "min_proposals": 2})
    )
    assert "call.min_proposals" not in codes("match", explicit)


def test_assessor_with_conflict_of_interest_does_not_count() -> None:
    facts = replace(need_with(), proposals=(scored(1, COMPANY, coi=True),))
    assert "proposals.assessed" in codes("match", facts)


def test_assessment_must_score_every_criterion() -> None:
    partial = ProposalFacts(1, COMPANY, (AssessmentFacts({"effekt": 7}, False),), "selected", "ok")
    assert "proposals.assessed" in codes("match", replace(need_with(), proposals=(partial,)))


def test_decisions_need_one_selected_rest_rejected_with_rationale() -> None:
    base = need_with()
    both_rejected = (scored(1, COMPANY, "rejected"), scored(2, RIVAL, "rejected"))
    assert "proposals.decided" in codes("match", replace(base, proposals=both_rejected))
    undecided = (scored(1, COMPANY), scored(2, RIVAL, None))
    assert "proposals.decided" in codes("match", replace(base, proposals=undecided))
    no_reason = (replace(scored(1, COMPANY), decision_rationale=" "),)
    assert "proposals.decided" in codes("match", replace(base, proposals=no_reason))
    good = (scored(1, COMPANY), scored(2, RIVAL, "rejected"))
    assert "proposals.decided" not in codes("match", replace(base, proposals=good))


def test_every_selected_company_must_sign() -> None:
    facts = replace(
        empty(),
        proposals=(scored(1, COMPANY), scored(2, RIVAL, "rejected")),
        signed_organisation_ids=frozenset({LEAD}),
    )
    unmet = next(u for u in unmet_for(CaseState.AGREEMENT, facts) if u.code == "agreement.signed")
    assert unmet.details["missing_organisation_ids"] == [COMPANY]
    signed = replace(facts, signed_organisation_ids=frozenset({LEAD, COMPANY}))
    assert "agreement.signed" not in codes("agreement", signed)


def test_health_data_needs_a_dpia_as_well() -> None:
    facts = replace(
        empty(),
        pilot=PilotSection(personal_data=True, health_data=True),
        agreement=AgreementSection.model_validate({"dpa_signed_at": NOW.isoformat()}),
    )
    unmet = next(u for u in unmet_for(CaseState.AGREEMENT, facts) if u.code == "agreement.dpa")
    assert unmet.details["missing"] == ["dpia_done"]


def test_pilot_must_end_after_it_starts() -> None:
    backwards = replace(empty(), pilot=PLAN.model_copy(update={"end_date": PLAN.start_date}))
    assert "pilot.plan" in codes("agreement", backwards)


def test_ethics_notification_needs_a_reference() -> None:
    required = replace(empty(), pilot=PilotSection(ethics_notification_required=True))
    assert "pilot.ethics" in codes("agreement", required)
    with_ref = replace(
        empty(),
        pilot=PilotSection(ethics_notification_required=True, ethics_reference="H-26012345"),
    )
    assert "pilot.ethics" not in codes("agreement", with_ref)


def test_pilot_end_in_the_future_does_not_count() -> None:
    future = replace(empty(), pilot=PilotSection(ended_at=NOW + timedelta(hours=1)))
    assert "pilot.ended" in codes("pilot", future)


def test_failed_pilot_cannot_be_scaled() -> None:
    failed = replace(
        empty(),
        pilot=PilotSection.model_validate(
            {"evaluation": {"outcome": "failed", "report": "Ingen effekt"}}
        ),
    )
    assert "pilot.evaluation" in codes("pilot", failed)


def test_the_lead_municipality_does_not_count_as_adopter() -> None:
    lead_only = replace(
        empty(),
        scale=ScaleSection.model_validate(
            {
                "adopting_municipalities": [
                    {"name": "Furesø", "organisation_id": LEAD, "letter_of_intent_at": "2026-10-01"}
                ]
            }
        ),
    )
    assert "scale.adoption" in codes("scale", lead_only)
    no_letter = replace(
        empty(),
        scale=ScaleSection.model_validate(
            {"adopting_municipalities": [{"name": "Randers", "organisation_id": OTHER_TOWN}]}
        ),
    )
    assert "scale.adoption" in codes("scale", no_letter)

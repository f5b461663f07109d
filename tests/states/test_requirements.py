"""Every requirement code of SPEC §3: its definition is complete, its example meets it, and
without its example it is unmet; then the finer points of each check."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from states import REQUIREMENTS, CaseFacts, CaseState, unmet_for
from states.documents import DocumentKind
from states.facts import AssessmentFacts, ProposalFacts
from states.ready import ready_case, ready_facts, ready_sections
from states.requirements import ALL_CODES, BY_CODE
from states.sections import (
    SECTION_MODELS,
    AgreementSection,
    CallSection,
    NeedSection,
    PilotSection,
    ScaleSection,
    editable_sections,
)
from tests.factories import EMPTY_NEED_UNMET, NOW

LEAD, COMPANY, RIVAL, OTHER_TOWN = 1, 2, 3, 4
SPEC_CODES = {
    *EMPTY_NEED_UNMET,
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
OTHER_INPUTS = {"proposals", "signatures", "now", "documents"}


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


def ready_call(**fields: Any) -> CallSection:
    return CallSection.model_validate({**ready_sections("need", NOW)["call"], **fields})


def test_the_codes_are_exactly_those_of_the_spec() -> None:
    assert set(ALL_CODES) == SPEC_CODES == set(BY_CODE)
    for state, reqs in REQUIREMENTS.items():
        assert all(r.code in SPEC_CODES and r.state is state for r in reqs)


@pytest.mark.parametrize("code", sorted(SPEC_CODES))
def test_every_requirement_is_defined_whole(code: str) -> None:
    req = BY_CODE[code]
    assert req.label.da and req.label.en and req.label.da != req.label.en
    assert req.reads
    for name in req.reads:  # every input names a real section field or another fact
        section, _, attr = name.partition(".")
        assert name in OTHER_INPUTS or attr in SECTION_MODELS[section].model_fields, name


@pytest.mark.parametrize("code", sorted(SPEC_CODES))
def test_met_by_the_ready_example_and_unmet_without_it(code: str) -> None:
    state = BY_CODE[code].state
    assert code not in codes(state, ready_facts(state, NOW))
    unmet = [u for u in unmet_for(state, ready_facts(state, NOW, without=code)) if u.code == code]
    assert len(unmet) == 1
    assert unmet[0].message("da") == unmet[0].message_da
    assert unmet[0].message("en") == unmet[0].message_en
    assert unmet[0].message_da and unmet[0].message_en
    assert unmet[0].message_da != unmet[0].message_en


@pytest.mark.parametrize("state", ["need", "match", "agreement", "pilot", "scale"])
def test_the_ready_example_meets_the_whole_phase(state: str) -> None:
    assert codes(state, ready_facts(state, NOW)) == set()
    sections = ready_sections(state, NOW)
    assert set(sections) <= set(editable_sections(state))
    for name, data in sections.items():  # a patch the section models accept as it is
        assert (
            SECTION_MODELS[name].model_validate(data).model_dump(mode="json", exclude_none=True)
            == data
        )


def test_the_ready_case_holds_every_phase() -> None:
    case = ready_case(NOW)
    assert set(case) == set(SECTION_MODELS)
    assert case["pilot"]["site"] and case["pilot"]["evaluation"]  # from agreement and pilot


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
    need = {**ready_sections("need", NOW)["need"], "legal_track": "innovation_partnership"}
    return replace(empty(), need=NeedSection.model_validate(need), call=ready_call(**call))


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
    explicit = replace(base, call=ready_call(min_proposals=2))
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
        document_kinds=frozenset({"dpa"}),
    )
    unmet = next(u for u in unmet_for(CaseState.AGREEMENT, facts) if u.code == "agreement.dpa")
    assert unmet.details["missing"] == ["dpia_done", "dpia_document"]


def test_a_signed_dpa_needs_its_document() -> None:
    """Dates and ticks are not enough: the DPA (and the DPIA for health data) must be attached
    as documents (issue 19); without personal data no document is asked for."""
    agreement = AgreementSection.model_validate(
        {"dpa_signed_at": NOW.isoformat(), "dpia_done": True}
    )
    facts = replace(
        empty(), pilot=PilotSection(personal_data=True, health_data=True), agreement=agreement
    )
    unmet = next(u for u in unmet_for(CaseState.AGREEMENT, facts) if u.code == "agreement.dpa")
    assert unmet.details["missing"] == ["dpa_document", "dpia_document"]
    attached = replace(facts, document_kinds=frozenset({"dpa", "dpia"}))
    assert "agreement.dpa" not in codes("agreement", attached)
    no_personal_data = replace(facts, pilot=PilotSection(personal_data=False))
    assert "agreement.dpa" not in codes("agreement", no_personal_data)


def test_the_evaluation_report_may_be_a_document() -> None:
    from states.sections import Outcome

    pilot = PilotSection.model_validate({"evaluation": {"outcome": Outcome.PARTIAL.value}})
    facts = replace(empty(), pilot=pilot)
    assert "pilot.evaluation" in codes("pilot", facts)
    attached = replace(facts, document_kinds=frozenset({"evaluation_report"}))
    assert "pilot.evaluation" not in codes("pilot", attached)
    assert "pilot.evaluation" in codes(
        "pilot", replace(empty(), document_kinds=attached.document_kinds)
    )


def test_requirements_declare_the_documents_they_may_ask_for() -> None:
    assert BY_CODE["agreement.dpa"].documents == (DocumentKind.DPA, DocumentKind.DPIA)
    assert BY_CODE["pilot.evaluation"].documents == (DocumentKind.EVALUATION_REPORT,)
    assert BY_CODE["need.owner"].documents == ()


def test_pilot_must_end_after_it_starts() -> None:
    plan = ready_facts("agreement", NOW).pilot
    assert "pilot.plan" not in codes("agreement", replace(empty(), pilot=plan))
    backwards = replace(empty(), pilot=plan.model_copy(update={"end_date": plan.start_date}))
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

"""The partner's pages and "Mit overblik" without a browser (issue 14 items 2 and 3): each page's
happy path, the refusal after the submission deadline, and scoping between two competing
companies, on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.browser.world import MATCH_CASE_TITLE, NEED_CASE_TITLE, PROPOSAL_A, PROPOSAL_B
from tests.web_support import WebApp, csrf_of
from workflow.core.timeutil import utcnow
from workflow.models import AuditEvent, Proposal, Signature


def proposals_of(web: WebApp, org_title: str) -> list[Proposal]:
    with Session(web.db.engine) as s:
        return list(s.execute(select(Proposal).where(col(Proposal.title) == org_title)).scalars())


def audit_actions(web: WebApp, case_id: int) -> list[str]:
    with Session(web.db.engine) as s:
        return list(
            s.execute(
                select(col(AuditEvent.action))
                .where(col(AuditEvent.case_id) == case_id)
                .order_by(col(AuditEvent.seq))
            ).scalars()
        )


# --- Åbne opslag, Vis interesse, Mine frister ---------------------------------------------


def test_open_calls_show_criteria_weights_and_danish_time_left(web: WebApp) -> None:
    page = web.signed_in("partner_a").get("/ui/calls")
    assert page.status_code == 200
    assert "Åbne opslag" in page.text
    assert re.search(r"lukker om \d+ (dage|uger|måned)", page.text), page.text
    assert "Furesø Kommune" in page.text
    # The criteria of `ready_call` with their weights.
    assert re.search(r"\w+: \d+ %", page.text)
    # RoligRum has proposed already: its own proposal, never SenseCare's.
    assert PROPOSAL_A in page.text and PROPOSAL_B not in page.text
    assert f"/proposals/{web.world.proposal_b_id}" not in page.text


def test_open_calls_are_for_partners(web: WebApp) -> None:
    assert web.signed_in("manager").get("/ui/calls").status_code == 403


def test_a_new_company_shows_interest_and_then_sees_its_deadline(web: WebApp) -> None:
    org_id = web.add_partner("partner_c", "NyVirk ApS")
    client = web.signed_in("partner_c")
    calls = client.get("/ui/calls")
    assert "Vis interesse" in calls.text
    case_id = web.world.match_case_id
    shown = client.post(f"/ui/cases/{case_id}/interest", data={"csrf_token": csrf_of(calls.text)})
    assert shown.status_code == 303
    assert shown.headers["location"] == f"/ui/calls?msg=interest#call-{case_id}"
    again = client.get(shown.headers["location"])
    assert "Jeres interesse er registreret" in again.text
    assert "I har vist interesse" in again.text
    deadlines = client.get("/ui/deadlines")
    assert MATCH_CASE_TITLE in deadlines.text
    assert "Frist for forslag" in deadlines.text
    assert 'data-testid="nav-deadlines"' in deadlines.text
    assert "participant.added" in audit_actions(web, case_id)
    assert org_id  # the organisation exists and took part through its own token


def test_a_call_closing_in_two_minutes_shows_its_deadline_to_every_company(web: WebApp) -> None:
    """Regression: the company saw "Ingen åbne frister" on a call closing in two minutes."""
    web.add_partner("partner_c", "NyVirk ApS")
    web.set_call_deadline(web.world.match_case_id, utcnow() + timedelta(minutes=2))
    page = web.signed_in("partner_c").get(f"/ui/cases/{web.world.match_case_id}")
    deadlines = page.text.split('data-testid="deadlines"')[1]
    assert "Frist for forslag (opslaget)" in deadlines
    assert "Ingen åbne frister" not in deadlines
    assert re.search(r"lukker om [12] minut", page.text), page.text
    board = web.signed_in("partner_c").get("/ui/cases")
    assert "Frist for forslag (opslaget)" in board.text


# --- Indsend forslag, ret, træk tilbage ----------------------------------------------------


def test_a_company_submits_edits_and_withdraws_its_proposal(web: WebApp) -> None:
    web.add_partner("partner_c", "NyVirk ApS")
    client = web.signed_in("partner_c")
    case_id = web.world.match_case_id
    form = client.get(f"/ui/cases/{case_id}/propose")
    assert form.status_code == 200 and "Indsend forslag" in form.text

    # An empty title: the error stands beside the field and the typed text survives.
    typed = "Vi leverer rolige rum med lys og lyd."
    refused = client.post(
        f"/ui/cases/{case_id}/propose",
        data={"csrf_token": csrf_of(form.text), "title": "  ", "summary": typed},
    )
    assert refused.status_code == 422
    assert 'id="p-title-error">Skal udfyldes.' in refused.text
    assert typed in refused.text
    assert proposals_of(web, "Ro-rum") == []

    sent = client.post(
        f"/ui/cases/{case_id}/propose",
        data={"csrf_token": csrf_of(form.text), "title": "Ro-rum", "summary": typed},
    )
    assert sent.status_code == 303
    [proposal] = proposals_of(web, "Ro-rum")
    assert sent.headers["location"] == f"/ui/cases/{case_id}/proposals/{proposal.id}?msg=submitted"
    page = client.get(sent.headers["location"])
    assert "Forslaget er indsendt." in page.text and "Ret forslaget" in page.text

    edit_url = f"/ui/cases/{case_id}/proposals/{proposal.id}/edit"
    edit_form = client.get(edit_url)
    assert 'value="Ro-rum"' in edit_form.text
    saved = client.post(
        edit_url,
        data={"csrf_token": csrf_of(edit_form.text), "title": "Ro-rum 2", "summary": typed},
    )
    assert saved.status_code == 303
    assert [p.title for p in proposals_of(web, "Ro-rum 2")] == ["Ro-rum 2"]

    withdrawn = client.post(
        f"/ui/cases/{case_id}/proposals/{proposal.id}/withdraw",
        data={"csrf_token": csrf_of(edit_form.text)},
    )
    assert withdrawn.status_code == 303
    mine = client.get(withdrawn.headers["location"])
    assert "Forslaget er trukket tilbage." in mine.text and "Trukket tilbage" in mine.text
    [stored] = proposals_of(web, "Ro-rum 2")
    assert stored.withdrawn_at is not None  # kept for the record, not deleted
    actions = audit_actions(web, case_id)
    assert {"proposal.submitted", "proposal.edited", "proposal.withdrawn"} <= set(actions)


def test_after_the_deadline_submit_edit_and_withdraw_are_refused_with_a_clear_message(
    web: WebApp,
) -> None:
    web.add_partner("partner_c", "NyVirk ApS")
    late = web.signed_in("partner_c")
    owner = web.signed_in("partner_a")
    case_id, mine = web.world.match_case_id, web.world.proposal_a_id
    form = late.get(f"/ui/cases/{case_id}/propose")
    edit_form = owner.get(f"/ui/cases/{case_id}/proposals/{mine}/edit")
    web.set_call_deadline(case_id, utcnow() - timedelta(minutes=1))
    before = audit_actions(web, case_id)

    refused = late.post(
        f"/ui/cases/{case_id}/propose",
        data={"csrf_token": csrf_of(form.text), "title": "For sent", "summary": "Tekst"},
    )
    assert refused.status_code == 409
    assert "Fristen for forslag udløb" in refused.text and "sene forslag afvises" in refused.text
    assert 'value="For sent"' in refused.text  # the typed values are kept
    assert proposals_of(web, "For sent") == []

    edit = owner.post(
        f"/ui/cases/{case_id}/proposals/{mine}/edit",
        data={"csrf_token": csrf_of(edit_form.text), "title": "Ændret", "summary": ""},
    )
    assert edit.status_code == 409 and "kan ikke længere ændres" in edit.text
    withdraw = owner.post(
        f"/ui/cases/{case_id}/proposals/{mine}/withdraw",
        data={"csrf_token": csrf_of(edit_form.text)},
    )
    assert withdraw.status_code == 409
    assert [p.withdrawn_at for p in proposals_of(web, PROPOSAL_A)] == [None]
    assert audit_actions(web, case_id) == before
    # The form itself says so before anyone types.
    assert "Fristen for forslag udløb" in late.get(f"/ui/cases/{case_id}/propose").text


def test_a_company_never_reaches_a_competitors_proposal(web: WebApp) -> None:
    rival = web.signed_in("partner_b")
    case_id, theirs = web.world.match_case_id, web.world.proposal_a_id
    token = csrf_of(rival.get("/ui/calls").text)
    assert rival.get(f"/ui/cases/{case_id}/proposals/{theirs}/edit").status_code == 404
    assert rival.get(f"/ui/cases/{case_id}/proposals/{theirs}").status_code == 404
    for action in ("edit", "withdraw"):
        response = rival.post(
            f"/ui/cases/{case_id}/proposals/{theirs}/{action}",
            data={"csrf_token": token, "title": "Stjålet", "summary": ""},
        )
        assert response.status_code == 404
    assert [p.withdrawn_at for p in proposals_of(web, PROPOSAL_A)] == [None]
    for path in ("/ui/proposals", "/ui/calls", "/ui/overview", "/ui/deadlines"):
        text = rival.get(path).text
        assert PROPOSAL_A not in text and f"/proposals/{theirs}" not in text, path
    # A case the company does not take part in, outside match: 404 on its company pages.
    need = web.world.need_case_id
    assert rival.get(f"/ui/cases/{need}/propose").status_code == 404
    assert rival.post(f"/ui/cases/{need}/interest", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("path", ["/ui/cases/{big}/propose", "/ui/cases/1/proposals/{big}/edit"])
def test_a_huge_id_is_not_found(web: WebApp, path: str) -> None:
    client = web.signed_in("partner_a")
    assert client.get(path.format(big=10**20)).status_code == 404


def test_only_bidders_use_the_partner_forms(web: WebApp) -> None:
    manager = web.signed_in("manager")
    token = csrf_of(manager.get("/ui/overview").text)
    case_id = web.world.match_case_id
    assert manager.get(f"/ui/cases/{case_id}/propose").status_code == 403
    response = manager.post(f"/ui/cases/{case_id}/interest", data={"csrf_token": token})
    assert response.status_code == 403


# --- Underskriv aftalen ----------------------------------------------------------------------


def test_the_selected_company_signs_the_agreement_as_itself(web: WebApp) -> None:
    case_id = web.to_agreement()
    company = web.signed_in("partner_a")
    overview = company.get("/ui/overview")
    assert "Aftalen venter på jeres underskrift." in overview.text
    page = company.get(f"/ui/cases/{case_id}")
    assert 'data-testid="sign"' in page.text
    signed = company.post(
        f"/ui/cases/{case_id}/signature",
        data={"csrf_token": csrf_of(page.text), "signatory_name": "Lone Berg"},
    )
    assert signed.status_code == 303
    after = company.get(signed.headers["location"])
    assert "Aftalen er underskrevet." in after.text and 'data-testid="sign"' not in after.text
    with Session(web.db.engine) as s:
        [signature] = s.execute(select(Signature)).scalars().all()
        event = s.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "agreement.signed")
        ).scalar_one()
    assert signature.signatory_name == "Lone Berg"
    assert signature.recorded_by == "Lone Berg (RoligRum)"
    assert (
        event.actor_role == "partner" and event.actor_organisation_id == signature.organisation_id
    )
    # The municipality sees who still has to sign.
    assert (
        "Mangler underskrift fra: Furesø Kommune"
        in web.signed_in("manager").get("/ui/overview").text
    )


def test_a_rejected_company_cannot_sign(web: WebApp) -> None:
    case_id = web.to_agreement()
    rival = web.signed_in("partner_b")
    page = rival.get(f"/ui/cases/{case_id}")
    assert 'data-testid="sign"' not in page.text
    response = rival.post(
        f"/ui/cases/{case_id}/signature",
        data={"csrf_token": csrf_of(page.text), "signatory_name": "James Holt"},
    )
    assert response.status_code == 303
    with Session(web.db.engine) as s:
        assert s.execute(select(func.count()).select_from(Signature)).scalar_one() == 0


# --- Mit overblik ------------------------------------------------------------------------------


def test_sign_in_lands_on_the_overview_with_counts_in_the_navigation(web: WebApp) -> None:
    client = web.client()
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login",
        data={"csrf_token": csrf_of(form.text), "token": web.world.tokens["manager"], "next": ""},
    )
    assert response.headers["location"] == "/ui/overview"
    page = client.get("/ui/overview")
    assert "Mit overblik" in page.text
    # Two proposals wait for the manager's assessment; the navigation counts them.
    assessments = page.text.split('data-testid="overview-assess"')[1]
    assert PROPOSAL_A in assessments and PROPOSAL_B in assessments
    badge = re.search(r'data-testid="nav-overview">Mit overblik <span[^>]*>(\d+)<', page.text)
    assert badge is not None and int(badge.group(1)) >= 2
    # The need case waits on requirements the manager can fill.
    requirements = page.text.split('data-testid="overview-requirements"')[1]
    assert NEED_CASE_TITLE in requirements


def test_staff_see_only_what_they_can_fill_and_partners_no_assessments(web: WebApp) -> None:
    staff = web.signed_in("staff").get("/ui/overview").text
    assert 'data-testid="overview-assess"' not in staff
    requirements = staff.split('data-testid="overview-requirements"')[1]
    assert "behovsejer" in requirements  # need.owner: staff edit the need
    assert "Opslaget" not in requirements  # call.ready is the manager's
    partner = web.signed_in("partner_b").get("/ui/overview").text
    assert 'data-testid="overview-assess"' not in partner
    assert PROPOSAL_A not in partner


def test_only_an_auditor_is_pointed_to_the_audit_log_from_mit_overblik(web: WebApp) -> None:
    """The hint is decided by `Role`, not a string in the template (issue 13)."""
    hint = 'data-testid="overview-audit-hint"'
    assert hint in web.signed_in("auditor").get("/ui/overview").text
    assert hint not in web.signed_in("manager").get("/ui/overview").text

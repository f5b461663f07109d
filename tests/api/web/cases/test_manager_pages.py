"""The manager's steps on the pages: a new case, participants, assessments and decisions,
signatures and deadlines; every refusal keeps the typed input and puts its error beside the
field; partners, staff and other municipalities cannot reach these forms.

The world is `tests.browser.world`: Furesø with a case in `need` and a case in `match` with two
proposals. Each test runs on SQLite and PostgreSQL (the `db` fixture).
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from api.web.forms import LOCAL_TZ
from tests.factories import make_org
from tests.web_support import WebApp, case_form, csrf_of, post_form
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import (
    Assessment,
    AuditEvent,
    Case,
    Deadline,
    Decision,
    Participant,
    Signature,
)

ALERTS = re.compile(r'<p class="error" id="([^"]+)-error" role="alert">([^<]+)</p>')


def errors_beside(html: str) -> dict[str, str]:
    """The page's field errors: the id of the field each stands beside, and its text."""
    return dict(ALERTS.findall(html))


def count(web: WebApp, table: type, **where: int) -> int:
    """How many rows of `table` there are (optionally narrowed by equal columns)."""
    with Session(web.db.engine) as s:
        query = select(table)
        for name, value in where.items():
            query = query.where(col(getattr(table, name)) == value)
        return len(list(s.exec(query)))


def audit_actions(web: WebApp, case_id: int) -> list[str]:
    """The case's audit actions in order."""
    with Session(web.db.engine) as s:
        rows = s.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.seq))
        )
        return [e.action for e in rows]


def local(delta: timedelta) -> str:
    """A `datetime-local` value `delta` from now, in Copenhagen time."""
    return (utcnow() + delta).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


# --- "Ny sag" ------------------------------------------------------------------------------


def test_a_manager_starts_a_case_with_its_need(web: WebApp) -> None:
    client = web.signed_in("manager")
    board = client.get("/ui/cases")
    assert 'href="/ui/cases/new"' in board.text
    form = client.get("/ui/cases/new")
    assert form.status_code == 200
    assert "Behovsejer (navn)" in form.text  # the need's generated form
    typed = {
        "title": "Færre fald i eget hjem",
        "f.description": "Ældre falder om natten.",
        "f.legal_track": "mini_trial",
    }
    response = client.post("/ui/cases/new", data={"csrf_token": csrf_of(form.text), **typed})
    assert response.status_code == 303
    case_id = int(response.headers["location"].split("/")[3].split("?")[0])
    case = web.case(case_id)
    assert case.title == "Færre fald i eget hjem"
    assert case.need == {"description": "Ældre falder om natten.", "legal_track": "mini_trial"}
    page = client.get(response.headers["location"])
    assert "Sagen er oprettet." in page.text


def test_a_refused_new_case_keeps_every_typed_value_and_stores_nothing(web: WebApp) -> None:
    client = web.signed_in("staff")
    before = count(web, Case)
    typed = {
        "title": "   ",
        "f.owner_name": "Hanne Lund",
        "f.owner_email": "ikke en adresse",
        "f.target_group": "Ældre i eget hjem",
    }
    response = post_form(client, "/ui/cases/new", "/ui/cases/new", typed)
    assert response.status_code == 422
    errors = errors_beside(response.text)
    assert errors["new-title"] == "Skal udfyldes."
    assert 'value="Hanne Lund"' in response.text
    assert 'value="ikke en adresse"' in response.text
    assert ">Ældre i eget hjem</textarea>" in response.text
    # Now the title is there, and the address is refused beside its own field.
    typed = {"title": "Færre fald", "f.owner_email": "ikke en adresse"}
    response = post_form(client, "/ui/cases/new", "/ui/cases/new", typed)
    assert response.status_code == 422
    assert errors_beside(response.text) == {"f-owner_email": "Værdien er ikke gyldig."}
    assert 'value="Færre fald"' in response.text
    assert count(web, Case) == before


@pytest.mark.parametrize("who", ["partner_a", "auditor"])
def test_only_a_municipalitys_people_start_cases(web: WebApp, who: str) -> None:
    client = web.signed_in(who)
    assert 'href="/ui/cases/new"' not in client.get("/ui/cases").text
    assert client.get("/ui/cases/new").status_code == 403
    page = client.get("/ui/cases")
    before = count(web, Case)
    response = client.post("/ui/cases/new", data={"csrf_token": csrf_of(page.text), "title": "X"})
    assert response.status_code == 403
    assert count(web, Case) == before


# --- wrong and huge ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/ui/cases/99999",
        "/ui/cases/99999999999999999999999",
        "/ui/cases/-1",
        "/ui/cases/abc",
        "/ui/cases/{case}/proposals/99999999999999999999",
        "/ui/cases/{case}/proposals/0",
        "/ui/cases/99999999999999999999/assessment",
    ],
)
def test_a_wrong_or_huge_id_is_not_found(web: WebApp, path: str) -> None:
    client = web.signed_in("manager")
    response = client.get(path.format(case=web.world.match_case_id))
    assert response.status_code == 404
    assert "Siden eller sagen findes ikke." in response.text


def test_forms_on_a_wrong_or_huge_id_are_not_found(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.match_case_id
    token = csrf_of(client.get(f"/ui/cases/{case_id}").text)
    for path in (
        f"/ui/cases/{case_id}/deadlines/99999999999999999999/met",
        f"/ui/cases/{case_id}/deadlines/424242/met",
        f"/ui/cases/{case_id}/participants/99999999999999999999/remove",
        f"/ui/cases/{case_id}/proposals/424242/decision",
        "/ui/cases/99999999999999999999/signatures",
    ):
        response = client.post(path, data={"csrf_token": token, "reason": "x", "rationale": "x"})
        assert response.status_code == 404, path


# --- participants --------------------------------------------------------------------------


def test_the_manager_invites_from_a_searched_list_and_removes_with_a_reason(web: WebApp) -> None:
    case_id = web.world.need_case_id
    with Session(web.db.engine) as s:
        ballerup = make_org(s, "Ballerup Kommune", email="opi@balk.dk")
        s.commit()
        ballerup_id = ballerup.id or 0
    client = web.signed_in("manager")
    page = client.get(f"/ui/cases/{case_id}?org_q=ballerup")
    assert "Ballerup Kommune (kommune)" in page.text
    assert "RoligRum ApS" not in page.text.split('id="participants"')[1].split("</section>")[0]
    response = client.post(
        f"/ui/cases/{case_id}/participants",
        data={
            "csrf_token": csrf_of(page.text),
            "organisation_id": str(ballerup_id),
            "role": "municipality",
        },
    )
    assert response.status_code == 303
    assert count(web, Participant, case_id=case_id, organisation_id=ballerup_id) == 1
    # Removing needs a reason; without one the form stays open with the error beside it.
    remove = f"/ui/cases/{case_id}/participants/{ballerup_id}/remove"
    response = post_form(client, remove, f"/ui/cases/{case_id}", {"reason": " "})
    assert response.status_code == 422
    assert errors_beside(response.text) == {f"remove-{ballerup_id}-reason": "Skal udfyldes."}
    assert count(web, Participant, case_id=case_id, organisation_id=ballerup_id) == 1
    response = post_form(
        client, remove, f"/ui/cases/{case_id}", {"reason": "Trak sig fra samarbejdet"}
    )
    assert response.status_code == 303
    assert count(web, Participant, case_id=case_id, organisation_id=ballerup_id) == 0
    assert audit_actions(web, case_id)[-2:] == ["participant.added", "participant.removed"]
    assert "Trak sig fra samarbejdet" in client.get(f"/ui/cases/{case_id}").text


def test_an_invite_without_an_organisation_is_refused_beside_the_field(web: WebApp) -> None:
    case_id = web.world.need_case_id
    client = web.signed_in("manager")
    before = count(web, Participant, case_id=case_id)
    response = post_form(
        client,
        f"/ui/cases/{case_id}/participants",
        f"/ui/cases/{case_id}",
        {"organisation_id": "", "role": "knowledge_partner"},
    )
    assert response.status_code == 422
    assert errors_beside(response.text) == {"participant-organisation_id": "Skal udfyldes."}
    assert '<option value="knowledge_partner" selected>' in response.text
    for org_id in ("424242", "99999999999999999999"):
        response = post_form(
            client,
            f"/ui/cases/{case_id}/participants",
            f"/ui/cases/{case_id}",
            {"organisation_id": org_id, "role": "partner"},
        )
        assert response.status_code == 422
    assert count(web, Participant, case_id=case_id) == before


def test_a_company_with_a_proposal_stays_in_the_case(web: WebApp) -> None:
    case_id = web.world.match_case_id
    with Session(web.db.engine) as s:
        proposal_org = s.exec(
            select(Participant.organisation_id).where(
                Participant.case_id == case_id, Participant.role == "interested"
            )
        ).first()
    client = web.signed_in("manager")
    response = post_form(
        client,
        f"/ui/cases/{case_id}/participants/{proposal_org}/remove",
        f"/ui/cases/{case_id}",
        {"reason": "Ikke relevant"},
    )
    assert response.status_code == 409
    assert "Organisationen kan ikke fjernes" in response.text
    assert count(web, Participant, case_id=case_id, organisation_id=proposal_org or 0) == 1


# --- scoping -------------------------------------------------------------------------------


@pytest.fixture
def other_manager(web: WebApp) -> str:
    """A manager of Ballerup, a municipality that takes part in nothing."""
    with Session(web.db.engine) as s:
        ballerup = make_org(s, "Ballerup Kommune", email="opi@balk.dk")
        work = UnitOfWork(s)
        _, token = create_token(
            work, SYSTEM_CLI, name="Bo Bal", role="manager", organisation_id=ballerup.id
        )
        work.commit()
    web.world.tokens["other_manager"] = token
    return "other_manager"


@pytest.mark.parametrize("who", ["partner_a", "staff", "auditor", "other_manager"])
def test_only_the_cases_manager_reaches_the_managers_forms(
    web: WebApp, who: str, other_manager: str
) -> None:
    case_id = web.world.match_case_id
    pid = web.world.proposal_b_id
    client = web.signed_in(who)
    token = csrf_of(client.get("/ui/cases").text)
    with Session(web.db.engine) as s:
        deadline_id = s.exec(select(Deadline.id).where(Deadline.case_id == case_id)).first()
    before = [count(web, t) for t in (Participant, Assessment, Decision, Signature, Deadline)]
    version = web.case(case_id).version
    forms = {
        f"/ui/cases/{case_id}/participants": {"organisation_id": "1", "role": "partner"},
        f"/ui/cases/{case_id}/proposals/{pid}/assessments": {"score.0": "5", "rationale": "x"},
        f"/ui/cases/{case_id}/proposals/{pid}/decision": {"decision": "selected", "rationale": "x"},
        f"/ui/cases/{case_id}/signatures": {"organisation_id": "1", "signatory_name": "x"},
        f"/ui/cases/{case_id}/deadlines": {"title": "x", "due_at": local(timedelta(days=3))},
        f"/ui/cases/{case_id}/deadlines/{deadline_id}/met": {},
        f"/ui/cases/{case_id}/deadlines/{deadline_id}/cancel": {"reason": "x"},
    }
    for path, data in forms.items():
        response = client.post(path, data={"csrf_token": token, **data})
        # A partner and another municipality's manager never learn the proposals exist.
        assert response.status_code in (403, 404), (path, response.status_code)
    assert [
        count(web, t) for t in (Participant, Assessment, Decision, Signature, Deadline)
    ] == before
    assert web.case(case_id).version == version
    assessment = client.get(f"/ui/cases/{case_id}/assessment")
    assert assessment.status_code == (200 if who == "auditor" else 404)
    if who == "auditor":
        assert "Gem vurdering" not in assessment.text


def test_a_partner_finds_no_case_through_a_competitors_name(web: WebApp) -> None:
    client = web.signed_in("partner_a")
    # SenseCare bid on the match case; RoligRum must not find it by SenseCare's name.
    assert "case-card" not in client.get("/ui/cases?q=SenseCare").text
    assert "case-card" in client.get("/ui/cases?q=furesø").text  # the lead is on the call


def test_the_board_finds_cases_by_municipality_and_company_names(web: WebApp) -> None:
    client = web.signed_in("manager")
    found = client.get("/ui/cases?q=FURESØ").text
    assert found.count('data-testid="case-card"') == 2
    by_company = client.get("/ui/cases?q=sensecare").text
    assert by_company.count('data-testid="case-card"') == 1
    assert "Fælles sprog om sårbare gravide" in by_company


# --- assessments and decisions -------------------------------------------------------------


def test_proposals_side_by_side_assessed_and_decided(web: WebApp) -> None:
    case_id, pid = web.world.match_case_id, web.world.proposal_a_id
    client = web.signed_in("manager")
    page = client.get(f"/ui/cases/{case_id}")
    assert f'href="/ui/cases/{case_id}/assessment"' in page.text
    criteria = web.case(case_id).call["criteria"]
    scores = {f"score.{i}": str(6 + i) for i in range(len(criteria))}
    path = f"/ui/cases/{case_id}/assessment"
    response = post_form(
        client,
        f"/ui/cases/{case_id}/proposals/{pid}/assessments",
        path,
        {**scores, "rationale": "Gennemarbejdet"},
    )
    assert response.status_code == 303
    page = client.get(path)
    weights = [c["weight"] for c in criteria]
    total = sum((6 + i) * w for i, w in enumerate(weights)) / sum(weights)
    expected = f"{total:.1f}".replace(".", ",")
    assert re.search(rf'data-testid="total-{pid}"><strong>{expected}</strong>', page.text)
    assert "Gem vurdering" in page.text and "Vælg forslag" in page.text
    response = post_form(
        client,
        f"/ui/cases/{case_id}/proposals/{pid}/decision",
        path,
        {"decision": "selected", "rationale": "Bedste løsning for beboerne"},
    )
    assert response.status_code == 303
    with Session(web.db.engine) as s:
        decision = s.exec(select(Decision).where(Decision.proposal_id == pid)).one()
    assert (decision.decision, decision.rationale) == ("selected", "Bedste løsning for beboerne")


def test_a_refused_assessment_keeps_the_scores_and_marks_the_field(web: WebApp) -> None:
    case_id, pid = web.world.match_case_id, web.world.proposal_b_id
    client = web.signed_in("manager")
    path = f"/ui/cases/{case_id}/assessment"
    response = post_form(
        client,
        f"/ui/cases/{case_id}/proposals/{pid}/assessments",
        path,
        {"score.0": "11", "score.1": "7", "rationale": "Lovende", "conflict": "1"},
    )
    assert response.status_code == 422
    errors = errors_beside(response.text)
    assert errors[f"assess-{pid}-score-0"] == "Værdien er uden for det tilladte interval."
    assert f"assess-{pid}-score-1" not in errors
    assert 'value="11"' in response.text and 'value="7"' in response.text
    assert ">Lovende</textarea>" in response.text
    assert 'name="conflict" value="1" checked' in response.text
    response = post_form(
        client, f"/ui/cases/{case_id}/proposals/{pid}/decision", path, {"decision": "rejected"}
    )
    assert response.status_code == 422
    assert errors_beside(response.text) == {f"decide-{pid}-rationale": "Skal udfyldes."}
    assert count(web, Assessment) == 0 and count(web, Decision) == 0


# --- signatures ----------------------------------------------------------------------------


def test_the_manager_records_a_signature_made_on_paper(web: WebApp) -> None:
    case_id = web.to_agreement()
    lead = web.case(case_id).lead_municipality_id
    client = web.signed_in("manager")
    page = client.get(f"/ui/cases/{case_id}")
    assert "Registrér underskrift" in page.text
    future = local(timedelta(days=2))
    response = post_form(
        client,
        f"/ui/cases/{case_id}/signatures",
        f"/ui/cases/{case_id}",
        {"organisation_id": str(lead), "signatory_name": "Borgmester Ole", "signed_at": future},
    )
    assert response.status_code == 422
    assert errors_beside(response.text) == {"signature-signed_at": "Må ikke ligge i fremtiden."}
    assert 'value="Borgmester Ole"' in response.text and f'value="{future}"' in response.text
    assert count(web, Signature) == 0
    response = post_form(
        client,
        f"/ui/cases/{case_id}/signatures",
        f"/ui/cases/{case_id}",
        {
            "organisation_id": str(lead),
            "signatory_name": "Borgmester Ole",
            "signed_at": local(-timedelta(hours=1)),
        },
    )
    assert response.status_code == 303
    assert count(web, Signature, case_id=case_id) == 1
    assert "Borgmester Ole" in client.get(f"/ui/cases/{case_id}").text
    assert audit_actions(web, case_id)[-1] == "agreement.signed"


# --- deadlines -----------------------------------------------------------------------------


def test_new_move_meet_and_cancel_deadlines(web: WebApp) -> None:
    case_id = web.world.need_case_id
    client = web.signed_in("manager")
    path = f"/ui/cases/{case_id}"
    before = count(web, Deadline, case_id=case_id)
    response = post_form(
        client,
        f"{path}/deadlines",
        path,
        {"title": "Møde med plejehjemmet", "due_at": local(-timedelta(days=1)), "responsible": ""},
    )
    assert response.status_code == 422
    assert errors_beside(response.text) == {"deadline-due_at": "Skal ligge i fremtiden."}
    assert 'value="Møde med plejehjemmet"' in response.text
    assert count(web, Deadline, case_id=case_id) == before
    response = post_form(
        client,
        f"{path}/deadlines",
        path,
        {"title": "Møde med plejehjemmet", "due_at": local(timedelta(days=5)), "responsible": ""},
    )
    assert response.status_code == 303
    with Session(web.db.engine) as s:
        deadline = s.exec(select(Deadline).where(Deadline.title == "Møde med plejehjemmet")).one()
    did = deadline.id
    # Moving needs a reason.
    new_due = local(timedelta(days=9))
    response = post_form(
        client, f"{path}/deadlines/{did}/move", path, {"due_at": new_due, "reason": ""}
    )
    assert response.status_code == 422
    assert errors_beside(response.text) == {f"move-{did}-reason": "Skal udfyldes."}
    assert f'value="{new_due}"' in response.text
    response = post_form(
        client, f"{path}/deadlines/{did}/move", path, {"due_at": new_due, "reason": "Ferie"}
    )
    assert response.status_code == 303
    response = post_form(client, f"{path}/deadlines/{did}/met", path, {})
    assert response.status_code == 303
    # A met deadline is no longer open: cancelling it is refused in words, not a 500.
    response = post_form(
        client, f"{path}/deadlines/{did}/cancel", path, {"reason": "Ikke nødvendig"}
    )
    assert response.status_code == 409
    assert "Handlingen kan ikke udføres" in response.text
    actions = audit_actions(web, case_id)
    assert actions[-3:] == ["deadline.created", "deadline.moved", "deadline.met"]


def test_a_deadline_is_cancelled_only_with_a_reason(web: WebApp) -> None:
    case_id = web.world.match_case_id
    with Session(web.db.engine) as s:
        did = s.exec(
            select(Deadline.id).where(Deadline.case_id == case_id, Deadline.status == "open")
        ).first()
    client = web.signed_in("manager")
    path = f"/ui/cases/{case_id}"
    response = post_form(client, f"{path}/deadlines/{did}/cancel", path, {"reason": ""})
    assert response.status_code == 422
    assert errors_beside(response.text) == {f"cancel-{did}-reason": "Skal udfyldes."}
    response = post_form(
        client, f"{path}/deadlines/{did}/cancel", path, {"reason": "Ikke længere aktuel"}
    )
    assert response.status_code == 303
    with Session(web.db.engine) as s:
        assert s.get(Deadline, did).status == "cancelled"  # type: ignore[union-attr]


def test_reminder_problems_are_told_in_words(web: WebApp) -> None:
    case_id = web.world.match_case_id
    from workflow.models import Reminder

    with Session(web.db.engine) as s:
        reminder = s.exec(
            select(Reminder).join(Deadline).where(Deadline.case_id == case_id)
        ).first()
        assert reminder is not None
        reminder.status = "retrying"
        reminder.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
        s.add(reminder)
        s.commit()
    page = web.signed_in("manager").get(f"/ui/cases/{case_id}").text
    assert "Modtageren kunne ikke nås." in page
    assert "Errno" not in page and "ConnectionRefusedError" not in page


# --- forms from schemas, stale forms -------------------------------------------------------


def test_section_forms_come_from_the_schemas_with_help_and_limits(web: WebApp) -> None:
    page = web.signed_in("manager").get(f"/ui/cases/{web.world.need_case_id}").text
    assert "Vægtene skal tilsammen give 100 %." in page  # help text from states/sections.py
    assert re.search(r'name="f.owner_name" value=""\s+type="text" maxlength="500"', page)
    assert re.search(r'name="f.min_proposals" value=""\s+type="number" min="1" max="100"', page)


def test_a_stale_form_keeps_the_input_and_names_who_changed_what(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    stale = web.stale_need_form(client, by="Anden Bruger")
    response = client.post(
        f"/ui/cases/{case_id}/sections/need",
        data={**stale, "f.owner_name": "Mig Selv", "f.expected_value": "Roligere dage"},
    )
    assert response.status_code == 409
    assert 'value="Mig Selv"' in response.text
    assert ">Roligere dage</textarea>" in response.text
    assert "Ændret af Anden Bruger imens; gemt nu: Hanne Lund" in response.text
    assert web.case(case_id).need["owner_name"] == "Hanne Lund"
    # Saving again (the form now carries the new version) overwrites deliberately.
    response = client.post(
        f"/ui/cases/{case_id}/sections/need",
        data={
            **case_form(response.text),
            "f.owner_name": "Mig Selv",
            "f.description": web.case(case_id).need["description"],
            "f.target_group": web.case(case_id).need["target_group"],
        },
    )
    assert response.status_code == 303
    assert web.case(case_id).need["owner_name"] == "Mig Selv"


def test_a_refused_section_form_keeps_every_typed_value(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    page = client.get(f"/ui/cases/{case_id}")
    response = client.post(
        f"/ui/cases/{case_id}/sections/call",
        data={
            **case_form(page.text),
            "f.title": "Ro om eftermiddagen",
            "f.criteria.0.name": "Pris",
            "f.criteria.0.weight": "mange",
            "f.criteria.1.name": "Kvalitet",
            "f.criteria.1.weight": "60",
        },
    )
    assert response.status_code == 422
    assert 'value="Ro om eftermiddagen"' in response.text
    assert 'value="mange"' in response.text and 'value="Kvalitet"' in response.text
    assert errors_beside(response.text) == {"f-criteria": "Skal være et helt tal."}


def test_the_manager_retitles_the_case_and_a_stale_title_keeps_the_input(web: WebApp) -> None:
    case_id = web.world.need_case_id
    client = web.signed_in("manager")
    page = client.get(f"/ui/cases/{case_id}")
    form = case_form(page.text)
    response = client.post(f"/ui/cases/{case_id}/title", data={**form, "title": ""})
    assert response.status_code == 422
    assert errors_beside(response.text) == {"title-title": "Skal udfyldes."}
    response = client.post(
        f"/ui/cases/{case_id}/title", data={**form, "title": "Ro på plejehjemmet"}
    )
    assert response.status_code == 303
    assert web.case(case_id).title == "Ro på plejehjemmet"
    # The old form again: someone (this user) saved first; the typed title is kept.
    response = client.post(f"/ui/cases/{case_id}/title", data={**form, "title": "Andet navn"})
    assert response.status_code == 409
    assert 'value="Andet navn"' in response.text
    assert web.case(case_id).title == "Ro på plejehjemmet"
    staff = web.signed_in("staff")
    response = staff.post(
        f"/ui/cases/{case_id}/title",
        data={"csrf_token": csrf_of(staff.get("/ui/cases").text), "version": "9", "title": "X"},
    )
    assert response.status_code == 403


def test_system_reasons_and_clause_names_are_danish(web: WebApp) -> None:
    case_id = web.to_agreement()
    page = web.signed_in("manager").get(f"/ui/cases/{case_id}").text
    assert "Sagen forlod fasen Match (gik videre)." in page
    assert "The case left phase" not in page
    assert "klausuler: immaterielle rettigheder, fortrolighed, offentliggørelse" in page
    assert "confidentiality," not in page and "state_aid." not in page


def test_a_signature_for_an_unknown_party_or_outside_agreement_is_refused(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.match_case_id
    path = f"/ui/cases/{case_id}"
    data = {
        "organisation_id": "1",
        "signatory_name": "Ole",
        "signed_at": local(-timedelta(hours=1)),
    }
    response = post_form(client, f"{path}/signatures", path, data)
    assert response.status_code == 409  # the case is in match, not agreement
    assert "Handlingen kan ikke udføres" in response.text
    web.to_agreement()
    response = post_form(client, f"{path}/signatures", path, {**data, "organisation_id": "424242"})
    assert response.status_code == 422
    assert errors_beside(response.text) == {"signature-organisation_id": "Vælg en af mulighederne."}
    assert count(web, Signature) == 0

"""The web pages without a browser: sessions, cookies, CSRF, language, refusals on the page.

These run the whole app in process with Starlette's TestClient on the parametrised test
database (SQLite and PostgreSQL); the browser tests in tests/browser/ cover the user journeys.
"""

import re
from datetime import timedelta

import pytest
from httpx2 import Response
from sqlmodel import Session, select

from api.web.i18n import ROLES, TRIGGERS
from states import Trigger
from tests.browser.world import MATCH_CASE_TITLE, NEED_CASE_TITLE, PROPOSAL_B
from tests.factories import make_org
from tests.web_support import WebApp, case_form, csrf_of, press, sign_in, version_of
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.cases.service import create_case
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import ApiToken, Case
from workflow.transitions.engine import apply_trigger


def session_cookie_header(response: Response) -> str:
    """The Set-Cookie header of the session cookie."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith("opi_session=")]
    assert len(headers) == 1, response.headers
    return str(headers[0])


# --- signing in and out -------------------------------------------------------------------


def test_pages_redirect_to_sign_in_with_the_way_back(web: WebApp) -> None:
    response = web.client().get(f"/ui/cases/{web.world.need_case_id}")
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/ui/login?next=%2Fui%2Fcases%2F{web.world.need_case_id}"
    )


def test_session_cookie_is_httponly_samesite_strict_and_renewed_at_sign_in(web: WebApp) -> None:
    client = web.client()
    anonymous = session_cookie_header(client.get("/ui/login"))
    for flag in ("HttpOnly", "SameSite=strict", "Path=/ui"):
        assert flag.lower() in anonymous.lower()
    assert "secure" not in anonymous.lower()  # plain HTTP on loopback

    response = sign_in(client, web.world.tokens["manager"], "/ui/cases")
    assert response.status_code == 303 and response.headers["location"] == "/ui/cases"
    signed_in = session_cookie_header(response)
    assert "httponly" in signed_in.lower() and "samesite=strict" in signed_in.lower()
    assert signed_in.split(";")[0] != anonymous.split(";")[0]
    board = client.get("/ui/cases")
    assert board.status_code == 200 and "Mette Madsen" in board.text


def test_session_cookie_is_secure_over_https(web: WebApp) -> None:
    response = web.client("https://testserver").get("/ui/login")
    assert "secure" in session_cookie_header(response).lower()


def test_a_wrong_token_shows_the_form_again(web: WebApp) -> None:
    client = web.client()
    response = sign_in(client, "opi_not-a-token")
    assert response.status_code == 401
    assert "Tokenet er ikke gyldigt." in response.text
    assert client.get("/ui/cases").status_code == 303


def test_sign_out_ends_the_session(web: WebApp) -> None:
    client = web.signed_in("manager")
    board = client.get("/ui/cases")
    response = client.post("/ui/logout", data={"csrf_token": csrf_of(board.text)})
    assert response.status_code == 303 and response.headers["location"] == "/ui/login?out=1"
    assert client.get("/ui/cases").status_code == 303


def test_a_revoked_token_ends_its_sessions(web: WebApp) -> None:
    client = web.signed_in("manager")
    with Session(web.db.engine) as session:
        tokens = session.exec(select(ApiToken).where(ApiToken.name == "Mette Madsen")).all()
        for token in tokens:
            token.revoked_at = utcnow()
        session.commit()
    assert client.get("/ui/cases").status_code == 303


def test_a_forged_session_cookie_is_ignored(web: WebApp) -> None:
    client = web.client()
    client.cookies.set("opi_session", "eyJjIjoieCIsInQiOjF9.forged.signature", path="/ui")
    assert client.get("/ui/cases").status_code == 303


# --- CSRF ---------------------------------------------------------------------------------


def test_sign_in_without_csrf_token_is_refused(web: WebApp) -> None:
    client = web.client()
    client.get("/ui/login")
    response = client.post("/ui/login", data={"token": web.world.tokens["manager"]})
    assert response.status_code == 403
    assert "Formularen var for gammel" in response.text
    assert client.get("/ui/cases").status_code == 303


def test_a_form_with_a_wrong_csrf_token_changes_nothing(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    page = client.get(f"/ui/cases/{case_id}")
    before = web.case(case_id).version
    for token in ("", "not-the-token"):
        response = client.post(
            f"/ui/cases/{case_id}/sections/need",
            data={"csrf_token": token, "version": str(before), "f.owner_name": "Mallory"},
        )
        assert response.status_code == 403
    response = client.post(
        f"/ui/cases/{case_id}/transitions",
        data={"version": str(before), "trigger": "cancel", "reason": "csrf"},
    )
    assert response.status_code == 403
    assert web.case(case_id).version == before
    assert "Mallory" not in client.get(f"/ui/cases/{case_id}").text
    assert csrf_of(page.text)  # the real form did carry a token


def test_another_sessions_csrf_token_is_refused(web: WebApp) -> None:
    mallory = web.signed_in("staff")
    stolen = csrf_of(mallory.get("/ui/cases").text)
    victim = web.signed_in("manager")
    case_id = web.world.need_case_id
    response = victim.post(
        f"/ui/cases/{case_id}/transitions",
        data={"csrf_token": stolen, "version": "1", "trigger": "cancel", "reason": "x"},
    )
    assert response.status_code == 403
    assert web.case(case_id).state == "need"


# --- language -----------------------------------------------------------------------------


def test_danish_by_default_even_for_an_english_browser(web: WebApp) -> None:
    client = web.signed_in("manager")
    page = client.get(f"/ui/cases/{web.world.need_case_id}", headers={"Accept-Language": "en"})
    assert '<html lang="da">' in page.text
    assert "Behovet mangler en behovsejer med navn og e-mail." in page.text


def test_a_date_at_the_end_of_the_calendar_is_shown_not_a_500(web: WebApp) -> None:
    # Converting 9999-12-31 23:59 UTC to Copenhagen time overflows; the page used to fail.
    # Such a date is refused as input now (years 2000-2100), so it is written below the
    # validation, as an older version stored it.
    case_id = web.world.need_case_id
    with Session(web.db.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.call = {**case.call, "submission_deadline": "9999-12-31T23:59:00Z"}
        session.add(case)
        session.commit()
    client = web.signed_in("manager")
    for lang, shown in (("da", "31.12.9999"), ("en", "31 Dec 9999")):
        client.get(f"/ui/language?lang={lang}&next=/ui/cases")
        page = client.get(f"/ui/cases/{case_id}")
        assert page.status_code == 200
        assert shown in page.text


def test_the_language_switch_is_remembered_and_keeps_the_page(web: WebApp) -> None:
    client = web.signed_in("manager")
    target = f"/ui/cases/{web.world.need_case_id}"
    response = client.get(f"/ui/language?lang=en&next={target}")
    assert response.status_code == 303 and response.headers["location"] == target
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("opi_lang="))
    assert cookie.startswith("opi_lang=en;") and "httponly" in cookie.lower()
    page = client.get(target)
    assert '<html lang="en">' in page.text
    assert "The need has no owner with a name and an email address." in page.text
    assert "Requirements for the next step: Match" in page.text

    client.get(f"/ui/language?lang=da&next={target}")
    assert "Krav for næste skridt: Match" in client.get(target).text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/ui/", "/api/v1/x"])
def test_the_language_switch_never_redirects_off_the_pages(web: WebApp, target: str) -> None:
    response = web.client().get("/ui/language", params={"lang": "en", "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/ui/overview"


def test_an_unknown_language_falls_back_to_danish(web: WebApp) -> None:
    client = web.client()
    client.get("/ui/language?lang=xx&next=/ui/login")
    assert '<html lang="da">' in client.get("/ui/login").text


# --- refusals shown on the page -----------------------------------------------------------


def test_a_stale_form_shows_a_friendly_message_and_saves_nothing(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    stale = web.stale_need_form(client, by="Anden bruger")  # someone else saves first
    response = client.post(
        f"/ui/cases/{case_id}/sections/need", data={**stale, "f.owner_name": "Mig"}
    )
    assert response.status_code == 409
    assert "Sagen er blevet ændret af en anden, siden du åbnede den." in response.text
    assert web.case(case_id).need["owner_name"] == "Hanne Lund"


def test_invalid_values_are_marked_on_the_form(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    page = client.get(f"/ui/cases/{case_id}")
    form = case_form(page.text)
    response = client.post(
        f"/ui/cases/{case_id}/sections/call",
        data={**form, "f.criteria.0.name": "Pris", "f.criteria.0.weight": "mange"},
    )
    assert response.status_code == 422
    assert "Skal være et helt tal." in response.text
    response = client.post(
        f"/ui/cases/{case_id}/sections/need",
        data={**form, "f.owner_email": "ikke en adresse"},
    )
    assert response.status_code == 422
    assert "Værdien er ikke gyldig." in response.text
    assert web.case(case_id).version == int(form["version"])


def test_a_refused_advance_lists_every_unmet_requirement(web: WebApp) -> None:
    case_id = web.world.need_case_id
    response = press(web.signed_in("manager"), case_id, "advance")
    assert response.status_code == 409
    listed = re.search(r'data-testid="refusal-list">(.*?)</ul>', response.text, re.S)
    assert listed is not None
    assert listed[1].count("<li>") == 4  # owner, expected value, legal track, call
    assert web.case(case_id).state == "need"


def test_pause_needs_a_reason_and_then_puts_the_case_on_hold(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    page = client.get(f"/ui/cases/{case_id}")
    data = {**case_form(page.text), "trigger": "pause"}
    response = client.post(f"/ui/cases/{case_id}/transitions", data=data)
    assert response.status_code == 422 and "Handlingen kræver en begrundelse." in response.text
    response = client.post(
        f"/ui/cases/{case_id}/transitions", data={**data, "reason": "Afventer budget"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Sagen er sat på pause." in page.text and "Afventer budget" in page.text
    assert web.case(case_id).on_hold


def test_a_stale_transition_is_refused_with_the_same_message(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    stale = str(int(version_of(client.get(f"/ui/cases/{case_id}").text)) - 1)
    response = press(client, case_id, "cancel", "Dobbeltoprettet", version=stale)
    assert response.status_code == 409
    assert "Sagen er blevet ændret af en anden" in response.text
    assert web.case(case_id).state == "need"


def test_a_cancelled_case_shows_where_it_stopped_and_can_be_reopened(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.need_case_id
    response = press(client, case_id, "cancel", "Behovet er dækket af en anden løsning")
    assert response.status_code == 303
    page = client.get(f"/ui/cases/{case_id}")
    assert "Annulleret i fasen Behov" in page.text
    assert re.search(
        r'class="step step-cancelled" aria-current="step">\s*<span class="dot">✕', page.text
    )
    assert "Genåbn sagen i fasen Behov" in page.text
    assert "Behovet er dækket af en anden løsning" in page.text  # in the audit trail
    response = press(client, case_id, "reopen", "Løsningen slog fejl")
    assert response.status_code == 303
    assert web.case(case_id).state == "need"


def test_partners_and_staff_cannot_change_what_is_not_theirs(web: WebApp) -> None:
    partner = web.signed_in("partner_a")
    case_id = web.world.match_case_id
    page = partner.get(f"/ui/cases/{case_id}")
    assert 'action="/ui/cases/' + str(case_id) + '/transitions"' not in page.text
    response = partner.post(
        f"/ui/cases/{case_id}/transitions",
        data={
            "csrf_token": csrf_of(page.text),
            "version": str(web.case(case_id).version),
            "trigger": "cancel",
            "reason": "x",
        },
    )
    assert response.status_code == 403
    assert web.case(case_id).state == "match"

    staff = web.signed_in("staff")
    need_case = web.world.need_case_id
    page = staff.get(f"/ui/cases/{need_case}")
    response = staff.post(
        f"/ui/cases/{need_case}/sections/call",
        data={**case_form(page.text), "f.title": "x"},
    )
    assert response.status_code == 403


def test_a_partner_sees_neither_competitors_nor_other_cases(web: WebApp) -> None:
    partner = web.signed_in("partner_a")
    world = web.world
    board = partner.get("/ui/cases").text
    assert NEED_CASE_TITLE not in board
    page = partner.get(f"/ui/cases/{world.match_case_id}").text
    assert PROPOSAL_B not in page and "Revisionsspor" not in page
    other = partner.get(f"/ui/cases/{world.match_case_id}/proposals/{world.proposal_b_id}")
    assert other.status_code == 404 and PROPOSAL_B not in other.text
    assert partner.get(f"/ui/cases/{world.need_case_id}").status_code == 404


def test_a_bidder_sees_the_published_call_as_the_api_shows_it(web: WebApp) -> None:
    """A company that only bid sees neither the internal need nor who else bid."""
    page = web.signed_in("partner_a").get(f"/ui/cases/{web.world.match_case_id}").text
    assert "Rolige dage for borgere med demens" in page  # the published call's title
    assert "Birgitte Behovsejer" not in page  # the need's owner, internal to the municipality
    assert "SenseCare" not in page  # the other bidder


def test_a_bidder_does_not_see_that_the_municipality_paused_the_case(web: WebApp) -> None:
    """The board shows a partner what `GET /cases` shows it: the call, not the hold."""
    case_id = web.world.match_case_id
    with Session(web.db.engine) as session:
        apply_trigger(
            UnitOfWork(session),
            case_id,
            "pause",
            web.manager(case_id),
            reason="Afventer budget",
            expected_version=web.case(case_id).version,
        )
    on_hold = "På pause"
    assert on_hold in web.signed_in("manager").get("/ui/cases").text
    board = web.signed_in("partner_a").get("/ui/cases").text
    assert MATCH_CASE_TITLE in board and on_hold not in board


# --- the auditor's page -------------------------------------------------------------------


def test_managers_open_the_audit_log_of_their_own_cases_only(web: WebApp) -> None:
    # SPEC §4: managers read the audit of their own cases, on the pages as on the API (the
    # page used to refuse them while the API let them in).
    with Session(web.db.engine) as session:
        gladsaxe = make_org(session, "Gladsaxe Kommune")
        work = UnitOfWork(session)
        create_case(
            work,
            Actor("Gunnar Gladsaxe", Role.MANAGER, gladsaxe.id),
            title="Gladsaxes egen sag",
            need={},
            lead_municipality_id=gladsaxe.id or 0,
        )
        work.commit()
    manager = web.signed_in("manager")
    page = manager.get("/ui/audit")
    assert page.status_code == 200 and "er intakte" in page.text
    assert "Mette Madsen" in page.text  # the events of the cases Furesø leads
    assert "Gunnar Gladsaxe" not in page.text  # not even among the filter's actor names
    export = manager.get("/ui/audit/export.csv")
    assert export.status_code == 200
    assert "Mette Madsen" in export.text and "Gunnar Gladsaxe" not in export.text
    everything = web.signed_in("auditor").get("/ui/audit/export.csv")
    assert "Gunnar Gladsaxe" in everything.text
    for who in ("staff", "partner_a"):
        assert web.signed_in(who).get("/ui/audit").status_code == 403
        assert web.signed_in(who).get("/ui/audit/export.csv").status_code == 403


def test_the_auditor_exports_json_lines_with_the_pages_filters(web: WebApp) -> None:
    auditor = web.signed_in("auditor")
    response = auditor.get("/ui/audit/export.jsonl", params={"action": "proposal.submitted"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jsonl")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert len(lines) == 2 and all('"action":"proposal.submitted"' in line for line in lines)


def test_the_audit_date_filter_uses_whole_days(web: WebApp) -> None:
    auditor = web.signed_in("auditor")
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    page = auditor.get("/ui/audit", params={"from": tomorrow})
    assert "0 hændelser" in page.text


def test_pages_carry_security_headers(web: WebApp) -> None:
    response = web.client().get("/ui/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_every_role_and_trigger_has_its_words() -> None:
    """The role and trigger names come from `words.toml`, keyed by the enums' values; a new
    role or trigger without its words would show its code name on the page."""
    assert set(ROLES) == {r.value for r in Role}
    assert set(TRIGGERS) == {t.value for t in Trigger}

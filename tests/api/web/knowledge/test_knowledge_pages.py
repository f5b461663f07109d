"""The pages "Videnbibliotek", a library case, "Det har andre gjort" and the co-owners on the
case and call pages, on both databases (issue 17)."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api_helpers import ApiClient, World, drive, join_need, patch_case
from tests.web_support import signed_in_client


def _signed_in(api: ApiClient, token: str) -> TestClient:
    """A browser signed in with `token`, sent on to the library."""
    return signed_in_client(api.client.app, token, "/ui/knowledge")


def _case(api: ApiClient, w: World, title: str, **need: Any) -> dict[str, Any]:
    response = api.post("/cases", token=w.manager, json={"title": title, "need": need})
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


def _scaled(api: ApiClient, w: World) -> dict[str, Any]:
    """A dementia case in scale, with numbers, adopted by Randers."""
    case = drive(api, w, _case(api, w, "Ro om aftenen for borgere med demens"), "pilot")
    criteria = [{"metric": "Uro-episoder pr. uge", "baseline": 14, "target": 7, "result": 8.4}]
    patch_case(api, case["id"], {"pilot": {"success_criteria": criteria}}, w.manager)
    case = drive(api, w, case, "scale")
    scale = {
        "knowledge_summary": "Drejebog for rolige aftener.",
        "adopting_municipalities": [{"organisation_id": w.adopter["id"]}],
        "purchase_route": "tender",
    }
    return patch_case(api, case["id"], {"scale": scale}, w.manager)


def test_the_library_pages_show_results_to_every_municipality(api: ApiClient) -> None:
    w = api.world()
    scaled = _scaled(api, w)
    other = _signed_in(api, w.outsider_manager)
    listing = other.get("/ui/knowledge", params={"q": "demens"})
    assert listing.status_code == 200
    assert "Videnbibliotek" in listing.text and scaled["title"] in listing.text
    assert 'data-testid="nav-knowledge"' in listing.text
    assert "-40 %" in listing.text or "−40 %" in listing.text
    entry = other.get(f"/ui/knowledge/{scaled['id']}")
    assert entry.status_code == 200
    for text in (
        "Offentliggjort af Furesø Kommune",
        "Uro-episoder pr. uge",
        "8,4",
        "Mål ikke nået",
        "Drejebog for rolige aftener.",
        "Randers Kommune",
        "Udbud",
        "Sanserum",  # the selected proposal: the solution
        "Uro faldt med 40 %.",  # the evaluation report
    ):
        assert text in entry.text, text
    assert "Åbn sagen" not in entry.text  # Gladsaxe takes no part in the case
    other.get("/ui/language", params={"lang": "en", "next": "/ui/knowledge"})
    english = other.get(f"/ui/knowledge/{scaled['id']}")
    assert "Published by Furesø Kommune" in english.text and "8.4" in english.text
    assert "Target not reached" in english.text


def test_companies_are_refused_and_bad_input_is_no_error(api: ApiClient) -> None:
    w = api.world()
    scaled = _scaled(api, w)
    company = _signed_in(api, w.partner)
    assert company.get("/ui/knowledge").status_code == 403
    assert company.get(f"/ui/knowledge/{scaled['id']}").status_code == 403
    assert 'data-testid="nav-knowledge"' not in company.get("/ui/calls").text
    staff = _signed_in(api, w.staff)
    for q in ('"demens" NEAR( * 😀', "x" * 10_000, "AND OR NOT"):
        assert staff.get("/ui/knowledge", params={"q": q, "page": "99999"}).status_code == 200
    for bad in ("0", str(2**31), str(10**30), "abc"):
        assert staff.get(f"/ui/knowledge/{bad}").status_code in (404, 422), bad
    need = _case(api, w, "Ny sag")
    assert staff.get(f"/ui/knowledge/{need['id']}").status_code == 404


def test_a_new_need_shows_what_others_have_done(api: ApiClient) -> None:
    w = api.world()
    scaled = _scaled(api, w)
    new = _case(api, w, "Borgere med demens er urolige", description="Uro om aftenen.")
    lead = _signed_in(api, w.manager)
    for path in (f"/ui/needs/{new['id']}", f"/ui/cases/{new['id']}"):
        page = lead.get(path)
        assert page.status_code == 200, path
        assert "Det har andre gjort" in page.text, path
        box = page.text.split('data-testid="others-did"', 1)[1]
        assert scaled["title"] in box, path


def test_co_owners_are_named_on_the_case_and_the_call(api: ApiClient) -> None:
    w = api.world()
    case = _case(api, w, "Ro for demente borgere")
    assert api.post(f"/cases/{case['id']}/share", token=w.manager).status_code == 200
    join_need(api, w, case["id"], w.outsider_manager)
    co_owner = _signed_in(api, w.outsider_manager)
    page = co_owner.get(f"/ui/cases/{case['id']}")
    assert page.status_code == 200 and "Medejere" in page.text and "Gladsaxe Kommune" in page.text
    assert 'data-testid="co-owner-note"' in page.text and "Furesø Kommune kører sagen" in page.text
    lead_page = _signed_in(api, w.manager).get(f"/ui/cases/{case['id']}")
    assert 'data-testid="co-owner-note"' not in lead_page.text
    drive(api, w, case, "match")
    company = _signed_in(api, w.partner)
    calls = company.get("/ui/calls")
    assert "Offentliggjort af" in calls.text and "Furesø og Gladsaxe Kommune" in calls.text
    call = company.get(f"/ui/cases/{case['id']}")
    assert "Offentliggjort af Furesø og Gladsaxe Kommune" in call.text
    randers = _signed_in(api, api.token("manager", w.adopter))
    assert randers.get(f"/ui/cases/{case['id']}").status_code == 404
    assert randers.get(f"/ui/needs/{case['id']}").status_code == 200


def test_the_scale_form_offers_the_co_owners_first(api: ApiClient) -> None:
    w = api.world()
    case = _case(api, w, "Ro for demente borgere")
    assert api.post(f"/cases/{case['id']}/share", token=w.manager).status_code == 200
    join_need(api, w, case["id"], w.outsider_manager)
    gladsaxe = api.get("/me", token=w.outsider_manager).json()["organisation_id"]
    drive(api, w, case, "scale")
    page = _signed_in(api, w.manager).get(f"/ui/cases/{case['id']}")
    assert page.status_code == 200
    select = page.text.split('name="f.adopting_municipalities.0.organisation_id"', 1)[1]
    select = select.split("</select>", 1)[0]
    co_owners, others = select.split('<optgroup label="Andre kommuner">', 1)
    assert '<optgroup label="Medejere af behovet">' in co_owners
    assert f'<option value="{gladsaxe}" >Gladsaxe Kommune</option>' in co_owners
    assert "Randers Kommune" in others and "Gladsaxe" not in others
    assert "Furesø Kommune" not in select  # the lead does not adopt its own solution
    patch_case(
        api,
        case["id"],
        {"scale": {"adopting_municipalities": [{"organisation_id": gladsaxe}]}},
        w.manager,
    )
    shown = _signed_in(api, w.outsider_manager).get(f"/ui/cases/{case['id']}")
    section = shown.text.split('data-testid="section-scale"', 1)[1].split("</section>", 1)[0]
    assert "Gladsaxe Kommune" in section  # the stored id is shown by its name

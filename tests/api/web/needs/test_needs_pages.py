"""The pages "Behovskatalog" and a need with "Lignende behov", on both databases (issue 17)."""

from fastapi.testclient import TestClient

from tests.api_helpers import ApiClient
from tests.web_support import csrf_of, signed_in_client


def _signed_in(api: ApiClient, token: str) -> TestClient:
    """A browser signed in with `token`, sent on to the catalogue of needs."""
    return signed_in_client(api.client.app, token, "/ui/needs")


def _case(api: ApiClient, token: str, title: str, description: str) -> int:
    response = api.post(
        "/cases", token=token, json={"title": title, "need": {"description": description}}
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id


def test_the_lead_shares_on_the_page_and_another_municipality_finds_it(api: ApiClient) -> None:
    w = api.world()
    dementia = _case(api, w.manager, "Ro for demente borgere", "Demente borgere er urolige.")
    night = _case(api, w.manager, "Uro om natten", "Demente beboere er urolige om natten.")
    assert api.post(f"/cases/{night}/share", token=w.manager).status_code == 200

    lead = _signed_in(api, w.manager)
    page = lead.get(f"/ui/needs/{dementia}")
    assert page.status_code == 200
    assert "Del behovet med andre kommuner" in page.text
    assert "Lignende behov" in page.text and "Uro om natten" in page.text
    shared = lead.post(
        f"/ui/needs/{dementia}/share", data={"csrf_token": csrf_of(page.text), "shared": "1"}
    )
    assert shared.status_code == 303

    other = _signed_in(api, w.outsider_manager)
    catalogue = other.get("/ui/needs", params={"q": "demens"})
    assert catalogue.status_code == 200
    assert "Behovskatalog" in catalogue.text and "Ro for demente borgere" in catalogue.text
    need = other.get(f"/ui/needs/{dementia}")
    assert need.status_code == 200
    assert "Del behovet" not in need.text and "Åbn sagen" not in need.text
    assert other.get(f"/ui/cases/{dementia}").status_code == 404
    weird = other.get("/ui/needs", params={"q": '"demens" NEAR( * 😀', "page": "99999"})
    assert weird.status_code == 200


def test_a_company_is_refused_the_catalogue_pages(api: ApiClient) -> None:
    w = api.world()
    case_id = _case(api, w.manager, "Ro for demente borgere", "Demente borgere er urolige.")
    assert api.post(f"/cases/{case_id}/share", token=w.manager).status_code == 200
    company = _signed_in(api, w.partner)
    for path in ("/ui/needs", f"/ui/needs/{case_id}"):
        response = company.get(path)
        assert response.status_code == 403, path
        assert "demente" not in response.text

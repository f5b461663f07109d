"""The need catalogue over HTTP on both databases (issue 17): sharing, scoping, Danish search,
ranking, similar needs and search text that must never break the search."""

from typing import Any

import pytest

from tests.api_helpers import ApiClient, World


def _need(api: ApiClient, token: str, title: str, description: str, **need: Any) -> int:
    response = api.post(
        "/cases", token=token, json={"title": title, "need": {"description": description, **need}}
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id


def _share(api: ApiClient, token: str, case_id: int) -> None:
    response = api.post(f"/cases/{case_id}/share", token=token)
    assert response.status_code == 200, response.text
    assert response.json()["shared"] is True


def _titles(api: ApiClient, token: str, **params: Any) -> list[str]:
    response = api.get("/needs", token=token, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def catalogue(api: ApiClient) -> tuple[World, dict[str, int]]:
    """Five needs of Furesø, four shared, one kept to itself."""
    w = api.world()
    ids = {
        "demens": _need(
            api,
            w.manager,
            "Ro for demente borgere",
            "Demente borgere på plejehjem bliver urolige om aftenen.",
            area="elderly_care",
        ),
        "uro": _need(
            api,
            w.manager,
            "Uro på plejehjemmet om natten",
            "Beboere på plejehjem med uro om natten vækker de andre.",
            area="elderly_care",
        ),
        "skole": _need(
            api,
            w.manager,
            "Fravær i folkeskolen",
            "Elever med højt fravær i udskolingen.",
            area="education",
        ),
        "affald": _need(
            api,
            w.manager,
            "Sortering af affald",
            "Borgere sorterer madaffald forkert.",
            area="climate",
        ),
        "hemmelig": _need(
            api,
            w.manager,
            "Intern plan for demente",
            "Ikke delt med nogen.",
            area="elderly_care",
        ),
    }
    for name in ("demens", "uro", "skole", "affald"):
        api.clock.advance(minutes=1)
        _share(api, w.manager, ids[name])
    return w, ids


def test_danish_stemming_finds_demente_by_demens(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    assert _titles(api, w.outsider_manager, q="demens") == ["Ro for demente borgere"]
    # "plejehjemmet" and "plejehjem" share their stem
    assert set(_titles(api, w.outsider_manager, q="plejehjemmet")) == {
        "Uro på plejehjemmet om natten",
        "Ro for demente borgere",
    }


def test_the_first_word_of_the_description_is_found(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    # "Borgere sorterer madaffald forkert": its first word follows the title's last one in the
    # stored search text, and is a word of its own all the same
    assert set(_titles(api, w.outsider_manager, q="borgere")) == {
        "Ro for demente borgere",
        "Sortering af affald",
    }
    assert _titles(api, w.outsider_manager, q="elever") == ["Fravær i folkeskolen"]


def test_ranking_puts_the_need_matching_more_first(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    titles = _titles(api, w.outsider_manager, q="uro om natten")
    assert titles[0] == "Uro på plejehjemmet om natten"
    response = api.get("/needs", token=w.outsider_manager, params={"q": "uro om natten"})
    ranks = [item["rank"] for item in response.json()["items"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > 0


def test_the_catalogue_lists_shared_needs_newest_first_with_filters(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    assert _titles(api, w.staff) == [
        "Sortering af affald",
        "Fravær i folkeskolen",
        "Uro på plejehjemmet om natten",
        "Ro for demente borgere",
    ]
    assert _titles(api, w.staff, area="elderly_care") == [
        "Uro på plejehjemmet om natten",
        "Ro for demente borgere",
    ]
    assert _titles(api, w.staff, municipality_id=w.adopter["id"]) == []
    assert _titles(api, w.staff, state="match") == []
    page = api.get("/needs", token=w.staff, params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 4
    assert [i["title"] for i in page["items"]] == [
        "Uro på plejehjemmet om natten",
        "Ro for demente borgere",
    ]
    assert page["items"][0]["lead_municipality"] == {"id": w.lead["id"], "name": "Furesø Kommune"}


def test_another_municipality_sees_the_shared_need_but_not_the_case(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, ids = catalogue
    need = api.get(f"/needs/{ids['demens']}", token=w.outsider_manager)
    assert need.status_code == 200
    assert need.json()["description"].startswith("Demente borgere")
    assert api.get(f"/cases/{ids['demens']}", token=w.outsider_manager).status_code == 404
    assert api.get(f"/cases/{ids['demens']}/audit", token=w.outsider_manager).status_code == 404
    # a need not shared is not in the catalogue, not even by its id
    assert api.get(f"/needs/{ids['hemmelig']}", token=w.outsider_manager).status_code == 404
    assert "Intern plan for demente" not in _titles(api, w.outsider_manager, q="demente")


def test_companies_never_see_the_catalogue(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, ids = catalogue
    for path in ("/needs", f"/needs/{ids['demens']}", f"/needs/{ids['demens']}/similar"):
        response = api.get(path, token=w.partner)
        assert response.status_code == 403, path
        assert "Ro for demente" not in response.text


def test_only_the_lead_manager_shares_and_it_is_audited(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, ids = catalogue
    case_id = ids["hemmelig"]
    assert api.post(f"/cases/{case_id}/share", token=w.staff).status_code == 403
    assert api.post(f"/cases/{case_id}/share", token=w.outsider_manager).status_code == 404
    assert api.post(f"/cases/{case_id}/share", token=w.partner).status_code == 404
    _share(api, w.manager, case_id)
    _share(api, w.manager, case_id)  # again: no change, no second event
    removed = api.request("DELETE", f"/cases/{case_id}/share", token=w.manager)
    assert removed.status_code == 200 and removed.json() == {
        "case_id": case_id,
        "shared": False,
        "shared_at": None,
    }
    events = api.get(f"/cases/{case_id}/audit", token=w.auditor).json()["items"]
    actions = [e["action"] for e in events]
    assert actions.count("need.shared") == 1 and actions.count("need.unshared") == 1
    verify = api.get("/audit/verify", token=w.auditor)
    assert verify.status_code == 200 and verify.json()["ok"] is True


def test_similar_needs_are_ranked_from_the_text(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, ids = catalogue
    response = api.get(f"/needs/{ids['demens']}/similar", token=w.outsider_manager)
    assert response.status_code == 200, response.text
    titles = [item["title"] for item in response.json()]
    assert titles[0] == "Uro på plejehjemmet om natten"
    assert "Ro for demente borgere" not in titles  # never itself
    assert "Intern plan for demente" not in titles  # never a need not shared
    assert "Fravær i folkeskolen" not in titles
    # the lead sees the similar needs of its own need before sharing it
    own = api.get(f"/needs/{ids['hemmelig']}/similar", token=w.manager)
    assert own.status_code == 200
    assert own.json()[0]["title"] == "Ro for demente borgere"


@pytest.mark.parametrize(
    "q",
    [
        '"demens',
        "demens\"' OR 1=1 --",
        "demens AND NOT NEAR(uro) *",
        "dem:* & !uro | (",
        "'\\''",
        "😀🧓",
        "凡例 ﷽ ÆØÅ",
        "^$.*+?{}[]\\|()",
        "a" * 500,
        " ".join(["demens"] * 70),
        "%_%",
    ],
)
def test_any_search_text_is_searched_literally_never_a_500(
    api: ApiClient, catalogue: tuple[World, dict[str, int]], q: str
) -> None:
    w, _ = catalogue
    response = api.get("/needs", token=w.outsider_manager, params={"q": q})
    assert response.status_code == 200, response.text
    assert "syntax" not in response.text.lower()


def test_syntax_characters_do_not_change_the_meaning(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    assert _titles(api, w.outsider_manager, q='"demens" OR affald') == []
    assert _titles(api, w.outsider_manager, q="%_%") == []


def test_search_text_too_long_or_with_nul_is_422(
    api: ApiClient, catalogue: tuple[World, dict[str, int]]
) -> None:
    w, _ = catalogue
    for q in ("x" * 10_000, "demens\x00"):
        response = api.get("/needs", token=w.outsider_manager, params={"q": q})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")

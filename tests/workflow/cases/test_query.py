"""Case search (`GET /cases?q=`): the stored search texts, on SQLite and PostgreSQL alike."""

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from tests.api_helpers import ApiClient, World, create_case, drive, patch_case, trigger
from tests.factories import NOW, make_org, manager_of
from tests.migration_support import insert_furesoe, migrated
from workflow.cases import query as case_query
from workflow.cases.search import SEPARATOR, fold, search_texts
from workflow.cases.service import create_case as create_case_row
from workflow.cases.service import update_case
from workflow.core import migrate
from workflow.core.db import get_engine
from workflow.core.unit_of_work import UnitOfWork


@pytest.fixture
def world(api: ApiClient) -> World:
    return api.world()


def _ids(api: ApiClient, token: str, q: str, **params: Any) -> list[int]:
    response = api.client.get(
        "/api/v1/cases", params={"q": q, **params}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


@given(st.text(), st.text(), st.text())
def test_folding_keeps_substrings_and_never_makes_the_separator(a: str, b: str, c: str) -> None:
    assert fold(b) in fold(a + b + c)
    assert SEPARATOR not in fold(a)
    full, call = search_texts(a, {"description": b}, {"text": c})
    assert full.split(SEPARATOR) == [fold(a), fold(b)]
    assert call.split(SEPARATOR) == [fold(a), fold(c)]


def test_search_follows_the_title_the_need_and_the_call(api: ApiClient, world: World) -> None:
    case = create_case(api, world, need={"description": "Uro om eftermiddagen"})
    cid, manager, partner = case["id"], world.manager, world.partner
    assert _ids(api, manager, "rolige dage") == [cid]
    assert _ids(api, manager, "URO OM") == [cid]
    patch_case(
        api, cid, {"title": "Søvn på plejecentre", "need": {"description": "Natlig uro"}}, manager
    )
    assert _ids(api, manager, "rolige dage") == []  # the old title and need are forgotten
    assert _ids(api, manager, "eftermiddagen") == []
    assert _ids(api, manager, "SØVN PÅ") == [cid]
    assert _ids(api, manager, "natlig") == [cid]
    case = drive(api, world, api.get(f"/cases/{cid}", token=manager).json(), "match")
    # A company searches the title and the published call, never the need.
    assert _ids(api, partner, "søvn") == [cid]
    assert _ids(api, partner, "tryghed i hverdagen") == [cid]  # the call's text
    assert _ids(api, partner, "demens på plejehjemmet") == []  # the need's description
    assert _ids(api, manager, "demens på plejehjemmet") == [cid]
    assert _ids(api, manager, "tryghed i hverdagen") == []
    # The published call is frozen in match: send the case back to change it, then reopen it.
    assert (
        trigger(api, cid, manager, "send_back", reason="Opslaget skal skærpes").status_code == 200
    )
    patch_case(api, cid, {"call": {"text": "Lys og LYD om natten"}}, manager)
    assert trigger(api, cid, manager, "advance").status_code == 200
    assert _ids(api, partner, "tryghed") == []
    assert _ids(api, partner, "lys og lyd") == [cid]


def test_case_is_ignored_the_unicode_way(api: ApiClient, world: World) -> None:
    title = "Gadelys på Møllestraße i ÆRØSKØBING"
    case = api.post("/cases", token=world.manager, json={"title": title}).json()
    for q in ("møllestraße", "MØLLESTRASSE", "ærøskøbing", "Ærøskøbing", "GADELYS PÅ"):
        assert _ids(api, world.manager, q) == [case["id"]], q
    assert _ids(api, world.manager, "aeroskobing") == []


def test_q_never_matches_across_title_and_text(api: ApiClient, world: World) -> None:
    case = api.post(
        "/cases", token=world.manager, json={"title": "Alfa", "need": {"description": "Beta"}}
    ).json()
    assert _ids(api, world.manager, "alfa") == [case["id"]]
    assert _ids(api, world.manager, "beta") == [case["id"]]
    for q in ("alfabeta", "alfa beta", "ab", "a\nb", SEPARATOR, f"a{SEPARATOR}b", fold(SEPARATOR)):
        assert _ids(api, world.manager, q) == [], repr(q)
    # The separator's own character in a title is found like any other.
    marked = api.post("/cases", token=world.manager, json={"title": f"x{SEPARATOR}y"}).json()
    assert _ids(api, world.manager, SEPARATOR) == [marked["id"]]
    assert _ids(api, world.manager, f"X{SEPARATOR}Y") == [marked["id"]]


def test_like_wildcards_and_nul_in_q_are_literal(api: ApiClient, world: World) -> None:
    case = api.post("/cases", token=world.manager, json={"title": r"50% af 1/2_del \ rest"}).json()
    for q in ("50%", "1/2", "2_d", "\\", r"\ rest", "%", "_"):
        assert _ids(api, world.manager, q) == [case["id"]], q
    for q in ("5%f", "1_2", "/", "2/d"):
        assert _ids(api, world.manager, q) == ([case["id"]] if q == "/" else []), q
    nul = api.client.get(
        "/api/v1/cases", params={"q": "a\x00"}, headers={"Authorization": f"Bearer {world.manager}"}
    )
    assert nul.status_code == 422, nul.text  # as NUL in any text, on both databases


def test_totals_of_full_partial_and_empty_pages(api: ApiClient, world: World) -> None:
    for n in range(3):
        api.post("/cases", token=world.manager, json={"title": f"Sag {n}"}).raise_for_status()

    def page(**params: Any) -> tuple[int, int]:
        response = api.client.get(
            "/api/v1/cases", params=params, headers={"Authorization": f"Bearer {world.manager}"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return len(body["items"]), body["total"]

    assert page(limit=2) == (2, 3)
    assert page(limit=2, offset=2) == (1, 3)
    assert page(limit=2, offset=3) == (0, 3)
    assert page(limit=2, offset=9) == (0, 3)
    assert page(limit=3) == (3, 3)
    assert page() == (3, 3)
    assert page(q="ingen") == (0, 0)
    assert page(q="sag 1") == (1, 1)


@pytest.mark.parametrize("few", [3, case_query.FEW])
def test_pages_and_totals_of_text_searches_with_few_and_many_matches(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """Below `FEW` matches one statement pages and counts; at or above it, two do."""
    monkeypatch.setattr(case_query, "FEW", few)
    case_query._statements.cache_clear()
    created = [
        api.post("/cases", token=world.manager, json={"title": f"Sag {n} {'x' * n}"}).json()["id"]
        for n in range(5)
    ]
    newest_first = created[::-1]
    try:
        for q, matching in (
            ("sag", newest_first),
            ("xx", newest_first[:3]),
            ("sag 1", [created[1]]),
        ):
            for limit, offset in ((2, 0), (2, 2), (2, 4), (2, 5), (2, 9), (50, 0), (1, 1)):
                response = api.client.get(
                    "/api/v1/cases",
                    params={"q": q, "limit": limit, "offset": offset},
                    headers={"Authorization": f"Bearer {world.manager}"},
                )
                body = response.json()
                assert [c["id"] for c in body["items"]] == matching[offset : offset + limit]
                assert body["total"] == len(matching), (q, limit, offset)
    finally:
        case_query._statements.cache_clear()


def test_every_write_keeps_the_stored_texts(session: Session) -> None:
    org = make_org(session)
    actor = manager_of(org)
    work = UnitOfWork(session)
    case = create_case_row(
        work,
        actor,
        title="Rolige Dage",
        need={"description": "URO"},
        lead_municipality_id=org.id or 0,
        now=NOW,
    )
    work.commit()
    stored = sa.text("SELECT search_full, search_call FROM cases WHERE id = :id")

    def texts() -> tuple[str, str]:
        with session.get_bind().connect() as conn:  # what the database holds
            full, call = conn.execute(stored, {"id": case.id}).one()
            return full, call

    s = SEPARATOR
    assert texts() == (f"rolige dage{s}uro", f"rolige dage{s}")
    for patch, expected in (
        (
            {"call": {"text": "Ro og TRYGHED"}},
            (f"rolige dage{s}uro", f"rolige dage{s}ro og tryghed"),
        ),
        ({"title": "Nat"}, (f"nat{s}uro", f"nat{s}ro og tryghed")),
        ({"need": {"description": None}}, (f"nat{s}", f"nat{s}ro og tryghed")),
        ({"need": {"target_group": "Beboere"}}, (f"nat{s}", f"nat{s}ro og tryghed")),
    ):
        update_case(work, case.id or 0, patch, actor, expected_version=case.version, now=NOW)
        work.commit()
        assert texts() == expected, patch


def _insert_case(conn: sa.Connection, case_id: int, need: str, call: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO cases (id, title, state, on_hold, lead_municipality_id, need, call, "
            "agreement, pilot, scale, version, phase_entered_at, created_at, updated_at) "
            "VALUES (:id, 'Søvn', 'need', false, 1, :need, :call, '{}', '{}', '{}', 1, :now, "
            ":now, :now)"
        ),
        {"id": case_id, "need": need, "call": call, "now": NOW},
    )


def test_migration_fills_the_texts_of_existing_cases(empty_db: str) -> None:
    texts = sa.text("SELECT search_full, search_call FROM cases ORDER BY id")
    with migrated(empty_db, "0006") as engine:
        with engine.begin() as conn:
            insert_furesoe(conn, NOW)  # id 1, the cases' lead
            _insert_case(conn, 1, '{"description": "Uro om AFTENEN"}', '{"text": "Ro"}')
            _insert_case(conn, 2, "{}", "{}")
        migrate.upgrade(empty_db)
        with engine.connect() as conn:
            assert conn.execute(texts).all() == [
                (f"søvn{SEPARATOR}uro om aftenen", f"søvn{SEPARATOR}ro"),
                (f"søvn{SEPARATOR}", f"søvn{SEPARATOR}"),
            ]
        command.downgrade(migrate.alembic_config(empty_db), "0006")
        with engine.begin() as conn:
            assert "search_full" not in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
            _insert_case(conn, 3, '{"description": "Ny"}', "{}")
        migrate.upgrade(empty_db)
        with engine.connect() as conn:
            assert conn.execute(texts).all()[2] == (f"søvn{SEPARATOR}ny", f"søvn{SEPARATOR}")


def test_requests_give_their_connection_back(api: ApiClient, world: World) -> None:
    """The session dependency closes every request's session, read or written, ok or not."""
    case = create_case(api, world)
    pool = get_engine().pool
    assert isinstance(pool, QueuePool)
    for response in (
        api.get("/cases?q=rolige", token=world.manager),
        api.get(f"/cases/{case['id']}", token=world.manager),
        api.get("/cases/999999", token=world.manager),
        api.get("/cases", token="not-a-token"),
        api.patch(f"/cases/{case['id']}", token=world.manager, json={"title": "Ny"}),
    ):
        assert response.status_code in (200, 401, 404, 428), response.text
        assert pool.checkedout() == 0, response.request.url
    patch_case(api, case["id"], {"title": "Nyt navn"}, world.manager)
    assert pool.checkedout() == 0

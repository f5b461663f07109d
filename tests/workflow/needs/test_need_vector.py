"""PostgreSQL's stored `need_vector` (migration 0017): the database keeps it in step with every
write, weights the title above the description, and the catalogue ranks and counts by it in
one statement. SQLite has no such column (FTS5, `tests/api/needs/test_catalogue.py`)."""

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from tests.factories import NOW, DatabaseTarget, make_org, manager_of, new_case, patch
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.models import Case
from workflow.needs.catalogue import NeedFilter, search_needs

ADMIN = Actor("Admin", Role.ADMIN)


def _vector(session: Session, case_id: int | None) -> str:
    found = session.execute(
        text("SELECT need_vector::text FROM cases WHERE id = :id"), {"id": case_id}
    ).scalar_one()
    assert isinstance(found, str)
    return found


def _shared(session: Session, case: Case, minutes: int) -> None:
    case.shared_at = NOW + timedelta(minutes=minutes)
    session.add(case)
    session.commit()


def test_the_vector_follows_the_text_title_weighted_a(pg_db: DatabaseTarget) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        case = new_case(session, lead, {"description": "Demente borgere bliver urolige."})
        vector = _vector(session, case.id)
        assert "'plejehjem':4A" in vector  # the title: "Rolige dage på plejehjemmet"
        assert "'dement':5B" in vector  # the description, after the title's words
        assert "\u24c8" not in vector  # no lexeme glues the title's last word to it
        patch(session, case, {"need": {"description": "Faldulykker om natten."}}, manager_of(lead))
        vector = _vector(session, case.id)
        assert "dement" not in vector and "'faldulyk':5B" in vector


def test_a_title_match_ranks_first_and_the_total_counts_every_match(
    pg_db: DatabaseTarget,
) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        in_title = new_case(session, lead, {"description": "Beboere sover dårligt."})
        described = [
            new_case(session, lead, {"description": f"Larm på plejehjem nummer {i}."})
            for i in range(3)
        ]
        new_case(session, lead, {"description": "Ikke delt: plejehjem."})  # never shared
        _shared(session, in_title, 0)
        for minutes, case in enumerate(described, start=1):
            case.title = "Rolige dage"
            session.add(case)
            session.commit()
            _shared(session, case, minutes)
        hits, total = search_needs(session, ADMIN, NeedFilter(q="plejehjem"), limit=2, offset=0)
        assert total == 4
        assert [h.case.id for h in hits] == [in_title.id, described[-1].id]
        assert hits[0].rank is not None and hits[1].rank is not None
        assert hits[0].rank > hits[1].rank
        rest, total = search_needs(session, ADMIN, NeedFilter(q="plejehjem"), limit=2, offset=2)
        assert total == 4 and [h.case.id for h in rest] == [described[1].id, described[0].id]
        past, total = search_needs(session, ADMIN, NeedFilter(q="plejehjem"), limit=2, offset=9)
        assert past == [] and total == 4

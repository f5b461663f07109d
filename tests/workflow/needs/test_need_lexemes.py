"""PostgreSQL's lexeme index of the shared needs (`need_lexemes`, migration 0020): the database
keeps it in step with sharing and with the need's text, a transition never touches it, and a
one-word search ranked from it finds, orders, counts and ranks exactly as `ts_rank` over the
needs' vectors (the path it replaced, still the one for several words)."""

from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, col, select

from tests.factories import NOW, DatabaseTarget, make_org, manager_of, new_case, patch
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.core.migrate import alembic_config, upgrade
from workflow.models import Case
from workflow.needs.catalogue import (
    NeedCard,
    NeedFilter,
    _filtered,
    search_needs,
    search_page,
)

ADMIN = Actor("Admin", Role.ADMIN)


def _lexemes(session: Session, case: Case) -> dict[str, float]:
    rows = session.execute(
        text("SELECT lexeme, score FROM need_lexemes WHERE case_id = :id"), {"id": case.id}
    ).all()
    return {lexeme: score for lexeme, score in rows}


def _row_versions(session: Session, case: Case) -> list[str]:
    """The transaction ids that wrote the case's rows: new rows, new ids."""
    query = text("SELECT xmin::text FROM need_lexemes WHERE case_id = :id ORDER BY lexeme")
    return list(session.execute(query, {"id": case.id}).scalars())


def _share(session: Session, case: Case, at: datetime | None) -> None:
    case.shared_at = at
    session.add(case)
    session.commit()


def test_the_index_follows_sharing_and_the_text(pg_db: DatabaseTarget) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        case = new_case(session, lead, {"description": "Demente borgere bliver urolige."})
        assert _lexemes(session, case) == {}  # not shared: not in the catalogue's index
        _share(session, case, NOW)
        shared = _lexemes(session, case)
        assert {"plejehjem", "dement", "uro"} <= set(shared)
        assert shared["plejehjem"] > shared["dement"]  # the title (A) over the description (B)
        patch(session, case, {"need": {"description": "Faldulykker om natten."}}, manager_of(lead))
        edited = _lexemes(session, case)
        assert "dement" not in edited and "faldulyk" in edited
        _share(session, case, NOW + timedelta(days=1))
        assert session.execute(
            text("SELECT DISTINCT shared_at FROM need_lexemes WHERE case_id = :id"),
            {"id": case.id},
        ).scalars().all() == [NOW + timedelta(days=1)]
        _share(session, case, None)
        assert _lexemes(session, case) == {}


def test_each_score_is_ts_rank_for_that_lexeme(pg_db: DatabaseTarget) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        text_ = "Demens demens og demente borgere; demens om natten, demens om dagen."
        case = new_case(session, lead, {"description": text_})
        _share(session, case, NOW)
        differences = session.execute(
            text(
                "SELECT l.lexeme, abs(l.score - ts_rank(c.need_vector, "
                "to_tsquery('simple', quote_literal(l.lexeme)))) "
                "FROM need_lexemes l JOIN cases c ON c.id = l.case_id WHERE c.id = :id"
            ),
            {"id": case.id},
        ).all()
        assert len(differences) >= 5
        assert all(difference < 1e-6 for _, difference in differences), differences


def test_a_transition_does_not_rewrite_the_index(pg_db: DatabaseTarget) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        case = new_case(session, lead, {"description": "Ensomme ældre om aftenen."})
        _share(session, case, NOW)
        before = _row_versions(session, case)
        session.execute(
            text("UPDATE cases SET state = 'call', version = version + 1 WHERE id = :id"),
            {"id": case.id},
        )
        session.commit()
        after = _row_versions(session, case)
        assert before and after == before  # the same row versions: the trigger did not fire


@pytest.mark.parametrize(
    "filters",
    [
        NeedFilter(q="plejehjem"),
        NeedFilter(q="dem"),
        NeedFilter(q="og plejehjemmet"),  # a stop word and one word: still one lexeme
        NeedFilter(q="plejehjem", state="need"),
        NeedFilter(q="plejehjem", area="elderly_care"),
    ],
)
def test_one_word_finds_and_ranks_as_the_vectors_do(
    pg_db: DatabaseTarget, filters: NeedFilter
) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead, other = make_org(session), make_org(session)
        texts = [
            "Demente beboere på plejehjem om natten.",
            "Plejehjem, plejehjem og plejehjemmets demensafsnit.",
            "Faldulykker hjemme.",
            "Demens.",
        ]
        for i, description in enumerate(texts * 2):
            need = {"description": description, "area": "elderly_care" if i % 3 else "health"}
            case = new_case(session, lead if i % 2 else other, need)
            _share(session, case, NOW + timedelta(minutes=i % 3))
        new_case(session, lead, {"description": "Ikke delt: plejehjem, demens."})
        newest = (col(Case.shared_at), col(Case.id))
        for offset in (0, 3, 20):
            hits, total = search_needs(session, ADMIN, filters, limit=3, offset=offset)
            vectors, expected = search_page(
                session, _filtered(select(Case), filters), filters.q, newest, limit=3, offset=offset
            )
            assert total == expected
            assert all(isinstance(h.case, NeedCard) for h in hits)  # the lexeme index's path
            assert [h.case.id for h in hits] == [case.id for case, _ in vectors]
            assert [h.rank for h in hits] == pytest.approx([rank for _, rank in vectors], abs=1e-6)
        assert search_needs(session, ADMIN, NeedFilter(q="og"), limit=3, offset=0) == ([], 0)


def test_the_migration_fills_the_index_and_goes_down_cleanly(pg_db: DatabaseTarget) -> None:
    rows = text("SELECT case_id, lexeme, score, shared_at FROM need_lexemes ORDER BY 1, 2")
    with Session(pg_db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        shared = new_case(session, lead, {"description": "Demente borgere bliver urolige."})
        new_case(session, lead, {"description": "Ikke delt."})
        _share(session, shared, NOW)
        kept = session.execute(rows).all()
    assert kept and {row.case_id for row in kept} == {shared.id}
    pg_db.engine.dispose()
    command.downgrade(alembic_config(pg_db.url), "0019")
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('need_lexemes')")).scalar() is None
    upgrade(pg_db.url)
    with pg_db.engine.connect() as conn:
        assert conn.execute(rows).all() == kept  # filled from the shared needs by the migration

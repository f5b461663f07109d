"""`among(column, values)`: `IN` with the list as one parameter, on SQLite and PostgreSQL."""

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from workflow.core.id_lists import among
from workflow.models import AuditHead, Organisation


def _organisations(session: Session, count: int) -> list[Organisation]:
    made = [
        Organisation(
            name=f"Kommune {n}", kind="municipality", email=f"k{n}@example.dk", language="da"
        )
        for n in range(count)
    ]
    session.add_all(made)
    session.commit()
    return made


def test_among_matches_exactly_the_listed_ids(session: Session) -> None:
    made = _organisations(session, 5)
    wanted = [made[1].id, made[3].id, 999_999]
    found = session.execute(
        select(col(Organisation.id)).where(among(col(Organisation.id), wanted))
    ).scalars()
    assert sorted(found) == sorted([made[1].id, made[3].id])


def test_an_empty_list_matches_nothing(session: Session) -> None:
    _organisations(session, 2)
    found = session.execute(select(col(Organisation.id)).where(among(col(Organisation.id), [])))
    assert found.all() == []


def test_text_keys_and_another_list_through_the_cached_statement(session: Session) -> None:
    """The second call reuses the first's compiled statement: it must bind its own values,
    and a statement on another column must not be served the first one's SQL."""
    session.add_all(AuditHead(chain=f"case:{n}", seq=n, hash="h") for n in range(1, 6))
    session.commit()

    def chains(values: list[str]) -> list[str]:
        query = select(col(AuditHead.chain)).where(among(col(AuditHead.chain), values))
        return sorted(session.execute(query).scalars())

    def seqs(values: list[int]) -> list[int]:
        query = select(col(AuditHead.chain)).where(among(col(AuditHead.seq), values))
        return sorted(session.execute(query.with_only_columns(col(AuditHead.seq))).scalars())

    assert chains(["case:1", "case:4"]) == ["case:1", "case:4"]
    assert chains(["case:2", "case:9"]) == ["case:2"]
    assert chains(["æøå 'quoted' \"json\""]) == []
    assert seqs([3, 5]) == [3, 5]
    assert seqs([1]) == [1]


def test_the_statement_text_does_not_grow_with_the_list(engine: Engine) -> None:
    """One placeholder whatever the count, so the database driver parses one text."""

    def compiled(count: int) -> tuple[str, int]:
        query = select(col(Organisation.id)).where(among(col(Organisation.id), range(count)))
        statement = query.compile(engine)
        return str(statement), len(statement.params)

    assert compiled(1) == compiled(500) == (compiled(1)[0], 1)

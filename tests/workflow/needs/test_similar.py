"""Similar needs on both databases (issue 17): a need full of words every need has ("kommune",
"borgere", "løsninger") still finds the one need like it first, among many sharing only those
common words; and the words looked for are the need's rarest."""

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from tests.factories import NOW, DatabaseTarget, make_org, new_case
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.models import Case, Organisation
from workflow.needs.catalogue import similar_needs
from workflow.needs.similar import MAX_WORDS, distinctive_words

ADMIN = Actor("Admin", Role.ADMIN)
COMMON = (
    "Medarbejdere og borgere i kommunen oplever udfordringer i hverdagen. Vi vil afprøve nye "
    "løsninger sammen med virksomheder og måle effekten for borgere og medarbejdere."
)


def _need(session: Session, lead: Organisation, title: str, description: str, at: int) -> Case:
    case = new_case(session, lead, {"description": description})
    case.title = title
    case.shared_at = NOW + timedelta(minutes=at)
    session.add(case)
    session.commit()
    return case


def test_many_common_words_still_find_the_most_similar_need_first(db: DatabaseTarget) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        for i in range(40):  # every one shares all the common words, nothing else
            _need(session, lead, f"Borgere i kommunen oplever udfordringer {i}", COMMON, i)
        like = _need(
            session,
            lead,
            "Ensomhed blandt ældre i landdistrikter",
            "Ældre i landdistrikter bliver ensomme.",
            50,
        )
        mine = _need(
            session, lead, "Borgere i kommunen oplever ensomhed i landdistrikter", COMMON, 60
        )
        if db.backend == "postgresql":
            session.execute(text("ANALYZE cases"))  # what autovacuum does in production
        chosen = [word for word, _ in distinctive_words(session, mine)]
        assert len(chosen) <= MAX_WORDS
        assert set(chosen[:2]) == {"ensomhed", "landdistrikter"}  # the rarest first
        assert "kommunen" not in chosen and "borgere" not in chosen  # in every need
        hits = similar_needs(session, ADMIN, mine)
        assert hits and hits[0].case.id == like.id
        assert mine.id not in {h.case.id for h in hits}
        assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)

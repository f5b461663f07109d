"""The whole process, need to completed, through the engine on both databases."""

from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.factories import DatabaseTarget, drive, make_world, new_case
from workflow.models import AuditEvent


def test_case_runs_from_need_to_completed(db: DatabaseTarget) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case = new_case(session, world.lead)
        session.commit()
        case = drive(session, world, case, "completed")
        assert case.state == "completed"
        transitions = session.execute(
            select(func.count()).where(col(AuditEvent.action) == "case.transition")
        ).scalar_one()
        assert transitions == 5

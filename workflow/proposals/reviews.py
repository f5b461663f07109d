"""What the contracting side has said of proposals: their assessments and decisions.

Both the API's proposals and the assessment page read them for a page of proposals at
once, two queries whatever the number of proposals.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.models import Assessment, Decision


@dataclass(frozen=True, slots=True)
class Reviews:
    """Per proposal id: every assessment, oldest first, and the latest decision."""

    assessments: dict[int, list[Assessment]]
    decisions: dict[int, Decision]


def read_reviews(session: Session, proposal_ids: Sequence[int | None]) -> Reviews:
    """The assessments and latest decisions of the proposals `proposal_ids`."""
    ids = [i for i in proposal_ids if i is not None]
    assessments: dict[int, list[Assessment]] = {}
    decisions: dict[int, Decision] = {}
    if ids:
        for a in session.execute(
            select(Assessment)
            .where(col(Assessment.proposal_id).in_(ids))
            .order_by(col(Assessment.id))
        ).scalars():
            assessments.setdefault(a.proposal_id, []).append(a)
        for d in session.execute(
            select(Decision).where(col(Decision.proposal_id).in_(ids)).order_by(col(Decision.id))
        ).scalars():
            decisions[d.proposal_id] = d
    return Reviews(assessments, decisions)


def latest_decisions(session: Session, proposal_ids: Sequence[int | None]) -> dict[int, str]:
    """Per proposal id, its latest decision (`selected` or `rejected`), for the pages that
    show only the outcome; a proposal without a decision is left out."""
    ids = [i for i in proposal_ids if i is not None]
    if not ids:
        return {}
    latest: dict[int, str] = {}
    for proposal_id, decision in session.execute(
        select(col(Decision.proposal_id), col(Decision.decision))
        .where(col(Decision.proposal_id).in_(ids))
        .order_by(col(Decision.id))
    ):
        latest[proposal_id] = decision
    return latest

"""Who sees which document (issue 19, scope), as one WHERE clause for lists and single rows.

For an actor who already sees the case (`workflow.access.scope.get_visible_case`):
- auditors and admins see every document;
- a proposal's documents follow the proposal: its own company, and the municipality's people
  who read proposals (`Action.READ_PROPOSALS`); a competitor never, not by id (404);
- the case's own documents: the municipality's people in scope; a partner only once it takes
  part beyond bidding (`workflow.access.scope.sees_internals`) *and* the call is published, so
  internal documents never reach a partner before the call is out.
"""

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlmodel import Session, col

from states import CaseState
from workflow.access.actor import Actor
from workflow.access.policy import Action, competes, may, sees_all
from workflow.access.scope import sees_internals
from workflow.core.errors import NotFound
from workflow.models import Case, Document, Proposal


def call_published(case: Case) -> bool:
    """Whether the case's call has been published: it has left `need` (a case cancelled
    while in `need` never published one)."""
    if case.state == CaseState.NEED.value:
        return False
    return not (
        case.state == CaseState.CANCELLED.value and case.cancelled_from == CaseState.NEED.value
    )


def documents_clause(session: Session, actor: Actor, case: Case) -> ColumnElement[bool]:
    """A WHERE clause on `Document` for the documents of `case` that `actor` sees."""
    in_case = col(Document.case_id) == case.id
    if sees_all(actor):
        return in_case
    case_level = col(Document.proposal_id).is_(None)
    if competes(actor):
        own_proposals = select(col(Proposal.id)).where(
            col(Proposal.case_id) == case.id,
            col(Proposal.organisation_id) == actor.organisation_id,
        )
        internal = (
            case_level if call_published(case) and sees_internals(session, actor, case) else false()
        )
        return in_case & or_(internal, col(Document.proposal_id).in_(own_proposals))
    if may(actor, Action.READ_PROPOSALS):
        return in_case & true()
    return in_case & case_level


def visible_documents(session: Session, actor: Actor, case: Case) -> list[Document]:
    """The case's documents `actor` sees, oldest first."""
    query = (
        select(Document).where(documents_clause(session, actor, case)).order_by(col(Document.id))
    )
    return list(session.execute(query).scalars().all())


def get_visible_document(session: Session, actor: Actor, case: Case, document_id: int) -> Document:
    """The document if `actor` sees it; `NotFound` exactly as for a missing one otherwise."""
    found = session.execute(
        select(Document).where(
            col(Document.id) == document_id, documents_clause(session, actor, case)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Document {document_id} was not found.")
    return found

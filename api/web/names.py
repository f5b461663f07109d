"""Looking up organisations' names for display."""

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.models import Organisation


def organisation_names(db: Session, ids: set[int]) -> dict[int, str]:
    """Names of the given organisations (missing ones are left out)."""
    if not ids:
        return {}
    rows = db.execute(
        select(col(Organisation.id), col(Organisation.name)).where(col(Organisation.id).in_(ids))
    ).all()
    return {i: n for i, n in rows if i is not None}

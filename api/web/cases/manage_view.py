"""What the case page shows the manager who runs the case: the forms' choices and the record.

Organisations to invite come from a name search (`org_q`) over all organisations, as the
manager sees them in the API (`GET /organisations` is open to every role); the page has no
JavaScript, so the search reloads the page.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from api.web.form_input import local_input
from api.web.i18n import pick
from api.web.labels import ORGANISATION_KINDS, VALUES
from states import CaseState
from workflow.access.organisations import organisation_names
from workflow.cases.search import fold
from workflow.models import Case, Organisation, Participant, ParticipantRole, Signature

INVITABLE_ROLES: tuple[str, ...] = tuple(
    r.value for r in ParticipantRole if r is not ParticipantRole.LEAD
)
"""The roles a manager may give an organisation (the lead is the case's own)."""

ORG_OPTIONS_LIMIT = 200
"""At most this many organisations in the invite list; the search narrows it."""


@dataclass(slots=True)
class ParticipantRow:
    """An organisation taking part, for the manager's list with its remove form."""

    organisation_id: int
    name: str
    kind: str
    role: str
    removable: bool


@dataclass(slots=True)
class SignatureRow:
    """A recorded signature."""

    organisation: str
    signatory_name: str
    signed_at: datetime
    recorded_by: str


def participant_rows(db: Session, case: Case) -> list[ParticipantRow]:
    """Everyone taking part, the lead first; the lead cannot be removed."""
    rows = db.execute(
        select(Organisation, Participant)
        .join(Participant, col(Participant.organisation_id) == col(Organisation.id))
        .where(col(Participant.case_id) == case.id)
        .order_by(col(Participant.id))
    ).all()
    return [
        ParticipantRow(o.id or 0, o.name, o.kind, p.role, o.id != case.lead_municipality_id)
        for o, p in rows
    ]


def organisation_options(
    db: Session, taking_part: set[int], org_q: str, language: str
) -> list[tuple[int, str]]:
    """Organisations not yet taking part whose name contains `org_q` (case folded)."""
    needle = fold(org_q.strip())
    options: list[tuple[int, str]] = []
    rows = db.execute(
        select(col(Organisation.id), col(Organisation.name), col(Organisation.kind)).order_by(
            col(Organisation.name)
        )
    )
    for org_id, name, kind_code in rows:
        if org_id in taking_part or (needle and needle not in fold(name)):
            continue
        kind = pick(ORGANISATION_KINDS.get(kind_code), language, kind_code)
        options.append((org_id, f"{name} ({kind})"))
        if len(options) >= ORG_OPTIONS_LIMIT:
            break
    return options


def signatures(db: Session, case_id: int) -> list[SignatureRow]:
    """The agreement's signatures, oldest first."""
    rows = list(
        db.execute(
            select(Signature).where(col(Signature.case_id) == case_id).order_by(col(Signature.id))
        ).scalars()
    )
    names = organisation_names(db, {s.organisation_id for s in rows})
    return [
        SignatureRow(names.get(s.organisation_id, ""), s.signatory_name, s.signed_at, s.recorded_by)
        for s in rows
    ]


def manage_context(
    db: Session, case: Case, language: str, now: datetime, org_q: str
) -> dict[str, Any]:
    """The case page's extra context for the manager who runs the case."""
    people = participant_rows(db, case)
    terminal = case.state in (CaseState.COMPLETED.value, CaseState.CANCELLED.value)
    return {
        "manage": True,
        "participant_rows": people,
        "org_q": org_q,
        "org_options": organisation_options(
            db, {p.organisation_id for p in people}, org_q, language
        ),
        "role_pairs": [(r, pick(VALUES.get(r), language, r)) for r in INVITABLE_ROLES],
        "party_options": [(p.organisation_id, p.name) for p in people],
        "may_sign": case.state == CaseState.AGREEMENT.value,
        "may_add_deadline": not terminal,
        "now_input": local_input(now),
    }

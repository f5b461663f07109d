"""The board: every case the user may see, in one column per phase, with search and filters."""

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.schemas.common import parse_id
from api.web.auth import UserDep
from api.web.deadlines import deadline_view
from api.web.partner import partner_view
from api.web.render import language_of, render
from api.web.rights import may_start_case
from states import PHASES, TERMINAL, CaseState
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import competes
from workflow.access.scope import full_view, partner_roles, visible_cases_clause
from workflow.cases.query import CaseFilter, search_cases
from workflow.core.timeutil import utcnow
from workflow.models import Case, Organisation

router = APIRouter()


@dataclass(slots=True)
class Card:
    """One case on the board."""

    id: int
    title: str
    state: str
    on_hold: bool
    lead_id: int
    lead_name: str
    next_due: datetime | None = None
    next_title: str | None = None
    overdue: bool = False


@dataclass(slots=True)
class Filters:
    """The board's search box and filters, as submitted."""

    q: str = ""
    state: str = ""
    municipality: int | None = None
    overdue: bool = False

    @property
    def active(self) -> bool:
        """Whether any filter narrows the board."""
        return bool(self.q or self.state or self.municipality or self.overdue)


@dataclass(slots=True)
class Board:
    """The columns of the board, the municipalities to filter by and the deadline status."""

    columns: dict[str, list[Card]] = field(default_factory=dict)
    closed: list[Card] = field(default_factory=list)
    municipalities: list[tuple[int, str]] = field(default_factory=list)
    total: int = 0

    @property
    def shown(self) -> int:
        """How many cards the board shows (at most `BOARD_LIMIT`)."""
        return sum(len(c) for c in self.columns.values()) + len(self.closed)


BOARD_LIMIT = 500
"""More cases than this on one board are not readable anyway; the search narrows them."""


def municipality_options(db: Session, actor: Actor) -> list[tuple[int, str]]:
    """The lead municipalities of the cases `actor` may see, for the filter."""
    rows = db.execute(
        select(col(Organisation.id), col(Organisation.name))
        .join(Case, col(Case.lead_municipality_id) == col(Organisation.id))
        .where(visible_cases_clause(actor))
        .distinct()
        .order_by(col(Organisation.name))
    ).all()
    return [(i, n) for i, n in rows]


def build_board(db: Session, actor: Actor, filters: Filters, language: str, now: datetime) -> Board:
    """The cases `actor` may see that match the filters, grouped by phase.

    Searching and scoping are `workflow.cases.query.search_cases`, the same as `GET /cases`,
    so the board never shows a partner more than the API would.
    """
    found, total = search_cases(
        db,
        actor,
        CaseFilter(
            state=CaseState(filters.state) if filters.state else None,
            municipality_id=filters.municipality,
            q=filters.q or None,
            overdue=True if filters.overdue else None,
        ),
        limit=BOARD_LIMIT,
        offset=0,
        now=now,
    )
    names = organisation_names(db, {c.lead_municipality_id for c in found})
    # A company outside a case sees its published call only, as the API shows it: whether
    # the case is on hold (and why) is the municipality's business.
    roles = partner_roles(db, actor, [c.id for c in found])
    cards = [
        Card(
            c.id,
            c.title,
            c.state,
            c.on_hold and full_view(actor, roles.get(c.id)),
            c.lead_municipality_id,
            names.get(c.lead_municipality_id, ""),
        )
        for c in found
    ]
    board = Board(total=total, municipalities=municipality_options(db, actor))
    upcoming = deadline_view.next_deadlines(db, actor, [c.id for c in cards], language, now)
    if competes(actor):
        # A company sees the published call's own deadline where it has none of its own.
        calls = [c.id for c in cards if c.state == CaseState.MATCH.value and c.id not in upcoming]
        upcoming |= partner_view.call_deadlines(db, calls, now, language)
    board.columns = {p.value: [] for p in PHASES}
    for card in cards:
        if card.id in upcoming:
            card.next_due, card.next_title, card.overdue = upcoming[card.id]
        if card.state in board.columns:
            board.columns[card.state].append(card)
        else:
            board.closed.append(card)
    return board


@router.get("/cases", response_class=HTMLResponse)
def board_page(
    request: Request,
    user: UserDep,
    db: SessionDep,
    q: str = "",
    state: str = "",
    municipality: str = "",
    overdue: str = "",
) -> HTMLResponse:
    """The board of visible cases."""
    valid_states = {s.value for s in (*PHASES, *TERMINAL)}
    filters = Filters(
        q=q.strip()[:200],
        state=state if state in valid_states else "",
        municipality=parse_id(municipality),
        overdue=overdue == "1",
    )
    board = build_board(db, user.actor, filters, language_of(request), utcnow())
    return render(
        request,
        "board.html",
        {
            "board": board,
            "filters": filters,
            "phases": [p.value for p in PHASES],
            "all_states": [s.value for s in (*PHASES, *TERMINAL)],
            "closed_states": [s.value for s in TERMINAL],
            "cancelled": CaseState.CANCELLED.value,
            "active": "board",
            "may_start_case": may_start_case(db, user),
        },
        user=user,
    )

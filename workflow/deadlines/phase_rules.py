"""The phase deadlines of SPEC §5: created when a case enters a phase, cancelled when it leaves.

`on_transition` is called by `workflow.transitions.engine.apply_trigger` inside the transition's own
transaction, so the deadlines, their reminder rows and their audit events commit with the
state change or not at all. Dates without a time (the pilot's) are due at the end of that day
in Copenhagen.
"""

from datetime import UTC, date, datetime, time, timedelta

from states import PHASES, CaseState, Trigger
from states.sections import CallSection, PilotSection
from workflow.access.actor import Actor
from workflow.cases.facts import held_facts, parse_section
from workflow.cases.relations import held_relations
from workflow.core.timeutil import COPENHAGEN
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines import outbox
from workflow.deadlines.service import (
    NewDeadline,
    close_open_deadlines,
    create_deadlines,
    open_deadlines,
)
from workflow.models import (
    Case,
    DeadlineKind,
    DeadlineStatus,
    Organisation,
    OrganisationKind,
    ParticipantRole,
)
from workflow.needs.coowners import CO_OWNER_ROLE

ASSESSMENT_AFTER_SUBMISSION = timedelta(days=14)
SIGNATURE_AFTER_ENTRY = timedelta(days=30)
FINAL_EVALUATION_AFTER_END = timedelta(days=30)
KNOWLEDGE_SHARING_AFTER_ENTRY = timedelta(days=60)
ADOPTION_FOLLOW_UP_AFTER_ENTRY = timedelta(days=180)

INTEREST_ROLES = frozenset({ParticipantRole.INTERESTED.value, ParticipantRole.PARTNER.value})
PROPOSING_KINDS = frozenset(
    {OrganisationKind.COMPANY.value, OrganisationKind.KNOWLEDGE_INSTITUTION.value}
)


def end_of_day(day: date) -> datetime:
    """23:59 Copenhagen time on `day`, in UTC: a date deadline is met if done that day."""
    return datetime.combine(day, time(23, 59), tzinfo=COPENHAGEN).astimezone(UTC)


def on_transition(
    work: UnitOfWork,
    case: Case,
    source: CaseState,
    dest: CaseState,
    trigger: Trigger,
    actor: Actor,
    now: datetime,
) -> None:
    """Cancel the open deadlines of the phase left and create those of the phase entered.

    Pause and resume stay in the phase and change no deadline: a case on hold keeps its
    deadlines, and the sweep simply sends nothing for it until it resumes.
    """
    if dest is source:
        return
    assert case.id is not None
    close_open_deadlines(
        work,
        case,
        DeadlineStatus.CANCELLED,
        actor,
        now=now,
        reason=f"The case left phase {source.value} ({trigger.value}).",
    )
    if dest not in PHASES:
        return
    create_deadlines(work, case, actor, entry_deadlines(work, case, dest, now), now=now)


def entry_deadlines(
    work: UnitOfWork, case: Case, phase: CaseState, now: datetime
) -> list[NewDeadline]:
    """The deadlines `phase` creates for `case` when it enters at `now`."""
    lead = case.lead_municipality_id
    if phase is CaseState.MATCH:
        return _match_deadlines(work, case, now)
    if phase is CaseState.AGREEMENT:
        facts = held_facts(work, case, now)
        parties = [
            lead,
            *sorted({p.organisation_id for p in facts.proposals if p.decision == "selected"}),
        ]
        return [
            NewDeadline(DeadlineKind.SIGNATURE.value, now + SIGNATURE_AFTER_ENTRY, org)
            for org in dict.fromkeys(parties)
            if org not in facts.signed_organisation_ids
        ]
    if phase is CaseState.PILOT:
        return _pilot_deadlines(parse_section(PilotSection, case.pilot), lead)
    if phase is CaseState.SCALE:
        return [
            NewDeadline(
                DeadlineKind.KNOWLEDGE_SHARING.value, now + KNOWLEDGE_SHARING_AFTER_ENTRY, lead
            ),
            NewDeadline(
                DeadlineKind.ADOPTION_FOLLOW_UP.value, now + ADOPTION_FOLLOW_UP_AFTER_ENTRY, lead
            ),
        ]
    return []


def _match_deadlines(work: UnitOfWork, case: Case, now: datetime) -> list[NewDeadline]:
    call = parse_section(CallSection, case.call)
    submission = call.submission_deadline
    if submission is None:
        return []
    wanted = [
        _submission(submission, org)
        for org in interested_without_proposal(work, case)
        if submission > now
    ]
    wanted.append(
        NewDeadline(
            DeadlineKind.ASSESSMENT.value,
            submission + ASSESSMENT_AFTER_SUBMISSION,
            case.lead_municipality_id,
        )
    )
    return wanted


def _submission(due_at: datetime, organisation_id: int) -> NewDeadline:
    """An interested company's own deadline to propose, at the call's submission deadline
    (written on entering match and on interest shown later); it does not escalate, as a
    proposal cannot come late."""
    return NewDeadline(DeadlineKind.SUBMISSION.value, due_at, organisation_id, escalates=False)


def _pilot_deadlines(pilot: PilotSection, lead: int) -> list[NewDeadline]:
    wanted: list[NewDeadline] = []
    start, end = pilot.start_date, pilot.end_date
    if start is not None:
        wanted.append(NewDeadline(DeadlineKind.BASELINE_MEASUREMENT.value, end_of_day(start), lead))
    if start is not None and end is not None and end > start:
        midpoint = start + (end - start) / 2
        wanted.append(
            NewDeadline(DeadlineKind.MIDTERM_EVALUATION.value, end_of_day(midpoint), lead)
        )
    if end is not None:
        wanted.append(
            NewDeadline(
                DeadlineKind.FINAL_EVALUATION.value,
                end_of_day(end + FINAL_EVALUATION_AFTER_END),
                lead,
            )
        )
    return wanted


def interested_without_proposal(work: UnitOfWork, case: Case) -> list[int]:
    """Companies and knowledge institutions that showed interest and have not yet proposed."""
    assert case.id is not None
    related = held_relations(work, case.id)
    proposed = {p.organisation_id for p in related.proposals}
    return sorted(
        p.organisation_id
        for p in related.participants
        if p.role in INTEREST_ROLES
        and p.kind in PROPOSING_KINDS
        and p.organisation_id not in proposed
    )


def on_interest(
    work: UnitOfWork, case: Case, organisation_id: int, role: str, actor: Actor, now: datetime
) -> None:
    """A company showed interest during match: it gets its own submission deadline."""
    if case.state != CaseState.MATCH.value or role not in INTEREST_ROLES:
        return
    assert case.id is not None
    org = work.session.get(Organisation, organisation_id)
    if org is None or org.kind not in PROPOSING_KINDS:
        return
    submission = parse_section(CallSection, case.call).submission_deadline
    if submission is None or submission <= now:
        return
    if open_deadlines(
        work.session, case.id, kind=DeadlineKind.SUBMISSION.value, organisation_id=organisation_id
    ) or organisation_id not in interested_without_proposal(work, case):
        return
    create_deadlines(work, case, actor, [_submission(submission, organisation_id)], now=now)


def on_co_owner(
    work: UnitOfWork,
    case: Case,
    organisation_id: int,
    role: str,
    previous: str | None,
    now: datetime,
) -> int:
    """A municipality became a co-owner: it gets its share of the reminders of the case's
    deadlines already open (later ones include it as they are written). The rows written."""
    if role != CO_OWNER_ROLE or previous == CO_OWNER_ROLE:
        return 0
    assert case.id is not None
    deadlines = open_deadlines(work.session, case.id)
    if not deadlines:
        return 0
    return sum(
        outbox.schedule_many(work, case, deadlines, now, only_organisation_id=organisation_id)
    )

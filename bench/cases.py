"""One generated case: its row, participants, deadlines, reminder outbox rows and audit events.

`build_case` is a pure function of the case's number, the organisations and the clock, and
follows what the service itself writes along a case's life: the sections of its phases, the
lead participant and the companies of the call, the deadlines of each phase it went through
(closed ones met or cancelled, the current phase's open with their reminder ladder from
`workflow.deadlines.ladder`), and the audit events of every step.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bench import sections
from bench.gen_audit import Event, Timeline, Who
from workflow.cases.search import search_texts
from workflow.deadlines.ladder import plan
from workflow.deadlines.outbox import dedup_key
from workflow.proposals.service import SIGNED_ACTION

# Thirty slots: need 10, match 8, agreement 2, pilot 5, scale 2, completed 1, cancelled 2. Most
# cases are early in their life (and so have short histories): with 40 % of the cases ready
# in `need`, 100,000 cases make about 930,000 audit events before padding.
STATE_PATTERN = (
    "need", "match", "pilot", "need", "match", "agreement", "need", "pilot", "match", "scale",
    "need", "cancelled", "match", "pilot", "need", "completed", "match", "need", "pilot",
    "agreement", "need", "match", "scale", "need", "pilot", "match", "cancelled", "need",
    "match", "need",
)  # fmt: skip
DUE_LEAD = timedelta(days=7) - timedelta(minutes=10)
"""A due reminder's deadline is this far ahead: its 7-days-before rung went out 10 minutes ago."""


@dataclass(frozen=True, slots=True)
class Orgs:
    """Ids and names of the generated organisations and their managers' actors."""

    municipalities: tuple[int, ...]
    companies: tuple[int, ...]
    managers: dict[int, Who]


@dataclass(slots=True)
class Ids:
    """The next free id of each table with generated rows."""

    participant: int = 1
    deadline: int = 1
    reminder: int = 1
    audit: int = 1


@dataclass(slots=True)
class BuiltCase:
    """Every row one case contributes, ready for COPY."""

    case: tuple[Any, ...]
    participants: list[tuple[Any, ...]] = field(default_factory=list)
    deadlines: list[tuple[Any, ...]] = field(default_factory=list)
    reminders: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    due_reminders: int = 0


def state_of(i: int, ready_cases: int) -> str:
    """The state of case `i` (1-based): the first `ready_cases` wait in `need`, ready."""
    if i <= ready_cases:
        return "ready"
    return STATE_PATTERN[(i - ready_cases - 1) % len(STATE_PATTERN)]


def _eod(day: date) -> datetime:
    return datetime.combine(day, time(22, 59), tzinfo=UTC)


class _Builder:
    def __init__(self, i: int, orgs: Orgs, ids: Ids, now: datetime, due: bool) -> None:
        self.i, self.ids, self.now, self.due = i, ids, now, due
        m = len(orgs.municipalities)
        self.m_index = (i - 1) % m
        self.lead = orgs.municipalities[self.m_index]
        self.adopter_index = (self.m_index + 1) % m
        self.adopter = orgs.municipalities[self.adopter_index]
        c = len(orgs.companies)
        self.company_a = orgs.companies[(i * 3) % c]
        self.company_b = orgs.companies[(i * 3 + 1) % c]
        created = now - timedelta(days=40 + (i * 37) % 300, hours=i % 24, seconds=i % 3600)
        self.created = created.replace(microsecond=(i * 7919) % 1_000_000)
        self.tl = Timeline(orgs.managers[self.lead], self.created)
        self.out = BuiltCase(case=())
        self.sections: dict[str, dict[str, Any]] = {
            k: {} for k in ("need", "call", "agreement", "pilot", "scale")
        }
        self.phase_entered = self.created
        self.open_deadlines: list[dict[str, Any]] = []

    # --- rows ----------------------------------------------------------------------
    def participant(self, org: int, role: str) -> None:
        """A participant row (and its audit event unless it is the lead)."""
        self.out.participants.append((self.ids.participant, self.i, org, role, self.tl.at))
        self.ids.participant += 1
        if role != "lead":
            self.tl.add(
                "participant.added", {"organisation_id": org, "role": role, "previous_role": None}
            )

    def open_deadline(
        self, phase: str, kind: str, title: str, due: datetime, org: int, escalates: bool = True
    ) -> None:
        """An open deadline of the current phase with its reminder ladder."""
        d: dict[str, Any] = {
            "deadline_id": self.ids.deadline,
            "kind": kind,
            "title": title,
            "phase": phase,
            "due_at": due,
            "responsible_organisation_id": org,
            "revision": 1,
        }
        self.ids.deadline += 1
        made = self.tl.at
        rungs = plan(due, [org], self.lead, "any", now=made, escalates=escalates)
        d["reminders"] = [
            [
                self.ids.reminder + n,
                dedup_key(d["deadline_id"], 1, r.rung, r.organisation_id, "email"),
                self.i,
                d["deadline_id"],
                1,
                r.rung,
                r.order,
                r.organisation_id,
                r.role,
                "email",
                r.send_at,
                max(r.send_at, made),
                "pending",
                0,
                made,
                made,
            ]
            for n, r in enumerate(rungs)
        ]
        self.ids.reminder += len(rungs)
        d["escalates"], d["created"] = escalates, made
        self.open_deadlines.append(d)
        self.tl.deadline("deadline.created", _describe(d), reminders=len(rungs))

    def close_deadlines(self, status: str, reason: str | None) -> None:
        """Meet or cancel every open deadline (the phase is left)."""
        for d in self.open_deadlines:
            self._deadline_row(d, status, self.tl.at, reason)
            action = "deadline.met" if status == "met" else "deadline.cancelled"
            self.tl.deadline(action, _describe(d), reason=reason, reminders_cancelled=2)
        self.open_deadlines = []

    def _deadline_row(
        self, d: dict[str, Any], status: str, closed: datetime | None, reason: str | None
    ) -> None:
        """The deadline's row and its reminders': pending while open, cancelled once closed."""
        self.out.deadlines.append(
            (
                d["deadline_id"],
                self.i,
                d["phase"],
                d["kind"],
                d["title"],
                d["due_at"],
                d["responsible_organisation_id"],
                status,
                1,
                d["escalates"],
                self.tl.manager.name,
                d["created"],
                closed or d["created"],
                closed,
                reason,
            )
        )
        for row in d["reminders"]:
            if closed is not None:
                row[12], row[15] = "cancelled", closed
            elif row[11] <= self.now:
                self.out.due_reminders += 1
            self.out.reminders.append(tuple(row))

    def patch(self, name: str, after: dict[str, Any]) -> None:
        """A merge patch of one section."""
        before = self.sections[name]
        self.tl.updated(name, before, after)
        self.sections[name] = after

    def advance(self, source: str) -> str:
        """The case advances; the phase entered starts now."""
        reason = f"The case left phase {source} (advance)."
        self.close_deadlines("cancelled" if source != "agreement" else "met", reason)
        dest = self.tl.transition(source)
        self.phase_entered = self.tl.at
        return dest


def _describe(d: dict[str, Any]) -> dict[str, Any]:
    keys = ("deadline_id", "kind", "title", "phase", "due_at", "responsible_organisation_id")
    return {**{k: d[k] for k in keys}, "revision": 1}


def build_case(i: int, state: str, orgs: Orgs, ids: Ids, now: datetime, due: bool) -> BuiltCase:
    """Every row of case `i` in `state`; `due` puts one reminder of a pilot case due now."""
    b = _Builder(i, orgs, ids, now, due)
    b.participant(b.lead, "lead")
    need_partial = sections.need(i, b.m_index, ready=False)
    b.sections["need"] = need_partial
    title = sections.title(i, b.m_index)
    b.tl.add("case.created", {"title": title, "lead_municipality_id": b.lead, "need": need_partial})
    if state != "need":
        _walk(b, state)
    target = "need" if state in ("ready", "need") else state
    s = b.sections
    cancelled_from = "match" if state == "cancelled" else None
    search_full, search_call = search_texts(title, s["need"], s["call"])
    b.out.case = (
        i,
        title,
        target,
        False,
        None,
        cancelled_from,
        b.lead,
        json.dumps(s["need"]),
        json.dumps(s["call"]),
        json.dumps(s["agreement"]),
        json.dumps(s["pilot"]),
        json.dumps(s["scale"]),
        b.tl.version,
        b.phase_entered,
        b.created,
        b.tl.at,
        search_full,
        search_call,
    )
    for d in b.open_deadlines:
        b._deadline_row(d, "open", None, None)
    b.out.events = b.tl.events
    return b.out


def _walk(b: _Builder, state: str) -> None:
    """Drive the generated case through its phases up to `state`."""
    i, now = b.i, b.now
    b.patch("need", sections.need(i, b.m_index))
    open_call = state in ("ready", "match")
    call_deadline = now + timedelta(days=365 if state == "ready" else 10 + i % 30)
    if not open_call:
        call_deadline = b.tl.at + timedelta(days=1)
    b.patch("call", sections.call(i, call_deadline.replace(microsecond=0)))
    if state == "ready":
        return
    b.advance("need")
    lead, a, bb = b.lead, b.company_a, b.company_b
    b.open_deadline(
        "match", "assessment", "Vurdering af forslag", call_deadline + timedelta(14), lead
    )
    for company in (a, bb):
        b.participant(company, "interested")
        b.open_deadline(
            "match", "submission", "Frist for forslag", call_deadline, company, escalates=False
        )
    b.tl.add("proposal.submitted", {"proposal_id": i, "organisation_id": a, "title": "Forslag"})
    if state == "match":
        return
    if state == "cancelled":  # the call brought no usable proposal
        b.close_deadlines("cancelled", "The case left phase match (cancel).")
        b.tl.transition("match", "cancel", "Ingen af forslagene kunne løse behovet.")
        b.phase_entered = b.tl.at
        return
    scores = {"effekt": 8, "pris": 6}
    rationale = "Løsningen scorer bedst på de offentliggjorte kriterier."
    b.tl.add(
        "proposal.assessed",
        {
            "proposal_id": i,
            "assessment_id": i,
            "scores": scores,
            "rationale": rationale,
            "conflict_of_interest": False,
        },
    )
    b.tl.add("proposal.decided", {"proposal_id": i, "decision": "selected", "rationale": rationale})
    b.advance("match")
    for org in (lead, a):
        b.open_deadline(
            "agreement",
            "signature",
            "Underskrift af samarbejdsaftalen",
            now + timedelta(days=20 + i % 20),
            org,
        )
    for org in (lead, a):
        b.tl.add(
            SIGNED_ACTION,
            {
                "signature_id": i * 2 + (org == a),
                "organisation_id": org,
                "signatory_name": "Underskriver",
                "signed_at": b.tl.at,
            },
        )
    if state == "agreement":
        return
    signed = b.tl.at.replace(microsecond=0)
    b.patch("agreement", sections.agreement(signed))
    running = state == "pilot"
    today = now.date()
    start = today + timedelta(days=10 + i % 30) if running else today - timedelta(days=200)
    end = start + timedelta(days=150)
    b.patch("pilot", sections.pilot(i, start, end))
    b.advance("agreement")
    baseline = now + DUE_LEAD if b.due else _eod(start)
    if b.due:
        baseline = baseline.replace(microsecond=0)
    b.open_deadline("pilot", "baseline_measurement", "Baselinemåling", baseline, lead)
    b.open_deadline(
        "pilot", "midterm_evaluation", "Midtvejsevaluering", _eod(start + (end - start) / 2), lead
    )
    b.open_deadline(
        "pilot", "final_evaluation", "Slutevaluering", _eod(end + timedelta(days=30)), lead
    )
    if state == "pilot":
        return
    ended = (now - timedelta(days=20)).replace(microsecond=0)
    b.patch("pilot", sections.pilot(i, start, end, ended=ended))
    b.advance("pilot")
    b.open_deadline("scale", "knowledge_sharing", "Vidensdeling", now + timedelta(days=60), lead)
    b.open_deadline(
        "scale", "adoption_follow_up", "Opfølgning på udbredelse", now + timedelta(days=180), lead
    )
    if state == "scale":
        return
    published = (now - timedelta(days=5)).replace(microsecond=0)
    b.patch("scale", sections.scale(b.m_index, b.adopter_index, b.adopter, published))
    b.advance("scale")


def pad(built: BuiltCase, extra: int) -> None:
    """Append `extra` edits of the need's description (more history for the audit log)."""
    if extra <= 0:
        return
    last = built.events[-1]
    at, version = last.at, built.case[12]
    need = json.loads(built.case[7])
    for n in range(extra):
        at += timedelta(hours=1)
        version += 1
        before = need.get("description", "")
        after = f"{before.split(' [rev')[0]} [rev {n + 1}]"
        need["description"] = after
        built.events.append(
            Event(
                last.who,
                "case.updated",
                at,
                {
                    "changes": {
                        "need": {"before": {"description": before}, "after": {"description": after}}
                    },
                    "version": version,
                },
            )
        )
    case = list(built.case)
    case[7], case[12], case[15] = json.dumps(need), version, at
    case[16], case[17] = search_texts(case[1], need, json.loads(case[8]))
    built.case = tuple(case)

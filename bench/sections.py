"""The phase data of a generated case, as pure functions of its number and the clock.

Each section starts from the requirements' ready example (`states.ready`) with the generated
story's own values on top, so every requirement, a new one too, is met when the case advances.
Sections are in their stored (JSON) form; `check_shapes` validates one of each kind with the
project's own section models, so the generated data is data the service accepts.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from bench.vocabulary import SITES, TOPICS, municipality_name
from states.ready import ready_sections
from workflow.cases.service import validate_section
from workflow.core.timeutil import isoformat_z

_EXAMPLE_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""When the examples are taken; every time in them is replaced by the generated story's."""


@cache
def _example(state: str, section: str) -> dict[str, Any]:
    """The ready example of `section` for advancing out of `state` (built once: it is pure)."""
    return ready_sections(state, _EXAMPLE_AT)[section]


def topic(i: int) -> tuple[str, str]:
    """The topic of case `i`: its title stem and key word."""
    return TOPICS[(i * 7) % len(TOPICS)]


def title(i: int, municipality: int) -> str:
    """A case title like a project manager writes one."""
    return f"{topic(i)[0]} i {municipality_name(municipality)}"


def need(i: int, municipality: int, *, ready: bool = True) -> dict[str, Any]:
    """The need section; `ready=False` leaves it half written (a case just started)."""
    stem, word = topic(i)
    town = municipality_name(municipality)
    section: dict[str, Any] = {
        "owner_name": f"Behovsejer {i % 997}",
        "owner_email": f"behov{i % 997}@kommune{municipality + 1}.dk",
        "description": (
            f"{stem}: medarbejdere og borgere i {town} oplever, at {word} fylder i hverdagen. "
            "Vi vil afprøve nye løsninger sammen med virksomheder og måle effekten."
        ),
    }
    if ready:
        section = (
            _example("need", "need")
            | section
            | {
                "target_group": f"Borgere og medarbejdere i {town}, som mærker {word} i hverdagen.",
                "expected_value": "Bedre livskvalitet, bedre arbejdsmiljø og frigjort tid.",
                "legal_track": "opi_without_tender",
            }
        )
    return section


def call(i: int, deadline: datetime) -> dict[str, Any]:
    """A published call with two weighted criteria and its submission deadline."""
    stem, word = topic(i)
    return _example("need", "call") | {
        "title": stem,
        "text": (
            f"Vi søger løsninger inden for {word}, som kan afprøves i kommunens tilbud i "
            "mindst fire måneder. Forslag vurderes efter de offentliggjorte kriterier."
        ),
        "criteria": [{"name": "effekt", "weight": 60}, {"name": "pris", "weight": 40}],
        "submission_deadline": isoformat_z(deadline).replace(".000000Z", "Z"),
    }


def agreement(signed: datetime) -> dict[str, Any]:
    """A complete collaboration agreement."""
    return _example("agreement", "agreement") | {
        "dpa_signed_at": isoformat_z(signed).replace(".000000Z", "Z"),
        "dpia_done": True,
    }


def pilot(i: int, start: date, end: date, *, ended: datetime | None = None) -> dict[str, Any]:
    """A planned pilot; with `ended`, also its end and a successful evaluation."""
    section: dict[str, Any] = _example("agreement", "pilot") | {
        "site": SITES[i % len(SITES)],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "success_criteria": [
            {"metric": "Episoder pr. uge", "baseline": str(10 + i % 9), "target": "5"},
            {"metric": "Tilfredshed (1-5)", "baseline": "3", "target": "4"},
        ],
        "personal_data": True,
        "health_data": i % 3 == 0,
        "ethics_notification_required": False,
    }
    if ended is not None:
        section |= _example("pilot", "pilot")
        section["ended_at"] = isoformat_z(ended).replace(".000000Z", "Z")
        section["evaluation"] = {
            "outcome": "success",
            "report": "Antallet af episoder faldt med 40 %, og medarbejderne oplever mere ro.",
        }
    return section


def scale(lead: int, adopter: int, adopter_id: int, published: datetime) -> dict[str, Any]:
    """A complete scaling section with one adopting municipality."""
    return _example("scale", "scale") | {
        "knowledge_summary": "Drejebog og evaluering delt med KL og netværket af kommuner.",
        "published_at": isoformat_z(published).replace(".000000Z", "Z"),
        "adopting_municipalities": [
            {
                "name": municipality_name(adopter),
                "organisation_id": adopter_id,
                "letter_of_intent_at": published.date().isoformat(),
            }
        ],
        "purchase_route": "tender",
    }


def check_shapes(now: datetime) -> None:
    """Validate one section of each kind with the service's models; raise if one is refused."""
    start = now.date() + timedelta(days=10)
    samples: dict[str, list[dict[str, Any]]] = {
        "need": [need(1, 0), need(2, 1, ready=False)],
        "call": [call(1, now + timedelta(days=365))],
        "agreement": [agreement(now)],
        "pilot": [pilot(1, start, start + timedelta(days=150)), pilot(3, start, start, ended=now)],
        "scale": [scale(0, 1, 2, now)],
    }
    for name, sections in samples.items():
        for section in sections:
            stored = validate_section(name, section)
            if stored != section:
                raise AssertionError(f"generated {name} section is not in stored form: {section}")

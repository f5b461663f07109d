"""Co-owners of a need: the municipalities that take part in a case another one leads.

A municipality becomes a co-owner when the lead accepts its request to join the shared need
(`workflow.needs.joining`), or when the lead's manager adds it as a participant with the role
`municipality`. What a co-owner may do is the access policy's (`workflow.access.policy.co_owns`);
this module answers who they are, for the published call ("offentliggjort af Furesø, Allerød og
Randers Kommune"), the reminders and the scale form.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from babel.lists import format_list
from sqlalchemy import select
from sqlmodel import Session, col

from states.text import language
from workflow.models import Case, Organisation, Participant, ParticipantRole

CO_OWNER_ROLE = ParticipantRole.MUNICIPALITY.value
"""The participant role of a co-owning municipality."""

PUBLISHING_ROLES = frozenset({ParticipantRole.LEAD.value, CO_OWNER_ROLE})
"""The participant roles named on the published call: the lead and the co-owners."""

_LOCALES = {"da": "da_DK", "en": "en_GB"}
_MUNICIPALITY_SUFFIX = " Kommune"


@dataclass(frozen=True, slots=True)
class NamedMunicipality:
    """A municipality by id and name."""

    id: int
    name: str


def publishers(session: Session, cases: Sequence[Case]) -> dict[int, list[NamedMunicipality]]:
    """For each case, the municipalities that publish its call: the lead first, then the
    co-owners in the order they joined (`create_case` makes the lead a participant). One
    query for any number of cases."""
    ids = [c.id for c in cases if c.id is not None]
    if not ids:
        return {}
    rows = session.execute(
        select(col(Participant.case_id), col(Organisation.id), col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(
            col(Participant.case_id).in_(ids),
            col(Participant.role).in_(PUBLISHING_ROLES),
        )
        .order_by(col(Participant.case_id), col(Participant.id))
    ).all()
    found: dict[int, list[NamedMunicipality]] = {i: [] for i in ids}
    leads = {c.id: c.lead_municipality_id for c in cases}
    for case_id, org_id, name in rows:
        entry = NamedMunicipality(org_id, name)
        if org_id == leads.get(case_id):
            found[case_id].insert(0, entry)
        else:
            found[case_id].append(entry)
    return found


def name_list(names: Iterable[str], lang: str | None) -> str:
    """Municipalities' names as one phrase: "Furesø, Allerød og Randers Kommune".

    When every name ends in "Kommune", the word is said once, at the end, as Danish does;
    the list is joined the language's way (Babel: "og" in Danish, "and" in English).
    """
    items = [n for n in names if n]
    if not items:
        return ""
    if len(items) > 1 and all(n.endswith(_MUNICIPALITY_SUFFIX) for n in items):
        items = [n.removesuffix(_MUNICIPALITY_SUFFIX) for n in items[:-1]] + [items[-1]]
        if any(not n.strip() for n in items):
            items = [n for n in names if n]
    return format_list(items, locale=_LOCALES[language(lang)])

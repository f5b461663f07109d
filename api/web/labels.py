"""Danish and English names of the things the pages show: audit actions and values.

The texts are in `words.toml` (tables `[actions]`, `[values]`, `[organisation_kinds]`); only
the entries whose key is a name in the code are added here, so they follow that name. A
requirement's label is part of its definition (`states.requirements`), not listed here.
"""

from api.web.words import WORDS
from states.sections import CLAUSE_LABELS
from states.text import Text
from workflow.models import ParticipantRole
from workflow.proposals.service import SIGNED_ACTION

ACTIONS: dict[str, Text] = {
    **WORDS["actions"],
    SIGNED_ACTION: Text("Aftale underskrevet", "Agreement signed"),
}

VALUES: dict[str, Text] = {
    **WORDS["values"],
    **{clause: Text(*label) for clause, label in CLAUSE_LABELS.items()},
    ParticipantRole.PARTNER: Text("Partner", "Partner"),
}

ORGANISATION_KINDS: dict[str, Text] = WORDS["organisation_kinds"]

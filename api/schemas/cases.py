"""Cases: what is created, patched and shown, and what a partner may see of a published call."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from api.schemas.common import Id, Strict, member_of
from api.schemas.needs import Municipality
from states import CaseState, Trigger
from states.sections import (
    AgreementSection,
    CallSection,
    NeedSection,
    PilotSection,
    ScaleSection,
)
from workflow.models import OrganisationKind, ParticipantRole
from workflow.transitions.engine import MAX_REASON_LENGTH

Title = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]


class CaseBase(BaseModel):
    """Fields every view of a case shares."""

    title: Title


class CaseCreate(CaseBase, Strict):
    """`POST /cases`: the lead municipality is the caller's own organisation."""

    need: NeedSection = Field(default_factory=NeedSection)


class CaseUpdate(Strict):
    """`PATCH /cases/{id}`: a JSON merge patch (RFC 7396) of the title and the sections.

    Members left out are unchanged; `null` inside a section removes that field.
    """

    title: Title | None = None
    need: NeedSection | None = None
    call: CallSection | None = None
    agreement: AgreementSection | None = None
    pilot: PilotSection | None = None
    scale: ScaleSection | None = None


class UnmetRequirement(BaseModel):
    """A requirement that blocks `advance`, its message in the request's language."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class TransitionStatus(BaseModel):
    """Whether a trigger of the current state may be used now, and what blocks it."""

    trigger: Trigger
    allowed: bool
    reason_required: bool
    to: CaseState | None = Field(description="Where the trigger leads (null: nowhere now).")
    unmet: list[UnmetRequirement]


class ParticipantPublic(BaseModel):
    """An organisation taking part in the case."""

    organisation_id: int
    name: str
    kind: OrganisationKind
    role: ParticipantRole


class SignaturePublic(BaseModel):
    """A party's signature on the case's agreement."""

    id: int
    case_id: int
    organisation_id: int
    signatory_name: str
    signed_at: datetime
    recorded_by: str
    created_at: datetime
    document_version_id: int | None = Field(
        None, description="The document version signed, when the signature names one."
    )


class CasePublic(CaseBase):
    """The whole case, as the municipality's people, its partners and auditors see it."""

    view: Literal["full"] = "full"
    id: int
    state: CaseState
    state_label: str = Field(description="The state's label in the request's language.")
    on_hold: bool
    hold_reason: str | None
    cancelled_from: CaseState | None
    lead_municipality_id: int
    version: int = Field(description="Also sent as the `ETag`; send it back in `If-Match`.")
    phase_entered_at: datetime
    created_at: datetime
    updated_at: datetime
    need: NeedSection
    call: CallSection
    agreement: AgreementSection
    pilot: PilotSection
    scale: ScaleSection
    participants: list[ParticipantPublic]
    published_by: list[Municipality] = Field(
        description="Who publishes the call: the lead municipality, then the co-owners."
    )
    signatures: list[SignaturePublic]
    transitions: list[TransitionStatus]


class PublishedCall(CaseBase):
    """What a company not taking part sees of a case in `match`: its published call only."""

    view: Literal["call"] = "call"
    id: int
    state: CaseState
    state_label: str
    lead_municipality_id: int
    call: CallSection
    published_by: list[Municipality] = Field(
        description='Who publishes the call ("offentliggjort af Furesø, Allerød og Randers '
        'Kommune"): the lead municipality, then the municipalities co-owning the need.'
    )


CaseView = Annotated[CasePublic | PublishedCall, Field(discriminator="view")]


class CaseSummary(CaseBase):
    """A case in a list; the internal fields are null where only the published call is visible."""

    view: Literal["full", "call"]
    id: int
    state: CaseState
    state_label: str
    lead_municipality_id: int
    on_hold: bool | None
    version: int | None
    updated_at: datetime | None


class TransitionRequest(Strict):
    """`POST /cases/{id}/transitions`."""

    trigger: Trigger
    reason: Annotated[str, Field(max_length=MAX_REASON_LENGTH)] | None = None


ASSIGNABLE_PARTICIPANT_ROLES = tuple(
    r.value for r in ParticipantRole if r is not ParticipantRole.LEAD
)
"""A participant's role as given to `POST /cases/{id}/participants`: the lead is fixed."""


ParticipantRoleIn = Annotated[
    str,
    member_of(
        ASSIGNABLE_PARTICIPANT_ROLES,
        lambda _: f"Input should be one of {', '.join(ASSIGNABLE_PARTICIPANT_ROLES)}",
    ),
    WithJsonSchema({"type": "string", "enum": list(ASSIGNABLE_PARTICIPANT_ROLES)}),
]


class ParticipantCreate(Strict):
    """`POST /cases/{id}/participants`: add an organisation (or change its role)."""

    organisation_id: Id
    role: ParticipantRoleIn

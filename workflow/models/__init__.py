"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from workflow.models.audit import AuditEvent, AuditHead
from workflow.models.case import Case, Participant, ParticipantRole
from workflow.models.organisation import ApiToken, Organisation, OrganisationKind, Role
from workflow.models.proposal import Assessment, Decision, Proposal, Signature
from workflow.models.requests import IdempotencyRecord

__all__ = [
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "AuditHead",
    "Case",
    "Decision",
    "IdempotencyRecord",
    "Organisation",
    "OrganisationKind",
    "Participant",
    "ParticipantRole",
    "Proposal",
    "Role",
    "Signature",
]

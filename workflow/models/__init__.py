"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from workflow.access.roles import Role  # re-exported: the one enum lives with the access rules
from workflow.models.audit import AuditEvent, AuditHead
from workflow.models.case import Case, Participant, ParticipantRole
from workflow.models.checkpoint import AuditCheckpoint, AuditCheckpointHead
from workflow.models.deadline import (
    Channel,
    Deadline,
    DeadlineAcknowledgement,
    DeadlineKind,
    DeadlineStatus,
    Reminder,
    ReminderStatus,
)
from workflow.models.document import Document, DocumentChunk, DocumentVersion
from workflow.models.heartbeat import JobHeartbeat
from workflow.models.identity import (
    OidcPending,
    SignInMethod,
    User,
    UserStatus,
    WebSessionRow,
)
from workflow.models.join_request import JoinRequest, JoinStatus
from workflow.models.organisation import ApiToken, Organisation, OrganisationKind
from workflow.models.organisation_request import OrganisationRequest, OrganisationRequestStatus
from workflow.models.proposal import Assessment, Decision, Proposal, Signature
from workflow.models.requests import IdempotencyRecord
from workflow.models.saml import SamlAssertionSeen, SamlRequest, SamlSession

__all__ = [
    "ApiToken",
    "Assessment",
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "AuditEvent",
    "AuditHead",
    "Case",
    "Channel",
    "Deadline",
    "DeadlineAcknowledgement",
    "DeadlineKind",
    "DeadlineStatus",
    "Decision",
    "Document",
    "DocumentChunk",
    "DocumentVersion",
    "IdempotencyRecord",
    "JobHeartbeat",
    "JoinRequest",
    "JoinStatus",
    "OidcPending",
    "Organisation",
    "OrganisationKind",
    "OrganisationRequest",
    "OrganisationRequestStatus",
    "Participant",
    "ParticipantRole",
    "Proposal",
    "Reminder",
    "ReminderStatus",
    "Role",
    "SamlAssertionSeen",
    "SamlRequest",
    "SamlSession",
    "SignInMethod",
    "Signature",
    "User",
    "UserStatus",
    "WebSessionRow",
]

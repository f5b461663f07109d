"""The audit log as the API shows it: events, one case's history, verification reports."""

from typing import Any

from pydantic import BaseModel, Field


class AuditEventPublic(BaseModel):
    """One event exactly as stored and hashed (SPEC §6).

    `at` is the UTC text that was hashed; `data` is the event's data (canonical JSON when
    re-encoded with sorted keys and no spaces), so every hash can be recomputed from this.
    """

    id: int
    chain: str = Field(description="`case:<id>` for a case's events, `global` for the rest.")
    case_id: int | None
    seq: int = Field(description="Position in the chain, from 1, without gaps.")
    at: str = Field(description="UTC time, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.")
    actor_name: str
    actor_role: str
    actor_organisation_id: int | None
    actor_token_id: int | None = Field(description="The stable id of the token used, if any.")
    actor_user_id: int | None = Field(description="The person who acted, if a person did.")
    actor_via: str | None = Field(
        description="How the actor signed in: `token`, `oidc`, `saml` or `system`; null on "
        "events written before the log recorded it."
    )
    action: str
    data: Any
    prev_hash: str
    hash: str


class RequirementResult(BaseModel):
    """A requirement's result at a transition or refused attempt."""

    code: str | None
    met: bool
    message: str | None = Field(description="Why it was unmet, in the request's language.")


class UnmetResult(BaseModel):
    """An unmet requirement of a refused attempt."""

    code: str | None
    message: str | None
    details: dict[str, Any] | None = None


class CaseAuditEvent(AuditEventPublic):
    """An event of a case's history; transitions and refusals carry their requirements."""

    refused: bool = Field(description="A refused transition attempt.")
    requirements: list[RequirementResult] | None = Field(
        description="Transitions and refused attempts: every requirement and whether it was met."
    )
    unmet: list[UnmetResult] | None = Field(description="Refused attempts: what was unmet.")


class BrokenEvent(BaseModel):
    """Where the log first fails to verify and why."""

    problem: str = Field(
        description="chain-mismatch, seq-gap, broken-link, hash-mismatch, checkpoint-mismatch, "
        "head-mismatch or checkpoint-invalid."
    )
    chain: str | None
    case_id: int | None
    seq: int | None
    checkpoint_id: int | None
    detail: str


class CheckpointPublic(BaseModel):
    """A signed checkpoint verification compared the log with."""

    id: int
    at: str
    actor: str
    chains: int
    events: int


class InvalidCheckpointPublic(BaseModel):
    """A checkpoint whose signature or heads do not verify."""

    id: int
    detail: str


class VerifyReportPublic(BaseModel):
    """The outcome of `GET /audit/verify`."""

    ok: bool
    cases_checked: int
    chains_checked: int
    events_checked: int
    broken_chains: int
    first_broken: BrokenEvent | None
    checkpoint: CheckpointPublic | None = Field(
        description="The newest checkpoint whose HMAC verifies; null when there is none."
    )
    invalid_checkpoints: list[InvalidCheckpointPublic]

"""Signed audit checkpoints: the heads of every chain at one moment, under an HMAC."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class AuditCheckpoint(SQLModel, table=True):
    """One checkpoint. `mac` is HMAC-SHA256 (key `OPI_AUDIT_KEY`) over its fields and `digest`.

    `digest` is SHA-256 over the checkpoint's heads in chain order, so the MAC covers every
    head without holding them all in one row. Append-only in the database, like the log.
    """

    __tablename__ = "audit_checkpoints"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = time_field()
    actor_name: str = Field(max_length=200)
    chains: int
    events: int
    digest: str = Field(max_length=64)
    mac: str = Field(max_length=64)


class AuditCheckpointHead(SQLModel, table=True):
    """A chain's head when the checkpoint was taken: its last `seq`, `hash` and length."""

    __tablename__ = "audit_checkpoint_heads"

    checkpoint_id: int = Field(foreign_key="audit_checkpoints.id", primary_key=True)
    chain: str = Field(max_length=40, primary_key=True)
    case_id: int | None = Field(default=None)
    seq: int
    length: int
    hash: str = Field(max_length=64)

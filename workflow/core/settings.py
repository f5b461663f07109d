"""Configuration from the environment, one class, `OPI_` prefix."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_INSECURE = "insecure-development-key-change-me"


class Settings(BaseSettings):
    """Every setting of the service. Unsafe defaults are refused outside development."""

    model_config = SettingsConfigDict(env_prefix="OPI_", env_file=None, extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        "development", description="`production` refuses the insecure development keys."
    )
    database_url: str = Field(
        "sqlite:///./opi.db",
        description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        description="PostgreSQL connections a process keeps open for reuse; up to 10 more are "
        "opened for a burst and closed after it.",
    )
    database_pool_timeout: float = Field(
        10,
        gt=0,
        description="Seconds a request waits for a database connection before it is answered "
        "503 with Retry-After.",
    )
    request_concurrency: int | None = Field(
        None,
        ge=1,
        description="Requests one process lets use the database at once; the rest queue. "
        "Default: 4 on SQLite (it has one writer at a time anyway), the pool size (at most 32) "
        "on PostgreSQL.",
    )
    request_queue_seconds: float = Field(
        10, gt=0, description="How long a request may queue before it is answered 503."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object per log line, with the request id."
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token that may read /metrics from any address; without it only "
        "loopback clients may.",
    )
    admin_token: str | None = Field(
        None, description="When set, this string is accepted as an admin bearer token."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public address used in links in reminders."
    )
    secret_key: str = Field(
        _INSECURE, description="Signs acknowledge links, calendar tokens and sessions."
    )
    audit_key: str = Field(_INSECURE, description="HMAC key for audit checkpoints.")
    smtp_host: str = Field("127.0.0.1", description="SMTP server for reminder mail.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_username: str | None = Field(None, description="SMTP login name, if any.")
    smtp_password: str | None = Field(None, description="SMTP password, if any.")
    mail_from: str = Field("opi-workflow@localhost", description="Sender of reminder mail.")
    sweep_seconds: float = Field(30, gt=0, description="Interval of the reminder sweep.")
    max_attempts: int = Field(5, ge=1, description="Delivery tries before a reminder fails.")
    retry_base_seconds: float = Field(
        60, gt=0, description="First retry delay of a failed reminder; doubles on each try."
    )
    lease_seconds: float = Field(
        120, gt=0, description="How long a sweep owns claimed reminders before others may retry."
    )
    sweep_batch: int = Field(100, ge=1, description="Reminders claimed per sweep transaction.")
    delivery_concurrency: int = Field(
        4, ge=1, le=64, description="Reminders a sweep delivers at once (SMTP connections)."
    )
    delivery_timeout: float = Field(
        20, gt=0, description="Seconds an SMTP or webhook delivery may take."
    )
    reminder_calendar: Literal["danish", "any"] = Field(
        "danish",
        description="`danish`: 09:00 Copenhagen on Danish business days; `any`: any time.",
    )
    checkpoint_seconds: float = Field(
        3600, gt=0, description="Interval between signed audit checkpoints."
    )
    max_body_bytes: int = Field(1_000_000, description="Largest request body accepted.")
    session_idle_minutes: float = Field(
        60, gt=0, description="A web session ends after this long without a request."
    )
    session_max_hours: float = Field(
        8, gt=0, description="A web session ends this long after sign-in, however busy."
    )
    web_token_sign_in: bool | None = Field(
        None,
        description="Whether the pages offer sign-in with an API token. Default: in "
        "development and test only; refused in production.",
    )

    @model_validator(mode="after")
    def _refuse_insecure_keys(self) -> "Settings":
        if self.environment == "production" and _INSECURE in (self.secret_key, self.audit_key):
            raise ValueError("OPI_SECRET_KEY and OPI_AUDIT_KEY must be set in production")
        return self

    @property
    def token_sign_in_allowed(self) -> bool:
        """Whether the pages accept an API token as a sign-in (development only)."""
        if self.environment == "production":
            return False
        return True if self.web_token_sign_in is None else self.web_token_sign_in

    @property
    def admission_limit(self) -> int:
        """Requests a process lets use the database at once (`request_concurrency`)."""
        if self.request_concurrency is not None:
            return self.request_concurrency
        # Below the 40 threads a process runs sync routes on, whatever the pool: a request
        # holding a lock must always find a thread to finish on (api/admission.py).
        return 4 if self.is_sqlite else min(self.database_pool_size, 32)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()

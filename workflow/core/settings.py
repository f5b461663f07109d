"""Configuration from the environment, one class, `OPI_` prefix."""

from collections.abc import Mapping
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflow.access.roles import TOKEN_ROLES
from workflow.core.keys import (
    MIN_KEY_LENGTH,
    PUBLISHED_KEYS,
    default_key_file,
    derived_key,
    master_key,
)


class Settings(BaseSettings):
    """Every setting of the service. Unsafe defaults are refused outside development."""

    model_config = SettingsConfigDict(env_prefix="OPI_", env_file=None, extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        "development",
        description="`production` needs real keys and a long admin token and refuses the demo "
        "tokens; `development` (the default) and `test` generate missing keys into a file.",
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
        None,
        description="When set, this string is accepted as an admin bearer token (at least "
        f"{MIN_KEY_LENGTH} characters in production).",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public address used in links in reminders."
    )
    secret_key: str | None = Field(
        None,
        description="Signs acknowledge links, calendar tokens and sessions. Required in "
        "production; elsewhere derived from the key file when unset.",
    )
    audit_key: str | None = Field(
        None,
        description="HMAC key for audit checkpoints. Required in production; elsewhere "
        "derived from the key file when unset.",
    )
    key_file: Path | None = Field(
        None,
        description="Where a generated key is kept when a key is unset outside production "
        "(default: beside the SQLite database, or the user's data directory).",
    )
    auth_failure_limit: int = Field(
        20,
        ge=1,
        description="Failed sign-ins and bearer tokens a client address may send per window "
        "before it gets 429.",
    )
    auth_failure_window_seconds: int = Field(
        300, ge=1, description="The sliding window failed sign-ins are counted in."
    )
    public_request_limit: int = Field(
        5,
        ge=1,
        description="Requests to take part in a call one client address may send from the "
        "public call pages per window before it gets 429.",
    )
    public_request_total_limit: int = Field(
        200,
        ge=1,
        description="Requests to take part in a call from all addresses together per window, "
        "so that many addresses cannot fill the table either.",
    )
    public_request_window_seconds: int = Field(
        3600, ge=1, description="The sliding window public requests are counted in."
    )
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
        8, ge=1, le=64, description="Reminders a sweep delivers at once (SMTP connections)."
    )
    """SMTP waits for the server's answer after each command, so a connection is idle most
    of the time; with 4 a sweep left a local relay a third idle (750 mails/s), with 8 it
    sent 810-830 (bench `sweep`, 2026-12-03). Postfix accepts 50 per client by default; a
    hosted relay may allow fewer, and then this is set lower."""
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
    documents_dir: Path | None = Field(
        None,
        description="Directory of the document store on disk (default: `opi-documents` beside "
        "the SQLite database, or in the user's data directory).",
    )
    documents_store: Literal["auto", "directory", "database"] = Field(
        "auto",
        description="Where documents' bytes are kept: `directory` (OPI_DOCUMENTS_DIR) or "
        "`database` (chunks in PostgreSQL, shared by every API host); `auto` picks the database "
        "on PostgreSQL and the directory on SQLite.",
    )
    document_max_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Largest document file accepted (default 50 MB)."
    )
    clamd_socket: str | None = Field(
        None,
        description="When set, every uploaded document is scanned by ClamAV's clamd at this "
        "Unix socket path (or `tcp:host:port`) and an infected file is refused.",
    )
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
    oidc_issuer: str | None = Field(
        None,
        description="The OpenID provider's issuer URL; its discovery document is read from "
        "`<issuer>/.well-known/openid-configuration`. Unset: no OpenID Connect sign-in.",
    )
    oidc_discovery_url: str | None = Field(
        None, description="The discovery document's URL, when it is not under the issuer."
    )
    oidc_client_id: str | None = Field(None, description="This service's client id there.")
    oidc_client_secret: str | None = Field(None, description="Its client secret.")
    oidc_redirect_base: str | None = Field(
        None,
        description="Public address the provider sends people back to (the callback is "
        "`<base>/ui/login/oidc/callback`); default `OPI_BASE_URL`.",
    )
    oidc_scopes: str = Field(
        "openid email profile", description="Scopes asked for (`openid` is required)."
    )
    oidc_name: str = Field(
        "OpenID Connect", description="The provider's name on the sign-in button."
    )
    oidc_organisation_claim: str = Field(
        "cvr", description="The ID-token claim that names the person's organisation."
    )
    oidc_organisation_key: Literal["cvr", "id"] = Field(
        "cvr",
        description="What that claim holds: `cvr` (an organisation's CVR number) or `id` "
        "(the organisation's id in this service).",
    )
    oidc_role_claim: str = Field(
        "groups", description="The claim (a string or a list, such as groups) giving the role."
    )
    oidc_role_map: dict[str, str] = Field(
        default_factory=dict,
        description='JSON object from role-claim values to roles, e.g. {"opi-projektleder": '
        '"manager"}; a value that is a role name itself needs no entry.',
    )

    saml_idp_metadata_file: Path | None = Field(
        None,
        description="SAML: the identity provider's metadata as a local XML file (README "
        '"SAML"). SAML sign-in is offered when this or the URL, and the SP key and certificate, '
        "are set.",
    )
    saml_idp_metadata_url: str | None = Field(
        None, description="SAML: where to fetch the identity provider's metadata instead."
    )
    saml_sp_entity_id: str | None = Field(
        None,
        description="SAML: this service's entity id. Default: the SP metadata URL "
        "(`OPI_BASE_URL` + /saml/metadata).",
    )
    saml_sp_key_file: Path | None = Field(
        None, description="SAML: PEM private key that signs AuthnRequests and LogoutRequests."
    )
    saml_sp_cert_file: Path | None = Field(
        None, description="SAML: PEM certificate of that key, published in the SP metadata."
    )
    saml_binding: Literal["redirect", "post"] = Field(
        "redirect", description="SAML: how the AuthnRequest reaches the IdP (HTTP-Redirect/POST)."
    )
    saml_email_attribute: str = Field(
        "urn:oid:0.9.2342.19200300.100.1.3",
        description="SAML: the attribute holding the person's email (OIOSAML `mail`); the "
        "NameID is used when it is missing and looks like an email.",
    )
    saml_name_attribute: str = Field(
        "urn:oid:2.5.4.3", description="SAML: the attribute holding the person's name (`cn`)."
    )
    saml_cvr_attribute: str = Field(
        "dk:gov:saml:attribute:CvrNumberIdentifier",
        description="SAML: the attribute naming the organisation by CVR number (Context Handler).",
    )
    saml_role_attribute: str = Field(
        "dk:gov:saml:attribute:Privileges_intermediate",
        description="SAML: the attribute whose values give the role (privileges, groups).",
    )
    saml_role_map: dict[str, str] = Field(
        default_factory=dict,
        description='SAML: JSON map from a role attribute value to a role, e.g. {"http://'
        'kommune.dk/roles/usersystemrole/opi_projektleder/1": "manager"}; a value that is a '
        "role name is that role.",
    )
    saml_accepted_time_diff: int = Field(
        60, ge=0, le=600, description="SAML: seconds of clock skew allowed against the IdP."
    )

    @model_validator(mode="after")
    def _refuse_insecure_keys(self) -> "Settings":
        for name, value in (("OPI_SECRET_KEY", self.secret_key), ("OPI_AUDIT_KEY", self.audit_key)):
            if value is not None and value in PUBLISHED_KEYS:
                raise ValueError(f"{name} is a published example key; set a random one")
            if self.is_production and (value is None or len(value) < MIN_KEY_LENGTH):
                raise ValueError(
                    f"{name} must be set to at least {MIN_KEY_LENGTH} characters in production"
                )
        for key, role in self.oidc_role_map.items():
            if role not in {r.value for r in TOKEN_ROLES}:
                raise ValueError(f"OPI_OIDC_ROLE_MAP names an unknown role {role!r} for {key!r}")
        admin_token = self.admin_token
        if self.is_production and admin_token is not None and len(admin_token) < MIN_KEY_LENGTH:
            raise ValueError(
                f"OPI_ADMIN_TOKEN must be at least {MIN_KEY_LENGTH} characters in production"
            )
        return self

    @property
    def oidc_enabled(self) -> bool:
        """Whether OpenID Connect sign-in is configured (a provider and a client id)."""
        return bool((self.oidc_issuer or self.oidc_discovery_url) and self.oidc_client_id)

    @property
    def oidc_discovery(self) -> str:
        """Where the provider's discovery document is."""
        if self.oidc_discovery_url:
            return self.oidc_discovery_url
        return (self.oidc_issuer or "").rstrip("/") + "/.well-known/openid-configuration"

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
        # holding a lock must always find a thread to finish on (api/http/admission.py).
        return 4 if self.is_sqlite else min(self.database_pool_size, 32)

    @property
    def is_production(self) -> bool:
        """Whether the production rules apply (no generated keys, demo tokens, loopback)."""
        return self.environment == "production"

    @property
    def demo_tokens_accepted(self) -> bool:
        """The published `opi demo` tokens work only in development, whatever the database
        holds, so a database that once held the demo can be served safely elsewhere."""
        return self.environment == "development"

    @property
    def resolved_key_file(self) -> Path:
        """The file generated keys are kept in."""
        return self.key_file or default_key_file(self.database_url)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose derived keys follow the copy's own settings: the keys are cached on
        first use, and a copy made with another `secret_key` must not sign with the old one."""
        copy = super().model_copy(update=update, deep=deep)
        for derived in ("signing_key", "checkpoint_key"):
            copy.__dict__.pop(derived, None)
        return copy

    @cached_property
    def signing_key(self) -> str:
        """The key sessions, acknowledge links and calendar tokens are signed with."""
        return self.secret_key or derived_key(master_key(self.resolved_key_file), "signing")

    @cached_property
    def checkpoint_key(self) -> str:
        """The HMAC key of audit checkpoints."""
        return self.audit_key or derived_key(master_key(self.resolved_key_file), "audit")

    @property
    def keys_generated(self) -> bool:
        """Whether a key comes from the generated key file (for the start-up message)."""
        return self.secret_key is None or self.audit_key is None

    @property
    def saml_enabled(self) -> bool:
        """Whether SAML sign-in is set up: IdP metadata and this service's key pair."""
        has_metadata = self.saml_idp_metadata_file is not None or bool(self.saml_idp_metadata_url)
        return has_metadata and bool(self.saml_sp_key_file and self.saml_sp_cert_file)

    @property
    def saml_entity_id(self) -> str:
        """This service's SAML entity id (`saml_sp_entity_id`, or the SP metadata URL)."""
        return self.saml_sp_entity_id or f"{self.base_url.rstrip('/')}/saml/metadata"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()

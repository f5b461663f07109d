"""OpenID Connect sign-in: the protocol, from the authorization request to a checked ID token.

Authorization code flow with PKCE (S256), `state` and `nonce` (issue 16). The provider's
endpoints and keys come from its discovery document and JWKS (cached for an hour; fetched again
when a token names a key the cache does not hold, so a key rollover needs no restart). Authlib's
httpx client builds the authorization URL and exchanges the code; joserfc checks the ID token:
its signature against the JWKS (an unsigned or HMAC token is refused: only the provider's public
keys count), its issuer, audience (and `azp` when there are several), expiry, issue time and
nonce. Each failure becomes a `SignInRefused` with its own `Refusal`, so the refused sign-in's
audit event says what was wrong.

A pending sign-in is a row (`OidcPending`): the browser keeps only the random `state`, so a
state is good once, for ten minutes, and only in the browser that started it.
"""

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingKeyError,
)
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from workflow.access.sign_in import (
    ClaimMapping,
    Identity,
    Refusal,
    SignInRefused,
    parse_role_map,
)
from workflow.core.settings import Settings
from workflow.models import OidcPending, SignInMethod

PENDING_LIFETIME = timedelta(minutes=10)
"""How long a sign-in may stay at the provider before its state is refused."""
PENDING_KEPT = timedelta(days=1)
"""How long a pending sign-in's row is kept (used or not) before the next sign-in deletes it."""
METADATA_TTL_SECONDS = 3600.0
CLOCK_LEEWAY_SECONDS = 60
"""Clock difference allowed between the provider and this service."""
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
"""Asymmetric algorithms only: `none` and HMAC (keyed with the client secret) are refused."""
CALLBACK_PATH = "/ui/login/oidc/callback"


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """What the service needs to know of its OpenID provider (from the `OPI_OIDC_*` settings)."""

    discovery_url: str
    client_id: str
    client_secret: str | None
    redirect_uri: str
    scopes: str
    organisation_claim: str
    role_claim: str
    mapping: ClaimMapping
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of the discovery document the service uses, and the provider's keys."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    keys: KeySet


class _MetadataCache:
    """Discovery documents and JWKS by discovery URL, kept for `METADATA_TTL_SECONDS`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, ProviderMetadata]] = {}

    def get(self, config: OidcConfig, *, refresh: bool = False) -> ProviderMetadata:
        with self._lock:
            entry = self._entries.get(config.discovery_url)
        if entry is not None and not refresh and time.monotonic() - entry[0] < METADATA_TTL_SECONDS:
            return entry[1]
        metadata = _fetch_metadata(config)
        with self._lock:
            self._entries[config.discovery_url] = (time.monotonic(), metadata)
        return metadata

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


METADATA = _MetadataCache()


def _fetch_metadata(config: OidcConfig) -> ProviderMetadata:
    """Read the discovery document and the JWKS; `SignInRefused(PROVIDER_ERROR)` if either
    cannot be had or lacks what the code flow needs."""
    try:
        with httpx.Client(timeout=config.timeout) as client:
            doc = client.get(config.discovery_url).raise_for_status().json()
            jwks = client.get(doc["jwks_uri"]).raise_for_status().json()
        keys = KeySet.import_key_set(jwks)
        return ProviderMetadata(
            issuer=str(doc["issuer"]),
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            end_session_endpoint=doc.get("end_session_endpoint"),
            keys=keys,
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as exc:
        raise SignInRefused(Refusal.PROVIDER_ERROR, f"discovery failed: {exc}") from exc


def provider_metadata(config: OidcConfig) -> ProviderMetadata:
    """The provider's (cached) metadata and keys."""
    return METADATA.get(config)


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _client(config: OidcConfig) -> OAuth2Client:
    return OAuth2Client(
        config.client_id,
        config.client_secret,
        scope=config.scopes,
        redirect_uri=config.redirect_uri,
        code_challenge_method="S256",
        timeout=config.timeout,
    )


def start_sign_in(
    db: Session, config: OidcConfig, next_path: str, now: datetime
) -> tuple[str, str]:
    """Store a pending sign-in and return the provider's authorization URL and its `state`.

    Commits (the row must exist when the provider sends the browser back).
    """
    metadata = provider_metadata(config)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    with _client(config) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    # Old rows go as new ones come, so the table stays as small as a day's sign-ins.
    db.execute(delete(OidcPending).where(col(OidcPending.created_at) < now - PENDING_KEPT))
    db.add(
        OidcPending(
            state_hash=_state_hash(state),
            nonce=nonce,
            code_verifier=verifier,
            next_path=next_path,
            created_at=now,
        )
    )
    db.commit()
    return url, state


def take_pending(db: Session, state: str, browser_state: str | None, now: datetime) -> OidcPending:
    """The pending sign-in `state` belongs to, marked used (and committed) so that it can never
    complete twice; `SignInRefused(BAD_STATE)` for an unknown, used, stale or foreign state."""
    if not state or not browser_state or not secrets.compare_digest(state, browser_state):
        raise SignInRefused(Refusal.BAD_STATE, "state does not match this browser's sign-in")
    pending = db.execute(
        select(OidcPending).where(col(OidcPending.state_hash) == _state_hash(state))
    ).scalar_one_or_none()
    if pending is None:
        raise SignInRefused(Refusal.BAD_STATE, "unknown state")
    # Marked used by a conditional UPDATE: of two requests racing with the same state, one wins.
    won = db.execute(
        update(OidcPending)
        .where(col(OidcPending.id) == pending.id, col(OidcPending.used_at).is_(None))
        .values(used_at=now)
    )
    db.commit()
    if not getattr(won, "rowcount", 0):
        raise SignInRefused(Refusal.BAD_STATE, "state already used")
    if now - pending.created_at > PENDING_LIFETIME:
        raise SignInRefused(Refusal.BAD_STATE, "sign-in took too long")
    return pending


def exchange_code(config: OidcConfig, pending: OidcPending, code: str) -> str:
    """Trade the authorization code (with the PKCE verifier) for the ID token."""
    metadata = provider_metadata(config)
    try:
        with _client(config) as client:
            token = client.fetch_token(
                metadata.token_endpoint, code=code, code_verifier=pending.code_verifier
            )
    except Exception as exc:  # Authlib raises OAuthError, httpx its own; all mean "refused"
        raise SignInRefused(Refusal.PROVIDER_ERROR, f"token request failed: {exc}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused(Refusal.INVALID_TOKEN, "no ID token in the token response")
    return id_token


def _decode(config: OidcConfig, id_token: str) -> jwt.Token:
    metadata = provider_metadata(config)
    for attempt in (1, 2):
        try:
            return jwt.decode(id_token, metadata.keys, algorithms=list(SIGNING_ALGORITHMS))
        except (MissingKeyError, InvalidKeyIdError, ValueError) as exc:
            if attempt == 1:  # perhaps the provider rolled its keys: read the JWKS again
                metadata = METADATA.get(config, refresh=True)
                continue
            raise SignInRefused(Refusal.INVALID_SIGNATURE, f"no key verifies it: {exc}") from exc
        except BadSignatureError as exc:
            raise SignInRefused(Refusal.INVALID_SIGNATURE, "bad signature") from exc
        except JoseError as exc:  # unsigned (alg none), HMAC, malformed
            raise SignInRefused(Refusal.INVALID_SIGNATURE, f"{exc.error}: {exc}") from exc
    raise AssertionError("unreachable")


def check_id_token(config: OidcConfig, id_token: str, nonce: str, now: datetime) -> Identity:
    """The identity an ID token vouches for, once its signature and claims have been checked."""
    token = _decode(config, id_token)
    claims: dict[str, Any] = dict(token.claims)
    metadata = provider_metadata(config)
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": config.client_id},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise SignInRefused(Refusal.EXPIRED, str(exc)) from exc
    except ClaimError as exc:
        reason = {
            "iss": Refusal.WRONG_ISSUER,
            "aud": Refusal.WRONG_AUDIENCE,
            "exp": Refusal.EXPIRED,
        }.get(exc.claim, Refusal.INVALID_TOKEN)
        raise SignInRefused(reason, str(exc)) from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != config.client_id:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, "several audiences and azp is not this client")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise SignInRefused(Refusal.BAD_NONCE, "nonce does not match this sign-in")
    return identity_of(config, metadata.issuer, claims)


def identity_of(config: OidcConfig, issuer: str, claims: dict[str, Any]) -> Identity:
    """The protocol-neutral identity in checked ID-token claims."""
    organisation = claims.get(config.organisation_claim)
    role_values = claims.get(config.role_claim)
    if isinstance(role_values, str):
        roles: tuple[str, ...] = (role_values,)
    elif isinstance(role_values, list):
        roles = tuple(str(v) for v in role_values if isinstance(v, str | int))
    else:
        roles = ()
    email = claims.get("email")
    name = claims.get("name")
    verified = claims.get("email_verified")
    return Identity(
        method=SignInMethod.OIDC,
        issuer=issuer,
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        name=name if isinstance(name, str) else None,
        organisation=str(organisation) if isinstance(organisation, str | int) else None,
        roles=roles,
        email_verified=verified if isinstance(verified, bool) else None,
    )


def config_from(settings: Settings) -> OidcConfig | None:
    """The provider configuration the settings describe, or None when OIDC is not set up."""
    if not settings.oidc_enabled or settings.oidc_client_id is None:
        return None
    base = (settings.oidc_redirect_base or settings.base_url).rstrip("/")
    return OidcConfig(
        discovery_url=settings.oidc_discovery,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        redirect_uri=base + CALLBACK_PATH,
        scopes=settings.oidc_scopes,
        organisation_claim=settings.oidc_organisation_claim,
        role_claim=settings.oidc_role_claim,
        mapping=ClaimMapping(
            settings.oidc_organisation_key, parse_role_map(settings.oidc_role_map)
        ),
    )

"""SAML 2.0 service provider (issue 16 item 4): AuthnRequests out, signed assertions in.

pysaml2 does the protocol and Debian's `xmlsec1` the signatures. This module adds what
pysaml2 leaves to its caller, with the database as the memory between requests:

- the outstanding AuthnRequest ids (`SamlRequest`): the assertion consumer is a cross-site POST
  that carries none of the pages' SameSite=Strict cookies, so `InResponseTo` is checked against
  the table, and a request is answered once (its row is deleted when consumed);
- assertion ids already used (`SamlAssertionSeen`), kept until the assertion expires, so a
  replayed assertion is refused;
- the issuer, the assertion's lifetime and a signature on the assertion itself (not only on
  the response), required whatever the IdP's metadata says.

Every check that fails raises the protocol-neutral `SignInRefused` (`workflow.access.sign_in`)
with its reason; nothing is written then. What the assertion vouches for comes back as a
`SamlAssertion`; `identity` turns it into the sign-in's `Identity`, which makes it a user.
"""

import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import AuthnResponse, StatusError, UnsolicitedResponse
from saml2.saml import NameID
from saml2.sigver import SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from workflow.access.sign_in import (
    ClaimMapping,
    Identity,
    Refusal,
    SignInRefused,
    parse_role_map,
)
from workflow.core.settings import Settings
from workflow.models import SamlAssertionSeen, SamlRequest, SamlSession, SignInMethod

log = logging.getLogger(__name__)

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
REQUEST_LIFETIME = timedelta(minutes=15)
"""How long a person may take at the IdP before the AuthnRequest is forgotten."""
REPLAY_FALLBACK = timedelta(hours=24)
"""How long an assertion id is remembered when the assertion names no expiry of its own."""
MAX_RESPONSE_BYTES = 200_000
"""A SAMLResponse larger than this is refused before any XML is parsed."""
ACS_PATH = "/saml/acs"
SLO_PATH = "/saml/slo"
METADATA_PATH = "/saml/metadata"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """How the browser carries an AuthnRequest or LogoutRequest to the IdP: a redirect to
    `location`, or (POST binding) a form with `fields` posted to `location`."""

    binding: str
    location: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What a verified assertion says: who, from which IdP, with which attributes."""

    issuer: str
    assertion_id: str
    name_id: str
    name_id_format: str | None
    name_qualifier: str | None
    sp_name_qualifier: str | None
    session_index: str | None
    attributes: Mapping[str, tuple[str, ...]]
    next_path: str
    replaces_session_id: int | None

    def first(self, name: str) -> str | None:
        """The first value of an attribute, if any."""
        values = self.attributes.get(name, ())
        return values[0] if values else None


def _config(settings: Settings) -> SPConfig:
    base = settings.base_url.rstrip("/")
    metadata: dict[str, Any] = {}
    if settings.saml_idp_metadata_file is not None:
        metadata["local"] = [str(settings.saml_idp_metadata_file)]
    if settings.saml_idp_metadata_url:
        metadata["remote"] = [{"url": settings.saml_idp_metadata_url}]
    conf = SPConfig()
    conf.load(
        {
            "entityid": settings.saml_entity_id,
            "key_file": str(settings.saml_sp_key_file),
            "cert_file": str(settings.saml_sp_cert_file),
            "metadata": metadata,
            "accepted_time_diff": settings.saml_accepted_time_diff,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(base + ACS_PATH, BINDING_HTTP_POST)],
                        "single_logout_service": [(base + SLO_PATH, BINDING_HTTP_REDIRECT)],
                    },
                    "authn_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    # pysaml2 signs with rsa-sha1 unless told otherwise.
                    "signing_algorithm": RSA_SHA256,
                    "digest_algorithm": SHA256,
                    "logout_requests_signed": True,
                }
            },
        }
    )
    return conf


_configs: dict[tuple[object, ...], SPConfig] = {}


def _key(settings: Settings) -> tuple[object, ...]:
    return (
        settings.base_url,
        settings.saml_entity_id,
        settings.saml_sp_key_file,
        settings.saml_sp_cert_file,
        settings.saml_idp_metadata_file,
        settings.saml_idp_metadata_url,
        settings.saml_accepted_time_diff,
    )


def config(settings: Settings) -> SPConfig:
    """The SP configuration for these settings, loaded once (remote metadata costs a request;
    `forget_config` reloads it, e.g. after the IdP rotates its key)."""
    key = _key(settings)
    if key not in _configs:
        _configs[key] = _config(settings)
    return _configs[key]


def forget_config() -> None:
    """Load the SP configuration and the IdP metadata again on next use."""
    _configs.clear()


def client(settings: Settings) -> Saml2Client:
    """A pysaml2 client; a new one per use, since pysaml2 keeps per-person state in it."""
    return Saml2Client(config=config(settings))


def sp_metadata(settings: Settings) -> str:
    """This service's SP metadata: entity id, signing certificate, assertion consumer and
    logout endpoints, and that it signs its requests and wants signed assertions."""
    descriptor = entity_descriptor(config(settings))
    return str(descriptor)


def idp_entity_id(settings: Settings) -> str:
    """The one IdP the metadata describes (the first, if it describes several)."""
    idps = config(settings).metadata.with_descriptor("idpsso")
    if not idps:
        raise SignInRefused(Refusal.PROVIDER_ERROR, "the IdP metadata names no IdP")
    return str(sorted(idps)[0])


def idp_has_logout(settings: Settings) -> bool:
    """Whether the IdP's metadata offers single logout over HTTP-Redirect."""
    try:
        idp = idp_entity_id(settings)
        return bool(
            config(settings).metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
        )
    except SignInRefused:
        return False


def _binding(settings: Settings) -> str:
    return BINDING_HTTP_POST if settings.saml_binding == "post" else BINDING_HTTP_REDIRECT


def start_sign_in(
    db: Session,
    settings: Settings,
    *,
    next_path: str,
    replaces_session_id: int | None,
    now: datetime,
    browser_secret: str | None = None,
) -> Outgoing:
    """A signed AuthnRequest to the IdP, remembered as outstanding. Commits.

    `browser_secret`, when given, binds the request to the browser that holds it (in a
    cookie): the answer is then accepted only from that browser (`consume`).
    """
    sp = client(settings)
    idp = idp_entity_id(settings)
    binding = _binding(settings)
    if binding == BINDING_HTTP_REDIRECT:
        request_id, info = sp.prepare_for_authenticate(
            entityid=idp,
            relay_state="",
            binding=binding,
            sign=True,
            sigalg=RSA_SHA256,
            digest_alg=SHA256,
        )
        location = dict(info["headers"])["Location"]
        outgoing = Outgoing(binding, location)
    else:
        destination = sp.sso_location(idp, binding)
        request_id, request = sp.create_authn_request(
            destination=destination,
            binding=BINDING_HTTP_POST,
            sign=True,
            sign_alg=RSA_SHA256,
            digest_alg=SHA256,
        )
        encoded = base64.b64encode(str(request).encode()).decode()
        outgoing = Outgoing(binding, destination, {"SAMLRequest": encoded})
    db.execute(delete(SamlRequest).where(col(SamlRequest.expires_at) < now))
    db.add(
        SamlRequest(
            request_id=str(request_id),
            next_path=next_path,
            replaces_session_id=replaces_session_id,
            browser_hash=_hash(browser_secret) if browser_secret else None,
            created_at=now,
            expires_at=now + REQUEST_LIFETIME,
        )
    )
    db.commit()
    return outgoing


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _decode(saml_response: str) -> str:
    if not saml_response or len(saml_response) > MAX_RESPONSE_BYTES:
        raise SignInRefused(Refusal.INVALID_TOKEN, "no SAMLResponse, or too large")
    try:
        return base64.b64decode(saml_response, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise SignInRefused(Refusal.INVALID_TOKEN, "SAMLResponse is not base64 XML") from exc


def _in_response_to(xml: str) -> str | None:
    try:
        parsed = samlp.response_from_string(xml)
    except Exception as exc:  # pysaml2 raises whatever its XML parser raises
        raise SignInRefused(Refusal.INVALID_TOKEN, "SAMLResponse is not a Response") from exc
    if parsed is None:
        raise SignInRefused(Refusal.INVALID_TOKEN, "SAMLResponse is not a Response")
    return parsed.in_response_to


def _refusal(exc: Exception) -> SignInRefused:
    """The reason behind whatever pysaml2 raised (it raises bare `Exception` for some)."""
    text = str(exc)
    if isinstance(exc, ResponseLifetimeExceed | ToEarly):
        return SignInRefused(Refusal.EXPIRED, text or type(exc).__name__)
    if isinstance(exc, UnsolicitedResponse) or text == "Came from":
        return SignInRefused(Refusal.BAD_STATE, text)
    if isinstance(exc, StatusError):
        return SignInRefused(Refusal.PROVIDER_ERROR, text)
    if (
        isinstance(exc, SigverError)
        or "ignature" in text
        or type(exc).__name__
        in {
            "IncorrectlySigned",
            "SignatureError",
        }
    ):
        return SignInRefused(Refusal.INVALID_SIGNATURE, text or type(exc).__name__)
    if "AudienceRestrictions" in text:
        return SignInRefused(Refusal.WRONG_AUDIENCE, text)
    return SignInRefused(Refusal.INVALID_TOKEN, f"{type(exc).__name__}: {text}"[:500])


def _expiry(response: AuthnResponse, now: datetime) -> datetime:
    """When the assertion stops being valid: its Conditions' NotOnOrAfter, if any."""
    stamp = getattr(response, "not_on_or_after", 0) or 0
    if stamp:
        return datetime.fromtimestamp(int(stamp), tz=UTC)
    return now + REPLAY_FALLBACK


def _attributes(response: AuthnResponse) -> dict[str, tuple[str, ...]]:
    """Attribute values by the attribute's Name as the IdP sent it (no friendly names)."""
    out: dict[str, tuple[str, ...]] = {}
    assertion = response.assertion
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = tuple(
                (value.text or "").strip()
                for value in attribute.attribute_value or []
                if (value.text or "").strip()
            )
            out[str(attribute.name)] = out.get(str(attribute.name), ()) + values
    return out


def consume(
    db: Session,
    settings: Settings,
    saml_response: str,
    now: datetime,
    browser_secret: str | None = None,
) -> SamlAssertion:
    """Verify a SAMLResponse posted to the assertion consumer; `SignInRefused` if anything is
    wrong. On success the outstanding request is used up and the assertion id remembered;
    the caller commits both with the session it starts (a refusal rolls them back).

    A request bound to a browser (`start_sign_in`'s `browser_secret`) is answered only with
    that browser's secret: someone else's valid answer, posted from a page of theirs, does
    not sign this browser in as them (login CSRF).
    """
    xml = _decode(saml_response)
    request_id = _in_response_to(xml)
    row = None
    if request_id:
        row = db.execute(
            select(SamlRequest).where(col(SamlRequest.request_id) == request_id)
        ).scalar_one_or_none()
    if row is None or row.expires_at <= now:
        raise SignInRefused(Refusal.BAD_STATE, f"InResponseTo {request_id!r} is not outstanding")
    if row.browser_hash is not None and not (
        browser_secret and hmac.compare_digest(row.browser_hash, _hash(browser_secret))
    ):
        raise SignInRefused(Refusal.BAD_STATE, "the answer came to another browser")
    sp = client(settings)
    try:
        response = sp.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={row.request_id: row.next_path}
        )
    except Exception as exc:  # pysaml2 signals every failed check with an exception
        raise _refusal(exc) from exc
    if response is None or response.assertion is None:
        raise SignInRefused(Refusal.INVALID_TOKEN, "no assertion in the response")
    if not response.assertion.signature:
        raise SignInRefused(Refusal.INVALID_SIGNATURE, "the assertion is not signed")
    expected = idp_entity_id(settings)
    issuers = {response.issuer(), (response.assertion.issuer.text or "").strip()}
    if issuers != {expected}:
        raise SignInRefused(Refusal.WRONG_ISSUER, f"issued by {sorted(issuers)!r}")
    name_id: NameID | None = response.name_id
    if name_id is None or not (name_id.text or "").strip():
        raise SignInRefused(Refusal.INVALID_TOKEN, "the assertion names no subject")
    assertion_id = str(response.assertion.id)
    db.execute(delete(SamlAssertionSeen).where(col(SamlAssertionSeen.expires_at) < now))
    if db.execute(
        select(col(SamlAssertionSeen.id)).where(col(SamlAssertionSeen.assertion_id) == assertion_id)
    ).first():
        raise SignInRefused(Refusal.REPLAYED, f"assertion {assertion_id} was used before")
    try:
        with db.begin_nested():
            db.add(
                SamlAssertionSeen(
                    issuer=expected, assertion_id=assertion_id, expires_at=_expiry(response, now)
                )
            )
    except IntegrityError as exc:  # the same assertion, posted twice at once
        raise SignInRefused(Refusal.REPLAYED, f"assertion {assertion_id} was used") from exc
    db.delete(row)
    db.flush()
    statements = response.assertion.authn_statement or []
    return SamlAssertion(
        issuer=expected,
        assertion_id=assertion_id,
        name_id=name_id.text.strip(),
        name_id_format=name_id.format,
        name_qualifier=name_id.name_qualifier,
        sp_name_qualifier=name_id.sp_name_qualifier,
        session_index=statements[0].session_index if statements else None,
        attributes=_attributes(response),
        next_path=row.next_path,
        replaces_session_id=row.replaces_session_id,
    )


def remember_session(db: Session, web_session_id: int, assertion: SamlAssertion) -> None:
    """Keep what a LogoutRequest for this web session must name. Does not commit."""
    db.add(
        SamlSession(
            web_session_id=web_session_id,
            name_id=assertion.name_id,
            name_id_format=assertion.name_id_format,
            name_qualifier=assertion.name_qualifier,
            sp_name_qualifier=assertion.sp_name_qualifier,
            session_index=assertion.session_index,
        )
    )


def logout_request(db: Session, settings: Settings, web_session_id: int) -> Outgoing | None:
    """A signed LogoutRequest (HTTP-Redirect) ending the person's session at the IdP, or None
    when the IdP offers no single logout or the session was not a SAML one."""
    stored = db.get(SamlSession, web_session_id)
    if stored is None or not idp_has_logout(settings):
        return None
    sp = client(settings)
    idp = idp_entity_id(settings)
    destination = sp.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")[0][
        "location"
    ]
    name_id = NameID(
        text=stored.name_id,
        format=stored.name_id_format,
        name_qualifier=stored.name_qualifier,
        sp_name_qualifier=stored.sp_name_qualifier,
    )
    _, request = sp.create_logout_request(
        destination,
        idp,
        name_id=name_id,
        session_indexes=[stored.session_index] if stored.session_index else None,
        sign=False,
    )
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=RSA_SHA256
    )
    return Outgoing(BINDING_HTTP_REDIRECT, dict(info["headers"])["Location"])


def claim_mapping(settings: Settings) -> ClaimMapping:
    """How the attributes name the organisation (by CVR) and the role (`OPI_SAML_ROLE_MAP`)."""
    return ClaimMapping(organisation_key="cvr", role_map=parse_role_map(settings.saml_role_map))


PRIVILEGE_SCOPE_CVR = "urn:dk:gov:saml:cvrNumberIdentifier:"


def privileges(value: str) -> tuple[list[str], list[str]] | None:
    """The privileges and the CVR scopes in an OIOSAML basic privilege profile value (what
    Context Handler sends in `Privileges_intermediate`: a base64-encoded `PrivilegeList`), or
    None when the value is no such list (then it is taken as a plain role value)."""
    if len(value) < 40 or len(value) > 100_000:
        return None
    try:
        root = DefusedET.fromstring(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError, DefusedET.ParseError, DefusedXmlException):
        return None
    if not str(root.tag).endswith("PrivilegeList"):
        return None
    found: list[str] = []
    scopes: list[str] = []
    for group in root:
        scope = group.get("Scope", "")
        if scope.startswith(PRIVILEGE_SCOPE_CVR):
            scopes.append(scope.removeprefix(PRIVILEGE_SCOPE_CVR))
        found.extend((p.text or "").strip() for p in group if (p.text or "").strip())
    return found, scopes


def identity(assertion: SamlAssertion, settings: Settings) -> Identity:
    """What the assertion vouches for, in the sign-in's protocol-neutral terms.

    The attribute names come from the settings, Context Handler style by default: the
    organisation's CVR number (`dk:gov:saml:attribute:CvrNumberIdentifier`, a `CVR:` prefix
    allowed), the role from a privilege attribute, plain values or a basic privilege profile
    list (whose CVR scope names the organisation when no CVR attribute does). The email falls
    back to the NameID when that is an email address (NameID format emailAddress).
    """
    email = assertion.first(settings.saml_email_attribute)
    if not email and "@" in assertion.name_id:
        email = assertion.name_id
    roles: list[str] = []
    scopes: list[str] = []
    for value in assertion.attributes.get(settings.saml_role_attribute, ()):
        listed = privileges(value)
        if listed is None:
            roles.append(value)
        else:
            roles.extend(listed[0])
            scopes.extend(listed[1])
    organisation = assertion.first(settings.saml_cvr_attribute) or (scopes[0] if scopes else None)
    return Identity(
        method=SignInMethod.SAML,
        issuer=assertion.issuer,
        subject=assertion.name_id,
        email=email,
        name=assertion.first(settings.saml_name_attribute),
        organisation=organisation,
        roles=tuple(roles),
    )


def idp_logout(
    db: Session,
    settings: Settings,
    *,
    saml_request: str,
    relay_state: str | None,
    sigalg: str | None,
    signature: str | None,
    now: datetime,
) -> tuple[list[int], str]:
    """Single logout started at the IdP: a signed LogoutRequest (HTTP-Redirect) ends every
    session here of the person it names (only those with its SessionIndex, when it names
    any). Returns the ended sessions' ids and the signed LogoutResponse's URL; does not
    commit. An unsigned, forged or foreign request is `SignInRefused`.
    """
    if not (sigalg and signature):
        raise SignInRefused(Refusal.INVALID_SIGNATURE, "the LogoutRequest is not signed")
    sp = client(settings)
    try:
        parsed = sp.parse_logout_request(
            saml_request,
            BINDING_HTTP_REDIRECT,
            relay_state=relay_state,
            sigalg=sigalg,
            signature=signature,
        )
    except Exception as exc:  # pysaml2 signals every failed check with an exception
        raise _refusal(exc) from exc
    message = parsed.message if parsed is not None else None
    if message is None or message.name_id is None or not message.name_id.text:
        raise SignInRefused(Refusal.INVALID_TOKEN, "not a LogoutRequest naming a person")
    expected = idp_entity_id(settings)
    if message.issuer is None or (message.issuer.text or "").strip() != expected:
        raise SignInRefused(Refusal.WRONG_ISSUER, "the LogoutRequest is from another IdP")
    where = [col(SamlSession.name_id) == message.name_id.text.strip()]
    indexes = [i.text for i in message.session_index or [] if i.text]
    if indexes:
        where.append(col(SamlSession.session_index).in_(indexes))
    ended = [
        int(row_id)
        for row_id in db.execute(select(col(SamlSession.web_session_id)).where(*where)).scalars()
    ]
    response = sp.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        response.destination,
        relay_state or "",
        response=True,
        sign=True,
        sigalg=RSA_SHA256,
    )
    return ended, dict(info["headers"])["Location"]

"""A real SAML identity provider for the tests: pysaml2's own `Server`, with a key pair the
tests generate, signing with Debian's xmlsec1 as the service does.

`TestIdp` answers an AuthnRequest the way a production IdP would (a signed assertion for the
SP's entity id, lifetime and `InResponseTo` set), and can also make the bad answers the
service must refuse: unsigned, tampered, expired, for another audience, from another IdP.
Nothing here imitates the protocol: every response is built and signed by pysaml2.
"""

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, samlp
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import rndstr
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import pre_signature_part

from workflow.access.saml import RSA_SHA256, SHA256

CVR_ATTRIBUTE = "dk:gov:saml:attribute:CvrNumberIdentifier"
ROLE_ATTRIBUTE = "dk:gov:saml:attribute:Privileges_intermediate"
EMAIL_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.3"
NAME_ATTRIBUTE = "urn:oid:2.5.4.3"


def make_key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and self-signed certificate as PEM files: (key file, cert file)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _idp_config(
    entity_id: str, base: str, key: Path, cert: Path, sp_metadata: Path | None
) -> IdPConfig:
    conf = IdPConfig()
    conf.load(
        {
            "entityid": entity_id,
            "key_file": str(key),
            "cert_file": str(cert),
            "metadata": {"local": [str(sp_metadata)]} if sp_metadata else {},
            "accepted_time_diff": 60,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT),
                            (f"{base}/sso/post", BINDING_HTTP_POST),
                        ],
                        "single_logout_service": [(f"{base}/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "want_authn_requests_signed": True,
                    "signing_algorithm": RSA_SHA256,
                    "digest_algorithm": SHA256,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
    )
    return conf


@dataclass
class Person:
    """Who signs in at the IdP and what it says about them."""

    email: str
    name: str = "Anne Projektleder"
    cvr: str | None = "29189730"
    roles: tuple[str, ...] = ("manager",)

    def attributes(self) -> dict[str, list[str]]:
        """The attribute statement, by attribute Name (URI name format)."""
        out = {EMAIL_ATTRIBUTE: [self.email], NAME_ATTRIBUTE: [self.name]}
        if self.cvr:
            out[CVR_ATTRIBUTE] = [f"CVR:{self.cvr}"]
        if self.roles:
            out[ROLE_ATTRIBUTE] = list(self.roles)
        return out


@dataclass
class TestIdp:
    """pysaml2's IdP `Server` and the files the service is pointed at."""

    __test__ = False  # not a test class, despite its name

    directory: Path
    entity_id: str = "https://idp.test.example/saml"
    base: str = "https://idp.test.example"
    key_pair: tuple[Path, Path] | None = None
    """The IdP's (key file, cert file); a new pair when not given."""
    metadata_file: Path = field(init=False)
    sp_metadata_file: Path = field(init=False)
    server: Server | None = None

    def __post_init__(self) -> None:
        self.key, self.cert = self.key_pair or make_key_pair(self.directory, "idp")
        self.metadata_file = self.directory / "idp-metadata.xml"
        self.sp_metadata_file = self.directory / "sp-metadata.xml"
        conf = _idp_config(self.entity_id, self.base, self.key, self.cert, None)
        self.metadata_file.write_text(str(entity_descriptor(conf)))

    def trust_sp(self, sp_metadata: str) -> None:
        """Load the SP's metadata (as served at /saml/metadata) and start the IdP server."""
        self.sp_metadata_file.write_text(sp_metadata)
        conf = _idp_config(self.entity_id, self.base, self.key, self.cert, self.sp_metadata_file)
        self.server = Server(config=conf)

    @property
    def idp(self) -> Server:
        """The running IdP (after `trust_sp`)."""
        assert self.server is not None, "call trust_sp with the SP metadata first"
        return self.server

    def read_redirect(self, location: str) -> Any:
        """The AuthnRequest in an HTTP-Redirect URL, its signature checked against the SP's
        certificate from the SP metadata (pysaml2 raises when it does not verify)."""
        query = parse_qs(urlsplit(location).query)
        assert query["SigAlg"] == [RSA_SHA256], query.get("SigAlg")
        parsed = self.idp.parse_authn_request(
            query["SAMLRequest"][0],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState", [None])[0],
            sigalg=query["SigAlg"][0],
            signature=query["Signature"][0],
        )
        return parsed.message

    def read_post(self, saml_request: str) -> Any:
        """The AuthnRequest posted with the POST binding, its enveloped signature checked."""
        return self.idp.parse_authn_request(saml_request, BINDING_HTTP_POST).message

    def response(
        self,
        request: Any,
        person: Person,
        *,
        audience: str | None = None,
        sign_assertion: bool = True,
        in_response_to: str | None = None,
    ) -> str:
        """A Response (XML) to `request`, signed as a real IdP signs it."""
        acs = request.assertion_consumer_service_url
        sp_entity_id = request.issuer.text
        return str(
            self.idp.create_authn_response(
                person.attributes(),
                in_response_to if in_response_to is not None else request.id,
                acs,
                audience or sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=person.email),
                authn={"class_ref": PASSWORD, "authn_auth": self.entity_id},
                sign_assertion=sign_assertion,
                sign_response=False,
                sign_alg=RSA_SHA256,
                digest_alg=SHA256,
            )
        )

    def resign(self, xml: str, change: Any) -> str:
        """The response with its assertion changed by `change(assertion)` and signed again by
        this IdP: a correctly signed assertion with other content (another lifetime)."""
        response = samlp.response_from_string(xml)
        assertion = response.assertion[0]
        change(assertion)
        assertion.signature = pre_signature_part(
            ident=assertion.id,
            public_key=self.idp.sec.my_cert,
            sign_alg=RSA_SHA256,
            digest_alg=SHA256,
        )
        return str(
            self.idp.sec.sign_statement(
                str(response), node_name=class_name(assertion), node_id=assertion.id
            )
        )


def encode(xml: str) -> str:
    """The form value of a SAMLResponse (POST binding)."""
    return base64.b64encode(xml.encode()).decode()


def expired(assertion: Any) -> None:
    """Move the assertion's lifetime an hour into the past (NotBefore, NotOnOrAfter)."""
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion.conditions.not_before = past
    assertion.conditions.not_on_or_after = past
    for confirmation in assertion.subject.subject_confirmation:
        confirmation.subject_confirmation_data.not_on_or_after = past


def fresh_id() -> str:
    """An id such as pysaml2 makes."""
    return "id-" + rndstr(17)

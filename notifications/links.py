"""Signed links in reminders: acknowledge a reminder, subscribe to a calendar feed.

Both are signed with `OPI_SECRET_KEY` (itsdangerous), each with its own salt so one kind of
token is never accepted as the other. An acknowledge token names the deadline, its revision
and the recipient organisation and expires; a calendar-feed token names only an organisation
and lasts until the secret key is rotated, because calendar clients keep the address for years.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

from workflow.core.settings import Settings
from workflow.core.timeutil import utcnow

API_PREFIX = "/api/v1"
WEB_PREFIX = "/ui"
ACK_SALT = "opi-workflow.reminder-ack"
FEED_SALT = "opi-workflow.calendar-feed"
ACK_VALID_FOR = timedelta(days=60)


class InvalidLink(Exception):
    """A token that is forged, damaged or expired."""

    def __init__(self, detail: str, *, expired: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expired = expired


@dataclass(frozen=True, slots=True)
class AckClaim:
    """What an acknowledge token vouches for."""

    deadline_id: int
    revision: int
    organisation_id: int
    expires_at: datetime


class _UncompressedSerializer(URLSafeSerializer):
    """`URLSafeSerializer` without trying zlib on the payload first.

    Our payloads are a few short numbers, which zlib cannot shorten in practice, so the
    tokens come out as before; `loads` reads both forms, so any token already sent still
    works. A sweep signs one per reminder, and the zlib attempt was half the signing time.
    """

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


@lru_cache(maxsize=8)
def _serializer(secret_key: str, salt: str) -> URLSafeSerializer:
    # Built once per key: a sweep signs a link in every reminder it renders.
    return _UncompressedSerializer(secret_key, salt=salt)


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def ack_token(
    settings: Settings,
    deadline_id: int,
    revision: int,
    organisation_id: int,
    *,
    now: datetime | None = None,
) -> str:
    """A signed token acknowledging one revision of a deadline for one organisation."""
    expires = (now or utcnow()) + ACK_VALID_FOR
    payload = {
        "d": deadline_id,
        "r": revision,
        "o": organisation_id,
        "exp": int(expires.timestamp()),
    }
    return _serializer(settings.signing_key, ACK_SALT).dumps(payload)


def read_ack_token(settings: Settings, token: str, *, now: datetime | None = None) -> AckClaim:
    """The claim in a valid, unexpired token; `InvalidLink` otherwise."""
    try:
        data = _serializer(settings.signing_key, ACK_SALT).loads(token)
        claim = AckClaim(
            deadline_id=int(data["d"]),
            revision=int(data["r"]),
            organisation_id=int(data["o"]),
            expires_at=datetime.fromtimestamp(int(data["exp"]), UTC),
        )
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink("The acknowledge link is not valid.") from exc
    if (now or utcnow()) >= claim.expires_at:
        raise InvalidLink("The acknowledge link has expired.", expired=True)
    return claim


def ack_url(settings: Settings, token: str) -> str:
    """The address a program POSTs to acknowledge a reminder (the webhook's link)."""
    return f"{_base(settings)}{API_PREFIX}/reminders/ack?{urlencode({'token': token})}"


def ack_page_url(settings: Settings, token: str) -> str:
    """The page a person opens from a reminder mail: it shows an "Acknowledge" button, and
    only pressing it acknowledges (a GET, as mail scanners make, changes nothing)."""
    return f"{_base(settings)}{WEB_PREFIX}/reminders/ack?{urlencode({'token': token})}"


def case_url(settings: Settings, case_id: int) -> str:
    """The API address of a case (for programs: the webhook's `case.url`)."""
    return f"{_base(settings)}{API_PREFIX}/cases/{case_id}"


def case_page_url(settings: Settings, case_id: int, deadline_id: int | None = None) -> str:
    """The case's page for people, at the deadline when one is named. A browser that is not
    signed in is sent to the sign-in form and then back here."""
    anchor = f"#deadline-{deadline_id}" if deadline_id is not None else ""
    return f"{_base(settings)}{WEB_PREFIX}/cases/{case_id}{anchor}"


def feed_token(settings: Settings, organisation_id: int) -> str:
    """A signed token that opens one organisation's calendar feed."""
    return _serializer(settings.signing_key, FEED_SALT).dumps({"o": organisation_id})


def read_feed_token(settings: Settings, token: str) -> int:
    """The organisation a feed token opens; `InvalidLink` if it is not valid."""
    try:
        return int(_serializer(settings.signing_key, FEED_SALT).loads(token)["o"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink("The calendar token is not valid.") from exc


def feed_url(settings: Settings, organisation_id: int) -> str:
    """The address calendar clients subscribe to."""
    token = feed_token(settings, organisation_id)
    return (
        f"{_base(settings)}{API_PREFIX}/organisations/{organisation_id}/deadlines.ics?"
        + urlencode({"token": token})
    )

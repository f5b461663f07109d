"""Reminder webhooks: a JSON body signed with HMAC-SHA256 under the organisation's secret.

Headers: `X-OPI-Signature: sha256=<hex HMAC of the exact body bytes>`, `Idempotency-Key: <dedup
key>` (the same on every retry, so a receiver can drop repeats) and `X-OPI-Event`.
"""

import hashlib
import hmac
import json
from typing import Any

import httpx

SIGNATURE_HEADER = "X-OPI-Signature"
EVENT = "deadline.reminder"


class WebhookRefused(Exception):
    """The receiver answered with something other than 2xx."""


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: what `X-OPI-Signature` carries for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` is the right signature of `body` (for receivers, and the tests)."""
    return hmac.compare_digest(signature(secret, body), header)


def send(
    client: httpx.Client, url: str, secret: str, payload: dict[str, Any], dedup_key: str
) -> None:
    """POST the payload with `client`; anything but a 2xx answer raises."""
    body = body_bytes(payload)
    response = client.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, body),
            "Idempotency-Key": dedup_key,
            "X-OPI-Event": EVENT,
            "User-Agent": "opi-workflow-reminders",
        },
        follow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise WebhookRefused(f"the webhook answered HTTP {response.status_code}")

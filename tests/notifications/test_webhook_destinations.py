"""Where a webhook may go, checked when it is delivered (issue 15, finding 9).

The resolver is the test's own (`webhook.resolve` replaced): host names map to loopback,
private or public addresses without asking any DNS server, and the delivery must connect to
the address the check saw.
"""

from collections.abc import Iterator

import pytest

from notifications import webhook
from tests.reminder_support import webhook_receiver

ADDRESSES = {
    "hooks.kommune.example": ["127.0.0.1"],
    "intranet.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "192.168.1.10"],
    "v6-loopback.example": ["::1"],
    "v4-mapped.example": ["::ffff:10.1.2.3"],
}


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Resolve the names above only; record which names were looked up."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host in ADDRESSES:
            return ADDRESSES[host]
        if host.replace(".", "").isdigit() or ":" in host:
            return [host]
        raise OSError(f"unknown host {host}")

    monkeypatch.setattr(webhook, "resolve", resolve)
    yield asked


def deliver(url: str, *, production: bool) -> None:
    with webhook.client(5, production=production) as http:
        webhook.send(http, url, "secret", {"event": "x"}, "dedup-1", production=production)


@pytest.mark.parametrize(
    "address, production, allowed",
    [
        ("93.184.216.34", True, True),
        ("2606:2800:220:1:248:1893:25c8:1946", True, True),
        ("127.0.0.1", True, False),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.0.0.5", False, False),
        ("172.16.0.1", False, False),
        ("192.168.1.10", False, False),
        ("169.254.169.254", False, False),
        ("100.64.0.1", False, False),
        ("fe80::1", False, False),
        ("fd00::1", False, False),
        ("::ffff:127.0.0.1", True, False),
        ("::ffff:10.1.2.3", False, False),
        ("224.0.0.1", False, False),
        ("0.0.0.0", False, False),
    ],
)
def test_which_addresses_a_webhook_may_reach(address: str, production: bool, allowed: bool) -> None:
    assert webhook.address_allowed(address, production=production) is allowed


def test_a_name_resolving_to_loopback_is_delivered_there_outside_production(
    resolver: list[str],
) -> None:
    with webhook_receiver() as receiver:
        deliver(f"http://hooks.kommune.example:{receiver.port}/hook", production=False)
        assert len(receiver.calls) == 1
        assert receiver.calls[0].headers["Host"].startswith("hooks.kommune.example")
    assert resolver == ["hooks.kommune.example"]  # resolved by us, connected to that address


def test_in_production_loopback_and_plain_http_are_refused(resolver: list[str]) -> None:
    with webhook_receiver() as receiver:
        for url in (
            f"https://hooks.kommune.example:{receiver.port}/hook",
            f"https://127.0.0.1:{receiver.port}/hook",
            f"https://[::1]:{receiver.port}/hook",
        ):
            with pytest.raises(webhook.DestinationRefused, match="may not reach"):
                deliver(url, production=True)
        with pytest.raises(webhook.DestinationRefused, match="https"):
            deliver(f"http://hooks.kommune.example:{receiver.port}/hook", production=True)
        assert receiver.calls == []


@pytest.mark.parametrize(
    "host", ["intranet.example", "metadata.example", "mixed.example", "v4-mapped.example"]
)
@pytest.mark.parametrize("production", [True, False])
def test_private_link_local_and_mixed_answers_are_refused_everywhere(
    resolver: list[str], host: str, production: bool
) -> None:
    with pytest.raises(webhook.DestinationRefused):
        deliver(f"https://{host}/hook", production=production)


def test_a_redirect_is_never_followed(resolver: list[str]) -> None:
    with webhook_receiver(status=307) as receiver:
        with pytest.raises(webhook.WebhookRefused, match="307"):
            deliver(receiver.url(), production=False)
        assert len(receiver.calls) == 1

"""Where webhooks may go (outgoing_webhooks/destinations.py), per class of address, with names
resolved by an injected resolver: no test here needs the network."""

from __future__ import annotations

import ipaddress

import pytest

from callroute.outgoing_webhooks.destinations import Resolver, address_refusal, refusal, url_refusal

REFUSED = {
    "loopback": ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"],
    "link-local": ["169.254.169.254", "169.254.0.1", "fe80::1"],
    "private": ["10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1", "fc00::1", "fd12::1"],
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1"],
    "unspecified": ["0.0.0.0", "::"],  # noqa: S104  (an address under test, not a bind)
    "reserved": ["240.0.0.1"],
    "non-public": ["100.64.0.1"],  # shared address space (carrier-grade NAT)
}
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize(
    ("kind", "address"), [(kind, a) for kind, addresses in REFUSED.items() for a in addresses]
)
def test_non_public_addresses_are_refused_by_class(kind: str, address: str) -> None:
    reason = address_refusal(ipaddress.ip_address(address))
    assert reason is not None
    assert f" {kind} address" in reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "must be an https:// URL (this project does not allow"),
        ("ftp://hooks.example.com/x", "must be an https:// URL"),
        ("https://a\u0004b.example.com/x", "not a valid URL"),
        ("https://a_b.example.com/x", "is not a valid host name"),
        ("https://-a.example.com/x", "is not a valid host name"),
        ("https:///x", "must name a host"),
        ("https://user:pw@hooks.example.com/x", "must not carry a user name or password"),
        ("https://hooks.example.com:99999/x", "not a valid URL"),
        ("https://127.1/x", "nor a dotted IPv4 address"),
        ("https://2130706433/x", "nor a dotted IPv4 address"),
        ("https://0x7f.1/x", "nor a dotted IPv4 address"),
    ],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    found = url_refusal(url, allow_http=False)
    assert found is not None
    assert reason in found


def test_well_formed_urls_pass() -> None:
    for url in (
        "https://hooks.example.com/x?a=1",
        "https://b\u00fccher.example/x",  # an IDN host
        "https://[2606:4700:4700::1111]:8443/x",
        "https://93.184.216.34/x",
    ):
        assert url_refusal(url, allow_http=False) is None, url
    assert url_refusal("http://hooks.example.com/x", allow_http=True) is None


class resolving_to:
    """A resolver that answers ``addresses`` for any name, and records what it was asked."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.seen: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.seen.append((host, port))
        return self.addresses


async def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    public = resolving_to("93.184.216.34")
    assert await strict("https://hooks.example.com/x", public) is None
    assert public.seen == [("hooks.example.com", 443)]
    mixed = resolving_to("93.184.216.34", "10.1.2.3")
    reason = await strict("https://hooks.example.com:8443/x", mixed)
    assert reason == (
        "hooks.example.com resolves to 10.1.2.3 is a private address; "
        "webhooks go to public addresses only"
    )
    metadata = resolving_to("169.254.169.254")
    reason = await strict("https://metadata.example.com/", metadata)
    assert reason is not None
    assert "link-local" in reason


async def test_literal_addresses_are_judged_without_resolving() -> None:
    never = resolving_to()
    for url in ("https://127.0.0.1:5432/", "https://[::1]/", "https://169.254.169.254/latest"):
        reason = await strict(url, never)
        assert reason is not None
        assert reason.endswith("webhooks go to public addresses only")
    assert never.seen == []


async def test_localhost_names_are_refused_even_when_they_do_not_resolve() -> None:
    async def unresolvable(host: str, port: int) -> list[str]:
        raise OSError("no DNS here")

    for url in ("https://localhost/x", "https://api.localhost/x", "https://LOCALHOST./x"):
        assert await strict(url, unresolvable) is not None
    # Any other name that does not resolve is not refused: it is unreachable, and the
    # delivery fails (and is retried) like any unreachable host.
    assert await strict("https://hooks.example.com/", unresolvable) is None


async def test_the_system_resolver_resolves_localhost_without_a_network() -> None:
    reason = await strict("https://localhost:8080/x")
    assert reason is not None
    assert "loopback" in reason


async def test_the_operator_may_allow_private_destinations() -> None:
    private = resolving_to("10.0.0.5")
    for url in ("https://hooks.internal.example/x", "https://127.0.0.1/x"):
        assert await refusal(url, allow_http=False, allow_private=True, resolver=private) is None
    assert private.seen == []  # nothing to ask: every address is allowed
    # The URL's own rules still hold.
    assert await refusal("http://10.0.0.5/x", allow_http=False, allow_private=True) is not None


async def strict(url: str, resolver: Resolver | None = None) -> str | None:
    """The refusal with the defaults: https only, public addresses only."""
    return await refusal(url, allow_http=False, allow_private=False, resolver=resolver)

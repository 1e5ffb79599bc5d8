"""Where outgoing webhooks may be sent: public HTTPS hosts, unless told otherwise.

A subscription URL is chosen by whoever administers a project, and the server is the one that
connects to it: without a rule, an admin could make the server probe its own network
(``http://127.0.0.1:5432``, the cloud metadata service at ``169.254.169.254``, private ranges)
and read the outcome in the delivery log. So a destination must

- be ``https`` (``http`` only where the project allows it: ``webhooks_allow_http``),
- name a valid host name or IP address,
- resolve only to globally routable unicast addresses: loopback, link-local, private,
  shared (CGNAT), multicast, unspecified and reserved ranges are refused unless the operator
  allows them (``CALLROUTE_WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS``).

The rule is checked when a subscription is written and again before every delivery, after
resolving the name then, so that a DNS record changed since (or a name that did not resolve
when the subscription was made) cannot lead a delivery inside. A name that does not resolve
at all is not refused here: the delivery then fails like any unreachable host, and is retried.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import uuid
from collections.abc import Awaitable, Callable
from functools import cache
from urllib.parse import SplitResult, urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.projects.repository import ProjectRepository

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port → the addresses the host name resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


async def system_resolver(host: str, port: int) -> list[str]:
    """The event loop's resolver (``getaddrinfo`` in a thread: it never blocks the loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def url_refusal(url: str, *, allow_http: bool) -> str | None:
    """What is wrong with the URL itself (scheme, host name, port), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(url)
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    except httpx.InvalidURL as exc:
        return f"not a valid URL: {exc}"
    if parts.scheme not in ("https", "http"):
        return "must be an https:// URL"
    if parts.scheme == "http" and not allow_http:
        return "must be an https:// URL (this project does not allow http:// webhooks)"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password; the signature authenticates deliveries"
    if port == 0:
        return "port 0 is not a port"
    return _host_refusal(parts)


def _host_refusal(parts: SplitResult) -> str | None:
    host = parts.hostname or ""
    if not host:
        return "must name a host"
    if literal(host) is not None:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"{host!r} is not a valid host name"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"{host!r} is not a valid host name"
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # 127.1, 2130706433 or 0x7f.1: resolvers read these as IPv4 addresses.
        return f"{host!r} is not a valid host name (nor a dotted IPv4 address)"
    return None


def literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_refusal(address: Address) -> str | None:
    """Why the server must not connect to ``address``, or None for a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    kinds = (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("the unspecified", address.is_unspecified),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-public", not address.is_global),
    )
    for kind, applies in kinds:
        if applies:
            return f"{address} is {kind} address"
    return None


async def refusal(
    url: str,
    *,
    allow_http: bool,
    allow_private: bool,
    resolver: Resolver | None = None,
) -> str | None:
    """Why ``url`` may not receive webhooks now, in words for the delivery log or the API
    client; None when it may. Resolves the host name (with ``resolver``, the event loop's by
    default) unless ``allow_private`` makes its addresses irrelevant."""
    problem = url_refusal(url, allow_http=allow_http)
    if problem is not None or allow_private:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = literal(host)
    if address is not None:
        return _refused(address, host)
    if host.rstrip(".") in _LOCAL_NAMES or host.rstrip(".").endswith(".localhost"):
        return f"{host} is a loopback name"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolved = await (resolver or system_resolver)(host, port)
    except (OSError, UnicodeError):
        return None  # unreachable, not forbidden: the request fails (and is retried) as usual
    for text in resolved:
        found = literal(text.split("%")[0])  # drop an IPv6 zone
        if found is None:
            return f"{host} resolves to {text!r}, which is not an IP address"
        reason = _refused(found, host)
        if reason is not None:
            return reason
    return None


def _refused(address: Address, host: str) -> str | None:
    reason = address_refusal(address)
    if reason is None:
        return None
    shown = reason if literal(host) is not None else f"{host} resolves to {reason}"
    return f"{shown}; webhooks go to public addresses only"


async def project_refusal(
    session: AsyncSession,
    project_id: uuid.UUID,
    url: str,
    *,
    allow_private: bool | None = None,
    resolver: Resolver | None = None,
) -> str | None:
    """:func:`refusal` for a subscription or a delivery of ``project_id``'s, with the
    project's own setting for ``http``; ``allow_private`` None reads the operator's setting
    from the environment (for callers that are not handed the settings)."""
    project = await ProjectRepository(session).get(project_id)
    allow_http = bool(project is not None and project.webhooks_allow_http)
    if allow_private is None:
        allow_private = operator_allows_private()
    return await refusal(url, allow_http=allow_http, allow_private=allow_private, resolver=resolver)


@cache
def operator_allows_private() -> bool:
    """``CALLROUTE_WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS``, read once per process, for the
    callers that are not handed the settings."""
    from callroute.config import Settings

    return Settings().webhooks_allow_private_destinations

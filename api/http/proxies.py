"""Who is asking, behind a reverse proxy: the client's address and the scheme, taken from `X-Forwarded-For`
and `X-Forwarded-Proto` only when the connection comes from a proxy the operator trusts.

Anybody can send those headers. So they count only when the peer (the address that connected) is one of
`MANDAAT_TRUSTED_PROXIES` (addresses or networks; none by default): then the client is the right-most
address of X-Forwarded-For that is not itself a trusted proxy — each proxy appends the address that
connected to it, so everything left of that was written by the client and proves nothing. The scheme is the
nearest proxy's X-Forwarded-Proto. Otherwise the peer is the client, and the headers are ignored.

This is the one place that reads those headers: `mandaat serve` switches uvicorn's own handling off (it
trusted 127.0.0.1 by default). What it decides is what the sign-in throttle counts, what the access log
records (as a keyed hash), whether the session cookie is `Secure` and whether HSTS is sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = frozenset({"http", "https"})


def networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """Addresses ("10.0.0.2") and networks ("10.0.0.0/24", "fd00::/8") as networks; ValueError for others."""
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


class TrustedProxies:
    """ASGI middleware: `scope["client"]` and `scope["scheme"]` as the trusted proxies tell them."""

    def __init__(self, app: ASGIApp, proxies: Iterable[str]) -> None:
        self.app = app
        self.proxies = networks(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.proxies:
            peer = scope.get("client")
            if peer is not None and self._trusted(peer[0]):
                self._forwarded(scope, peer[0])
        await self.app(scope, receive, send)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def _forwarded(self, scope: Scope, peer: str) -> None:
        forwarded_for: list[str] = []
        proto = None
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded_for += [part.strip() for part in value.decode("latin-1").split(",")]
            elif name == b"x-forwarded-proto":
                proto = value.decode("latin-1").split(",")[-1].strip().lower()
        client = peer
        for address in reversed(forwarded_for):
            if not self._is_address(address):
                break  # not written by a proxy of ours: keep the last hop that was
            client = address
            if not self._trusted(address):
                break
        scope["client"] = (client, 0)
        if proto in SCHEMES:
            scope["scheme"] = proto

    @staticmethod
    def _is_address(text: str) -> bool:
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return False
        return True

"""Which addresses may be fetched from: every A/AAAA address of a host must be globally routable
(`address_problem` names what it is otherwise: "a loopback address"), and only
REEX_FETCH_ALLOWLIST's exact "host:port" pairs (tests, local demos) let a loopback host through.
sources.connections checks every connection against it; claims refuses an evidence URL at
attach time with the same words.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

_V4_NAMED: list[tuple[ipaddress.IPv4Network, str]] = [
    (ipaddress.ip_network("0.0.0.0/8"), "an unspecified ('this network') address"),
    (ipaddress.ip_network("127.0.0.0/8"), "a loopback address"),
    (ipaddress.ip_network("169.254.169.254/32"), "a link-local (cloud metadata) address"),
    (ipaddress.ip_network("169.254.0.0/16"), "a link-local address"),
    (ipaddress.ip_network("10.0.0.0/8"), "a private address"),
    (ipaddress.ip_network("172.16.0.0/12"), "a private address"),
    (ipaddress.ip_network("192.168.0.0/16"), "a private address"),
    (ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol assignment address"),
    (ipaddress.ip_network("192.0.2.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.51.100.0/24"), "a documentation address"),
    (ipaddress.ip_network("203.0.113.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address"),
    (ipaddress.ip_network("192.88.99.0/24"), "a 6to4 relay address"),
    (ipaddress.ip_network("224.0.0.0/4"), "a multicast address"),
    (ipaddress.ip_network("255.255.255.255/32"), "the broadcast address"),
    (ipaddress.ip_network("240.0.0.0/4"), "a reserved address"),
]

_V6_NAMED: list[tuple[ipaddress.IPv6Network, str]] = [
    (ipaddress.ip_network("::/128"), "an unspecified address"),
    (ipaddress.ip_network("::1/128"), "a loopback address"),
    (ipaddress.ip_network("::ffff:0:0/96"), "an IPv4-mapped address"),
    (ipaddress.ip_network("::ffff:0:0:0/96"), "an IPv4-translated address"),
    (ipaddress.ip_network("::/96"), "an IPv4-compatible address"),
    (ipaddress.ip_network("64:ff9b::/96"), "a NAT64 address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a NAT64 address"),
    (ipaddress.ip_network("100::/64"), "a discard-only address"),
    (ipaddress.ip_network("2001::/32"), "a Teredo address"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("3fff::/20"), "a documentation address"),
    (ipaddress.ip_network("2002::/16"), "a 6to4 address"),
    (ipaddress.ip_network("fe80::/10"), "a link-local address"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address"),
    (ipaddress.ip_network("fc00::/7"), "a unique local (private) address"),
    (ipaddress.ip_network("ff00::/8"), "a multicast address"),
]
# Global unicast space: anything outside it is reserved or special.
_V6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `address` may not be fetched from ("a loopback address"), or None when it is a
    globally routable unicast address. Unparseable input is refused too."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        for network, words in _V6_NAMED:
            if ip in network:
                return words
        if ip not in _V6_GLOBAL_UNICAST:
            return "a reserved address"
        if not ip.is_global:
            return "a special-purpose address"
        return None
    for network, words in _V4_NAMED:
        if ip in network:
            return words
    if not ip.is_global:
        return "a special-purpose address"
    return None


def allowlisted(host: str, port: int) -> bool:
    """Exact "host:port" match against REEX_FETCH_ALLOWLIST ("127.0.0.1:8001", "[::1]:8001").
    The one allow-list check: fetching and claims' attach-time refusal both use it."""
    allow = {entry.strip().lower() for entry in settings.REEX_FETCH_ALLOWLIST}
    if not allow:
        return False
    host = host.lower().strip("[]")
    return f"{host}:{port}" in allow or f"[{host}]:{port}" in allow

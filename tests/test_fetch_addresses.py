"""Property tests of the address check over generated IPv4/IPv6 forms, plus the same forms
through the real connection guard (no request ever leaves: refusal comes before connect)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sources.addresses import address_problem
from sources.fetch import FetchError, fetch

V4_BLOCKED = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
]  # fmt: skip
V6_BLOCKED = [
    "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
    "2001::/32", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
]  # fmt: skip


def address_in(network: str):
    net = ipaddress.ip_network(network)
    return st.integers(0, net.num_addresses - 1).map(lambda i: net.network_address + i)


any_v4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)


@given(st.sampled_from(V4_BLOCKED).flatmap(address_in))
def test_blocked_ipv4_ranges_are_refused(ip):
    assert address_problem(ip) is not None


@given(st.sampled_from(V6_BLOCKED).flatmap(address_in))
def test_blocked_ipv6_ranges_are_refused(ip):
    assert address_problem(ip) is not None


@given(any_v4)
def test_every_ipv4_embedded_in_ipv6_is_refused(ip):
    n = int(ip)
    forms = [
        ipaddress.IPv6Address((0xFFFF << 32) | n),  # IPv4-mapped ::ffff:a.b.c.d
        ipaddress.IPv6Address(n),  # IPv4-compatible ::a.b.c.d
        ipaddress.IPv6Address((0x64FF9B << 96) | n),  # NAT64 64:ff9b::a.b.c.d
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80)),  # 6to4 2002:aabb:ccdd::
        ipaddress.IPv6Address((0x20010000 << 96) | (~n & 0xFFFFFFFF)),  # Teredo 2001:0::/32
    ]
    for form in forms:
        assert address_problem(form) is not None, form


@given(st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address))
def test_ipv6_outside_global_unicast_is_refused(ip):
    if ip not in ipaddress.ip_network("2000::/3"):
        assert address_problem(ip) is not None


@given(any_v4)
def test_ipv4_is_allowed_only_when_globally_routable(ip):
    blocked = any(ip in ipaddress.ip_network(n) for n in V4_BLOCKED) or ip == ipaddress.IPv4Address(
        "255.255.255.255"
    )
    assert (address_problem(ip) is not None) == (blocked or not ip.is_global)


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "1.1.1.1", "203.0.114.1", "2001:4860:4860::8888", "2606:4700:4700::1111"]
)
def test_public_addresses_pass(ip):
    assert address_problem(ip) is None


def test_metadata_address_is_named():
    assert address_problem("169.254.169.254") == "a link-local (cloud metadata) address"


def test_garbage_is_refused():
    assert address_problem("not an address") == "not an IP address"


GUARD_HOSTS = [
    "127.0.0.1", "127.0.0.2", "127.255.255.254", "0.0.0.0", "10.1.2.3", "169.254.169.254",
    "[::1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:10.0.0.1]", "[64:ff9b::a00:1]",
    "[2002:a00:1::]", "[fe80::1]", "[fd00::1]", "2130706433", "0x7f000001", "0177.0.0.1",
    "127.1", "localhost",
]  # fmt: skip
ALLOWED = "127.0.0.1:8001"


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(GUARD_HOSTS), st.integers(1, 65535))
def test_every_loopback_and_private_form_and_port_is_refused_by_the_guard(settings, host, port):
    settings.REEX_FETCH_ALLOWLIST = [ALLOWED]  # only this exact pair may pass
    if f"{host}:{port}" == ALLOWED:
        return
    with pytest.raises(FetchError) as caught:
        fetch(f"http://{host}:{port}/", timeout=3)
    assert caught.value.kind == "address", caught.value.reason
    assert caught.value.reason.startswith("refused: ")


def test_allowlist_entry_admits_only_its_exact_host_and_port(origin):
    origin.expect_request("/").respond_with_data("ok")
    assert fetch(origin.url_for("/")).body == b"ok"
    for url in (
        f"http://localhost:{origin.port}/",
        f"http://127.0.0.2:{origin.port}/",
        f"http://[::1]:{origin.port}/",
        f"http://127.0.0.1:{origin.port + 1}/",
    ):
        with pytest.raises(FetchError, match=r"^refused: "):
            fetch(url, timeout=3)

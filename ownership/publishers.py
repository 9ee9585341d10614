"""URL → publisher: the registrable domain of a URL, and the entity that owns it.

tldextract runs on its bundled public-suffix snapshot only (no network at run time).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import tldextract

from ownership.models import Domain, Entity

# suffix_list_urls=() keeps tldextract off the network; cache_dir=None keeps it off the disk.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

T = TypeVar("T")


@dataclass(frozen=True)
class HostInfo:
    host: str  # the lowercase host, IDNA-decoded to Unicode where it was punycode
    registrable: str  # "xinhuanet.com"; "" for IP literals and bare suffixes
    is_ip: bool


def host_info(url: str) -> HostInfo:
    """Split a URL's host into what domain lookup needs. Never raises on odd input."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        host = ""
    if not host:
        return HostInfo(host="", registrable="", is_ip=False)
    try:
        ipaddress.ip_address(host)
        return HostInfo(host=host, registrable="", is_ip=True)
    except ValueError:
        pass
    host = _to_unicode(host)
    parts = _extract(host)
    registrable = parts.top_domain_under_public_suffix if parts.suffix else ""
    return HostInfo(host=host, registrable=registrable, is_ip=False)


def _to_unicode(host: str) -> str:
    try:
        return ".".join(
            label.encode("ascii").decode("idna") if label.startswith("xn--") else label
            for label in host.split(".")
        )
    except UnicodeError:
        return host


def candidate_domains(url: str) -> list[str]:
    """The host, then each parent down to the registrable domain: most specific first."""
    info = host_info(url)
    if info.is_ip or not info.registrable:
        return []
    labels = info.host.split(".")
    reg_len = len(info.registrable.split("."))
    return [".".join(labels[i:]) for i in range(0, len(labels) - reg_len + 1)]


def _spellings(candidates: list[str]) -> list[str]:
    """Each candidate domain as editors may have registered it, Unicode or punycode (an
    internationalised domain may have been typed either way): most specific first, and for
    one domain punycode before Unicode."""
    return [s for c in candidates for s in sorted({c, _to_ascii(c)})]


def _first_registered(candidates: list[str], found: dict[str, T]) -> T | None:
    return next((found[s] for s in _spellings(candidates) if s in found), None)


def publisher_for_url(url: str) -> Entity | None:
    """The entity behind a URL: the most specific registered domain wins (a subdomain that is
    registered itself beats its parent), `www.` and other subdomains fall back to the parent.
    IP-literal URLs and unknown domains give None (an unknown publisher)."""
    candidates = candidate_domains(url)
    if not candidates:
        return None
    found = {
        d.domain: d.entity
        for d in Domain.objects.filter(domain__in=_spellings(candidates)).select_related("entity")
    }
    return _first_registered(candidates, found)


def publisher_ids_for_urls(urls: Iterable[str]) -> dict[str, int]:
    """URL → entity id for many URLs in one query (URLs with no registered domain are left
    out), chosen as `publisher_for_url` chooses."""
    candidates = {url: candidate_domains(url) for url in dict.fromkeys(urls)}
    wanted = {s for cands in candidates.values() for s in _spellings(cands)}
    if not wanted:
        return {}
    found = dict(Domain.objects.filter(domain__in=wanted).values_list("domain", "entity_id"))
    out: dict[str, int] = {}
    for url, cands in candidates.items():
        hit = _first_registered(cands, found)
        if hit is not None:
            out[url] = hit
    return out


def registrable_domain(url: str) -> str:
    """The registrable domain of a URL in Unicode ("" for IP literals and odd input): what an
    editor registers to classify an unknown publisher."""
    return host_info(url).registrable


def _to_ascii(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


# Public names for other apps (claims spells a domain both ways to find evidence on it).
to_unicode = _to_unicode
to_ascii = _to_ascii

"""URL → publisher: registrable domains from tldextract's bundled list, subdomain fallback,
internationalised names, IP literals."""

from __future__ import annotations

import pytest

from ownership.publishers import candidate_domains, host_info, publisher_for_url, registrable_domain
from tests.factories import DomainFactory, EntityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "registrable"),
    [
        ("https://www.reuters.com/markets/x", "reuters.com"),
        ("http://english.news.cn/2025/a.htm", "news.cn"),
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),  # multi-label public suffix
        ("https://WWW.Reuters.COM./x", "reuters.com"),  # case and trailing dot
        ("https://user:pw@reuters.com:8443/x?y#z", "reuters.com"),
        ("https://xn--fiqs8s.xn--fiqs8s/", "中国.中国"),  # punycode decoded
        ("https://例子.中国/路径", "例子.中国"),
        ("https://127.0.0.1/x", ""),
        ("http://[2001:db8::1]/x", ""),
        ("not a url", ""),
        ("https://com/", ""),  # a bare public suffix has no registrable domain
    ],
)
def test_registrable_domain(url, registrable):
    assert registrable_domain(url) == registrable


def test_ip_literal_is_flagged_and_has_no_candidates():
    assert host_info("http://10.0.0.1/").is_ip
    assert candidate_domains("http://10.0.0.1/") == []
    assert publisher_for_url("http://10.0.0.1/") is None


def test_subdomains_fall_back_to_the_parent_unless_registered_themselves():
    usgs = EntityFactory(name="USGS", slug="usgs")
    doi = EntityFactory(name="Interior", slug="doi")
    DomainFactory(domain="doi.gov", entity=doi)
    DomainFactory(domain="usgs.gov", entity=usgs)
    DomainFactory(domain="pubs.doi.gov", entity=usgs)  # registered itself
    assert publisher_for_url("https://www.usgs.gov/x") == usgs
    assert publisher_for_url("https://a.b.usgs.gov/x") == usgs
    assert publisher_for_url("https://www.doi.gov/x") == doi
    assert publisher_for_url("https://pubs.doi.gov/x") == usgs
    assert publisher_for_url("https://x.pubs.doi.gov/x") == usgs


def test_unknown_domain_is_an_unknown_publisher():
    DomainFactory(domain="reuters.com")
    assert publisher_for_url("https://www.argusmedia.com/x") is None
    # Same registrable label under another suffix is another domain.
    assert publisher_for_url("https://reuters.co.uk/x") is None


def test_internationalised_domain_matches_either_spelling():
    xinhua = EntityFactory(name="Xinhua", slug="xinhua")
    DomainFactory(domain="新华网.中国", entity=xinhua)
    gov = EntityFactory(name="Portal", slug="portal")
    DomainFactory(domain="xn--fiqs8s.xn--fiqs8s", entity=gov)  # typed as punycode
    assert publisher_for_url("https://www.xn--xkrr14bows.xn--fiqs8s/a") == xinhua
    assert publisher_for_url("https://新华网.中国/a") == xinhua
    assert publisher_for_url("https://中国.中国/a") == gov

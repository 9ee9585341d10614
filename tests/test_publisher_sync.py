"""Domain register edits reach evidence already attached (claims.services.classification.evidence_resync_publishers).

The scenario from the review: news.cn was wrongly registered to an independent entity,
reviewers attached URLs on it, and an editor then moves news.cn to Xinhua. The stored
publisher of that evidence must follow, so the suggestion stops saying "independently
verified" (docs/verdicts.md: domain edits show in the next suggestion).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from claims.models import Claim, Evidence
from claims.selectors import suggest_for_claim
from ownership.models import Domain, Entity
from tests.factories import DomainFactory, EntityFactory
from tests.test_suggestion import World, attach, build_world, nre_claim


@dataclass
class Scenario:
    world: World
    wrong: Entity  # the independent entity news.cn was wrongly registered to
    domain: Domain  # news.cn
    claim: Claim
    on_domain: Evidence  # https://news.cn/...
    on_subdomain: Evidence  # http://english.news.cn/...
    decoy: Evidence  # https://notnews.cn/... (another domain that merely contains "news.cn")
    reuters: Evidence


@pytest.fixture
def scenario(db, settings) -> Scenario:
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    world = build_world()
    Domain.objects.get(domain="news.cn").delete()  # build_world registers it to Xinhua
    wrong = EntityFactory(
        slug="wrong", name="Wrong Independent Ltd", kind=Entity.Kind.MEDIA_OUTLET, country="SG"
    )
    domain = DomainFactory(domain="news.cn", entity=wrong)
    claim = nre_claim(world)
    reuters = attach(claim, "https://www.reuters.com/markets/nre-h1")
    on_domain = attach(claim, "https://news.cn/2025/nre.htm")
    on_subdomain = attach(claim, "http://english.news.cn/2025/nre.htm")
    # On another claim, a stale publisher on a URL that only contains the text "news.cn":
    # resolving it again would change it, so it shows whether the Python confirmation ran.
    decoy = attach(nre_claim(world), "https://notnews.cn/2025/nre.htm")
    Evidence.objects.filter(pk=decoy.pk).update(publisher=wrong)
    s = suggest_for_claim(claim)
    assert s.status == "independently_verified"  # the defect's starting point
    return Scenario(world, wrong, domain, claim, on_domain, on_subdomain, decoy, reuters)


def _stamps(*objs) -> list:
    return [type(o).objects.values_list("updated_at", flat=True).get(pk=o.pk) for o in objs]


def _assert_moved_to_xinhua(sc: Scenario) -> None:
    xinhua = sc.world.xinhua.pk
    assert Evidence.objects.get(pk=sc.on_domain.pk).publisher_id == xinhua
    assert Evidence.objects.get(pk=sc.on_subdomain.pk).publisher_id == xinhua
    assert Evidence.objects.get(pk=sc.decoy.pk).publisher_id == sc.wrong.pk  # untouched
    assert Evidence.objects.get(pk=sc.reuters.pk).publisher_id == sc.world.reuters.pk
    s = suggest_for_claim(sc.claim)
    assert s.status is None
    assert s.independent_groups == 1
    assert (
        "2 same-group sources: Xinhua (People's Republic of China), "
        "Xinhua (People's Republic of China)" in s.reasons
    )


def test_editor_moves_domain_to_its_real_owner_in_the_admin(client, scenario, editor):
    sc = scenario
    before = _stamps(sc.on_domain, sc.on_subdomain, sc.claim, sc.decoy)
    client.force_login(editor)
    response = client.post(
        reverse("admin:ownership_domain_change", args=[sc.domain.pk]),
        {"domain": "news.cn", "entity": sc.world.xinhua.pk, "note": "Xinhua's site."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_moved_to_xinhua(sc)
    after = _stamps(sc.on_domain, sc.on_subdomain, sc.claim, sc.decoy)
    assert after[0] > before[0] and after[1] > before[1]  # evidence rows
    assert after[2] > before[2]  # their claim (API ETag / updated_since)
    assert after[3] == before[3]  # the decoy did not change


def test_plain_save_of_a_domain_moves_its_evidence(scenario):
    sc = scenario
    sc.domain.entity = sc.world.xinhua
    sc.domain.save()
    _assert_moved_to_xinhua(sc)


def test_renaming_a_domain_resolves_old_and_new_spellings(scenario):
    """The wrong entity's domain was typed as news.cn but is really xinhuanet.com's twin: an
    editor renames it. Evidence on news.cn falls back to nobody (unknown), evidence on the new
    spelling gets the entity."""
    sc = scenario
    Domain.objects.filter(domain="xinhuanet.com").delete()
    on_new = attach(sc.claim, "https://www.xinhuanet.com/english/nre.htm")
    assert on_new.publisher_id is None
    sc.domain.domain = "XinhuaNet.com"  # saved lowercase
    sc.domain.save()
    assert Evidence.objects.get(pk=on_new.pk).publisher_id == sc.wrong.pk
    assert Evidence.objects.get(pk=sc.on_domain.pk).publisher_id is None
    assert Evidence.objects.get(pk=sc.on_subdomain.pk).publisher_id is None
    s = suggest_for_claim(sc.claim)
    assert "Did not count: unknown publisher news.cn (an editor must classify the domain)." in (
        s.reasons
    )


def test_deleting_a_domain_makes_its_evidence_publisher_unknown(client, scenario, editor):
    sc = scenario
    before = _stamps(sc.claim)
    client.force_login(editor)
    response = client.post(
        reverse("admin:ownership_domain_delete", args=[sc.domain.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Domain.objects.filter(domain="news.cn").exists()
    assert Evidence.objects.get(pk=sc.on_domain.pk).publisher_id is None
    assert Evidence.objects.get(pk=sc.on_subdomain.pk).publisher_id is None
    assert _stamps(sc.claim)[0] > before[0]
    s = suggest_for_claim(sc.claim)
    assert s.status is None
    assert s.assessments[sc.on_domain.pk].badge == "unknown"


def test_deleting_a_registered_subdomain_falls_back_to_the_parent(scenario):
    sc = scenario
    sub = DomainFactory(domain="english.news.cn", entity=sc.world.xinhua)
    assert Evidence.objects.get(pk=sc.on_subdomain.pk).publisher_id == sc.world.xinhua.pk
    assert Evidence.objects.get(pk=sc.on_domain.pk).publisher_id == sc.wrong.pk  # parent's
    sub.delete()
    assert Evidence.objects.get(pk=sc.on_subdomain.pk).publisher_id == sc.wrong.pk


def test_registering_a_punycode_domain_classifies_unicode_urls(db):
    world = build_world()
    claim = nre_claim(world)
    evidence = attach(claim, "https://www.bücher.de/artikel/1")
    assert evidence.publisher_id is None
    DomainFactory(domain="xn--bcher-kva.de", entity=world.reuters)
    assert Evidence.objects.get(pk=evidence.pk).publisher_id == world.reuters.pk

"""The suggestion rule on cases from the seed world, and the decisions it allows or refuses.

The world below is modelled on the seed register: Northern Rare Earth → Baogang → SASAC → PRC,
Xinhua → PRC, Reuters → Thomson Reuters → Woodbridge, USGS → Department of the Interior → USA,
and two outlets of one owner (Mining Weekly and Engineering News, both Creamer Media).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from claims.models import Claim, StatusChange
from claims.selectors import suggest_for_claim, suggest_for_claims
from claims.services.status import DecisionRefused, claim_set_status
from claims.suggestion import EvidenceFacts, decision_refusal, suggest
from ownership.chains import load_graph
from ownership.models import Entity
from ownership.publishers import publisher_for_url
from tests.factories import (
    ClaimFactory,
    DomainFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    SnapshotFactory,
)

K = Entity.Kind


@dataclass
class World:
    prc: Entity
    state_council: Entity
    sasac: Entity
    baogang: Entity
    northern: Entity
    xinhua: Entity
    reuters: Entity
    thomson: Entity
    woodbridge: Entity
    usa: Entity
    interior: Entity
    usgs: Entity
    creamer: Entity
    mining_weekly: Entity
    engineering_news: Entity
    smm: Entity


def build_world() -> World:
    """Entities, controlling edges and domains shaped like seeds/entities.yaml + outlets.yaml."""

    def ent(slug: str, name: str, kind: str, country: str, *domains: str) -> Entity:
        e = EntityFactory(slug=slug, name=name, kind=kind, country=country)
        for d in domains:
            DomainFactory(domain=d, entity=e)
        return e

    prc = ent("prc", "People's Republic of China", K.STATE, "CN")
    state_council = ent("state-council", "State Council", K.GOVERNMENT_BODY, "CN", "gov.cn")
    sasac = ent("sasac", "SASAC", K.GOVERNMENT_BODY, "CN", "sasac.gov.cn")
    baogang = ent("baogang", "Baogang Group", K.SOE, "CN", "btsteel.com")
    northern = ent("northern", "Northern Rare Earth", K.SOE, "CN", "reht.com")
    xinhua = ent("xinhua", "Xinhua", K.MEDIA_OUTLET, "CN", "xinhuanet.com", "news.cn")
    reuters = ent("reuters", "Reuters", K.MEDIA_OUTLET, "GB", "reuters.com")
    thomson = ent(
        "thomson-reuters", "Thomson Reuters", K.PRIVATE_COMPANY, "CA", "thomsonreuters.com"
    )
    woodbridge = ent("woodbridge", "Woodbridge", K.PRIVATE_COMPANY, "CA")
    usa = ent("usa", "United States of America", K.STATE, "US", "usa.gov")
    interior = ent("doi", "US Department of the Interior", K.GOVERNMENT_BODY, "US", "doi.gov")
    usgs = ent("usgs", "USGS", K.GOVERNMENT_BODY, "US", "usgs.gov")
    creamer = ent("creamer", "Creamer Media", K.PRIVATE_COMPANY, "ZA")
    mining_weekly = ent("mining-weekly", "Mining Weekly", K.MEDIA_OUTLET, "ZA", "miningweekly.com")
    engineering_news = ent(
        "engineering-news", "Engineering News", K.MEDIA_OUTLET, "ZA", "engineeringnews.co.za"
    )
    smm = ent("smm", "Shanghai Metals Market", K.DATA_PROVIDER, "CN", "metal.com")

    def edge(owner: Entity, owned: Entity, **kw) -> None:
        OwnershipFactory(owner=owner, owned=owned, **kw)

    edge(prc, state_council)
    edge(prc, sasac)
    edge(state_council, sasac)
    edge(sasac, baogang, stake_pct=100, controlling=False)  # control by stake alone
    edge(baogang, northern, stake_pct=36.63)  # marked controlling, stake under 50%
    edge(prc, xinhua)
    edge(thomson, reuters)
    edge(woodbridge, thomson, stake_pct=69, controlling=False)
    edge(usa, interior)
    edge(interior, usgs)
    edge(creamer, mining_weekly)
    edge(creamer, engineering_news)
    return World(**{k: v for k, v in locals().items() if isinstance(v, Entity)})


@pytest.fixture
def world(db) -> World:
    return build_world()


def attach(claim: Claim, url: str, stance: str = "supports", snapshot: str = "archived"):
    """Evidence on `claim` with its publisher resolved from the URL, as evidence_attach does,
    and a snapshot in the given state."""
    traits = {"archived": {"archived": True}, "failed": {"failed": True}, "pending": {}}[snapshot]
    return EvidenceFactory(
        claim=claim,
        url=url,
        stance=stance,
        publisher=publisher_for_url(url),
        snapshot=SnapshotFactory(url=url, **traits),
    )


def nre_claim(world: World) -> Claim:
    return ClaimFactory(origin=world.northern)


# --------------------------------------------------------------------------- seed-world cases


def test_company_announcement_and_state_media_is_state_sourced(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reht.com/news/2025-h1")
    attach(claim, "http://english.news.cn/2025/northern-rare-earth.htm")
    s = suggest_for_claim(claim)
    assert s.status == "state_sourced"
    assert s.needed == 2
    assert (
        "2 same-group sources: Northern Rare Earth (People's Republic of China), Xinhua (People's Republic of China)"
        in s.reasons
    )
    assert (
        "Needs 2 more independent supporting sources from publishers outside "
        "People's Republic of China (the origin's group)." in s.reasons
    )


def test_two_outlets_of_one_owner_are_one_group_and_still_need_sources(world):
    claim = nre_claim(world)
    a = attach(claim, "https://www.miningweekly.com/article/nre-h1")
    b = attach(claim, "https://www.engineeringnews.co.za/article/nre-h1")
    s = suggest_for_claim(claim)
    assert s.status is None
    assert s.needed == 1
    assert "1 independent group: Mining Weekly and Engineering News (Creamer Media)" in s.reasons
    assert (
        "Did not count: Engineering News: same owner as Mining Weekly, counted once." in s.reasons
    )
    assert s.assessments[a.id].badge == "independent" and s.assessments[a.id].counts
    assert s.assessments[b.id].badge == "same_group" and not s.assessments[b.id].counts
    assert any(
        "Needs 1 more independent supporting source" in r and "Creamer Media (already counted)" in r
        for r in s.reasons
    )


def test_two_independent_archived_sources_verify(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/markets/commodities/nre-h1")
    attach(claim, "https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf")
    attach(claim, "http://english.news.cn/2025/northern-rare-earth.htm")
    s = suggest_for_claim(claim)
    assert s.status == "independently_verified"
    assert s.needed == 0
    assert (
        "2 independent groups: Reuters (Woodbridge), USGS (United States of America)" in s.reasons
    )
    assert "1 same-group source: Xinhua (People's Republic of China)" in s.reasons


def test_independent_outlet_echoing_the_company_does_not_count(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/markets/nre-said", stance="echoes")
    attach(claim, "https://pubs.usgs.gov/mcs2025.pdf")
    s = suggest_for_claim(claim)
    assert s.status is None  # one independent group only; the echo adds nothing
    assert s.needed == 1
    assert "1 independent group: USGS (United States of America)" in s.reasons


def test_echo_alone_from_anywhere_makes_a_state_claim_state_sourced(world):
    claim = nre_claim(world)
    ev = attach(claim, "https://www.reuters.com/markets/nre-said", stance="echoes")
    s = suggest_for_claim(claim)
    assert s.status == "state_sourced"
    assert s.assessments[ev.id].badge == "echo"


def test_independent_refutation_disputes_even_with_two_supports(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    attach(claim, "https://pubs.usgs.gov/b")
    attach(claim, "https://www.miningweekly.com/c", stance="refutes")
    s = suggest_for_claim(claim)
    assert s.status == "disputed"
    assert "Refuted by 1 independent source: Mining Weekly (Creamer Media)" in s.reasons


def test_refutation_from_the_origins_own_group_does_not_dispute(world):
    claim = nre_claim(world)
    attach(claim, "http://english.news.cn/denial", stance="refutes")
    s = suggest_for_claim(claim)
    assert s.status is None
    assert any("refutes, but same group as the origin" in r for r in s.reasons)


@pytest.mark.parametrize("state", ["failed", "pending"])
def test_unarchived_source_does_not_count_until_archived(world, state):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    ev = attach(claim, "https://pubs.usgs.gov/b", snapshot=state)
    s = suggest_for_claim(claim)
    assert s.status is None
    assert s.assessments[ev.id].badge == "not_archived"
    expected = (
        "snapshot failed (HTTP 404 Not Found from the source)"
        if state == "failed"
        else "not archived yet"
    )
    assert any(r.startswith(f"Did not count: USGS: {expected}") for r in s.reasons)
    # Fixed: a later archived snapshot counts.
    ev.snapshot = SnapshotFactory(url=ev.url, archived=True)
    ev.save()
    assert suggest_for_claim(claim).status == "independently_verified"


def test_unknown_publisher_does_not_count_until_an_editor_classifies_it(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    ev = attach(claim, "https://www.argusmedia.com/en/news/nre")
    assert ev.publisher is None
    s = suggest_for_claim(claim)
    assert s.status is None
    assert s.assessments[ev.id].badge == "unknown"
    assert (
        "Did not count: unknown publisher argusmedia.com (an editor must classify the domain)."
        in s.reasons
    )
    # The editor registers the domain: the next suggestion counts it (no re-attach needed).
    DomainFactory(domain="argusmedia.com", entity=EntityFactory(name="Argus Media", slug="argus"))
    s = suggest_for_claim(claim)
    assert s.status == "independently_verified"
    assert (
        "2 independent groups: Reuters (Woodbridge), Argus Media (no controlling owner on record)"
        in s.reasons
    )


def test_ownership_edit_takes_effect_on_the_next_suggestion(world):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    attach(claim, "https://www.miningweekly.com/b")
    assert suggest_for_claim(claim).status == "independently_verified"
    # An editor records that Woodbridge also controls Creamer Media: one group now.
    OwnershipFactory(owner=world.woodbridge, owned=world.creamer)
    s = suggest_for_claim(claim)
    assert s.status is None
    assert "1 independent group: Reuters and Mining Weekly (Woodbridge)" in s.reasons


def test_non_state_origin_with_own_support_gets_no_suggestion(world):
    claim = ClaimFactory(origin=world.thomson)
    attach(claim, "https://www.reuters.com/a")
    s = suggest_for_claim(claim)
    assert s.status is None
    assert "Origin: Thomson Reuters, controlled by Woodbridge (not state-controlled)." in s.reasons


def test_threshold_setting_is_honoured(world, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 3
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    attach(claim, "https://pubs.usgs.gov/b")
    s = suggest_for_claim(claim)
    assert (s.status, s.needed) == (None, 1)
    settings.REEX_MIN_INDEPENDENT_SOURCES = 1
    assert suggest_for_claim(claim).status == "independently_verified"


def test_context_never_counts(world):
    claim = nre_claim(world)
    ev = attach(claim, "https://www.reuters.com/a", stance="context")
    s = suggest_for_claim(claim)
    assert s.status is None
    assert s.assessments[ev.id].badge == "context"


def test_pure_function_with_no_evidence_gives_no_suggestion(world):
    s = suggest(origin_id=world.northern.pk, evidence=[], graph=load_graph(), min_sources=2)
    assert (s.status, s.needed) == (None, 2)
    assert "No evidence attached yet." in s.reasons


def test_pure_function_reads_nothing(world, django_assert_num_queries):
    graph = load_graph()
    facts = [
        EvidenceFacts(1, "supports", world.reuters.pk, "Reuters", "archived"),
        EvidenceFacts(2, "supports", world.usgs.pk, "USGS", "archived"),
    ]
    with django_assert_num_queries(0):
        s = suggest(origin_id=world.northern.pk, evidence=facts, graph=graph, min_sources=2)
    assert s.status == "independently_verified"


# --------------------------------------------------------------------------- query counts


def _claims_with_evidence(world: World, n: int) -> list[Claim]:
    claims = []
    for i in range(n):
        claim = nre_claim(world)
        attach(claim, f"https://www.reuters.com/{i}")
        attach(claim, f"https://pubs.usgs.gov/{i}")
        attach(claim, f"https://www.argusmedia.com/{i}")  # unknown publisher
        claims.append(claim)
    return claims


def test_suggestions_for_1_and_20_claims_cost_the_same_queries(world, django_assert_num_queries):
    one = _claims_with_evidence(world, 1)
    twenty = _claims_with_evidence(world, 20)
    # graph (one fingerprinted query, ownership.chains.current_graph) + evidence + one lookup of
    # unknown domains = 3
    with django_assert_num_queries(3):
        r1 = suggest_for_claims(one)
    with django_assert_num_queries(3):
        r20 = suggest_for_claims(twenty)
    assert len(r1) == 1 and len(r20) == 20
    assert {s.status for s in r20.values()} == {"independently_verified"}


# --------------------------------------------------------------------------- decisions


def test_refusal_rules():
    from claims.suggestion import Suggestion

    verified = Suggestion(
        status="independently_verified", reasons=["2 independent groups: A (A), B (B)"], needed=0
    )
    nothing = Suggestion(status=None, reasons=["0 independent groups."], needed=2)
    assert decision_refusal(status="independently_verified", suggestion=verified) is None
    assert "the rule says independently verified" in decision_refusal(
        status="state_sourced", suggestion=verified
    )
    assert decision_refusal(status="unverifiable", suggestion=nothing) is None
    assert "already gives a suggestion" in decision_refusal(
        status="unverifiable", suggestion=verified
    )
    assert "2 independent groups: A (A), B (B)" in decision_refusal(
        status="disputed", suggestion=verified
    )
    assert decision_refusal(status="in_review", suggestion=verified) is None
    assert decision_refusal(status="independently_verified", suggestion=nothing).startswith(
        "Refused: the evidence does not support “independently verified”; the rule says no suggestion yet"
    )


def test_reviewer_verdict_against_the_rule_is_refused_with_reasons(world, reviewer):
    claim = nre_claim(world)
    attach(claim, "http://english.news.cn/a")
    with pytest.raises(DecisionRefused) as exc:
        claim_set_status(
            claim=claim,
            status="independently_verified",
            actor=reviewer,
            rationale="Looks right.",
            version=1,
        )
    assert "the rule says state-sourced" in str(exc.value)
    assert "1 same-group source: Xinhua (People's Republic of China)" in exc.value.reasons
    assert not StatusChange.objects.filter(claim=claim).exists()
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("unreviewed", 1)


def test_reviewer_verdict_matching_the_rule_is_recorded_with_the_suggestion(world, reviewer):
    claim = nre_claim(world)
    attach(claim, "http://english.news.cn/a")
    claim_set_status(
        claim=claim, status="state_sourced", actor=reviewer, rationale="Only Xinhua.", version=1
    )
    row = StatusChange.objects.get(claim=claim)
    assert (row.to_status, row.suggested_status, row.override) == (
        "state_sourced",
        "state_sourced",
        False,
    )
    assert "1 same-group source: Xinhua (People's Republic of China)" in row.extra["reasons"]


def test_unverifiable_allowed_only_while_there_is_no_suggestion(world, reviewer):
    claim = nre_claim(world)
    claim_set_status(
        claim=claim, status="unverifiable", actor=reviewer, rationale="Nothing found.", version=1
    )
    other = nre_claim(world)
    attach(other, "http://english.news.cn/a")
    with pytest.raises(DecisionRefused, match="already gives a suggestion"):
        claim_set_status(
            claim=other, status="unverifiable", actor=reviewer, rationale="x", version=1
        )


def test_editor_override_is_recorded_as_override(world, editor, reviewer):
    claim = nre_claim(world)
    attach(claim, "http://english.news.cn/a")
    with pytest.raises(PermissionDenied):
        claim_set_status(
            claim=claim,
            status="unverifiable",
            actor=reviewer,
            rationale="x",
            version=1,
            override=True,
        )
    claim_set_status(
        claim=claim,
        status="unverifiable",
        actor=editor,
        rationale="Xinhua's copy was withdrawn; we cannot rely on it.",
        version=1,
        override=True,
    )
    row = StatusChange.objects.get(claim=claim)
    assert row.override is True
    assert row.suggested_status == "state_sourced"
    assert row.to_status == "unverifiable"


def test_three_seed_shaped_claims_in_one_call(world):
    from tests.factories import ArticleFactory

    article = ArticleFactory()
    c1 = ClaimFactory(article=article, origin=world.northern, key="net-profit")
    attach(c1, "https://www.reht.com/news/2025-h1-results")
    attach(c1, "http://english.news.cn/20250801/nre-profit.htm")
    attach(c1, "https://www.reuters.com/markets/nre-said-profit", stance="echoes")
    c2 = ClaimFactory(
        article=article,
        origin=world.northern,
        key="output",
        span="Rare earth metals output jumped 60.4% year-on-year",
    )
    attach(c2, "https://www.reuters.com/markets/commodities/china-rare-earth-output")
    attach(c2, "https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf")
    attach(c2, "https://www.miningweekly.com/article/nre-output")
    attach(c2, "https://www.engineeringnews.co.za/article/nre-output")
    attach(c2, "http://english.news.cn/20250801/nre-output.htm")
    c3 = ClaimFactory(
        article=article,
        origin=world.northern,
        key="control",
        kind="ownership",
        span="Baogang Group owns the controlling stake in Northern Rare Earth",
    )
    attach(c3, "https://www.miningweekly.com/article/baogang-stake")
    attach(c3, "https://www.argusmedia.com/en/news/baogang", snapshot="archived")
    attach(c3, "https://pubs.usgs.gov/baogang.pdf", snapshot="failed")
    results = suggest_for_claims([c1, c2, c3])
    assert [results[c.pk].status for c in (c1, c2, c3)] == [
        "state_sourced",
        "independently_verified",
        None,
    ]


# --------------------------------------------------------------------------- admin


def test_claim_admin_shows_the_suggestion_and_reasons(world, editor, client):
    claim = nre_claim(world)
    attach(claim, "http://english.news.cn/a")
    client.force_login(editor)
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert "state-sourced" in page
    assert "1 same-group source: Xinhua (People&#x27;s Republic of China)" in page
    assert "<strong>Same group as the origin</strong>: http://english.news.cn/a" in page


def test_editor_classifies_an_unknown_publisher_in_one_step(world, editor, client):
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/a")
    ev = attach(claim, "https://www.argusmedia.com/en/news/nre")
    other = attach(nre_claim(world), "https://argusmedia.com/other")
    argus = EntityFactory(name="Argus Media", slug="argus")
    client.force_login(editor)
    url = f"/admin/claims/evidence/{ev.pk}/change/"
    page = client.get(url).content.decode()
    assert "Unknown publisher <strong>argusmedia.com</strong>" in page
    assert "/admin/ownership/domain/add/?domain=argusmedia.com" in page
    response = client.post(
        url,
        {"stance": ev.stance, "excerpt": "", "publisher": argus.pk, "_save": "Save"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert argus.domains.get().domain == "argusmedia.com"
    other.refresh_from_db()
    assert other.publisher == argus  # the other evidence on that domain too
    assert suggest_for_claim(claim).status == "independently_verified"


def test_seed_claims_with_attached_evidence(seeded, django_assert_num_queries, capsys):
    """Three claims of the loaded seed article, with evidence attached here; prints each
    suggestion and its reasons verbatim, and the measured query counts (closing note)."""
    from ownership.selectors import entity_control_summaries

    claims = {c.key: c for c in Claim.objects.all()}
    profit = claims["nre-h1-net-profit-growth"]
    attach(profit, "https://www.reht.com/news/2025-07-h1-forecast")  # the company itself
    attach(profit, "https://www.news.cn/fortune/2025-07/nre-h1-profit.htm")  # Xinhua
    attach(profit, "https://www.cninfo.com.cn/new/disclosure/detail?id=600111")  # SZSE filing
    attach(profit, "https://www.reuters.com/markets/nre-expects-profit", stance="echoes")

    output = claims["nre-metals-output-growth"]
    attach(output, "https://www.mining.com/china-northern-rare-earth-output/")  # EarthLabs
    attach(output, "https://www.northernminer.com/news/nre-output/")  # EarthLabs too
    attach(output, "https://www.investing.com/news/nre-output")  # not in the register
    attach(
        output,
        "https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf",
        snapshot="failed",
    )

    control = claims["baogang-controls-nre"]
    attach(control, "https://www.cninfo.com.cn/new/disclosure/detail?id=600111-2023-annual")
    attach(control, "https://www.reuters.com/companies/600111.SS")
    attach(control, "https://www.ft.com/content/baogang-northern-rare-earth")

    chosen = [profit, output, control]
    with django_assert_num_queries(3) as one_q:
        suggest_for_claims([output])
    everything = list(Claim.objects.all())
    with django_assert_num_queries(3) as all_q:
        every = suggest_for_claims(everything)
    with django_assert_num_queries(1) as chain_q:
        entity_control_summaries(entity_ids=[profit.origin_id])
    results = {c.pk: every[c.pk] for c in chosen}
    with capsys.disabled():
        for c in chosen:
            s = results[c.pk]
            print(f"\n--- {c.key}: {c.text!r} (origin {c.origin.name})")
            print(f"    suggested: {s.status} ({s.status_words}); needed: {s.needed}")
            for r in s.reasons:
                print("   ", r)
        print(
            f"\n--- queries: suggest_for_claims(1 claim) = {len(one_q)}, "
            f"suggest_for_claims({len(every)} claims) = {len(all_q)}, "
            f"chain summary for one entity = {len(chain_q)}"
        )
    assert [results[c.pk].status for c in chosen] == [
        "state_sourced",
        None,
        "independently_verified",
    ]

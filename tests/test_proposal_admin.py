"""Editors decide on proposed claims in the admin (Django test client, signed in as an
editor): accept, edit then accept, reject (remembered), bulk actions, and merging a proposal
into the existing claim it restates."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from claims.models import Article, Claim
from intake.models import ClaimProposal
from intake.services.proposals import (
    ProposalDecided,
    proposal_accept,
    proposal_reject,
    proposals_generate,
)
from ownership.models import Entity
from tests.factories import EntityFactory, EvidenceFactory

TEXT = """Lynas Extends Its Lead Outside China

Lynas Rare Earths said on Tuesday that its Kalgoorlie processing plant produced 1,200 tonnes of mixed rare earth carbonate in the June quarter, up 35% from a year earlier. The company expects to spend A$500 million on the expansion of its Mt Weld mine by 2026.

Japan's JOGMEC holds a stake in Lynas through a loan facility. This is a wake-up call for Beijing.

Revenue fell to A$112.5 million in the quarter, according to Reuters.
"""


@pytest.fixture
def lynas(db):
    return EntityFactory(
        name="Lynas Rare Earths Ltd",
        slug="lynas",
        kind=Entity.Kind.PRIVATE_COMPANY,
        country="AU",
        aliases=["Lynas Rare Earths", "Lynas"],
    )


@pytest.fixture
def article(db, lynas):
    outlet = EntityFactory(name="Mining Daily", slug="mining-daily", kind=Entity.Kind.MEDIA_OUTLET)
    EntityFactory(name="JOGMEC", slug="jogmec", kind=Entity.Kind.GOVERNMENT_BODY, country="JP")
    article = Article.objects.create(
        key="lynas-q2", title="Lynas Extends Its Lead Outside China", text=TEXT, outlet=outlet
    )
    run = proposals_generate(article=article)
    assert run.created == 4
    return article


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def proposal(article: Article, needle: str) -> ClaimProposal:
    return ClaimProposal.objects.get(article=article, text__contains=needle)


def change_url(p: ClaimProposal) -> str:
    return reverse("admin:intake_claimproposal_change", args=[p.pk])


def form_data(p: ClaimProposal, **extra) -> dict:
    return {
        "restatement": p.restatement,
        "kind": p.kind,
        "origin": p.origin_id or "",
        "subjects": [s.pk for s in p.subjects.all()],
        **extra,
    }


def test_the_proposal_page_shows_span_figures_reasons_and_origin(admin_client, article):
    p = proposal(article, "1,200 tonnes")
    html = admin_client.get(change_url(p)).content.decode()
    assert "Save and accept as a claim" in html and "Reject" in html
    assert "1,200 tonnes" in html and "1,200 t" in html  # the figure as read
    assert "Lynas Rare Earths said" in html  # the detected attribution
    assert "Merge into the matching claim" not in html  # nothing to merge into
    listing = admin_client.get(reverse("admin:intake_claimproposal_changelist"))
    assert listing.status_code == 200 and "(own voice)" in listing.content.decode()


def test_an_editor_edits_then_accepts_a_proposal(admin_client, article, lynas):
    p = proposal(article, "1,200 tonnes")
    data = form_data(
        p, restatement="Lynas made 1,200 t of MREC in the June quarter.", kind="figure"
    )
    data["_accept"] = "1"

    response = admin_client.post(change_url(p), data)

    assert response.status_code == 302
    p.refresh_from_db()
    claim = p.claim
    assert p.status == ClaimProposal.Status.ACCEPTED and p.decided_by.username == "ed"
    assert claim.status == Claim.Status.UNREVIEWED and claim.version == 1
    assert claim.text == article.text[claim.span_start : claim.span_end] == p.text
    assert claim.restatement == "Lynas made 1,200 t of MREC in the June quarter."
    assert claim.origin == lynas and list(claim.subjects.all()) == [lynas]
    assert {"value": 1200, "unit": "t"} in claim.figures and {
        "value": 35,
        "unit": "%",
    } in claim.figures
    assert not any(f.get("unit") == "year" for f in claim.figures)


def test_a_rejected_proposal_is_remembered_and_not_proposed_again(admin_client, article):
    p = proposal(article, "Revenue fell")
    response = admin_client.post(change_url(p), form_data(p, _reject="1"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ClaimProposal.Status.REJECTED and p.claim is None

    run = proposals_generate(article=article)

    assert (run.created, run.skipped_rejected, run.already) == (0, 1, 3)
    assert ClaimProposal.objects.filter(article=article, text__contains="Revenue fell").count() == 1
    # A decided proposal is read-only and offers no decision buttons.
    html = admin_client.get(change_url(p)).content.decode()
    assert "Save and accept as a claim" not in html


def test_bulk_accept_and_bulk_reject(admin_client, article):
    changelist = reverse("admin:intake_claimproposal_changelist")
    ids = list(article.proposals.order_by("span_start").values_list("pk", flat=True))

    admin_client.post(changelist, {"action": "accept_selected", "_selected_action": ids[:3]})
    response = admin_client.post(
        changelist, {"action": "reject_selected", "_selected_action": ids}, follow=True
    )

    statuses = dict(ClaimProposal.objects.values_list("pk", "status"))
    assert [statuses[i] for i in ids] == ["accepted"] * 3 + ["rejected"]
    assert Claim.objects.filter(article=article).count() == 3
    html = response.content.decode()
    assert "1 proposal(s) rejected." in html and "was already decided (accepted)" in html


def test_a_restating_proposal_links_the_existing_claim_and_is_merged(
    admin_client, seeded, tmp_path
):
    from intake.ingest import ingest

    seed = Article.objects.get(key="nre-h1-2025")
    existing = Claim.objects.get(key="nre-metals-output-growth")
    EvidenceFactory(claim=existing, url="https://www.reuters.com/markets/nre-h1")
    copy = tmp_path / "copy.txt"
    copy.write_text(seed.text, encoding="utf-8")
    article = ingest(str(copy), url="https://mirror.example.net/nre").article
    p = proposal(article, "Rare earth metals output jumped 60.4%")
    assert p.matched_claim == existing and "same figures 60.4%" in p.match_reason

    html = admin_client.get(change_url(p)).content.decode()
    assert "Unreviewed" in html and "1 evidence" in html and "Merge into the matching claim" in html

    claims_before = Claim.objects.count()
    changelist = reverse("admin:intake_claimproposal_changelist")
    matched = list(
        article.proposals.filter(matched_claim__isnull=False).values_list("pk", flat=True)
    )
    admin_client.post(changelist, {"action": "merge_selected", "_selected_action": matched})

    p.refresh_from_db()
    assert (p.status, p.claim) == (ClaimProposal.Status.MERGED, existing)
    assert Claim.objects.count() == claims_before  # no new claim
    assert existing.proposals.get() == p


def test_an_editor_keeps_a_matching_proposal_separate_by_accepting_it(
    admin_client, seeded, tmp_path
):
    from intake.ingest import ingest

    seed = Article.objects.get(key="nre-h1-2025")
    copy = tmp_path / "copy.txt"
    copy.write_text(seed.text, encoding="utf-8")
    article = ingest(str(copy)).article
    p = proposal(article, "Rare earth metals output jumped 60.4%")
    assert p.matched_claim is not None

    nre = Entity.objects.get(slug="northern-rare-earth")
    admin_client.post(change_url(p), form_data(p, origin=nre.pk, _accept="1"))

    p.refresh_from_db()
    assert p.status == ClaimProposal.Status.ACCEPTED and p.claim.article == article
    assert p.claim != p.matched_claim


def test_an_accept_without_any_origin_is_refused_in_words(admin_client, db):
    article = Article.objects.create(
        key="no-outlet", title="t", text="Heading\n\nUnknown Corp said output rose 35% in 2024.\n"
    )
    proposals_generate(article=article)
    p = article.proposals.get()
    assert p.origin is None
    response = admin_client.post(
        reverse("admin:intake_claimproposal_changelist"),
        {"action": "accept_selected", "_selected_action": [p.pk]},
        follow=True,
    )
    assert "Say who asserted the claim (its origin)." in response.content.decode()
    p.refresh_from_db()
    assert p.status == ClaimProposal.Status.PENDING and not Claim.objects.exists()


def test_a_proposal_is_decided_once_and_only_by_editors(article, editor, reviewer):
    p = proposal(article, "Revenue fell")
    with pytest.raises(PermissionDenied):
        proposal_accept(proposal=p, actor=reviewer)
    proposal_reject(proposal=p, actor=editor)
    with pytest.raises(ProposalDecided):
        proposal_accept(proposal=ClaimProposal.objects.get(pk=p.pk), actor=editor)
    assert not Claim.objects.exists()


def test_the_article_admin_links_pending_proposals_and_proposes_again(admin_client, article):
    listing = admin_client.get(reverse("admin:claims_article_changelist")).content.decode()
    assert "4 pending" in listing
    response = admin_client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "propose_claims", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "0 new proposal(s)" in response.content.decode()


def test_the_proposal_list_takes_a_constant_number_of_queries(
    admin_client, article, django_assert_max_num_queries
):
    url = reverse("admin:intake_claimproposal_changelist")
    with django_assert_max_num_queries(12):
        assert admin_client.get(url).status_code == 200


def test_propose_claims_command(article, capsys):
    from django.core.management import call_command

    call_command("propose_claims", "lynas-q2", verbosity=0)
    assert "lynas-q2: 0 new proposal(s)" in capsys.readouterr().out
    with pytest.raises(Exception, match="No article with key"):
        call_command("propose_claims", "nope", verbosity=0)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(Path(tmp_path) / "media")


@pytest.mark.django_db
def test_the_proposals_old_admin_address_leads_to_the_new_one(admin_client):
    response = admin_client.get("/admin/claims/claimproposal/?status__exact=pending")
    assert response.status_code == 302
    assert response["Location"] == "/admin/intake/claimproposal/?status__exact=pending"
    response = admin_client.get("/admin/claims/claimproposal/12/change/")
    assert response["Location"] == "/admin/intake/claimproposal/12/change/"

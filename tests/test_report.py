"""The vetted article (claims/reports.py, claims/views/report.py): every status and a claim
with no evidence render; the text is escaped; unpublished reports are 404 for anonymous
readers; only editors publish; the ClaimReview JSON-LD is embedded; archived copies are
sandboxed."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from lxml import html as lxml_html

from claims.models import Article, Claim, StatusChange
from claims.services.reports import article_set_report_published
from claims.services.status import claim_set_status
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXT = (
    "Northern Rare Earth said net profit rose 1,882.5% in the first half. "
    "Rare earth output jumped 60.4% year-on-year.\n\n"
    "The company plans <script>alert('x')</script> a new smelter in 2026. "
    "Baogang owns the controlling stake. Prices fell 12% in May. Exports doubled."
)
SPANS = {
    "independently_verified": "net profit rose 1,882.5% in the first half",
    "state_sourced": "Rare earth output jumped 60.4% year-on-year",
    "disputed": "The company plans <script>alert('x')</script> a new smelter in 2026",
    "unverifiable": "Baogang owns the controlling stake",
    "in_review": "Prices fell 12% in May",
    "unreviewed": "Exports doubled",
}


@pytest.fixture
def article(db):
    china = EntityFactory(name="People's Republic of China", slug="cn", kind="state", country="CN")
    baogang = EntityFactory(name="Baogang Group", slug="baogang", kind="soe", country="CN")
    northern = EntityFactory(name="China Northern Rare Earth", slug="nre", kind="soe", country="CN")
    OwnershipFactory(owner=china, owned=baogang)
    OwnershipFactory(owner=baogang, owned=northern)
    thomson = EntityFactory(name="Thomson Reuters", slug="tr")
    reuters = EntityFactory(name="Reuters", slug="reuters", kind="media_outlet")
    OwnershipFactory(owner=thomson, owned=reuters)
    xinhua = EntityFactory(name="Xinhua", slug="xinhua", kind="media_outlet", country="CN")
    OwnershipFactory(owner=china, owned=xinhua)
    editor = UserFactory(groups=["editor"])
    art = ArticleFactory(key="nre-h1", title="Northern Rare Earth's H1 <b>results</b>", text=TEXT)
    for status, span in SPANS.items():
        claim = ClaimFactory(article=art, key=status.replace("_", "-"), span=span, origin=northern)
        if status == "independently_verified":
            EvidenceFactory(claim=claim, url="https://www.reuters.com/a", publisher=reuters)
        if status == "state_sourced":
            EvidenceFactory(claim=claim, url="https://xinhuanet.com/a", publisher=xinhua)
        if status in ("unreviewed", "in_review"):
            if status == "in_review":
                claim_set_status(
                    claim=claim,
                    status=status,
                    actor=None,
                    rationale="",
                    version=1,
                )
            continue
        # An editor's override sets every verdict, whatever the evidence would suggest.
        claim_set_status(
            claim=claim,
            status=status,
            actor=editor,
            rationale=f"Rationale for {status}.",
            version=claim.version,
            override=True,
        )
    return art


def css(node, selector: str) -> list:
    """A small CSS subset over lxml with XPath (no cssselect dependency): descendants
    `tag.class1.class2[attr="v"]`, several selectors separated by spaces (descendant) or
    commas (either)."""
    out: list = []
    for alternative in selector.split(","):
        xpath = "."
        for step in alternative.split():
            m = re.fullmatch(r"([a-z0-9*]*)((?:\.[\w-]+)*)((?:\[[\w-]+=\"[^\"]*\"\])*)", step)
            tag, classes, attrs = m.group(1) or "*", m.group(2), m.group(3)
            preds = [
                f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')"
                for c in classes.split(".")
                if c
            ]
            preds += [f"@{k}='{v}'" for k, v in re.findall(r'\[([\w-]+)="([^"]*)"\]', attrs)]
            if tag == "svg" or tag == "rect":
                xpath += f"//*[local-name()='{tag}']"
            else:
                xpath += f"//{tag}"
            xpath += "".join(f"[{p}]" for p in preds)
        out.extend(node.xpath(xpath))
    return out


def report_url(article: Article) -> str:
    return reverse("claims:report", args=[article.key])


def test_the_report_renders_every_status_and_a_claim_with_no_evidence(client, article, editor):
    client.force_login(editor)
    response = client.get(report_url(article))
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    cards = css(doc, ".claim-card")
    assert len(cards) == 6
    statuses = {c.get("class").split()[1] for c in cards}
    assert statuses == {f"status-{s}" for s in SPANS}
    # Each status in the summary legend with its count, and the bar has a segment per status.
    for status in SPANS:
        li = css(doc, f".legend-{status}")[0]
        assert css(li, "strong")[0].text == "1"
    assert len(css(doc, ".summary .bar rect")) == 6
    # Highlights: one link per claim, in its status colour, to its card.
    for card in cards:
        number = card.get("id").removeprefix("claim-")
        status = card.get("class").split()[1]
        links = css(doc, f'a.hl[data-claim="{number}"]')
        assert links and all(status in a.get("class") for a in links)
        assert all(a.get("href") == f"#claim-{number}" for a in links)
    # The claims with no evidence say so.
    assert len(css(doc, ".no-evidence")) == 4
    # Sources with publisher, badge and an archived copy link.
    verified = css(doc, ".claim-card.status-independently_verified")[0]
    assert "Reuters" in verified.text_content()
    assert css(verified, ".badge-independent")
    assert css(verified, "a.archived")
    state = css(doc, ".claim-card.status-state_sourced")[0]
    assert css(state, ".badge-same_group, .badge-echo")
    assert "state-controlled" in state.text_content()
    # Verdicts and reasons.
    assert "Rationale for disputed." in css(doc, ".claim-card.status-disputed")[0].text_content()
    assert "no verdict" in css(doc, ".claim-card.status-unreviewed")[0].text_content()
    # The ownership picture for each claim is inline SVG.
    assert len(css(doc, ".claim-card figure.ownership svg")) == 6


def test_article_text_and_title_are_escaped(client, article, editor):
    client.force_login(editor)
    body = client.get(report_url(article)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<b>results</b>" not in body


def test_claimreview_json_ld_for_each_decided_claim(client, article, editor):
    client.force_login(editor)
    doc = lxml_html.fromstring(client.get(report_url(article)).content)
    blocks = doc.xpath('//script[@type="application/ld+json"]')
    reviews = [json.loads(b.text) for b in blocks]
    assert len(reviews) == 4  # unreviewed and in review have no verdict
    names = {r["reviewRating"]["alternateName"] for r in reviews}
    assert names == {"Independently verified", "State-sourced", "Disputed", "Unverifiable"}
    disputed = next(r for r in reviews if r["reviewRating"]["alternateName"] == "Disputed")
    # The claim's markup cannot close the script element.
    assert "</script>" not in blocks[[r is disputed for r in reviews].index(True)].text
    assert "<script>" in disputed["claimReviewed"]
    assert re.search(r"/articles/nre-h1/report/#claim-\d+$", disputed["url"])


def test_an_unpublished_report_is_404_for_anonymous_and_non_staff(client, article, consumer):
    assert client.get(report_url(article)).status_code == 404
    client.force_login(consumer)
    assert client.get(report_url(article)).status_code == 404


def test_reviewers_read_the_unpublished_report(client, article, reviewer):
    client.force_login(reviewer)
    response = client.get(report_url(article))
    assert response.status_code == 200
    assert b"not published: staff only" in response.content
    assert b"Publish this report" not in response.content  # reviewers do not publish


def test_an_editor_publishes_and_anonymous_readers_see_it_read_only(client, article, editor):
    client.force_login(editor)
    # First a confirmation step, which changes nothing.
    response = client.post(reverse("claims:report-publish", args=[article.key]), {"published": "1"})
    assert response.status_code == 200
    assert b"Anyone with the link will be able to read it" in response.content
    assert b"Yes, publish it" in response.content
    article.refresh_from_db()
    assert not article.report_published
    response = client.post(
        reverse("claims:report-publish", args=[article.key]), {"published": "1", "confirmed": "1"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.report_published and article.report_published_by == editor
    client.logout()
    response = client.get(report_url(article))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<form" not in body and "csrfmiddlewaretoken" not in body
    assert "not published" not in body
    assert "Rationale for disputed." in body
    assert "admin/" not in body  # no staff links for the public


def test_withdrawing_makes_it_404_again(client, article, editor):
    article_set_report_published(article=article, published=True, actor=editor)
    assert client.get(report_url(article)).status_code == 200
    article_set_report_published(article=article, published=False, actor=editor)
    assert client.get(report_url(article)).status_code == 404


def test_reviewers_may_not_publish(client, article, reviewer):
    with pytest.raises(PermissionDenied):
        article_set_report_published(article=article, published=True, actor=reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("claims:report-publish", args=[article.key]), {"published": "1"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert not article.report_published


def test_a_bad_publish_value_is_a_message_not_a_500(client, article, editor):
    client.force_login(editor)
    response = client.post(
        reverse("claims:report-publish", args=[article.key]), {"published": "maybe"}, follow=True
    )
    assert response.status_code == 200
    assert b"published=1" in response.content
    article.refresh_from_db()
    assert not article.report_published


def test_the_archived_copy_is_sandboxed_and_follows_the_report(client, article, editor):
    ev = Claim.objects.get(key="independently-verified").evidence.get()
    ev.snapshot.content_type = "text/html"
    ev.snapshot.body.save("b.html", ContentFile(b"<script>steal()</script>hello"), save=True)
    url = reverse("claims:report-archive", args=[article.key, ev.pk])
    assert client.get(url).status_code == 404  # unpublished: nothing for anonymous readers
    article_set_report_published(article=article, published=True, actor=editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content).endswith(b"hello")
    # Evidence of another article is not reachable through this report.
    other = EvidenceFactory(claim=ClaimFactory())
    url = reverse("claims:report-archive", args=[article.key, other.pk])
    assert client.get(url).status_code == 404


def test_an_article_without_claims_renders(client, editor):
    art = ArticleFactory(key="empty", text="Nothing checkable here.")
    client.force_login(editor)
    response = client.get(report_url(art))
    assert response.status_code == 200
    assert b"no claims on the desk yet" in response.content


def test_overlapping_and_out_of_range_spans_do_not_break_the_text(client, editor):
    art = ArticleFactory(key="overlap", text="Alpha beta gamma delta.")
    ClaimFactory(article=art, key="a", span="Alpha beta gamma")
    ClaimFactory(article=art, key="b", span="beta gamma delta")
    client.force_login(editor)
    doc = lxml_html.fromstring(client.get(report_url(art)).content)
    text = css(doc, ".article-text")[0].text_content()
    assert "Alpha beta gamma delta." in text.replace("1", "").replace("2", "")
    assert css(doc, "a.hl.overlap")


def test_queries_do_not_grow_with_claims(client, article, editor, django_assert_max_num_queries):
    client.force_login(editor)
    client.get(report_url(article))
    with django_assert_max_num_queries(14):
        client.get(report_url(article))
    for i in range(10):
        claim = ClaimFactory(article=article, key=f"more-{i}", span="Exports doubled")
        EvidenceFactory(claim=claim)
    with django_assert_max_num_queries(14):
        client.get(report_url(article))


def test_the_report_links_from_the_admin_article_page(client, article, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:claims_article_change", args=[article.pk]))
    assert report_url(article).encode() in response.content


def test_the_claim_page_links_the_report_and_the_picture(client, article, reviewer):
    claim = Claim.objects.get(key="disputed")
    client.force_login(reviewer)
    response = client.get(reverse("claims:detail", args=[claim.pk]))
    assert report_url(article).encode() in response.content
    assert reverse("claims:ownership-svg", args=[claim.pk]).encode() in response.content


def test_api_consumers_have_no_claim_picture(client, article, consumer):
    claim = Claim.objects.get(key="disputed")
    client.force_login(consumer)
    assert client.get(reverse("claims:ownership-svg", args=[claim.pk])).status_code == 403


def test_editors_publish_from_the_article_list_action(client, article, editor):
    client.force_login(editor)
    confirm = client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "publish_reports", "_selected_action": [article.pk]},
    )
    assert confirm.status_code == 200 and b"Yes, publish 1 report" in confirm.content
    article.refresh_from_db()
    assert not article.report_published
    response = client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "publish_reports", "_selected_action": [article.pk], "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert b"1 vetting report(s) published" in response.content
    article.refresh_from_db()
    assert article.report_published
    page = client.get(reverse("admin:claims_article_change", args=[article.pk]))
    assert b"published " in page.content and b"anyone with the link" in page.content
    confirm = client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "withdraw_reports", "_selected_action": [article.pk]},
    )
    assert b"Yes, withdraw 1 report" in confirm.content
    article.refresh_from_db()
    assert article.report_published
    client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "withdraw_reports", "_selected_action": [article.pk], "confirmed": "yes"},
    )
    article.refresh_from_db()
    assert not article.report_published


def test_staff_without_the_permission_cannot_publish_from_the_admin(client, article):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    client.force_login(clerk)
    response = client.post(
        reverse("admin:claims_article_changelist"),
        {"action": "publish_reports", "_selected_action": [article.pk]},
        follow=True,
    )
    assert b"Only editors may publish" in response.content
    article.refresh_from_db()
    assert not article.report_published


#: Wording of the desk that a reader of the public report must never see: the rule's working,
#: failure reasons, staff hints, internal badges and links (issue 25).
STAFF_WORDING = [
    "Did not count",
    "Suggestion:",
    "no suggestion yet",
    "needs sources",
    "archive it again",
    "replace the URL",
    "snapshot failed",
    "DNS lookup failed",
    "Not archived",
    "not archived",
    "archiving…",
    "Unknown publisher",
    "an editor must classify",
    "Origin:",
    "independent group",
    "same-group source",
    "override of the rule",
    "over the suggestion rule",
    "The rule, on today's evidence",
    "Since the verdict, the rule says",
    "Claim on the desk",
    "in admin",
    "See it as a reader",
    "Publish this report",
    "Withdraw",
    "/admin/",
]


@pytest.fixture
def with_failures(article):
    """The verified claim also has a source whose archive failed (DNS) and one whose publisher
    nobody has classified: the desk's view names both, the reader's names neither."""
    claim = Claim.objects.get(article=article, key="independently-verified")
    EvidenceFactory(
        claim=claim,
        url="https://www.reuters.com/failed",
        publisher=claim.evidence.first().publisher,
        snapshot__archived=False,
        snapshot__failed=True,
        snapshot__error="DNS lookup failed for www.reuters.com: Name or service not known",
    )
    EvidenceFactory(claim=claim, url="https://argusmedia.com/x", publisher=None)
    Claim.objects.filter(pk=claim.pk).update(version=claim.version)
    return article


def test_the_reader_sees_verdicts_rationales_and_counting_sources_only(
    client, with_failures, editor
):
    article_set_report_published(article=with_failures, published=True, actor=editor)
    body = client.get(report_url(with_failures)).content.decode()
    for words in STAFF_WORDING:
        assert words not in body, words
    # No reviewer's or editor's name.
    actors = {c.actor.username for c in StatusChange.objects.filter(actor__isnull=False)}
    assert actors and not any(f"· {name}" in body for name in actors)
    doc = lxml_html.fromstring(body)
    verified = css(doc, ".claim-card.status-independently_verified")[0]
    text = verified.text_content()
    # The verdict in words, the editors' reasoning, the one source that counts, its owner.
    assert "owners have nothing in common with the claimant" in text
    assert "Rationale for independently_verified." in text
    assert len(css(verified, "li.source")) == 1
    assert "Reuters" in text and "Controlled by Thomson Reuters" in text
    assert css(verified, "a.archived")
    assert "argusmedia.com" not in text and "/failed" not in text
    # ClaimReview markup for the decided claims, in the reader's words.
    reviews = [json.loads(b.text) for b in doc.xpath('//script[@type="application/ld+json"]')]
    assert len(reviews) == 4
    assert all("Did not count" not in r["reviewRating"]["ratingExplanation"] for r in reviews)


def test_staff_see_the_desk_view_and_may_preview_the_readers(client, with_failures, editor):
    client.force_login(editor)
    body = client.get(report_url(with_failures)).content.decode()
    assert "Did not count" in body and "DNS lookup failed" in body
    assert "See it as a reader" in body
    preview = client.get(report_url(with_failures) + "?as=reader").content.decode()
    assert "Did not count" not in preview and "DNS lookup failed" not in preview
    assert "as a reader sees it" in preview and "Publish this report" not in preview

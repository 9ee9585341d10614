"""Status badges for the newsroom's own site (issue 25): `/embed/claims/<id>/` and
`/embed/articles/<key>/`, small pages meant for an `<iframe>`, showing a claim's verdict or an
article's claims by status, with a link to the public report.

Only claims of published reports have a badge (anything else is a 404, like the report).
Framing: `Content-Security-Policy: frame-ancestors` lists `REEX_EMBED_ORIGINS` (else this site
only), so a page on another origin gets a refused frame; nothing in the badge runs or loads
from elsewhere. Cached like the public report: `Cache-Control: public, max-age=REEX_EMBED_MAX_AGE`.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from claims.claimreview import READER_VERDICTS
from claims.models import Article, Claim
from claims.reports import STATUS_COLOURS, STATUS_ORDER


def embed_headers(response: HttpResponse) -> HttpResponse:
    ancestors = " ".join(settings.REEX_EMBED_ORIGINS) or "'self'"
    response["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'none'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"frame-ancestors {ancestors}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    response["Cache-Control"] = f"public, max-age={settings.REEX_EMBED_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex"
    return response


def _report_url(request: HttpRequest, article: Article, anchor: str = "") -> str:
    return request.build_absolute_uri(reverse("claims:report", args=[article.key])) + anchor


@require_GET
@xframe_options_exempt  # framing is governed by frame-ancestors above
def embed_claim(request: HttpRequest, pk: int) -> HttpResponse:
    claim = (
        Claim.objects.select_related("article")
        .filter(pk=pk, article__report_published=True)
        .first()
    )
    if claim is None:
        raise Http404("No published claim with that number.")
    number = (
        Claim.objects.filter(article_id=claim.article_id)
        .filter(
            Q(span_start__lt=claim.span_start) | Q(span_start=claim.span_start, id__lt=claim.pk)
        )
        .count()
        + 1
    )
    response = render(
        request,
        "claims/embed_claim.html",
        {
            "claim": claim,
            "verdict": READER_VERDICTS[claim.status],
            "colour": STATUS_COLOURS[claim.status],
            "report_url": _report_url(request, claim.article, f"#claim-{number}"),
        },
    )
    return embed_headers(response)


@require_GET
@xframe_options_exempt
def embed_article(request: HttpRequest, key: str) -> HttpResponse:
    article = Article.objects.filter(key=key, report_published=True).first()
    if article is None:
        raise Http404("No published report for that article.")
    tally = Counter(Claim.objects.filter(article=article).values_list("status", flat=True))
    counts = [
        {"status": s.value, "label": s.label, "count": tally[s.value], "colour": STATUS_COLOURS[s]}
        for s in STATUS_ORDER
        if tally[s.value]
    ]
    total = sum(tally.values())
    x = 0.0
    for c in counts:
        c["x"], c["width"] = round(x, 2), round(200 * c["count"] / total, 2)
        x += c["width"]
    response = render(
        request,
        "claims/embed_article.html",
        {
            "article": article,
            "counts": counts,
            "total": total,
            "report_url": _report_url(request, article),
        },
    )
    return embed_headers(response)

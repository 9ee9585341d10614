from django.urls import path

from claims.views import dashboard, desk, embed, report

app_name = "claims"


def _evidence(rest: str, view, name: str):
    """A route under one source of one claim: /claims/<pk>/evidence/<evidence_id>/<rest>."""
    return path(f"claims/<int:pk>/evidence/<int:evidence_id>/{rest}", view, name=name)


urlpatterns = [
    path("", desk.queue, name="queue"),
    path("claims/<int:pk>/", desk.claim_detail, name="detail"),
    path("claims/<int:pk>/take/", desk.take, name="take"),
    path("claims/<int:pk>/release/", desk.release, name="release"),
    path("claims/<int:pk>/evidence/", desk.attach, name="attach"),
    path("claims/<int:pk>/decide/", desk.decide, name="decide"),
    # Fragments (htmx): the suggestion panel, one evidence row, an archived copy and its text.
    path("claims/<int:pk>/suggestion/", desk.suggestion, name="suggestion"),
    _evidence("", desk.evidence_row, "evidence-row"),
    _evidence("archive/", desk.evidence_archive, "evidence-archive"),
    _evidence("text/", desk.evidence_text, "evidence-text"),
    _evidence("recapture/", desk.evidence_recapture, "evidence-recapture"),
    # WACZ bundles of evidence for an editor (every archived copy, one file).
    path("claims/<int:pk>/evidence.wacz", desk.claim_wacz, name="claim-wacz"),
    path("articles/<slug:key>/evidence.wacz", desk.article_wacz, name="article-wacz"),
    _evidence("classify/", desk.classify_request, "classify-request"),
    # A source's next steps (issue 25): retry its archive, replace its URL, remove it.
    _evidence("retry/", desk.evidence_retry, "evidence-retry"),
    _evidence("replace/", desk.evidence_replace, "evidence-replace"),
    _evidence("remove/", desk.evidence_delete, "evidence-remove"),
    # The vetted article (issue 12): staff always, anyone once an editor publishes it.
    path("articles/<slug:key>/report/", report.article_report, name="report"),
    path(
        "articles/<slug:key>/report/publish/",
        report.article_report_publish,
        name="report-publish",
    ),
    path(
        "articles/<slug:key>/report/sources/<int:evidence_id>/archive/",
        report.report_archive,
        name="report-archive",
    ),
    path("claims/<int:pk>/ownership.svg", report.claim_ownership, name="ownership-svg"),
    # Status badges for the newsroom's own site (issue 25): framed by REEX_EMBED_ORIGINS only.
    path("embed/claims/<int:pk>/", embed.embed_claim, name="embed-claim"),
    path("embed/articles/<slug:key>/", embed.embed_article, name="embed-article"),
    # The editors' dashboard (issue 25).
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/<slug:chart>.csv", dashboard.dashboard_csv, name="dashboard-csv"),
]

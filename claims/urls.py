from django.urls import path

from claims import dashboard_views, embed_views, report_views, views

app_name = "claims"


def _evidence(rest: str, view, name: str):
    """A route under one source of one claim: /claims/<pk>/evidence/<evidence_id>/<rest>."""
    return path(f"claims/<int:pk>/evidence/<int:evidence_id>/{rest}", view, name=name)


urlpatterns = [
    path("", views.queue, name="queue"),
    path("claims/<int:pk>/", views.claim_detail, name="detail"),
    path("claims/<int:pk>/take/", views.take, name="take"),
    path("claims/<int:pk>/release/", views.release, name="release"),
    path("claims/<int:pk>/evidence/", views.attach, name="attach"),
    path("claims/<int:pk>/decide/", views.decide, name="decide"),
    # Fragments (htmx): the suggestion panel, one evidence row, an archived copy and its text.
    path("claims/<int:pk>/suggestion/", views.suggestion, name="suggestion"),
    _evidence("", views.evidence_row, "evidence-row"),
    _evidence("archive/", views.evidence_archive, "evidence-archive"),
    _evidence("text/", views.evidence_text, "evidence-text"),
    _evidence("recapture/", views.evidence_recapture, "evidence-recapture"),
    # WACZ bundles of evidence for an editor (every archived copy, one file).
    path("claims/<int:pk>/evidence.wacz", views.claim_wacz, name="claim-wacz"),
    path("articles/<slug:key>/evidence.wacz", views.article_wacz, name="article-wacz"),
    _evidence("classify/", views.classify_request, "classify-request"),
    # A source's next steps (issue 25): retry its archive, replace its URL, remove it.
    _evidence("retry/", views.evidence_retry, "evidence-retry"),
    _evidence("replace/", views.evidence_replace, "evidence-replace"),
    _evidence("remove/", views.evidence_delete, "evidence-remove"),
    # The vetted article (issue 12): staff always, anyone once an editor publishes it.
    path("articles/<slug:key>/report/", report_views.article_report, name="report"),
    path(
        "articles/<slug:key>/report/publish/",
        report_views.article_report_publish,
        name="report-publish",
    ),
    path(
        "articles/<slug:key>/report/sources/<int:evidence_id>/archive/",
        report_views.report_archive,
        name="report-archive",
    ),
    path("claims/<int:pk>/ownership.svg", report_views.claim_ownership, name="ownership-svg"),
    # Status badges for the newsroom's own site (issue 25): framed by REEX_EMBED_ORIGINS only.
    path("embed/claims/<int:pk>/", embed_views.embed_claim, name="embed-claim"),
    path("embed/articles/<slug:key>/", embed_views.embed_article, name="embed-article"),
    # The editors' dashboard (issue 25).
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/<slug:chart>.csv", dashboard_views.dashboard_csv, name="dashboard-csv"),
]

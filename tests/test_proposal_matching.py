"""Matching a proposal to an existing claim across articles by its figures (the figure index,
claims.models.ClaimFigure), on the real database: a restated figure is linked even when the
second article names nobody the desk knows, and says why; a common figure alone is not."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from claims.models import ClaimFigure
from claims.services.creation import claim_create
from intake.models import ClaimProposal
from intake.services.proposals import proposals_generate
from ownership.models import Entity
from tests.factories import ArticleFactory, EntityFactory

FIRST = (
    "China Northern Rare Earth Group said net profit attributable to shareholders for the first "
    "half of 2025 climbed by between 1,882.5% and 2,014.7% year-on-year. Output rose 40% in the "
    "period, the company said, and it shipped 12,500 tonnes of separated oxides."
)
SECOND = """A restated figure

Profits at the country's biggest producer of the light rare earths jumped by between 1,882.5%
and 2,014.7% in the first half, a filing showed this week.

Elsewhere, sales of magnets rose 40% at a smaller producer in Jiangxi, which has hired 40 new
engineers this year and is adding a second line.
"""


@pytest.fixture
def nre(db):
    return EntityFactory(
        name="China Northern Rare Earth Group",
        slug="nre",
        kind=Entity.Kind.SOE,
        country="CN",
        aliases=["Northern Rare Earth"],
    )


@pytest.fixture
def first_claims(nre):
    article = ArticleFactory(key="nre-h1", text=FIRST)

    def make(span, figures):
        start = FIRST.index(span)
        return claim_create(
            article=article,
            span_start=start,
            span_end=start + len(span),
            kind="figure",
            origin=nre,
            figures=figures,
            subjects=[nre],
        )

    profit = make(
        "net profit attributable to shareholders for the first half of 2025 climbed by between "
        "1,882.5% and 2,014.7% year-on-year",
        [{"low": 1882.5, "high": 2014.7, "unit": "%"}],
    )
    output = make("Output rose 40% in the period", [{"value": 40, "unit": "%"}])
    return profit, output


def test_every_claims_figures_are_indexed_and_follow_edits(first_claims):
    profit, output = first_claims
    assert list(ClaimFigure.objects.filter(claim=profit).values_list("unit", "low", "high")) == [
        ("%", 1882.5, 2014.7)
    ]
    output.figures = [{"value": 12500, "unit": "tonnes"}]
    output.save()
    assert list(ClaimFigure.objects.filter(claim=output).values_list("unit", "low", "high")) == [
        ("t", 12500.0, 12500.0)
    ]


def test_a_restated_figure_in_a_second_article_is_linked_with_no_shared_subject(first_claims):
    profit, _output = first_claims
    second = ArticleFactory(key="restated", title="A restated figure", text=SECOND)
    proposals_generate(article=second)
    restated = ClaimProposal.objects.get(article=second, text__contains="1,882.5%")
    assert list(restated.subjects.all()) == []  # nobody the desk knows is named
    assert restated.matched_claim == profit
    assert restated.match_reason == "same figures 1,882.5%–2,014.7%, subject not recognised"
    # "rose 40%" about someone else is not the first article's "Output rose 40%": a common
    # figure alone, in different words, links nothing.
    other = ClaimProposal.objects.get(article=second, text__contains="rose 40%")
    assert other.matched_claim is None


def test_named_but_unknown_subjects_are_stored_and_the_editor_can_add_them(
    first_claims, admin_client
):
    second = ArticleFactory(key="restated", title="A restated figure", text=SECOND)
    proposals_generate(article=second)
    jiangxi = ClaimProposal.objects.get(article=second, text__contains="which has hired 40")
    assert list(jiangxi.subjects.all()) == []
    assert jiangxi.named_subjects == ["a smaller producer in Jiangxi"]
    page = admin_client.get(reverse("admin:intake_claimproposal_change", args=[jiangxi.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    add = (
        reverse("admin:ownership_entity_add")
        + "?"
        + urlencode({"name": "a smaller producer in Jiangxi"})
    )
    assert f'href="{escape(add)}"' in html
    assert admin_client.get(add).status_code == 200

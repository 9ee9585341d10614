"""Forms of the reviewers' desk. They validate input and carry what was typed back to the page;
the rules themselves live in claims.services (the forms never decide anything)."""

from __future__ import annotations

from django import forms

from claims.models import EXCERPT_MAX_LENGTH, RATIONALE_MAX_LENGTH, Article, Claim, Evidence
from claims.presenters import SORTS
from claims.selectors import ALL, NEEDS_WORK, PROBLEMS, QueueFilters
from claims.services.status import FINAL_STATUSES
from ownership.models import Entity

STATUS_TABS = [
    (NEEDS_WORK, "Needs work"),
    *Claim.Status.choices,
    (PROBLEMS, "Source problems"),
    (ALL, "All"),
]


class QueueFilterForm(forms.Form):
    """The queue's GET filters. Invalid values are reported and ignored (never a 500)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", choices=STATUS_TABS, required=False)
    article = forms.ModelChoiceField(
        label="Article", queryset=Article.objects.none(), required=False, empty_label="Any article"
    )
    origin = forms.ModelChoiceField(
        label="Origin", queryset=Entity.objects.none(), required=False, empty_label="Any origin"
    )
    assigned = forms.ChoiceField(
        label="Assigned",
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("unassigned", "Unassigned")],
        required=False,
    )
    sort = forms.ChoiceField(label="Sort", choices=list(SORTS.items()), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = Article.objects.only("id", "title").order_by("title")
        # Only entities that originated a claim: the list stays short however big the register.
        self.fields["origin"].queryset = (
            Entity.objects.filter(pk__in=Claim.objects.order_by().values("origin_id").distinct())
            .only("id", "name")
            .order_by("name")
        )

    def options(self) -> dict[str, list[tuple]]:
        """(value, label) pairs for the selects. The template loops over these itself: Django's
        select widget renders each option through a template, which costs ~0.2 ms an option
        (100 ms for 500 articles)."""
        return {
            "article": list(self.fields["article"].queryset.values_list("id", "title")),
            "origin": list(self.fields["origin"].queryset.values_list("id", "name")),
            "assigned": list(self.fields["assigned"].choices),
            "sort": list(self.fields["sort"].choices),
        }

    def filters(self) -> QueueFilters:
        """The valid part of the input; a bad field falls back to its default."""
        data = self.cleaned_data if self.is_bound else {}
        # cleaned_data holds only the fields that validated.
        article = data.get("article")
        origin = data.get("origin")
        return QueueFilters(
            status=data.get("status") or NEEDS_WORK,
            article=article.pk if article else None,
            origin=origin.pk if origin else None,
            assigned=data.get("assigned") or "",
            q=data.get("q") or "",
            sort=data.get("sort") or "oldest",
        )


class EvidenceForm(forms.Form):
    """Attach a source. The URL field is a plain text field: the service says what is wrong
    with an address (not http(s), duplicate, refused) in words a reviewer can act on."""

    url = forms.CharField(
        label="Source URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off"}),
    )
    stance = forms.ChoiceField(label="Stance", choices=Evidence.Stance.choices)
    excerpt = forms.CharField(
        label="Excerpt (optional)",
        required=False,
        max_length=EXCERPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        validator = forms.URLField().clean
        try:
            validator(url)
        except forms.ValidationError:
            raise forms.ValidationError(
                "That is not a web address: enter a full URL starting with http:// or https://."
            ) from None
        return url


DECISION_CHOICES = [(s.value, s.label) for s in Claim.Status if s in FINAL_STATUSES]


class DecisionForm(forms.Form):
    """A verdict with its rationale. `version` is the claim version the reviewer read: the
    service refuses the decision when the claim changed since (compare-and-swap)."""

    status = forms.ChoiceField(
        label="Verdict", choices=[("", "Choose a verdict…"), *DECISION_CHOICES]
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=RATIONALE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this verdict: which sources, what they show.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    override = forms.BooleanField(
        label="Override the suggestion rule (editors only; the audit trail marks it)",
        required=False,
    )

    def __init__(self, *args, can_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override"]

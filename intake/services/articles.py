"""Articles ingested from a URL or a file (intake.ingest drafts them): created, or compared
with the article already here and updated, and their claims proposed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from claims.models import Article
from intake.drafts import Draft
from intake.services.proposals import ProposalRun, proposals_generate
from sources.services.snapshots import snapshot_discard

#: An article key's readable part (the title's slug, cut at a word) before its digest.
KEY_SLUG_CHARS = 40


@dataclass
class IngestResult:
    """What `article_ingest` did: created, or what differs (and whether it was applied)."""

    article: Article
    created: bool
    differences: list[str] = field(default_factory=list)
    updated: bool = False
    notes: list[str] = field(default_factory=list)
    proposals: ProposalRun | None = None


def _existing(draft: Draft) -> Article | None:
    """The article already ingested from the draft's URL (or, for a file, with its key)."""
    urls = {draft.url}
    if draft.snapshot is not None:
        urls |= {draft.snapshot.final_url, draft.snapshot.canonical_url}
    urls.discard("")
    if urls:
        found = Article.objects.filter(url__in=urls).order_by("pk").first()
        if found is not None:
            return found
    if not draft.url:
        # Keys before issue 27 kept up to 80 characters of the slug: a file ingested then is
        # still found by its old key.
        keys = [_key(draft), _key(draft, slug_chars=80)]
        return Article.objects.filter(key__in=keys).order_by("pk").first()
    return None


def _key(draft: Draft, *, slug_chars: int = 0) -> str:
    """The title's slug cut at a word (at most `KEY_SLUG_CHARS` characters), then a digest of
    the URL (or, for a file, of the title): short, readable, and unique per source."""
    digest = hashlib.sha256((draft.url or draft.title).encode()).hexdigest()[:8]
    slug = slugify(draft.title)
    if slug_chars:  # the old, longer form
        return f"{slug[:slug_chars].strip('-') or 'article'}-{digest}"
    if len(slug) > KEY_SLUG_CHARS:
        cut = slug[: KEY_SLUG_CHARS + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:KEY_SLUG_CHARS]
    return f"{slug.strip('-') or 'article'}-{digest}"


def _first_difference(old: str, new: str) -> int:
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return i
    return min(len(old), len(new))


def differences(article: Article, draft: Draft) -> list[str]:
    """What the new copy says differently, one line per field."""
    out = []
    if article.title != draft.title:
        out.append(f"title: {article.title!r} → {draft.title!r}")
    if draft.published_on and article.published_on != draft.published_on:
        out.append(f"published on: {article.published_on or 'unknown'} → {draft.published_on}")
    if draft.outlet is not None and article.outlet_id != draft.outlet.pk:
        out.append(f"outlet: {article.outlet or 'unknown'} → {draft.outlet}")
    if article.text != draft.text:
        at = _first_difference(article.text, draft.text)
        out.append(
            f"text: {len(article.text):,} → {len(draft.text):,} characters, first difference "
            f"at character {at:,}: {article.text[at : at + 40]!r} → {draft.text[at : at + 40]!r}"
        )
    return out


def article_ingest(
    *,
    draft: Draft,
    update: bool = False,
    propose: bool = True,
) -> IngestResult:
    """Create the article `draft` describes, or report (and with `update`, apply) what differs
    from the article already ingested from the same URL. Proposes claims for a new article or
    a changed text (`proposals_generate`) unless `propose` is False."""
    existing = _existing(draft)
    if existing is None:
        with transaction.atomic():
            article = Article.objects.create(
                key=_key(draft),
                title=draft.title,
                url=draft.url,
                outlet=draft.outlet,
                published_on=draft.published_on,
                text=draft.text,
                snapshot=draft.snapshot,
            )
        result = IngestResult(article=article, created=True)
        if propose:
            result.proposals = proposals_generate(article=article)
        return result

    result = IngestResult(article=existing, created=False, differences=differences(existing, draft))
    if not result.differences or not update:
        if draft.snapshot is not None:
            snapshot_discard(snapshot=draft.snapshot)  # nothing changes: keep nothing new
        return result
    fields = {"snapshot": draft.snapshot} if draft.snapshot is not None else {}
    fields.update(title=draft.title)
    if draft.published_on:
        fields["published_on"] = draft.published_on
    if draft.outlet is not None:
        fields["outlet"] = draft.outlet
    text_changed = existing.text != draft.text
    with transaction.atomic():
        if text_changed:
            # Claims and decided proposals are offsets into the text: it stays frozen then.
            claims = existing.claims.count()
            decided = existing.proposals.exclude(status="pending").count()
            if claims or decided:
                result.notes.append(
                    f"The text was NOT updated: {claims} claim(s) and {decided} decided "
                    "proposal(s) point into it. Ingest the new version as a new article, or "
                    "remove them first."
                )
                text_changed = False
            else:
                fields["text"] = draft.text
                existing.proposals.all().delete()  # their offsets point into the old text
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
    result.updated = True
    if propose and text_changed:
        result.proposals = proposals_generate(article=existing)
    return result

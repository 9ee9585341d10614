"""factory_boy factories, chained by state (an archived snapshot, a supporting evidence, ...)."""

from __future__ import annotations

import hashlib
import io

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from claims.models import Article, Claim, Evidence
from ownership.models import Domain, Entity, Ownership
from sources.models import Snapshot

ARTICLE_TEXT = (
    "Northern Rare Earth said net profit rose 1,882.5% in the first half. "
    "Rare earth metals output jumped 60.4% year-on-year. "
    "Baogang Group owns the controlling stake in Northern Rare Earth."
)


def ensure_groups() -> None:
    """The groups claims migration 0003 creates. After a transactional test the flush empties
    the auth tables and the data migration does not run again (post_migrate brings back only
    content types and permissions), so the next test recreates them here when missing."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    wanted: dict[str, list[str]] = import_module("claims.migrations.0003_groups").GROUPS
    if Group.objects.filter(name__in=wanted).count() == len(wanted):
        return
    # The models ownership 0001 took over from `sources` (0002 relabelled their permissions).
    moved = import_module("ownership.migrations.0002_content_types_from_sources").MODELS
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    def label_now(label: str, codename: str) -> str:
        return "ownership" if label == "sources" and codename.split("_", 1)[1] in moved else label

    for name, dotted in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = [
            Permission.objects.get(
                content_type__app_label=label_now(label, codename), codename=codename
            )
            for label, codename in (d.split(".") for d in dotted)
        ]
        group.permissions.set(perms)
    # Later grants (claims 0007: editors resolve import conflicts and name matches).
    extra = import_module("claims.migrations.0007_editor_import_permissions").EDITOR_EXTRA
    Group.objects.get(name="editor").permissions.add(
        *Permission.objects.filter(content_type__app_label="ownership", codename__in=extra)
    )
    # Later grants (claims 0012: editors publish vetting reports).
    Group.objects.get(name="editor").permissions.add(
        Permission.objects.get(content_type__app_label="claims", codename="publish_report")
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            ensure_groups()
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
            # Editors use the admin; nobody else does.
            if "editor" in extracted and not self.is_staff:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Entity {n}")
    slug = factory.Sequence(lambda n: f"entity-{n}")
    kind = Entity.Kind.PRIVATE_COMPANY
    country = "US"


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    entity = factory.SubFactory(EntityFactory, kind=Entity.Kind.MEDIA_OUTLET)


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ownership

    owner = factory.SubFactory(EntityFactory)
    owned = factory.SubFactory(EntityFactory)
    controlling = True
    confirmed = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    key = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    text = ARTICLE_TEXT


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    class Params:
        span = "net profit rose 1,882.5% in the first half"

    article = factory.SubFactory(ArticleFactory)
    key = factory.Sequence(lambda n: f"claim-{n}")
    span_start = factory.LazyAttribute(lambda c: c.article.text.index(c.span))
    span_end = factory.LazyAttribute(lambda c: c.span_start + len(c.span))
    text = factory.LazyAttribute(lambda c: c.span)
    restatement = factory.LazyAttribute(lambda c: c.span)
    kind = Claim.Kind.FIGURE
    figures = factory.LazyFunction(lambda: [{"value": 1882.5, "unit": "%"}])
    origin = factory.SubFactory(EntityFactory, kind=Entity.Kind.SOE, country="CN")


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot

    url = factory.Sequence(lambda n: f"https://outlet{n}.example/story")
    status = Snapshot.Status.PENDING

    class Params:
        archived = factory.Trait(
            status=Snapshot.Status.ARCHIVED,
            http_status=200,
            final_url=factory.SelfAttribute("url"),
            sha256=factory.LazyAttribute(lambda s: hashlib.sha256(s.url.encode()).hexdigest()),
            title="Archived story",
            text="Net profit rose 1,882.5% in the first half, the company said.",
            archived_at=factory.LazyFunction(timezone.now),
            attempts=1,
        )
        failed = factory.Trait(
            status=Snapshot.Status.FAILED, error="HTTP 404 Not Found from the source.", attempts=1
        )


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://outlet{n}.example/story")
    stance = Evidence.Stance.SUPPORTS
    publisher = factory.SubFactory(EntityFactory, kind=Entity.Kind.MEDIA_OUTLET)
    snapshot = factory.SubFactory(
        SnapshotFactory, url=factory.SelfAttribute("..url"), archived=True
    )


def make_pdf(lines: list[str], title: str, author: str = "") -> bytes:
    """A one-page PDF with real text lines and an Info dictionary (title, author, creation date),
    written by hand with its cross-reference offsets computed: tests need no PDF writer."""

    def escape(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 10 Tf 14 TL 50 760 Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({escape(title)}) /Author ({escape(author)}) /CreationDate (D:20250708120000Z) >>".encode(),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()

"""Benchmark of the reviewers' desk: `python -m bench.queue`.

Builds a throwaway database (PostgreSQL when DATABASE_URL names one, else SQLite), loads
1,000 claims / 5,000 evidence rows, measures, grows it to 10,000 claims / 50,000 evidence rows
and measures again, then drops the database. Measured through Django's test client (the whole
request: middleware, session, views, queries, templates), signed in as a reviewer:

* the queue page (default view, and with search / priority sort / a deep page);
* a claim page with 200 evidence rows.

For each: median and 95th-percentile server time over the runs, and the number of queries,
which must be the same at both sizes (the page's cost does not grow with the data).

Options: --runs N (default 30), --keep (do not drop the database), --scale F (multiplies both
sizes, e.g. 0.1 for a quick look).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import statistics
import sys
import time
from datetime import date, timedelta

from bench._setup import django_environment

django_environment()  # a throwaway key: the benchmark runs with DEBUG off, like production

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
)
from django.utils import timezone  # noqa: E402

from bench._db import create_throwaway_database  # noqa: E402
from claims.models import Article, Claim, Evidence  # noqa: E402
from ownership.models import Domain, Entity, Ownership  # noqa: E402
from sources.models import Snapshot  # noqa: E402

RNG = random.Random(20250709)
CLAIMS_PER_ARTICLE = 20
BIG_CLAIM_EVIDENCE = 200


def _entities() -> dict[str, list[Entity]]:
    """A register: states, state-owned groups and their outlets, private outlets."""
    states = [
        Entity(name=f"State {i}", slug=f"state-{i}", kind=Entity.Kind.STATE, country="CN")
        for i in range(5)
    ]
    Entity.objects.bulk_create(states)
    groups = [Entity(name=f"Group {i}", slug=f"group-{i}", kind=Entity.Kind.SOE) for i in range(40)]
    outlets = [
        Entity(name=f"Outlet {i}", slug=f"outlet-{i}", kind=Entity.Kind.MEDIA_OUTLET)
        for i in range(200)
    ]
    companies = [
        Entity(name=f"Company {i}", slug=f"company-{i}", kind=Entity.Kind.SOE) for i in range(60)
    ]
    Entity.objects.bulk_create(groups + outlets + companies)
    edges = [Ownership(owner=RNG.choice(states), owned=g, controlling=True) for g in groups]
    edges += [
        Ownership(owner=groups[i % len(groups)], owned=o, controlling=True)
        for i, o in enumerate(outlets[:120])
    ]
    edges += [
        Ownership(owner=groups[i % len(groups)], owned=c, controlling=True)
        for i, c in enumerate(companies)
    ]
    Ownership.objects.bulk_create(edges)
    Domain.objects.bulk_create(
        [Domain(domain=f"outlet{i}.example", entity=o) for i, o in enumerate(outlets)]
    )
    return {"outlets": outlets, "origins": companies}


def _grow(*, claims: int, evidence: int, register: dict, start: int, big: bool) -> Claim | None:
    """Add `claims` claims and `evidence` evidence rows (with snapshots) to the database."""
    now = timezone.now()
    n_articles = max(1, claims // CLAIMS_PER_ARTICLE)
    sentences = [f"Sentence {j} says output rose {j}.{j}% in the half. " for j in range(20)]
    text = "".join(sentences)
    articles = Article.objects.bulk_create(
        [
            Article(
                key=f"bench-{start + i}",
                title=f"Bench article {start + i}",
                text=text,
                published_on=date(2025, 1, 1) + timedelta(days=(start + i) % 365),
            )
            for i in range(n_articles)
        ],
        batch_size=1000,
    )
    statuses = (
        [Claim.Status.UNREVIEWED] * 12
        + [Claim.Status.IN_REVIEW] * 3
        + [Claim.Status.STATE_SOURCED, Claim.Status.INDEPENDENTLY_VERIFIED]
        + [Claim.Status.DISPUTED, Claim.Status.UNVERIFIABLE]
    )
    rows = []
    for i in range(claims):
        article = articles[i % n_articles]
        j = (i // n_articles) % len(sentences)
        begin = sum(len(s) for s in sentences[:j])
        span = sentences[j].strip()
        rows.append(
            Claim(
                article=article,
                key=f"c{start + i}",
                span_start=begin,
                span_end=begin + len(span),
                text=span,
                restatement=f"Claim {start + i}: output rose {j}.{j}%",
                kind=Claim.Kind.FIGURE,
                figures=[{"value": float(f"{j}.{j}"), "unit": "%"}],
                origin=RNG.choice(register["origins"]),
                status=RNG.choice(statuses),
            )
        )
    new_claims = Claim.objects.bulk_create(rows, batch_size=2000)
    big_claim = new_claims[0] if big else None
    plan: list[Claim] = []
    if big_claim is not None:
        plan += [big_claim] * BIG_CLAIM_EVIDENCE
    while len(plan) < evidence:
        plan.append(RNG.choice(new_claims))
    snapshots, evidence_rows, rechecked = [], [], []
    stances = ["supports"] * 5 + ["echoes"] * 2 + ["refutes", "context"]
    # Extracted texts of a few thousand words of varied vocabulary, like real articles (stored
    # compressed and out of line by PostgreSQL, as real ones are).
    vocabulary = [f"w{n}" for n in range(3000)] + ["rare", "earth", "output", "price", "yuan"]
    texts = [" ".join(RNG.choices(vocabulary, k=1500)) for _ in range(100)]
    for k, claim in enumerate(plan):
        outlet_idx = RNG.randrange(len(register["outlets"]) + 20)
        url = f"https://outlet{outlet_idx}.example/story/{start}-{k}"
        roll = RNG.random()
        status = (
            Snapshot.Status.ARCHIVED
            if roll < 0.85
            else Snapshot.Status.FAILED
            if roll < 0.9
            else Snapshot.Status.PENDING
        )
        snap = Snapshot(url=url, status=status)
        if status == Snapshot.Status.ARCHIVED:
            snap.sha256 = hashlib.sha256(url.encode()).hexdigest()
            snap.http_status = 200
            snap.title = f"Story {k}"
            snap.text = RNG.choice(texts)
            snap.archived_at = now
            if roll < 0.01:  # a re-check that found the page changed
                snap.drift = Snapshot.Drift.CHANGED
                rechecked.append(snap)
        elif status == Snapshot.Status.FAILED:
            snap.error = "HTTP 404 Not Found from the source."
        snapshots.append(snap)
        publisher = (
            register["outlets"][outlet_idx] if outlet_idx < len(register["outlets"]) else None
        )
        evidence_rows.append(
            Evidence(claim=claim, url=url, stance=RNG.choice(stances), publisher=publisher)
        )
    earlier = [
        Snapshot(
            url=s.url,
            status=Snapshot.Status.ARCHIVED,
            sha256="0" * 64,
            http_status=200,
            archived_at=now,
        )
        for s in rechecked
    ]
    Snapshot.objects.bulk_create(earlier, batch_size=2000)
    for snap, previous in zip(rechecked, earlier, strict=True):
        snap.previous = previous
    Snapshot.objects.bulk_create(snapshots, batch_size=2000)
    for ev, snap in zip(evidence_rows, snapshots, strict=True):
        ev.snapshot = snap
    Evidence.objects.bulk_create(evidence_rows, batch_size=2000)
    return big_claim


def _measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    for _ in range(3):  # warm: connections, template cache, permission cache
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, queries


def _report(label: str, sizes: str, results: dict[str, tuple[float, float, int]]) -> None:
    print(f"\n{label}: {sizes}")
    print(f"  {'page':<44} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (median, p95, queries) in results.items():
        print(f"  {name:<44} {median:>10.1f} {p95:>8.1f} {queries:>8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    old_name = create_throwaway_database("queue")
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=plain_static, DEBUG=False):
            reviewer = User.objects.create_user("bench-reviewer", password=secrets.token_hex(8))
            reviewer.groups.add(Group.objects.get(name="reviewer"))
            client = Client()
            client.force_login(reviewer)
            register = _entities()
            small_claims = int(1_000 * args.scale)
            small_evidence = int(5_000 * args.scale)
            big_claims = int(10_000 * args.scale)
            big_evidence = int(50_000 * args.scale)

            t0 = time.perf_counter()
            big_claim = _grow(
                claims=small_claims, evidence=small_evidence, register=register, start=0, big=True
            )
            print(f"loaded {small_claims} claims in {time.perf_counter() - t0:.1f} s", flush=True)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE")
            assert big_claim is not None
            pages = {
                "queue (needs work, oldest first)": "/",
                "queue (search 'output rose 7')": "/?q=output+rose+7",
                "queue (priority sort)": "/?sort=priority",
                "queue (all statuses, page 10)": "/?status=all&page=10",
                f"claim page ({BIG_CLAIM_EVIDENCE} evidence rows)": f"/claims/{big_claim.pk}/",
            }
            small = {name: _measure(client, url, args.runs) for name, url in pages.items()}
            _report(
                "small",
                f"{Claim.objects.count():,} claims, {Evidence.objects.count():,} evidence rows",
                small,
            )

            t0 = time.perf_counter()
            _grow(
                claims=big_claims - small_claims,
                evidence=big_evidence - small_evidence,
                register=register,
                start=small_claims,
                big=False,
            )
            print(
                f"\nloaded {big_claims - small_claims} more claims in "
                f"{time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE")
            big = {name: _measure(client, url, args.runs) for name, url in pages.items()}
            _report(
                "large",
                f"{Claim.objects.count():,} claims, {Evidence.objects.count():,} evidence rows",
                big,
            )
            same = all(small[name][2] == big[name][2] for name in pages)
            print(
                "\nquery counts "
                + ("identical at both sizes" if same else "DIFFER between sizes")
                + f"; queue page median {big['queue (needs work, oldest first)'][0]:.1f} ms "
                "(aim: under 150 ms)"
            )
            return 0 if same else 1
    finally:
        if args.keep:
            print(f"kept {settings.DATABASES['default']['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())

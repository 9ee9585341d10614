"""Benchmark of the claim status API: `python -m bench.api`.

Creates a throwaway database (PostgreSQL when DATABASE_URL names one, else SQLite), loads
10,000 claims with 3 evidence rows each (30,000 evidence rows and snapshots) over a register
of 300 entities, issues an api-consumer token, and serves the project with gunicorn as in
production (docker-compose: `gunicorn reex.wsgi:application --workers 3`, DEBUG off), adding
only a trivial JsonResponse view at /bench/trivial (bench/api_urls.py) as the baseline.

The claims' stored suggestions (claims/materialised.py) are built as a bulk load leaves them:
one `suggestions_rebuild()` after the load (its time is printed).

For the trivial view, a claim detail (random claims, token-authenticated), the detail asked
again with its ETag (`If-None-Match`: the 304 path), a list page (random pages of 50), a list
page filtered by `?status=` and one by `?updated_since=` (random pages of each), the sync walks
(every page of the claims changed in the last hour, pages of 50, following `next`: by page
numbers and by the sync feed's cursor) and an anonymous reader's page of a published report of
40 claims: requests per second and p50/p99 latency over a fixed time with --concurrency
clients, then the ratios API/trivial for requests per second, all in one run against the same
server's trivial view, ending with one `figures:` line. Also the same answer as the trivial
view through the API's own plumbing (token, permissions, throttle, DRF; bench/api_urls.py):
the floor every API endpoint pays before reading any data. Aims (issues 6, 11 and 23): detail
>= 0.5, lists and the sync walk >= 0.3 (flat from 10,000 to 100,000 claims), the 304 >= 0.8 of
the floor, the report >= 0.5. `--profile` adds an in-process profile: time a request and where
it goes, and the prepared statements against client-side binding.

Options: --seconds S per endpoint (default 10), --concurrency C (default 3), --workers W
(default 3), --claims N (default 10000; the README gives 10,000 and 100,000), --keep (keep
the database), --sync-100k R (a --claims 100000 run's sync ratio, shown in the figures line).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bench._setup import django_environment

django_environment()
os.environ["DEBUG"] = "0"

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE_PER_CLAIM = 3
REPORT_KEY = "bench-report"
REPORT_CLAIMS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(n_claims: int) -> tuple[str, list[int]]:
    """Fill the database; return a consumer's token and the claim ids."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone
    from knox.models import AuthToken

    from claims.models import Article, Claim, Evidence
    from ownership.models import Domain, Entity, Ownership
    from sources.models import Snapshot

    rng = random.Random(6)
    states = Entity.objects.bulk_create(
        [Entity(name=f"State {i}", slug=f"state-{i}", kind="state", country="CN") for i in range(4)]
    )
    groups = Entity.objects.bulk_create(
        [Entity(name=f"Group {i}", slug=f"group-{i}", kind="soe") for i in range(40)]
    )
    outlets = Entity.objects.bulk_create(
        [Entity(name=f"Outlet {i}", slug=f"outlet-{i}", kind="media_outlet") for i in range(200)]
    )
    origins = Entity.objects.bulk_create(
        [Entity(name=f"Company {i}", slug=f"company-{i}", kind="soe") for i in range(60)]
    )
    edges = [Ownership(owner=rng.choice(states), owned=g, controlling=True) for g in groups]
    edges += [
        Ownership(owner=groups[i % 40], owned=o, controlling=True)
        for i, o in enumerate(outlets[:120])
    ]
    edges += [
        Ownership(owner=groups[i % 40], owned=c, controlling=True) for i, c in enumerate(origins)
    ]
    Ownership.objects.bulk_create(edges)
    Domain.objects.bulk_create(
        [Domain(domain=f"outlet{i}.com", entity=o) for i, o in enumerate(outlets)]
    )

    sentence = "Output rose 12.5% in the first half, the company said. "
    text = sentence * 20
    n_articles = max(1, n_claims // 20)
    articles = Article.objects.bulk_create(
        [Article(key=f"a{i}", title=f"Article {i}", text=text) for i in range(n_articles)],
        batch_size=1000,
    )
    statuses = [s.value for s in Claim.Status]
    claims = Claim.objects.bulk_create(
        [
            Claim(
                article=articles[i % n_articles],
                key=f"c{i}",
                span_start=len(sentence) * ((i // n_articles) % 20),
                span_end=len(sentence) * ((i // n_articles) % 20) + len(sentence) - 1,
                text=sentence.strip(),
                restatement=f"Claim {i}",
                kind="figure",
                origin=rng.choice(origins),
                status=rng.choice(statuses),
            )
            for i in range(n_claims)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    snapshots, evidence = [], []
    for claim in claims:
        for k in range(EVIDENCE_PER_CLAIM):
            url = f"https://outlet{rng.randrange(200)}.com/{claim.pk}/{k}"
            snapshots.append(
                Snapshot(
                    url=url, status="archived", final_url=url, http_status=200,
                    sha256=hashlib.sha256(url.encode()).hexdigest(), title="Story",
                    archived_at=now, attempts=1,
                )
            )  # fmt: skip
    snapshots = Snapshot.objects.bulk_create(snapshots, batch_size=5000)
    stances = ["supports", "supports", "echoes", "refutes", "context"]
    for i, snap in enumerate(snapshots):
        claim = claims[i // EVIDENCE_PER_CLAIM]
        evidence.append(
            Evidence(
                claim=claim, url=snap.url, stance=rng.choice(stances), snapshot=snap,
                publisher_id=outlets[int(snap.url.split("outlet")[1].split(".")[0])].pk,
            )
        )  # fmt: skip
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    _report_article(rng, origins=origins, outlets=outlets, now=now)
    user = User.objects.create_user("bench-consumer")
    user.groups.add(Group.objects.get(name="api-consumer"))
    _, token = AuthToken.objects.create(user=user)
    return token, [c.pk for c in claims]


def _report_article(rng: random.Random, *, origins, outlets, now) -> None:
    """The published article whose public report the benchmark reads: REPORT_CLAIMS claims
    with 3 archived sources each (outside the `claims` ids the API endpoints pick from)."""
    from claims.models import Article, Claim, Evidence
    from sources.models import Snapshot

    sentence = "Output rose 12.5% in the first half, the company said. "
    article = Article.objects.create(
        key=REPORT_KEY, title="The published article", text=sentence * REPORT_CLAIMS,
        report_published=True, report_published_at=now,
    )  # fmt: skip
    statuses = [s.value for s in Claim.Status]
    claims = Claim.objects.bulk_create(
        [
            Claim(
                article=article, key=f"r{i}", span_start=len(sentence) * i,
                span_end=len(sentence) * (i + 1) - 1, text=sentence.strip(),
                restatement=f"Report claim {i}", kind="figure", origin=rng.choice(origins),
                status=rng.choice(statuses),
            )
            for i in range(REPORT_CLAIMS)
        ]
    )  # fmt: skip
    for claim in claims:
        for k in range(EVIDENCE_PER_CLAIM):
            o = rng.randrange(200)
            url = f"https://outlet{o}.com/report/{claim.pk}/{k}"
            snap = Snapshot.objects.create(
                url=url, status="archived", final_url=url, http_status=200, title="Story",
                sha256=hashlib.sha256(url.encode()).hexdigest(), archived_at=now, attempts=1,
            )  # fmt: skip
            Evidence.objects.bulk_create(
                [Evidence(claim=claim, url=url, stance=rng.choice(["supports", "echoes"]),
                          snapshot=snap, publisher=outlets[o])]
            )  # fmt: skip


def age(claim_ids: list[int]) -> None:
    """A third of the claims changed in the last hour (the `updated_since` pages and the sync
    walk), the rest long ago (after the stored suggestions' rebuild, which counts as a change)."""
    from django.utils import timezone

    from claims.models import Claim
    from sources.models import Snapshot

    long_ago = timezone.now() - timedelta(days=30)
    old = Claim.objects.exclude(pk__in=claim_ids[::3])
    fields = {f.name for f in Claim._meta.get_fields()}
    old.update(updated_at=long_ago, **({"changed_at": long_ago} if "changed_at" in fields else {}))
    Snapshot.objects.update(updated_at=long_ago)


def _client(args: tuple) -> tuple[list[float], int]:
    """One client for `seconds`: GETs of random `paths` (each a path, or a (path, headers)
    pair), or with `walk`, from paths[0] following each answer's `next` to the end and again.
    An answer counts as an error unless its status is in `ok`."""
    port, paths, token, seconds, seed, spec = args
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = 0
    base = {"Accept": spec.get("accept", "application/json")}
    if spec.get("auth", True):
        base["Authorization"] = f"Token {token}"
    base.update(spec.get("headers", {}))
    ok = spec.get("ok", (200,))
    walk = spec.get("walk", False)
    deadline = time.perf_counter() + seconds
    path = None
    while time.perf_counter() < deadline:
        if not walk or path is None:
            path = rng.choice(paths) if not walk else paths[0]
        target, extra = path if isinstance(path, tuple) else (path, {})
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", target, headers={**base, **extra})
            response = conn.getresponse()
            body = response.read()
            if response.status not in ok:
                errors += 1
        finally:
            conn.close()
        latencies.append(time.perf_counter() - started)
        if walk:
            following = json.loads(body).get("next") if response.status == 200 else None
            path = (
                urlsplit(following)._replace(scheme="", netloc="").geturl() if following else None
            )
    return latencies, errors


def measure(
    port: int,
    paths: list,
    token: str,
    *,
    seconds: float,
    concurrency: int,
    spec: dict | None = None,
) -> dict:
    spec = spec or {}
    with mp.Pool(concurrency) as pool:
        pool.map(
            _client, [(port, paths, token, 1.0, i, spec) for i in range(concurrency)]
        )  # warm up
        started = time.perf_counter()
        results = pool.map(
            _client, [(port, paths, token, seconds, 100 + i, spec) for i in range(concurrency)]
        )
        elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def _get(port: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def walk_once(port: int, start: str, token: str) -> tuple[int, int, float]:
    """Walk a sync from `start` to its end once: (pages, claims, seconds)."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    pages = claims = 0
    started = time.perf_counter()
    path: str | None = start
    while path:
        status, _, body = _get(port, path, headers)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        data = json.loads(body)
        pages += 1
        claims += len(data["results"])
        following = data.get("next")
        path = urlsplit(following)._replace(scheme="", netloc="").geturl() if following else None
    return pages, claims, time.perf_counter() - started


_BUCKETS = (
    ("psycopg", "database round trips and row decoding (psycopg)"),
    ("/redis/", "throttle counts (Redis client)"),
    ("django/db/", "ORM: SQL compilation, rows to objects"),
    ("rest_framework", "DRF: request, auth, permissions, negotiation, rendering"),
    ("/knox/", "DRF: request, auth, permissions, negotiation, rendering"),
    ("/json/", "JSON encode/decode (ETag, body, JSON columns)"),
    ("/claims/", "project: presenters, stored rows, views"),
    ("/reex/", "project: middleware, permissions, throttle"),
    ("django/", "Django: middleware, request, response, signals"),
)


def profile(
    token: str, detail_paths: list[str], list_paths: list[str], sync_paths: list[str] = ()
) -> None:
    """Requests in this process (no gunicorn, no HTTP): wall time per request, then cProfile's
    own time per function summed by where the function lives (the profiler inflates Python
    work against waiting, so read the shares, not the sums)."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    settings.REEX_API_THROTTLE_RATE = "100000000/minute"
    settings.ROOT_URLCONF = "bench.api_urls"  # as bench/api_wsgi.py serves it
    clear_url_caches()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", SERVER_NAME="127.0.0.1")
    print("\nin-process profile (django.test.Client, this process, no HTTP server):")
    for name, paths in (
        ("trivial", ["/bench/trivial"] * len(detail_paths)),
        ("auth, no data", ["/bench/authenticated"] * len(detail_paths)),
        ("claim detail", detail_paths),
        ("list page (50)", list_paths),
        *([("sync page (50)", list(sync_paths))] if sync_paths else []),
    ):
        for path in paths[:5]:
            client.get(path)
        started = time.perf_counter()
        for path in paths:
            assert client.get(path).status_code == 200, path
        wall = (time.perf_counter() - started) / len(paths) * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        for path in paths:
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        buckets: dict[str, float] = {}
        for (filename, _, _), (_, _, tottime, _, _) in stats.items():
            where = next((label for key, label in _BUCKETS if key in filename), "other")
            buckets[where] = buckets.get(where, 0.0) + tottime
        total = sum(buckets.values())
        print(f"  {name}: {wall:.2f} ms a request (wall, unprofiled); profiled shares:")
        for where, t in sorted(buckets.items(), key=lambda kv: -kv[1]):
            print(f"    {t / total * 100:5.1f}%  {t / len(paths) * 1000:6.2f} ms  {where}")


def prepared_comparison(claim_ids: list[int]) -> None:
    """plumbing/rows.py's prepared statements against the same statements bound client-side
    (REEX_PREPARED_STATEMENTS=0), in this process, interleaved: a claim's detail (two fixed
    statements) and its conditional-GET validator (one)."""
    from django.conf import settings

    from claims.api.rows import claim_detail, claim_validator

    if not claim_ids:
        return
    timings: dict[tuple[str, bool], list[float]] = {}
    for _ in range(6):
        for prepared in (True, False):
            settings.REEX_PREPARED_STATEMENTS = prepared
            for name, read in (("detail", claim_detail), ("validator", claim_validator)):
                started = time.perf_counter()
                for pk in claim_ids:
                    read(pk)
                timings.setdefault((name, prepared), []).append(
                    (time.perf_counter() - started) / len(claim_ids) * 1000
                )
    settings.REEX_PREPARED_STATEMENTS = True
    print("\nprepared statements (plumbing/rows.py), ms a read, median of 5 rounds after one:")
    for name in ("detail", "validator"):
        on = statistics.median(timings[(name, True)][1:])
        off = statistics.median(timings[(name, False)][1:])
        print(
            f"  {name}: prepared {on:.3f} ms, bound client-side {off:.3f} ms "
            f"({(off - on) / off * 100:+.0f}% saved)"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--sync-100k",
        type=float,
        default=None,
        metavar="RATIO",
        help="the sync ratio a --claims 100000 run printed, to show in this run's figures line",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile detail and list requests in this process (where the time goes)",
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench._db import database_url

    tmp = Path(tempfile.mkdtemp(prefix="reex-bench-api-"))
    test_name = (
        str(tmp / "bench.sqlite3")
        if connection.vendor == "sqlite"
        else f"reex_bench_api_{os.getpid()}"
    )
    connection.settings_dict["TEST"] = {
        **connection.settings_dict.get("TEST", {}),
        "NAME": test_name,
    }
    print(
        f"throwaway {connection.vendor} database {test_name}; loading {args.claims:,} claims …",
        flush=True,
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    gunicorn = None
    try:
        started = time.perf_counter()
        token, claim_ids = load(args.claims)
        loaded = time.perf_counter()
        from claims.materialised import suggestions_rebuild

        suggestions_rebuild()
        rebuilt = time.perf_counter() - loaded
        age(claim_ids)
        # What autovacuum does to a production database after a bulk load (this server may
        # run without it): planner statistics and the visibility map (index-only scans).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(
            f"loaded {args.claims:,} claims, {args.claims * EVIDENCE_PER_CLAIM:,} evidence rows "
            f"in {time.perf_counter() - started:.1f} s (of which the stored suggestions' "
            f"rebuild {rebuilt:.1f} s)",
            flush=True,
        )
        from claims.models import Claim

        n_status = Claim.objects.filter(status="disputed").count()
        since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        n_since = Claim.objects.filter(updated_at__gte=since).count()
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "DEBUG": "0",
            "REEX_API_THROTTLE_RATE": "100000000/minute",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        env.pop("PYTEST_VERSION", None)
        connection.close()
        # DEBUG off serves the hashed static files (the report's stylesheet) as production does.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        gunicorn = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "bench.api_wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        rng = random.Random(1)
        detail_paths = [f"/api/v1/claims/{rng.choice(claim_ids)}/" for _ in range(2000)]
        pages = args.claims // 50
        list_paths = [f"/api/v1/claims/?page={rng.randint(1, pages)}" for _ in range(500)]
        status_paths = [
            f"/api/v1/claims/?status=disputed&page={rng.randint(1, max(1, n_status // 50))}"
            for _ in range(500)
        ]
        since_paths = [
            f"/api/v1/claims/?updated_since={since}&page={rng.randint(1, max(1, n_since // 50))}"
            for _ in range(500)
        ]
        # The sync walks: every page of the claims changed in the last hour, in pages of 50, by
        # page numbers (the list's `next`) and by the sync feed's cursor (its `next`).
        walk_numbers = f"/api/v1/claims/?updated_since={since}&page_size=50"
        walk_cursor = f"/api/v1/claims/sync/?updated_since={since}&page_size=50"
        auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
        # The 304 path: claim details asked again with the ETag each answered last time.
        not_modified_paths = []
        for path in detail_paths[:300]:
            status, headers, _ = _get(port, path, auth)
            etag = headers.get("ETag")
            if status == 200 and etag:
                not_modified_paths.append((path, {"If-None-Match": etag}))
        report_path = f"/articles/{REPORT_KEY}/report/"
        status, _, body = _get(port, report_path, {"Accept": "text/html"})
        if status != 200:
            raise RuntimeError(f"the published report answered {status}")
        print(
            f"gunicorn --workers {args.workers}, DEBUG off; {args.concurrency} concurrent clients, "
            f"{args.seconds:g} s per endpoint (new connection per request); the report page is "
            f"{len(body) / 1024:.0f} KiB ({REPORT_CLAIMS} claims)",
            flush=True,
        )
        walks = {}
        for name, start in (("walk: page numbers", walk_numbers), ("walk: cursor", walk_cursor)):
            pages_walked, claims_walked, seconds = walk_once(port, start, token)
            walks[name] = (pages_walked, claims_walked, seconds)
        results = {}
        for name, paths, spec in (
            ("trivial", ["/bench/trivial"], {}),
            ("auth, no data", ["/bench/authenticated"], {}),
            ("claim detail", detail_paths, {}),
            ("detail, 304", not_modified_paths, {"ok": (304,)}),
            ("list page (50)", list_paths, {}),
            ("?status=", status_paths, {}),
            ("?updated_since=", since_paths, {}),
            ("sync: page numbers", [walk_numbers], {"walk": True}),
            ("sync: cursor", [walk_cursor], {"walk": True}),
            (
                "report (anonymous)",
                [report_path],
                # As browsers and CDNs ask for it (a server that ignores it sends the page whole).
                {"auth": False, "accept": "text/html", "headers": {"Accept-Encoding": "gzip"}},
            ),
        ):
            if not paths:
                print(f"{name}: nothing to measure (no ETag sent)")
                continue
            results[name] = measure(
                port, paths, token, seconds=args.seconds, concurrency=args.concurrency, spec=spec
            )
        print(f"\n{'endpoint':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}")
        base = results["trivial"]["rps"]
        for name, r in results.items():
            print(
                f"{name:<20}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
                f"{r['rps'] / base:>8.2f}{r['errors']:>8}"
            )
        ratio = {name: r["rps"] / base for name, r in results.items()}
        for name, (pages_walked, claims_walked, seconds) in walks.items():
            print(
                f"one {name}: {pages_walked} pages, {claims_walked:,} claims in {seconds:.2f} s "
                f"({claims_walked / seconds:,.0f} claims/s, alone)"
            )
        print(
            f"\n{args.claims:,} claims; ratios to the trivial view: detail "
            f"{ratio['claim detail']:.2f} (aim >= 0.5), list {ratio['list page (50)']:.2f}, "
            f"?status= {ratio['?status=']:.2f}, ?updated_since= {ratio['?updated_since=']:.2f}, "
            f"sync walk by cursor {ratio['sync: cursor']:.2f} (aim >= 0.3; by page numbers "
            f"{ratio['sync: page numbers']:.2f}); the API's own floor (token, permissions, "
            f"throttle, DRF, no data) {ratio['auth, no data']:.2f}"
        )
        nm = ratio.get("detail, 304", 0.0)
        figures = (
            f"figures: detail={ratio['claim detail']:.2f} list={ratio['list page (50)']:.2f} "
            f"sync={ratio['sync: cursor']:.2f} "
            + (f"sync_100k={args.sync_100k:.2f} " if args.sync_100k is not None else "")
            + f"not_modified={nm:.2f} (floor {ratio['auth, no data']:.2f}: "
            f"{nm / ratio['auth, no data']:.2f} of it) report={ratio['report (anonymous)']:.2f}"
        )
        print(("" if args.claims == 10_000 else f"[{args.claims:,} claims] ") + figures)
        if args.profile:
            profile(token, detail_paths[:200], list_paths[:50], [walk_cursor] * 50)
            if connection.vendor == "postgresql":
                prepared_comparison(claim_ids[:300])
        return 0 if not any(r["errors"] for r in results.values()) else 1
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(15)
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

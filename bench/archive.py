"""Benchmark of archiving throughput: `python -m bench.archive [--n 200 1000 --latency 0.2 --concurrency 16 --extract-processes 2]`.

A local origin (a threaded HTTP server on 127.0.0.1) answers every page after a fixed latency L.
Two real Celery workers run as in production: fetching (threads pool, concurrency C, the
archive queue) and extraction (prefork pool, P processes, REEX_EXTRACT_QUEUE), on the configured
broker (Redis when REDIS_URL is set, else the embedded broker) and a throwaway database
(PostgreSQL when DATABASE_URL names one, else SQLite). After a warm-up of 2·C pages (not timed:
each worker thread and process opens its database connection, as in workers that have been
running), each N in `--n` is run in turn: N pending snapshots queued, timed from the first
enqueue to the last `archived`. Printed for each N: that wall time, the ideal N·L/C and their
ratio, a plain sequential `requests` loop over the same pages, the CPU time of each worker
(children included), and the per-stage times every snapshot logged (REEX_LOG_STAGES):
fetch, store (hash, body, WARC, the row), extract (text from the stored body), finish (the
`archived` write and the claims receivers). Worker start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench._setup import archiving_environment

MEDIA = archiving_environment("archive")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench._archiving import (  # noqa: E402
    exit_code,
    origin,
    start_worker,
    tear_down,
    wait_ready,
    wait_until_done,
)
from bench._db import create_throwaway_database  # noqa: E402
from sources.models import Snapshot  # noqa: E402
from sources.tasks import enqueue_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _own_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (Linux /proc), 0 where
    unavailable. Prefork children live for the whole run, so they are counted here."""
    return _own_cpu(pid) + sum(cpu_seconds(child) for child in _children(pid))


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (Linux /proc/stat):
    what bounds the run when every core is busy (the database, Redis, the origin and other
    programs included)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def _processes_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def other_cpu() -> dict[str, dict[int, float]]:
    """CPU seconds so far of the processes beside the workers, by pid: this process (the
    enqueuer, the origin's threads, the polling), the PostgreSQL backends connected to the
    throwaway database (the workers' and this process's connections), PostgreSQL's own processes
    (postmaster, WAL writer, checkpointer: shared with every other database on the machine) and
    redis-server (shared with every other user of the server)."""
    backends: set[int] = set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            backends = {row[0] for row in cursor.fetchall()}
    postgres = set(_processes_named("postgres"))
    return {
        "bench process (enqueue, origin)": {os.getpid(): _own_cpu(os.getpid())},
        "postgres backends (this db)": {pid: _own_cpu(pid) for pid in backends},
        "postgres others (shared)": {pid: _own_cpu(pid) for pid in postgres - backends},
        "redis-server (shared)": {pid: _own_cpu(pid) for pid in _processes_named("redis-server")},
    }


def other_cpu_delta(before: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group spent since `before` (a backend that started meanwhile counts from
    zero; one that ended meanwhile is not counted: connections persist, CONN_MAX_AGE)."""
    after = other_cpu()
    return {
        group: sum(
            cpu - before[group].get(pid, 0.0)
            for pid, cpu in pids.items()
        )
        for group, pids in after.items()
    }  # fmt: skip


def transactions() -> int:
    """Transactions committed in the throwaway database so far (PostgreSQL), else 0."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


STAGE_LINE = re.compile(r"snapshot (\d+) (fetch|extract) ([\d.]+) ms (store|finish) ([\d.]+) ms")


def stage_times(logs: list[Path], ids: set[int]) -> dict[str, list[float]]:
    """Milliseconds per stage for the snapshots in `ids`, read from the workers' logs."""
    times: dict[str, list[float]] = {"fetch": [], "store": [], "extract": [], "finish": []}
    for log in logs:
        for match in STAGE_LINE.finditer(log.read_text(errors="replace")):
            if int(match.group(1)) in ids:
                times[match.group(2)].append(float(match.group(3)))
                times[match.group(4)].append(float(match.group(5)))
    return times


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] if ordered else 0.0


def run_batch(
    *, n: int, urls: list[str], latency: float, concurrency: int, workers, logs: list[Path]
) -> bool:
    """Archive N pages once; print the figures. True when every page archived."""
    urls = [f"{url}?n={n}" for url in urls[:n]]
    ids = [s.pk for s in Snapshot.objects.bulk_create(Snapshot(url=u) for u in urls)]
    cpu_before = [cpu_seconds(w.pid) for w in workers]
    others_before = other_cpu()
    xacts_before = transactions()
    busy_before, total_before = machine_busy()
    started = time.perf_counter()
    for snapshot_id in ids:
        enqueue_archive(snapshot_id)
    wait_until_done(ids, max(120, 5 * n * latency / concurrency))
    wall = time.perf_counter() - started
    cpu = [cpu_seconds(w.pid) - before for w, before in zip(workers, cpu_before, strict=True)]
    busy_after, total_after = machine_busy()
    busy, total = busy_after - busy_before, total_after - total_before
    others = other_cpu_delta(others_before)
    xacts = transactions() - xacts_before
    archived = Snapshot.objects.filter(pk__in=ids, status=Snapshot.Status.ARCHIVED).count()
    rows = list(
        Snapshot.objects.filter(pk__in=ids, archived_at__isnull=False).values_list(
            "fetch_started_at", "archived_at"
        )
    )
    durations = [(done_at - start).total_seconds() for start, done_at in rows]
    time.sleep(0.3)  # the last log lines
    stages = stage_times(logs, set(ids))

    # The sequential reference is timed over at most 200 pages (1,000 would take 200 s) and
    # scaled to N: it is linear in the number of pages.
    sample = urls[:200]
    with requests.Session() as session:
        session.trust_env = False
        t0 = time.perf_counter()
        for url in sample:
            session.get(url, timeout=10).raise_for_status()
        sequential = (time.perf_counter() - t0) * n / len(sample)

    ideal = n * latency / concurrency
    lines = [
        f"N={n} L={latency * 1000:g} ms C={concurrency}: archived {archived}/{n}",
        f"  worker wall time     {wall:8.2f} s",
        f"  ideal N·L/C          {ideal:8.2f} s",
        f"  ratio                {wall / ideal:8.2f}×  (aim ≤ 1.3×)",
        f"  sequential requests  {sequential:8.2f} s"
        + (f"  (timed over {len(sample)} pages, scaled to {n})" if len(sample) < n else ""),
        f"  fetch worker CPU     {sum(cpu[:-1]):8.2f} s  ({sum(cpu[:-1]) / n * 1000:.1f} ms a page"
        + (f", {len(cpu) - 1} processes)" if len(cpu) > 2 else ")"),
        f"  extract worker CPU   {cpu[-1]:8.2f} s  ({cpu[-1] / n * 1000:.1f} ms a page)",
        f"  machine CPU busy     {busy:8.2f} s of {total:.2f} s on {os.cpu_count()} cores "
        f"({100 * busy / total if total else 0:.0f}%; {busy / n * 1000:.1f} ms a page, all "
        f"processes)",
        f"  the run's processes  {sum(cpu) + sum(others.values()):8.2f} s  "
        f"({(sum(cpu) + sum(others.values())) / n * 1000:.1f} ms a page: the workers and the rows "
        "below; the machine figure above also counts other programs on a shared machine)",
        *(
            f"    {group:<32} {seconds / n * 1000:6.1f} ms a page"
            for group, seconds in others.items()
        ),
        f"  transactions         {xacts / n:8.1f} a page (pg_stat_database, all processes)",
        f"  task time p50 / p90  {_quantile(durations, 0.5):8.3f} s / "
        f"{_quantile(durations, 0.9):.3f} s (reserve to archived)",
        "  stage (ms a page)       mean      p50      p90    total s  pages",
    ]
    for stage, values in stages.items():
        mean = statistics.fmean(values) if values else 0.0
        lines.append(
            f"  {stage:<20} {mean:8.1f} {_quantile(values, 0.5):8.1f} "
            f"{_quantile(values, 0.9):8.1f} {sum(values) / 1000:10.2f} {len(values):6d}"
        )
    print("\n".join(lines), flush=True)
    return archived == n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000], help="pages (200 1000)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per page (0.2)")
    parser.add_argument("--concurrency", type=int, default=16, help="fetching threads (16)")
    parser.add_argument(
        "--fetch-processes",
        type=int,
        default=1,
        help="fetch worker processes sharing the --concurrency threads (1; one Python process "
        "runs one thread at a time, so on 2 cores 2 fetchers of C/2 threads can use both, as "
        "`docker compose up --scale worker=2` does)",
    )
    parser.add_argument("--extract-processes", type=int, default=2, help="extraction processes (2)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile every worker thread and process (bench._profiled) and print where the "
        "CPU went, by area, and the statements a page (profiling slows the workers: its CPU "
        "figures are not the unprofiled ones)",
    )
    args = parser.parse_args(argv)
    latency, concurrency = args.latency, args.concurrency

    old_name = create_throwaway_database("archive")
    server = origin(latency)
    port = server.server_address[1]
    urls = [f"http://127.0.0.1:{port}/page/{i}" for i in range(max(args.n))]
    fetchers = max(1, args.fetch_processes)
    logs = [Path(MEDIA) / f"fetch-worker-{i}.log" for i in range(fetchers)]
    logs.append(Path(MEDIA) / "extract-worker.log")
    workers: list[subprocess.Popen] = []
    try:
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPUs · {platform.platform()} · "
            f"Python {platform.python_version()}\n"
            f"database: {connection.vendor}; broker: {'redis' if settings.REDIS_URL else 'embedded'}; "
            f"fetching: threads ×{concurrency}"
            + (f" in {fetchers} processes" if fetchers > 1 else "")
            + f"; extraction: prefork ×{args.extract_processes}",
            flush=True,
        )
        allow = f"127.0.0.1:{port}"
        stages = {"REEX_LOG_STAGES": "1"}
        app = "reex"
        if args.profile:
            stages["REEX_PROFILE"] = str(Path(MEDIA) / "profiles")
            app = "bench._profiled"
        for i in range(fetchers):
            threads = concurrency // fetchers + (i < concurrency % fetchers)
            workers.append(
                start_worker(pool="threads", concurrency=threads, allow=allow, log=logs[i],
                             queues=os.environ["REEX_CELERY_QUEUE"],
                             name=f"fetch{i}-{os.getpid()}", env=stages, app=app)
            )  # fmt: skip
        workers.append(
            start_worker(pool="prefork", concurrency=args.extract_processes, allow=allow,
                         log=logs[-1], queues=os.environ["REEX_EXTRACT_QUEUE"],
                         name=f"extract-{os.getpid()}", env=stages, app=app)
        )  # fmt: skip
        wait_ready(list(zip(workers, logs, strict=True)), timeout=60)
        # Warm-up, not timed: each worker thread and process opens its database connection, as
        # workers that have been running for a while already have.
        warm = [
            s.pk
            for s in Snapshot.objects.bulk_create(
                Snapshot(url=f"{u}?warm") for u in urls[: concurrency * 2]
            )
        ]
        for snapshot_id in warm:
            enqueue_archive(snapshot_id)
        wait_until_done(warm, 60)
        ok = True
        for n in args.n:
            ok = run_batch(
                n=n, urls=urls, latency=latency, concurrency=concurrency, workers=workers,
                logs=logs,
            ) and ok  # fmt: skip
        code = exit_code(ok, logs)
    finally:
        tear_down(workers, server, old_name)
    if args.profile:
        from bench._profiled import statements, summarise

        pages = len(warm) + sum(args.n)
        folder = Path(MEDIA) / "profiles"
        fetch_pids = {str(w.pid) for w in workers[:-1]}
        profiles = list(folder.glob("*.prof"))
        # The extraction worker's prefork children have pids of their own (`*-child.prof`).
        fetching = [p for p in profiles if p.name.split("-")[0] in fetch_pids]
        for label, paths in (
            ("fetch worker", fetching),
            ("extract worker", [p for p in profiles if p not in fetching]),
        ):
            print(f"profile of the {label} ({pages} pages, warm-up included):")
            print(summarise(paths, pages=pages))
        print(statements(folder, pages=pages))
    return code


if __name__ == "__main__":
    sys.exit(main())

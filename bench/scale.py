"""Scale-out on one machine: `python -m bench.scale [--workers 1,2,4 --n 240 --latency 0.2 --concurrency 4]`.

Starts 1, 2 and 4 Celery worker *processes* (threads pool, C threads each, each consuming both the
fetching and the extraction queue) against one broker
(Redis when REDIS_URL is set) and one throwaway database (PostgreSQL when DATABASE_URL names
one), and has them archive the same N pages from a local origin that answers every page after
a fixed latency L. For each worker count k it prints the wall time from the first enqueue to
the last `archived`, the throughput (pages/s), the ideal k·C/L, the ratio to linear scaling
(throughput(k) / (k · throughput(1))) and the CPU the workers spent, so that what bounds the
figures can be read off: with C/L pages/s of latency-bound work per process, a process is
CPU-bound once (CPU a page) · C/L approaches one core, and the machine once the sum over all
processes, the database, Redis and the origin approaches its core count.

Each round warms its workers first (2·k·C pages, not timed: each thread opens its database
connection, as in a worker that has been running); worker start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench._setup import archiving_environment

MEDIA = archiving_environment("scale")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench._archiving import origin, start_worker, stop_workers, wait_ready  # noqa: E402
from bench._db import create_throwaway_database  # noqa: E402
from sources.models import Snapshot  # noqa: E402
from sources.tasks import enqueue_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

ENDED = [Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED]


def start_workers(*, k: int, concurrency: int, allow: str) -> list[tuple[subprocess.Popen, Path]]:
    queue = os.environ["REEX_CELERY_QUEUE"]
    # Each process consumes both archive queues (fetching and extraction), so that k processes
    # are k whole archiving units.
    queues = f"{queue},{os.environ['REEX_EXTRACT_QUEUE']}"
    workers = []
    for i in range(k):
        log = Path(MEDIA) / f"worker-{k}-{i}.log"
        process = start_worker(
            pool="threads", concurrency=concurrency, queues=queues, name=f"{queue}-{i}",
            allow=allow, log=log, env={"REEX_LOG_FORMAT": "plain"},
        )  # fmt: skip
        workers.append((process, log))
    wait_ready(workers, timeout=90)
    return workers


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot (/proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


def wait_until_done(ids: list[int], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = Snapshot.objects.filter(pk__in=ids, status__in=ENDED).count()
        if done == len(ids):
            break
        time.sleep(0.02)
    return done


def one_round(*, k: int, urls: list[str], latency: float, concurrency: int, allow: str) -> dict:
    workers = start_workers(k=k, concurrency=concurrency, allow=allow)
    try:
        warm = [
            s.pk
            for s in Snapshot.objects.bulk_create(
                Snapshot(url=f"{u}?warm-{k}") for u in urls[: 2 * k * concurrency]
            )
        ]
        for snapshot_id in warm:
            enqueue_archive(snapshot_id)
        wait_until_done(warm, 90)
        ids = [s.pk for s in Snapshot.objects.bulk_create(Snapshot(url=u) for u in urls)]
        cpu_before = sum(cpu_seconds(p.pid) for p, _ in workers)
        busy0, total0 = machine_cpu()
        started = time.perf_counter()
        for snapshot_id in ids:
            enqueue_archive(snapshot_id)
        n = len(ids)
        wait_until_done(ids, max(180, 6 * n * latency / (k * concurrency)))
        wall = time.perf_counter() - started
        busy1, total1 = machine_cpu()
        cpu = sum(cpu_seconds(p.pid) for p, _ in workers) - cpu_before
        archived = Snapshot.objects.filter(pk__in=ids, status=Snapshot.Status.ARCHIVED).count()
        if archived != n:
            for _, log in workers:
                print(log.read_text(errors="replace")[-2000:])
        machine_busy = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0
        return {
            "k": k,
            "archived": archived,
            "n": n,
            "wall": wall,
            "throughput": archived / wall if wall else 0.0,
            "cpu": cpu,
            "machine_busy": machine_busy,
        }
    finally:
        stop_workers([p for p, _ in workers])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="worker process counts (1,2,4)")
    parser.add_argument("--n", type=int, default=240, help="pages per round (240)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per page (0.2)")
    parser.add_argument("--concurrency", type=int, default=4, help="threads per worker (4)")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.workers.split(",") if c.strip()]
    latency, concurrency = args.latency, args.concurrency

    old_name = create_throwaway_database("scale")
    server = origin(latency)
    port = server.server_address[1]
    urls = [f"http://127.0.0.1:{port}/page/{i}" for i in range(args.n)]
    results = []
    try:
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPUs · {platform.platform()} · "
            f"Python {platform.python_version()}\n"
            f"database: {connection.vendor}; broker: {'redis' if settings.REDIS_URL else 'embedded'}"
            f"\nN={args.n} pages a round, L={latency * 1000:g} ms, C={concurrency} threads a worker",
            flush=True,
        )
        for k in counts:
            results.append(
                one_round(
                    k=k,
                    urls=urls,
                    latency=latency,
                    concurrency=concurrency,
                    allow=f"127.0.0.1:{port}",
                )
            )
        base = results[0]["throughput"] / results[0]["k"] if results else 0.0
        print(
            f"\n{'workers':>7} {'archived':>9} {'wall s':>7} {'pages/s':>8} {'ideal':>6} "
            f"{'vs linear':>9} {'worker CPU s':>12} {'ms CPU/page':>11} {'machine busy':>12}"
        )
        for r in results:
            ideal = r["k"] * concurrency / latency
            linear = r["throughput"] / (r["k"] * base) if base else 0.0
            print(
                f"{r['k']:>7} {r['archived']:>4}/{r['n']:<4} {r['wall']:>7.2f} "
                f"{r['throughput']:>8.1f} {ideal:>6.0f} {linear:>9.2f} {r['cpu']:>12.2f} "
                f"{r['cpu'] / max(r['archived'], 1) * 1000:>11.1f} {r['machine_busy']:>11.0%}",
                flush=True,
            )
        return 0 if all(r["archived"] == r["n"] for r in results) else 1
    finally:
        server.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())

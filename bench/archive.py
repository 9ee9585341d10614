"""Benchmark of archiving throughput: `python -m bench.archive [--n 200 --latency 0.2 --concurrency 16]`.

A local origin (a threaded HTTP server on 127.0.0.1) answers every page after a fixed latency L.
After a warm-up of 2·C pages (not timed: each worker thread opens its database connection, as in
a worker that has been running), N pending snapshots are queued for one real Celery worker (threads pool, concurrency C) on the
configured broker (Redis when REDIS_URL is set, else the embedded broker) and a throwaway
database (PostgreSQL when DATABASE_URL names one, else SQLite). Printed: the wall time from the
first enqueue to the last `archived`, the ideal N·L/C, their ratio, and the time of a plain
sequential `requests` loop over the same pages. Worker start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["REEX_CELERY_QUEUE"] = f"reex-bench-archive-{os.getpid()}"
MEDIA = tempfile.mkdtemp(prefix="reex-bench-media-")
os.environ["MEDIA_ROOT"] = MEDIA

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench._db import create_throwaway_database, database_url  # noqa: E402
from sources.models import Snapshot  # noqa: E402
from sources.tasks import enqueue_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "Northern Rare Earth said net profit rose 1,882.5% in the first half; rare earth metals "
    "output jumped 60.4% year on year, according to the company's filing. "
)


def origin(latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle's algorithm and delayed
        # ACKs add ~40 ms to every keep-alive response, and the latency would not be L.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            time.sleep(latency)
            body = (
                f"<html><head><title>Page {self.path}</title></head><body><article>"
                f"<h1>Page {self.path}</h1><p>{PARAGRAPH * 4}</p></article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_worker(*, concurrency: int, allow: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        REEX_FETCH_ALLOWLIST=allow,
        REEX_WORKER_CONCURRENCY=str(concurrency),
        LOG_LEVEL="WARNING",
    )
    if not settings.REDIS_URL:
        env["REEX_BROKER_DIR"] = str(
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
        )
    queue = os.environ["REEX_CELERY_QUEUE"]
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "reex", "worker", "--pool", "threads",
         "--concurrency", str(concurrency), "-Q", queue, "-n", f"{queue}@%h",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None or " ready." in log.read_text(errors="replace"):
            break
        time.sleep(0.1)
    if process.poll() is not None or " ready." not in log.read_text(errors="replace"):
        raise SystemExit(f"worker did not start:\n{log.read_text(errors='replace')}")
    return process


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="pages (default 200)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per page (0.2)")
    parser.add_argument("--concurrency", type=int, default=16, help="worker threads (16)")
    args = parser.parse_args(argv)
    n, latency, concurrency = args.n, args.latency, args.concurrency

    old_name = create_throwaway_database("archive")
    server = origin(latency)
    port = server.server_address[1]
    urls = [f"http://127.0.0.1:{port}/page/{i}" for i in range(n)]
    log = Path(MEDIA) / "worker.log"
    worker = None
    try:
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPUs · {platform.platform()} · "
            f"Python {platform.python_version()}\n"
            f"database: {connection.vendor}; broker: {'redis' if settings.REDIS_URL else 'embedded'}",
            flush=True,
        )
        worker = start_worker(concurrency=concurrency, allow=f"127.0.0.1:{port}", log=log)
        # Warm-up, not timed: each worker thread opens its database connection, as a worker
        # that has been running for a while already has.
        warm = [
            s.pk
            for s in Snapshot.objects.bulk_create(
                Snapshot(url=f"{u}?warm") for u in urls[: concurrency * 2]
            )
        ]
        for snapshot_id in warm:
            enqueue_archive(snapshot_id)
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and Snapshot.objects.filter(
                pk__in=warm, status__in=[Snapshot.Status.PENDING, Snapshot.Status.FETCHING]
            ).exists()
        ):
            time.sleep(0.05)
        ids = [s.pk for s in Snapshot.objects.bulk_create(Snapshot(url=u) for u in urls)]

        cpu_before = cpu_seconds(worker.pid)
        started = time.perf_counter()
        for snapshot_id in ids:
            enqueue_archive(snapshot_id)
        done = 0
        deadline = time.monotonic() + max(120, 5 * n * latency / concurrency)
        while time.monotonic() < deadline:
            done = Snapshot.objects.filter(
                pk__in=ids, status__in=[Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED]
            ).count()
            if done == n:
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        worker_cpu = cpu_seconds(worker.pid) - cpu_before
        archived = Snapshot.objects.filter(pk__in=ids, status=Snapshot.Status.ARCHIVED).count()
        rows = list(
            Snapshot.objects.filter(pk__in=ids, archived_at__isnull=False).values_list(
                "fetch_started_at", "archived_at"
            )
        )
        durations = sorted((done_at - start).total_seconds() for start, done_at in rows)
        p50 = durations[len(durations) // 2] if durations else 0.0
        p90 = durations[int(len(durations) * 0.9)] if durations else 0.0

        with requests.Session() as session:
            session.trust_env = False
            t0 = time.perf_counter()
            for url in urls:
                session.get(url, timeout=10).raise_for_status()
            sequential = time.perf_counter() - t0

        ideal = n * latency / concurrency
        print(
            f"N={n} L={latency * 1000:g} ms C={concurrency}: archived {archived}/{n}\n"
            f"worker wall time     {wall:8.2f} s\n"
            f"ideal N·L/C          {ideal:8.2f} s\n"
            f"ratio                {wall / ideal:8.2f}×  (aim ≤ 1.3×)\n"
            f"sequential requests  {sequential:8.2f} s\n"
            f"worker CPU time      {worker_cpu:8.2f} s  ({worker_cpu / n * 1000:.1f} ms a page)\n"
            f"task time p50 / p90  {p50:8.3f} s / {p90:.3f} s (reserve to archived)",
            flush=True,
        )
        if archived != n:
            print(log.read_text(errors="replace")[-3000:])
            return 1
        return 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())

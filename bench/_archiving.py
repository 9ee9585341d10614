"""What the archiving benchmarks share (`bench.archive`, `bench.scale`): a local origin that
answers every page after a fixed latency, and real Celery worker processes started against the
benchmark's throwaway database and the configured broker. Imported after `django.setup()`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench._db import database_url

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "Northern Rare Earth said net profit rose 1,882.5% in the first half; rare earth metals "
    "output jumped 60.4% year on year, according to the company's filing. "
)


def origin(latency: float, *, backlog: int = 512) -> ThreadingHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port) answering any path after
    `latency` seconds with a small article page."""

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
    server.request_queue_size = backlog
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_worker(
    *,
    pool: str,
    concurrency: int,
    queues: str,
    name: str,
    allow: str,
    log: Path,
    env: dict[str, str] | None = None,
    app: str = "reex",
) -> subprocess.Popen:
    """Start `celery worker` (pool, concurrency, the comma-separated `queues`, node `name@host`)
    on the benchmark's database, fetching allowed to reach `allow`; output goes to `log`. Does
    not wait: `wait_ready` does. `app`: the Celery app module (`bench._profiled` profiles)."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    child_env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        REEX_FETCH_ALLOWLIST=allow,
        REEX_WORKER_CONCURRENCY=str(concurrency),
        LOG_LEVEL="WARNING",
    )
    if not settings.REDIS_URL:
        child_env["REEX_BROKER_DIR"] = str(
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
        )
    child_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, "worker", "--pool", pool,
         "--concurrency", str(concurrency), "-Q", queues, "-n", f"{name}@%h",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=child_env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_ready(workers: list[tuple[subprocess.Popen, Path]], *, timeout: float = 90) -> None:
    """Wait until every worker logged ` ready.`; exit naming the log of one that did not."""
    deadline = time.monotonic() + timeout
    for process, log in workers:
        while time.monotonic() < deadline:
            if process.poll() is not None or " ready." in log.read_text(errors="replace"):
                break
            time.sleep(0.1)
        if process.poll() is not None or " ready." not in log.read_text(errors="replace"):
            stop_workers([w for w, _ in workers])
            raise SystemExit(f"worker did not start:\n{log.read_text(errors='replace')}")


def stop_workers(processes: list[subprocess.Popen]) -> None:
    """A warm shutdown (SIGTERM), then a kill for any still running after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def exit_code(ok: bool, logs: list[Path]) -> int:
    """0 when every batch ended well; else each worker's log tail (what went wrong) and 1."""
    if ok:
        return 0
    for log in logs:
        print(log.read_text(errors="replace")[-3000:])
    return 1


def tear_down(workers: list[subprocess.Popen], server, old_name: str) -> None:
    """Stop the workers and the origin, and drop the throwaway database."""
    from django.db import connection

    stop_workers(workers)
    server.shutdown()
    connection.creation.destroy_test_db(old_name, verbosity=0)


def wait_until_done(ids: list[int], timeout: float, *, poll: float = 0.02) -> int:
    """How many of the snapshots `ids` ended (archived or failed) within `timeout` seconds."""
    from sources.models import Snapshot

    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = Snapshot.objects.filter(
            pk__in=ids, status__in=[Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED]
        ).count()
        if done == len(ids):
            break
        time.sleep(poll)
    return done

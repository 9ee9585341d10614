"""Benchmark of browser captures: `python -m bench.capture [--n 60 --render-threads 2]`.

A local origin (a threaded HTTP server on 127.0.0.1) serves N pages, each with one script (which
writes the page's text), three images and one stylesheet. Three real Celery workers run as in
production, on the configured broker and a throwaway database: fetching (threads ×4, the archive
queue), extraction (prefork ×1) and render (threads ×R, REEX_RENDER_QUEUE, one Chromium per
thread). After a warm-up of 2·R pages (not timed: each render thread starts its Chromium once),
N snapshots that ask for a browser capture are queued and timed from the first enqueue to the
last `archived`; then the same N pages as plain fetches (`capture_wanted = http`). Printed for
each: pages a minute, the CPU time a page of each worker (the render worker's Chromium and
Playwright driver processes included) and of the whole machine. Aim (issue 24): at least 30
browser pages a minute on one render worker process on two cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench._setup import archiving_environment

MEDIA = archiving_environment("capture")
os.environ["REEX_RENDER_QUEUE"] = f"reex-bench-capture-render-{os.getpid()}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench._archiving import (  # noqa: E402
    PARAGRAPH,
    exit_code,
    start_worker,
    tear_down,
    wait_ready,
    wait_until_done,
)
from bench._db import create_throwaway_database  # noqa: E402
from sources.models import Snapshot  # noqa: E402
from sources.tasks import enqueue_archive  # noqa: E402


def _own_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime + stime, and cutime + cstime: the children it reaped (Chromium's renderers).
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children, recursively (Linux /proc): the
    render worker's Playwright driver and its Chromium processes count as the worker's."""
    try:
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        children = []
    return _own_cpu(pid) + sum(cpu_seconds(child) for child in children)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / tick, sum(fields) / tick


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f00f0004850180848a9c21"
    "0000000049454e44ae426082"
)
SCRIPT = (
    "document.addEventListener('DOMContentLoaded', () => {"
    " const p = document.createElement('p');"
    f" p.textContent = {PARAGRAPH * 3!r};"
    " document.getElementById('root').appendChild(p); });"
)


def origin() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path.startswith("/page/"):
                images = "".join(f'<img src="/img{k}.png?{self.path}">' for k in range(3))
                body = (
                    f'<html><head><title>Page {self.path}</title><link rel="stylesheet" '
                    f'href="/site.css"><script src="/app.js"></script></head><body>'
                    f'<div id="root"><h1>Page {self.path}</h1></div>{images}</body></html>'
                ).encode()
                kind = "text/html; charset=utf-8"
            elif path == "/app.js":
                body, kind = SCRIPT.encode(), "text/javascript"
            elif path == "/site.css":
                body, kind = b"body{font:16px/1.4 serif;margin:2rem}img{width:40px}", "text/css"
            else:
                body, kind = PNG, "image/png"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_batch(*, label: str, urls: list[str], wanted: str, workers, names) -> bool:
    ids = [
        s.pk
        for s in Snapshot.objects.bulk_create(Snapshot(url=u, capture_wanted=wanted) for u in urls)
    ]
    n = len(ids)
    cpu_before = [cpu_seconds(w.pid) for w in workers]
    busy_before, total_before = machine_busy()
    started = time.perf_counter()
    for snapshot_id in ids:
        enqueue_archive(snapshot_id)
    done = wait_until_done(ids, max(120, 6 * n), poll=0.05)
    wall = time.perf_counter() - started
    cpu = [cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before, strict=True)]
    busy_after, total_after = machine_busy()
    busy, total = busy_after - busy_before, total_after - total_before
    rows = Snapshot.objects.filter(pk__in=ids, status=Snapshot.Status.ARCHIVED)
    archived = rows.count()
    browser = rows.filter(capture=Snapshot.Capture.BROWSER).count()
    with_text = rows.filter(text__contains="1,882.5%").count()
    lines = [
        f"{label}: N={n}: archived {archived}/{n} ({browser} rendered in a browser, "
        f"{with_text} with the script's words){'' if done == n else ' — TIMED OUT'}",
        f"  wall time            {wall:8.2f} s",
        f"  pages a minute       {n / wall * 60:8.1f}",
    ]
    for name, seconds in zip(names, cpu, strict=True):
        lines.append(f"  {name:<20} {seconds:8.2f} s CPU  ({seconds / n * 1000:.0f} ms a page)")
    lines.append(
        f"  machine CPU busy     {busy:8.2f} s of {total:.2f} s on {os.cpu_count()} cores "
        f"({100 * busy / total if total else 0:.0f}%; {busy / n * 1000:.0f} ms a page, all processes)"
    )
    print("\n".join(lines), flush=True)
    return archived == n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="pages (60)")
    parser.add_argument("--render-threads", type=int, default=2, help="render threads (2)")
    args = parser.parse_args(argv)

    old_name = create_throwaway_database("capture")
    server = origin()
    port = server.server_address[1]
    logs = [Path(MEDIA) / f"{n}-worker.log" for n in ("fetch", "extract", "render")]
    workers: list[subprocess.Popen] = []
    try:
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPUs · {platform.platform()} · "
            f"Python {platform.python_version()} · Chromium {settings.REEX_CHROMIUM}\n"
            f"database: {connection.vendor}; broker: {'redis' if settings.REDIS_URL else 'embedded'}; "
            f"fetching: threads ×4; extraction: prefork ×1; render: threads ×{args.render_threads}",
            flush=True,
        )
        allow = f"127.0.0.1:{port}"
        pid = os.getpid()
        workers.append(
            start_worker(pool="threads", concurrency=4, allow=allow, log=logs[0],
                         queues=os.environ["REEX_CELERY_QUEUE"], name=f"fetch-{pid}")
        )  # fmt: skip
        workers.append(
            start_worker(pool="prefork", concurrency=1, allow=allow, log=logs[1],
                         queues=os.environ["REEX_EXTRACT_QUEUE"], name=f"extract-{pid}")
        )  # fmt: skip
        workers.append(
            start_worker(pool="threads", concurrency=args.render_threads, allow=allow,
                         log=logs[2], queues=os.environ["REEX_RENDER_QUEUE"],
                         name=f"render-{pid}")
        )  # fmt: skip
        wait_ready(list(zip(workers, logs, strict=True)), timeout=90)
        base = f"http://127.0.0.1:{port}/page"
        warm = [f"{base}/warm{i}" for i in range(2 * args.render_threads)]
        ok = run_batch(
            label="warm-up (not the figure)", urls=warm, wanted="browser", workers=workers,
            names=["fetch worker", "extract worker", "render worker"],
        )  # fmt: skip
        names = ["fetch worker", "extract worker", "render worker"]
        ok = run_batch(
            label="browser", urls=[f"{base}/b{i}" for i in range(args.n)], wanted="browser",
            workers=workers, names=names,
        ) and ok  # fmt: skip
        ok = run_batch(
            label="plain fetch", urls=[f"{base}/p{i}" for i in range(args.n)], wanted="http",
            workers=workers, names=names,
        ) and ok  # fmt: skip
        return exit_code(ok, logs)
    finally:
        tear_down(workers, server, old_name)


if __name__ == "__main__":
    sys.exit(main())

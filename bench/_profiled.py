"""The reex Celery app with cProfile on every thread and process that runs tasks, for the
archiving benchmarks only: `celery -A bench._profiled worker ...` with REEX_PROFILE=<folder>
(bench.archive --profile does this). Production code has no profiling hook.

Profiled: the worker's main thread (the consumer: reading messages from the broker, decoding,
QoS, acks sent from there) from `worker_init` to `worker_shutdown`; each pool thread while it
runs a task (`task_prerun` → `task_postrun`: the task body, Django, the ORM, the extractor); each
prefork child from `worker_process_init` to `worker_process_shutdown`. At shutdown every profile
is written to `<folder>/<node>-<pid>[-<thread>].prof` (pstats format); `summarise` groups the
functions' own time by area (broker, Celery, ORM, driver, extraction, ...)."""

from __future__ import annotations

import cProfile
import os
import threading
import time
from pathlib import Path

from celery.signals import (
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_shutdown,
)
from django.db.backends.signals import connection_created

from reex.celery import app

__all__ = ["app", "summarise"]

FOLDER = os.environ.get("REEX_PROFILE", "")
_local = threading.local()
_thread_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()
_main: dict[str, cProfile.Profile] = {}
# Statements sent to the database by this process, by their first word (SELECT, UPDATE, ...).
_statements: dict[str, int] = {}


def _count(execute, sql, params, many, context):
    word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    with _lock:
        _statements[word] = _statements.get(word, 0) + 1
    return execute(sql, params, many, context)


def _dump_statements() -> None:
    import json

    Path(FOLDER).mkdir(parents=True, exist_ok=True)
    (Path(FOLDER) / f"{os.getpid()}-statements.json").write_text(json.dumps(_statements))


def _profile() -> cProfile.Profile:
    # CPU time of the calling thread, not wall time: a thread waiting on the network, the
    # database or the GIL costs nothing here, and threads do not count each other's time.
    return cProfile.Profile(time.thread_time)


def _dump(profile: cProfile.Profile, suffix: str) -> None:
    profile.disable()
    Path(FOLDER).mkdir(parents=True, exist_ok=True)
    profile.dump_stats(str(Path(FOLDER) / f"{os.getpid()}-{suffix}.prof"))


if FOLDER:

    def _count_statements(connection=None, **kwargs) -> None:
        if _count not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count)

    connection_created.connect(_count_statements, weak=False)

    @worker_init.connect
    def _main_start(**kwargs) -> None:
        _main["main"] = _profile()
        _main["main"].enable()

    @worker_process_init.connect
    def _child_start(**kwargs) -> None:
        _main.clear()  # a forked child does not carry on the parent's profile
        _main["child"] = _profile()
        _main["child"].enable()

    @worker_process_shutdown.connect
    def _child_stop(**kwargs) -> None:
        if "child" in _main:
            _dump(_main.pop("child"), "child")
        _dump_statements()

    @task_prerun.connect
    def _task_start(**kwargs) -> None:
        if threading.current_thread() is threading.main_thread():
            return  # the main thread's (or the child's) profile already runs
        profile = getattr(_local, "profile", None)
        if profile is None:
            profile = _local.profile = _profile()
            with _lock:
                _thread_profiles.append(profile)
        profile.enable()

    @task_postrun.connect
    def _task_stop(**kwargs) -> None:
        profile = getattr(_local, "profile", None)
        if profile is not None:
            profile.disable()

    @worker_shutdown.connect
    def _main_stop(**kwargs) -> None:
        if "main" in _main:
            _dump(_main.pop("main"), "main")
        for n, profile in enumerate(_thread_profiles):
            _dump(profile, f"thread{n}")
        _dump_statements()


# Areas of own (tottime) CPU, by where the function lives; the first match wins.
AREAS = (
    ("redis / kombu (broker)", ("/kombu/", "/redis/", "/amqp/", "/vine/")),
    ("celery", ("/celery/", "/billiard/")),
    ("psycopg (driver)", ("/psycopg/", "/psycopg2/", "/psycopg_c/", "psycopg")),
    ("django ORM / db", ("/django/db/",)),
    ("django other", ("/django/",)),
    ("extraction libs", ("/trafilatura/", "/justext/", "/htmldate/", "/lxml/", "/bs4/",
                         "/courlan/", "/charset_normalizer/", "/dateparser/", "/soupsieve/")),
    ("warcio", ("/warcio/",)),
    ("requests / urllib3 (fetch)", ("/requests/", "/urllib3/", "/http/client", "/socket.py",
                                     "/ssl.py", "/ipaddress.py")),
    ("reex code", ("/sources/", "/claims/", "/reex/", "/ownership/")),
    ("json", ("/json/",)),
    ("logging", ("/logging/",)),
    ("threading / queue", ("/threading.py", "/queue.py", "/concurrent/")),
)  # fmt: skip


def _area(filename: str) -> str:
    for name, needles in AREAS:
        if any(n in filename for n in needles):
            return name
    if filename == "~":
        return "builtins (C)"
    return "other python"


def statements(folder: Path, *, pages: int) -> str:
    """Statements a page every worker process sent, by kind (from the counts written at exit)."""
    import json

    total: dict[str, int] = {}
    for path in folder.glob("*-statements.json"):
        for word, n in json.loads(path.read_text()).items():
            total[word] = total.get(word, 0) + n
    kinds = ", ".join(
        f"{w} {n / pages:.1f}" for w, n in sorted(total.items(), key=lambda kv: -kv[1])
    )
    return f"  statements a page (all workers) {sum(total.values()) / pages:.1f}: {kinds}"


def summarise(paths: list[Path], *, pages: int, top: int = 12) -> str:
    """Own CPU time a page by area, and the functions with the most cumulative time."""
    import pstats

    if not paths:
        return "  (no profiles written)"
    stats = pstats.Stats(*[str(p) for p in paths])
    by_area: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        by_area[_area(filename)] = by_area.get(_area(filename), 0.0) + tottime
    total = sum(by_area.values())
    lines = [f"  profiled own CPU (thread time) {total / pages * 1000:6.2f} ms a page, by area:"]
    for name, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
        lines.append(f"    {name:<28} {seconds / pages * 1000:6.2f} ms")
    lines.append("  heaviest functions (cumulative ms a page, calls a page):")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])
    shown = 0
    for (filename, line, func), (_, ncalls, _, cumtime, _) in rows:
        if func.startswith("<") or "bootstrap" in func or func in {"run", "_run", "start"}:
            continue
        short = "/".join(filename.split("/")[-2:])
        lines.append(
            f"    {cumtime / pages * 1000:7.2f} ms {ncalls / pages:6.1f}×  {short}:{line} {func}"
        )
        shown += 1
        if shown >= top * 3:
            break
    return "\n".join(lines)

"""The Celery application. Configuration lives in settings (CELERY_* names).

A worker checks, before it takes any task, that its task modules and what they import at run
time (the extraction stack above all: trafilatura, jusText, lxml.html.clean, htmldate, pypdf,
warcio) can be imported, and refuses to start otherwise, saying which import failed and why. A
worker that started anyway would take every archive task and fail it.
"""

import importlib
import os
import sys

from celery import Celery
from celery.signals import celeryd_after_setup, worker_init, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")

app = Celery("reex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The render queue's task lives beside sources.tasks (sources/capture_tasks.py).
app.autodiscover_tasks(["sources"], related_name="capture_tasks")
# The webhook sweep's task lives beside claims.tasks (claims/sweep_tasks.py).
app.autodiscover_tasks(["claims"], related_name="sweep_tasks")

# Task ids in the log lines, JSON logs on the worker too (reex/observability/logs.py).
from reex.observability.logs import connect_celery  # noqa: E402

connect_celery()

# The task modules, then the libraries their tasks import lazily or that import lazily in turn.
WORKER_IMPORTS = (
    "sources.tasks",
    "sources.capture_tasks",
    "claims.tasks",
    "claims.sweep_tasks",
    "sources.archive",
    "sources.extract",
    "sources.fetch",
    "trafilatura",
    "justext",
    "lxml.html.clean",
    "htmldate",
    "pypdf",
    "warcio",
    "bs4",
)


def import_problems(names=WORKER_IMPORTS) -> list[str]:
    """`name, name: ErrorType: message` for the modules in `names` that cannot be imported
    (modules failing for one reason, as a chain of imports does, share a line)."""
    failing: dict[str, list[str]] = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every reason is reported, then we stop
            reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            failing.setdefault(reason, []).append(name)
    return [f"{', '.join(modules)}: {reason}" for reason, modules in failing.items()]


@worker_init.connect
def _refuse_to_start_without_task_imports(**kwargs) -> None:
    # Also pays for importing the extraction stack at boot, not inside the first tasks, where it
    # would hold the GIL for every thread at once.
    from django.conf import settings

    if not settings.REEX_WORKER_IMPORT_CHECK:
        return
    problems = import_problems()
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        sys.stderr.write(
            "reex worker: refusing to start: its tasks cannot import what they need:\n"
            f"{lines}\n"
            "Install the locked dependencies: bin/install-lock python requirements.lock\n"
        )
        sys.stderr.flush()
        # SystemExit, not an exception: Celery logs and ignores a signal handler's exceptions.
        raise SystemExit(1)


def render_problem() -> str | None:
    """Why this worker cannot render pages (no Chromium, Playwright or py-wacz), or None."""
    from sources.capture import chromium_problem

    problem = chromium_problem()
    if problem:
        return problem
    problems = import_problems(("sources.render", "wacz.main"))
    return "; ".join(problems) or None


@celeryd_after_setup.connect
def _render_queue_only_with_chromium(sender=None, instance=None, **kwargs) -> None:
    """A worker told to consume the render queue that cannot run Chromium leaves it to the
    workers that can (the snapshot would otherwise be stored without its browser capture); a
    worker with nothing else to consume refuses to start."""
    from django.conf import settings

    queues = instance.app.amqp.queues
    render_queue = settings.REEX_RENDER_QUEUE
    if render_queue not in queues.consume_from:
        return
    problem = render_problem()
    if problem is None:
        return
    message = f"reex worker: not consuming the render queue {render_queue!r}: {problem}\n"
    if len(queues.consume_from) == 1:
        sys.stderr.write(
            message + "reex worker: refusing to start: it has no other queue. Install Chromium "
            "(apt-get install chromium) and set REEX_CHROMIUM, or start it without -Q "
            f"{render_queue}.\n"
        )
        sys.stderr.flush()
        raise SystemExit(1)
    queues.deselect([render_queue])
    sys.stderr.write(message)
    sys.stderr.flush()


@worker_ready.connect
def _start_heartbeat(sender=None, **kwargs) -> None:
    from sources.heartbeat import start

    try:
        queues = list(sender.app.amqp.queues.consume_from)
    except AttributeError:
        queues = []
    start(name=getattr(sender, "hostname", None) or "celery", queues=queues)


@worker_shutdown.connect
def _stop_heartbeat(**kwargs) -> None:
    from sources.heartbeat import stop

    stop()

"""Structured logs (issue 12): one JSON object a line, with the request id of the web request
or the id and name of the Celery task that wrote it.

- `RequestIdMiddleware` takes the caller's `X-Request-ID` (a proxy's or load balancer's; kept
  only when it is a short token of safe characters) or makes one, keeps it for the request's
  log lines, sends it back in the response's `X-Request-ID`, and writes one access line a
  request (logger `reex.access`: method, path, status, duration_ms, user_id).
- Celery's `task_prerun`/`task_postrun` signals set the task id and name for the task's lines
  (`connect_celery()`, called from reex/celery.py); `after_setup_logger` puts the JSON
  formatter on the worker's own handlers when REEX_LOG_FORMAT is json, since Celery sets up a
  worker's logging itself.
- `ContextFilter` copies the ids onto every record; `JsonFormatter` writes the line.

REEX_LOG_FORMAT: `json` (the default without DEBUG) or `plain` (the default with DEBUG).
Context variables, not thread locals: each gunicorn thread and each Celery pool thread has
its own value.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.core.signals import request_finished

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")
task_name_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_name", default="")

REQUEST_ID_HEADER = "X-Request-ID"
#: One line a request (method, path, status, duration, user id), in place of gunicorn's
#: access log, so that access lines are JSON with the request id too.
access = logging.getLogger("reex.access")
QUIET_PATHS = frozenset({"/healthz", "/metrics"})
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

#: LogRecord attributes that are not `extra=` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
}


class ContextFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` (empty when outside one) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or request_id_var.get()
        record.task_id = getattr(record, "task_id", "") or task_id_var.get()
        record.task_name = getattr(record, "task_name", "") or task_name_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", "request_id"?, "task_id"?, "task"?, "exc"?, ...}`:
    empty ids are left out; `extra=` fields are kept (as text when not JSON-able)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, name in (
            ("request_id", "request_id"),
            ("task_id", "task_id"),
            ("task", "task_name"),
        ):
            value = getattr(record, name, "") or ""
            if value:
                out[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def new_request_id(sent: str | None) -> str:
    """The caller's id when it is safe to log and echo, else a fresh one."""
    if sent and _SAFE_ID.match(sent):
        return sent
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's log lines and returns it in `X-Request-ID`."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        rid = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid
        # Kept past this middleware: Django logs a 4xx/5xx ("Not Found: /x") after the
        # middleware chain returns. Cleared when the response is closed (`request_finished`).
        request_id_var.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        user = getattr(request, "user", None)
        # Probes and scrapes every few seconds would drown the rest: DEBUG for those.
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        access.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def _request_finished(**kwargs) -> None:
    request_id_var.set("")


request_finished.connect(_request_finished, dispatch_uid="reex.observability.request_finished")


def _task_started(task_id=None, task=None, **kwargs) -> None:
    task_id_var.set(task_id or "")
    task_name_var.set(getattr(task, "name", "") or "")


def _task_finished(**kwargs) -> None:
    task_id_var.set("")
    task_name_var.set("")


def _json_on_worker_handlers(logger=None, **kwargs) -> None:
    from django.conf import settings

    if getattr(settings, "REEX_LOG_FORMAT", "plain") != "json" or logger is None:
        return
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())


def connect_celery() -> None:
    """Task ids into the log context, and JSON on the worker's handlers (see the docstring)."""
    from celery.signals import (
        after_setup_logger,
        after_setup_task_logger,
        task_postrun,
        task_prerun,
    )

    task_prerun.connect(_task_started, weak=False)
    task_postrun.connect(_task_finished, weak=False)
    after_setup_logger.connect(_json_on_worker_handlers, weak=False)
    after_setup_task_logger.connect(_json_on_worker_handlers, weak=False)

"""Structured logs (reex/observability/logs.py): JSON lines carrying the request id in the web
process and the task id in a real Celery worker."""

from __future__ import annotations

import io
import json
import logging

import pytest

from reex.observability.logs import ContextFilter, JsonFormatter, new_request_id, request_id_var


def test_json_lines_carry_the_context_and_extras():
    record = logging.LogRecord(
        "reex.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None
    )
    record.snapshot_id = 7
    token = request_id_var.set("abc123")
    try:
        ContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert line["level"] == "WARNING" and line["logger"] == "reex.test"
    assert line["request_id"] == "abc123"
    assert line["snapshot_id"] == 7
    assert "task_id" not in line


def test_exceptions_are_kept_in_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    ContextFilter().filter(record)
    out = JsonFormatter().format(record)
    assert "\n" not in out
    assert "ValueError: boom" in json.loads(out)["exc"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("req-42.a:b", True), ("", False), ("x" * 65, False), ("bad id\n", False), ("<s>", False)],
)
def test_only_safe_request_ids_are_kept(sent, kept):
    got = new_request_id(sent)
    assert (got == sent) is kept
    assert len(got) <= 64


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_the_log_lines_carry_it(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="probe-1")
    assert response["X-Request-ID"] == "probe-1"
    fresh = client.get("/accounts/login/")["X-Request-ID"]
    assert len(fresh) == 32 and fresh != "probe-1"
    # A handler configured as settings.LOGGING configures the console: the context filter and
    # the JSON formatter; Django logs the 404 inside the request.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/claims/999999999/nothing-here/", HTTP_X_REQUEST_ID="probe-404")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["request_id"] == "probe-404" for line in lines)
    assert "Not Found" in lines[0]["message"]


@pytest.mark.django_db
def test_one_json_access_line_a_request_with_its_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("reex.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/accounts/login/", HTTP_X_REQUEST_ID="probe-access")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["request_id"] == "probe-access"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/accounts/login/", 200)
    assert line["duration_ms"] >= 0 and line["user_id"] is None


def test_the_settings_log_through_the_context_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["context"]
    assert handler["formatter"] in {"json", "plain"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_json_with_the_task_id(make_celery_worker, origin):
    from claims.services.evidence import evidence_attach
    from sources.models import Snapshot
    from tests.factories import ClaimFactory, UserFactory
    from tests.worker import wait_for

    worker = make_celery_worker(REEX_LOG_FORMAT="json", DEBUG="0")
    claim = ClaimFactory()
    reviewer = UserFactory(groups=["reviewer"])
    origin.expect_request("/story").respond_with_data(
        "<html><head><title>A story</title></head><body><p>Net profit rose.</p></body></html>",
        content_type="text/html",
    )
    url = origin.url_for("/story")
    evidence = evidence_attach(claim=claim, url=url, stance="supports", excerpt="", actor=reviewer)
    wait_for(
        lambda: Snapshot.objects.get(pk=evidence.snapshot_id).status in {"archived", "failed"},
        timeout=30,
        what="archived",
        worker=worker,
    )

    def json_lines():
        lines = []
        for raw in worker.log().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return lines

    # The task commits the snapshot's status before it writes its last log lines, so
    # the log is read again until a line of the task itself has been written.
    wait_for(
        lambda: any(line.get("task_id") for line in json_lines()),
        timeout=15,
        what="a log line carrying the task id",
        worker=worker,
    )
    lines = json_lines()
    assert lines, worker.log()[-2000:]
    task_lines = [line for line in lines if line.get("task_id")]
    assert task_lines, worker.log()[-3000:]
    assert any(line.get("task") == "sources.tasks.archive_snapshot" for line in task_lines)

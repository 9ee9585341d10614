"""GET /metrics: the desk in Prometheus' text format (prometheus_client), for operators.

Every figure is read from the database (and the broker) when scraped, so any web process
answers for the whole deployment: the workers on other hosts serve no HTTP, and a counter kept
in one gunicorn process would see only that process's share. Families:

- `reex_claims{status}`: claims by status (every status, zeros included);
- `reex_snapshots{status}` and `reex_snapshot_failures{kind}` (failed snapshots by error kind):
  snapshots by outcome;
- `reex_queue_depth{queue}`: messages waiting in each Celery queue the app routes to;
- `reex_fetch_latency_seconds`: a histogram of fetch-to-archived time of the snapshots archived
  in the last REEX_METRICS_LATENCY_WINDOW seconds;
- `reex_workers_live`, `reex_oldest_waiting_snapshot_age_seconds`: what /healthz judges.

Who may read: the operator token (REEX_HEALTH_TOKEN) as `Authorization: Bearer TOKEN`
(Prometheus' `authorization` setting) or `X-Reex-Health-Token`, or a staff session
(`reex.observability.operators.is_operator`). Anyone else gets 401. Answered before the host
check and the https redirect, like /healthz (`reex.observability.middleware`), since scrapers
come by address.
Costs six queries and one broker round trip per queue, whatever the data size.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from reex.observability.operators import is_operator

log = logging.getLogger(__name__)

#: Fetch latency buckets, in seconds (a fetch is capped at REEX_FETCH_TIMEOUT).
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


def queue_names() -> list[str]:
    """The default queue and every queue named in CELERY_TASK_ROUTES / the app's queues."""
    from reex.celery import app

    names = [settings.CELERY_TASK_DEFAULT_QUEUE]
    routes = settings.CELERY_TASK_ROUTES
    if isinstance(routes, dict):
        names += [r.get("queue") for r in routes.values() if isinstance(r, dict) and r.get("queue")]
    names += list(app.amqp.queues.keys())
    return list(dict.fromkeys(n for n in names if n))


def queue_depths() -> dict[str, int | None]:
    """Messages waiting per queue; None for a queue the broker could not count."""
    from reex.celery import app

    out: dict[str, int | None] = {}
    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        for name in queue_names():
            try:
                out[name] = int(channel.queue_declare(queue=name, passive=True).message_count)
            except Exception:
                log.debug("metrics: cannot count queue %s", name, exc_info=True)
                out[name] = None
    return out


class DeskCollector:
    """Collects the families above on each scrape."""

    def collect(self):
        from claims.models import Claim
        from sources.models import Snapshot
        from sources.selectors import live_workers, oldest_waiting_snapshot

        claims = GaugeMetricFamily("reex_claims", "Claims by status.", labels=["status"])
        counted = dict(Claim.objects.order_by().values_list("status").annotate(n=Count("pk")))
        for status in Claim.Status.values:
            claims.add_metric([status], counted.get(status, 0))
        yield claims

        snaps = GaugeMetricFamily("reex_snapshots", "Snapshots by status.", labels=["status"])
        counted = dict(Snapshot.objects.order_by().values_list("status").annotate(n=Count("pk")))
        for status in Snapshot.Status.values:
            snaps.add_metric([status], counted.get(status, 0))
        yield snaps

        failures = GaugeMetricFamily(
            "reex_snapshot_failures", "Failed snapshots by error kind.", labels=["kind"]
        )
        for kind, n in (
            Snapshot.objects.filter(status=Snapshot.Status.FAILED)
            .order_by()
            .values_list("error_kind")
            .annotate(n=Count("pk"))
        ):
            failures.add_metric([kind or "unknown"], n)
        yield failures

        yield self._latency(Snapshot)

        depth = GaugeMetricFamily(
            "reex_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        try:
            for name, n in queue_depths().items():
                if n is not None:
                    depth.add_metric([name], n)
            up = 1
        except Exception:
            log.warning("metrics: the broker is unreachable", exc_info=True)
            up = 0
        yield depth
        broker = GaugeMetricFamily("reex_broker_up", "1 when the broker answered this scrape.")
        broker.add_metric([], up)
        yield broker

        workers = GaugeMetricFamily(
            "reex_workers_live", "Workers whose heartbeat is fresh (as /healthz counts them)."
        )
        workers.add_metric([], len(live_workers()))
        yield workers

        waiting = oldest_waiting_snapshot()
        oldest = GaugeMetricFamily(
            "reex_oldest_waiting_snapshot_age_seconds",
            "Age of the oldest pending or fetching snapshot (0 when none).",
        )
        oldest.add_metric([], waiting["oldest_age_seconds"] or 0)
        yield oldest

    def _latency(self, Snapshot) -> HistogramMetricFamily:
        since = timezone.now() - timedelta(seconds=settings.REEX_METRICS_LATENCY_WINDOW)
        took = ExpressionWrapper(F("archived_at") - F("fetch_started_at"), DurationField())
        rows = (
            Snapshot.objects.filter(
                status=Snapshot.Status.ARCHIVED,
                archived_at__gte=since,
                fetch_started_at__isnull=False,
            )
            .annotate(took=took)
            .aggregate(
                total=Count("pk"),
                sum=Sum("took"),
                **{
                    f"le_{i}": Count("pk", filter=Q(took__lte=timedelta(seconds=b)))
                    for i, b in enumerate(LATENCY_BUCKETS)
                },
            )
        )
        buckets = [(str(b), rows[f"le_{i}"]) for i, b in enumerate(LATENCY_BUCKETS)]
        buckets.append(("+Inf", rows["total"]))
        total_seconds = rows["sum"].total_seconds() if rows["sum"] else 0.0
        return HistogramMetricFamily(
            "reex_fetch_latency_seconds",
            "Fetch start to archived, of snapshots archived in the latency window.",
            buckets=buckets,
            sum_value=total_seconds,
        )


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.REEX_HEALTH_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer ") and constant_time_compare(auth[7:].strip(), token):
        return True
    return is_operator(request)


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(
            "Use GET.\n", status=405, content_type="text/plain", headers={"Allow": "GET"}
        )
    if not _may_scrape(request):
        response = HttpResponse(
            "Metrics are for operators: send the health token as `Authorization: Bearer "
            "TOKEN` (REEX_HEALTH_TOKEN) or sign in as staff.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="reex metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeskCollector())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response

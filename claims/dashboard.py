"""The newsroom's sourcing at a glance (issue 25): what the editors' dashboard (`/dashboard/`)
shows, as charts drawn on the server (SVG, nothing loaded from elsewhere) with the numbers of
each chart as CSV.

Charts: claims by status per month (of the article's publication, else of the claim's
creation) and per outlet; the share of decided claims that rest on state sources alone
(state-sourced), in published reports and overall; the origins most claims come from;
reviewers' open work; archive health (failed, stale and waiting snapshots).

Reads only, a constant number of queries whatever the desk holds (each chart one grouped
query, plus the control graph for the origins' state control).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.db.models import Count, DateField, Q
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.html import escape

from claims.choices import ClaimStatus
from claims.models import Claim
from claims.reports import STATUS_COLOURS, STATUS_ORDER
from ownership.chains import current_graph
from ownership.svg import name_lines
from sources.models import Snapshot

#: An archived copy older than this is stale: `manage.py archive --stale DAYS` re-checks it.
STALE_DAYS = 90
DECIDED = [
    ClaimStatus.INDEPENDENTLY_VERIFIED,
    ClaimStatus.STATE_SOURCED,
    ClaimStatus.DISPUTED,
    ClaimStatus.UNVERIFIABLE,
]
STATE_COLOUR = STATUS_COLOURS["state_sourced"]
OTHER_COLOUR = "#9aa3b2"


@dataclass(frozen=True)
class Segment:
    series: str  # a status value, or a word of the chart's own
    label: str
    value: int
    colour: str


@dataclass
class Row:
    label: str
    segments: list[Segment]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


@dataclass
class Chart:
    """One chart: rows of stacked segments; `columns` name the CSV's value columns."""

    key: str
    title: str
    rows: list[Row]
    columns: list[tuple[str, str]]  # (series, label)
    note: str = ""
    empty: str = "Nothing to show yet."
    legend: list[Segment] = field(default_factory=list)

    def csv_rows(self) -> list[list[str | int]]:
        out: list[list[str | int]] = [["", *[label for _, label in self.columns], "total"]]
        for row in self.rows:
            values = {s.series: s.value for s in row.segments}
            out.append([row.label, *[values.get(c, 0) for c, _ in self.columns], row.total])
        return out

    @property
    def svg(self) -> str:
        return bar_chart(self)


def _status_segments(counts: dict[str, int]) -> list[Segment]:
    return [
        Segment(s.value, s.label, counts.get(s.value, 0), STATUS_COLOURS[s.value])
        for s in STATUS_ORDER
        if counts.get(s.value, 0)
    ]


STATUS_COLUMNS = [(s.value, s.label) for s in STATUS_ORDER]
STATUS_LEGEND = [Segment(s.value, s.label, 0, STATUS_COLOURS[s.value]) for s in STATUS_ORDER]


def by_month() -> Chart:
    """Claims by status per month of the article's publication (else the claim's creation)."""
    table: dict[str, dict[str, int]] = {}
    day = Coalesce("article__published_on", TruncDate("created_at", tzinfo=UTC))
    for month, status, n in (
        Claim.objects.values_list(TruncMonth(day, output_field=DateField()), "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        table.setdefault(f"{month:%Y-%m}", {})[status] = n
    rows = [Row(month, _status_segments(table[month])) for month in sorted(table)]
    return Chart(
        "by-month",
        "Claims by status, per month of the article",
        rows,
        STATUS_COLUMNS,
        legend=STATUS_LEGEND,
    )


def by_outlet() -> Chart:
    table: dict[str, dict[str, int]] = {}
    for outlet, status, n in (
        Claim.objects.values_list("article__outlet__name", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        table.setdefault(outlet or "No outlet recorded", {})[status] = n
    rows = sorted(
        (Row(name, _status_segments(c)) for name, c in table.items()),
        key=lambda r: (-r.total, r.label),
    )
    return Chart(
        "by-outlet", "Claims by status, per outlet", rows, STATUS_COLUMNS, legend=STATUS_LEGEND
    )


def state_share() -> Chart:
    """Of the claims with a verdict, how many rest on state sources alone (state-sourced): in
    published reports, and across the desk."""
    counts = Claim.objects.aggregate(
        published_state=Count(
            "id", filter=Q(article__report_published=True, status=ClaimStatus.STATE_SOURCED)
        ),
        published_decided=Count("id", filter=Q(article__report_published=True, status__in=DECIDED)),
        all_state=Count("id", filter=Q(status=ClaimStatus.STATE_SOURCED)),
        all_decided=Count("id", filter=Q(status__in=DECIDED)),
    )
    rows = []
    for label, state, decided in (
        ("In published reports", counts["published_state"], counts["published_decided"]),
        ("All claims with a verdict", counts["all_state"], counts["all_decided"]),
    ):
        rows.append(
            Row(
                label,
                [
                    Segment("state_only", "State sources alone", state, STATE_COLOUR),
                    Segment("other", "Other verdicts", decided - state, OTHER_COLOUR),
                ],
            )
        )

    def pct(state: int, decided: int, where: str) -> str:
        if not decided:
            return f"no verdicts {where} yet"
        return f"{100 * state / decided:.0f}% of the verdicts {where} ({state} of {decided})"

    note = (
        "State sources alone: "
        + pct(counts["published_state"], counts["published_decided"], "in published reports")
        + "; "
        + pct(counts["all_state"], counts["all_decided"], "on the desk")
        + "."
    )
    return Chart(
        "state-share",
        "Claims that rest on state sources alone",
        rows,
        [("state_only", "State sources alone"), ("other", "Other verdicts")],
        note=note,
        legend=rows[0].segments,
    )


def top_origins(limit: int = 12) -> Chart:
    graph = current_graph()
    rows = []
    for origin_id, name, n in (
        Claim.objects.values_list("origin_id", "origin__name")
        .annotate(n=Count("id"))
        .order_by("-n", "origin__name")[:limit]
    ):
        state = graph.resolve(origin_id).state_controlled
        rows.append(
            Row(
                name,
                [
                    Segment(
                        "state" if state else "other",
                        "State-controlled origin" if state else "Other origin",
                        n,
                        STATE_COLOUR if state else "#1f5fbf",
                    )
                ],
            )
        )
    return Chart(
        "origins",
        f"The {limit} origins most claims come from",
        rows,
        [("state", "State-controlled origin"), ("other", "Other origin")],
        legend=[
            Segment("state", "State-controlled origin", 0, STATE_COLOUR),
            Segment("other", "Other origin", 0, "#1f5fbf"),
        ],
    )


def open_work() -> Chart:
    rows = [
        Row(
            username,
            [Segment("open", "Claims held, no verdict yet", n, STATUS_COLOURS["in_review"])],
        )
        for username, n in (
            Claim.objects.filter(assignee__isnull=False)
            .exclude(status__in=DECIDED)
            .values_list("assignee__username")
            .annotate(n=Count("id"))
            .order_by("-n", "assignee__username")
        )
    ]
    return Chart(
        "open-work",
        "Reviewers' open work",
        rows,
        [("open", "Claims held, no verdict yet")],
        empty="Nobody holds a claim without a verdict.",
    )


def archive_health() -> Chart:
    stale_before = timezone.now() - timedelta(days=STALE_DAYS)
    counts = Snapshot.objects.filter(evidence__isnull=False).aggregate(
        failed=Count("id", filter=Q(status=Snapshot.Status.FAILED), distinct=True),
        stale=Count(
            "id",
            filter=Q(status=Snapshot.Status.ARCHIVED, archived_at__lt=stale_before),
            distinct=True,
        ),
        fresh=Count(
            "id",
            filter=Q(status=Snapshot.Status.ARCHIVED, archived_at__gte=stale_before),
            distinct=True,
        ),
        waiting=Count(
            "id",
            filter=Q(status__in=[Snapshot.Status.PENDING, Snapshot.Status.FETCHING]),
            distinct=True,
        ),
    )
    spec = [
        ("failed", "Failed", "#a4262c"),
        ("stale", f"Archived over {STALE_DAYS} days ago", "#b07a00"),
        ("waiting", "Waiting or archiving", "#1f5fbf"),
        ("fresh", "Archived, fresh", "#17703a"),
    ]
    rows = [Row(label, [Segment(key, label, counts[key], colour)]) for key, label, colour in spec]
    return Chart(
        "archive",
        "Archive health: the snapshots of sources on claims",
        rows,
        [("failed", "Failed"), ("stale", "Stale"), ("waiting", "Waiting"), ("fresh", "Fresh")],
        note=(
            "Failed: each has its next step on its claim's page (retry, replace, remove); "
            f"stale: `manage.py archive --stale {STALE_DAYS}` re-checks them."
        ),
    )


CHARTS = {
    "by-month": by_month,
    "by-outlet": by_outlet,
    "state-share": state_share,
    "origins": top_origins,
    "open-work": open_work,
    "archive": archive_health,
}


def dashboard() -> list[Chart]:
    return [make() for make in CHARTS.values()]


# --------------------------------------------------------------------------- drawing

LABEL_W = 210
BAR_W = 330
ROW_H = 34
LINE_H = 13


def bar_chart(chart: Chart) -> str:
    """Horizontal stacked bars, one row per label, each segment with its number as a `<title>`
    and `data-*` attributes (what the tests read), the row's total at its end. Labels wrap onto
    two lines (ownership.svg.name_lines)."""
    if not chart.rows or not any(r.total for r in chart.rows):
        height = 40
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
            f'data-chart="{chart.key}" viewBox="0 0 {LABEL_W + BAR_W + 60} {height}" '
            f'width="{LABEL_W + BAR_W + 60}" height="{height}"><title>{escape(chart.title)}: '
            f'{escape(chart.empty)}</title><text x="0" y="24" font-size="13" fill="#5d6677">'
            f"{escape(chart.empty)}</text></svg>"
        )
    biggest = max(r.total for r in chart.rows) or 1
    width = LABEL_W + BAR_W + 60
    height = len(chart.rows) * ROW_H + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'data-chart="{chart.key}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="system-ui, sans-serif" font-size="13">'
        f"<title>{escape(chart.title)}</title>"
    ]
    for i, row in enumerate(chart.rows):
        y = 4 + i * ROW_H
        lines = name_lines(row.label)[:2]
        first = y + ROW_H / 2 - (len(lines) - 1) * LINE_H / 2 + 4
        out.append(
            f'<g class="row" data-label="{escape(row.label)}" data-total="{row.total}">'
            f'<text x="{LABEL_W - 8}" y="{first:.1f}" text-anchor="end" fill="#1d2330">'
            + "".join(
                f'<tspan x="{LABEL_W - 8}" dy="{0 if j == 0 else LINE_H}">{escape(line)}</tspan>'
                for j, line in enumerate(lines)
            )
            + f"<title>{escape(row.label)}</title></text>"
        )
        x = float(LABEL_W)
        for seg in row.segments:
            w = BAR_W * seg.value / biggest
            if seg.value:
                out.append(
                    f'<rect class="seg" x="{x:.1f}" y="{y + 6}" width="{max(w, 1):.1f}" '
                    f'height="{ROW_H - 12}" fill="{seg.colour}" data-series="{seg.series}" '
                    f'data-value="{seg.value}"><title>{escape(row.label)}: {seg.value} '
                    f"{escape(seg.label.lower())}</title></rect>"
                )
            x += w
        out.append(
            f'<text x="{x + 6:.1f}" y="{y + ROW_H / 2 + 4:.1f}" fill="#1d2330" '
            f'font-weight="600">{row.total}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)

"""What an archived text tells the reviewer about a claim: are its figures there, and does the
text attribute them to the claim's origin (a hint that the stance may be `echoes`)?

Hints are hints: they never set a stance or a status. They are stored on `Evidence.hints`,
written and read through one typed structure (`EvidenceHints.to_json` / `from_json`):

    {
      "snapshot": 12, "computed_at": "2025-07-09T10:00:00+00:00",
      "figures": [{"figure": "1,882.5%–2,014.7%", "found": true, "approximate": false,
                   "excerpts": ["…net profit rose 1,882.5% to 2,014.7%, the company said…"],
                   "attributed": true}],
      "figures_found": 1, "figures_total": 1,
      "echo": {"likely": true, "phrases": ["the company said"], "excerpts": ["…"]},
      "drift": {"status": "changed", "snapshot": 12, "previous": 9}    (re-checks only)
    }

Numbers are read after NFKC normalisation (full-width digits and "％" become ASCII), with
thousands separators, multipliers (thousand, million, bn, 千, 万, 亿, 万亿), units (%, per cent,
percent, pct; t, tonnes, tons, 吨; 元, yuan, RMB, CNY, US$), and ranges ("1,882.5%–2,014.7%",
"1882.5 to 2014.7 per cent", "60%至70%").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from claims.figures import (
    Quantity,
    compatible_units,
    figure_unit_class,
    label,
    match_kind,
    normalize,
    quantities,
)

EXCERPT_RADIUS = 120
MAX_EXCERPTS = 3
# Occurrences of one figure looked at for excerpts and attribution, in text order. A figure-dense
# text (a table of thousands of "5 t") would otherwise cost a sentence scan per occurrence.
MAX_HITS_EXAMINED = 50

# A full stop ends a sentence only before white space: "20.5" is one number, not two sentences.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+")

_GENERIC_ATTRIBUTION = [
    r"\b(?:the|this) (?:company|group|firm|miner|producer|enterprise)(?:'s)? "
    r"(?:said|says|stated|reported|announced|disclosed|expects|expected|forecast|estimated|added|noted)\b",
    r"\bsaid the (?:company|group|firm)\b",
    r"\baccording to (?:the )?(?:company|group|firm)(?:'s)?\b",
    r"\bthe (?:company|group)'s (?:own )?(?:announcement|filing|statement|report|results|forecast)\b",
    r"\bin an? (?:stock exchange |exchange |regulatory )?(?:statement|filing|announcement|notice)\b",
    r"\b(?:company|group) (?:statement|announcement|filing|disclosure)\b",
    "公司公告",
    "公告称",
    "公告显示",
    "公司表示",
    "公司称",
    "据公司",
    "公司预计",
    "业绩预告",
]
_ALIAS_ATTRIBUTION = [
    r"\baccording to (?:the )?{a}",
    r"{a}(?:'s)? (?:said|says|stated|reported|announced|disclosed|expects|forecast|posted|added)\b",
    r"\bsaid {a}",
    r"{a}(?:'s)? (?:announcement|filing|statement|report|results)\b",
    "据{a}",
    "{a}公告",
    "{a}发布",
    "{a}表示",
    "{a}称",
    "{a}预计",
    "{a}披露",
]


def _excerpt(text: str, start: int, end: int) -> str:
    left, right = max(0, start - EXCERPT_RADIUS), min(len(text), end + EXCERPT_RADIUS)
    snippet = " ".join(text[left:right].split())
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def sentence_bounds(text: str) -> list[int]:
    """Every sentence boundary of `text`, ascending (0 and len(text) included). Computed once per
    text; `_sentence_around` looks positions up in it by bisection."""
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]


def _sentence_around(bounds: list[int], start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end) and the one before it (attribution often leads)."""
    begin = bounds[bisect.bisect_right(bounds, start) - 1]  # bounds[0] == 0 <= start
    i = bisect.bisect_left(bounds, begin) - 1
    before = bounds[i] if i >= 0 else 0
    j = bisect.bisect_left(bounds, end)
    finish = bounds[j] if j < len(bounds) else bounds[-1]
    return before, finish


def attribution_patterns(origin) -> list[re.Pattern]:
    names: list[str] = []
    if origin is not None:
        names = [origin.name, *(origin.aliases or [])]
    patterns = [re.compile(p, re.IGNORECASE) for p in _GENERIC_ATTRIBUTION]
    for name in {n.strip() for n in names if n and len(n.strip()) >= 3 and not n.strip().isdigit()}:
        escaped = re.escape(normalize(name)).replace(r"\ ", r"\s+")
        patterns.extend(
            re.compile(p.replace("{a}", escaped), re.IGNORECASE) for p in _ALIAS_ATTRIBUTION
        )
    return patterns


def _attributions(text: str, start: int, end: int, patterns: list[re.Pattern]) -> list[str]:
    phrases: list[str] = []
    for pattern in patterns:
        for match in pattern.finditer(text, start, end):
            phrase = " ".join(match.group(0).split())
            if phrase not in phrases:
                phrases.append(phrase)
    return phrases


def figure_hint(
    text: str, figure: dict, found: list[Quantity], patterns, bounds: list[int] | None = None
) -> FigureHint:
    """The hint for one figure; `bounds` is `sentence_bounds(text)` (computed here if absent)."""
    if bounds is None:
        bounds = sentence_bounds(text)
    unit = figure_unit_class(figure)
    targets = (
        [float(figure["low"]), float(figure["high"])]
        if "low" in figure and "high" in figure
        else [float(figure["value"])]
        if "value" in figure
        else []
    )
    hits: list[tuple[Quantity, str]] = []
    per_target: list[str | None] = []
    for target in targets:
        best = None
        for quantity in found:
            if not compatible_units(unit, quantity.unit):
                continue
            kind = match_kind(target, quantity)
            if kind:
                hits.append((quantity, kind))
                if kind == "exact" or best is None:
                    best = kind
        per_target.append(best)
    found_all = bool(targets) and all(per_target)
    exact = found_all and all(kind == "exact" for kind in per_target)
    excerpts: list[str] = []
    phrases: list[str] = []
    for quantity, _kind in sorted(hits, key=lambda h: h[0].start)[:MAX_HITS_EXAMINED]:
        excerpt = _excerpt(text, quantity.start, quantity.end)
        if excerpt not in excerpts and len(excerpts) < MAX_EXCERPTS:
            excerpts.append(excerpt)
        begin, finish = _sentence_around(bounds, quantity.start, quantity.end)
        for phrase in _attributions(text, begin, finish, patterns):
            if phrase not in phrases:
                phrases.append(phrase)
    return FigureHint(
        figure=label(figure),
        found=found_all,
        approximate=found_all and not exact,
        partial=bool(hits) and not found_all,
        excerpts=tuple(excerpts),
        attributed=bool(phrases) and bool(hits),
        phrases=tuple(phrases),
    )


def hints_for_text(
    *, text: str, figures: list[dict], origin=None, snapshot_id: int | None = None
) -> EvidenceHints:
    """Hints for one archived text against a claim's figures and origin (see module doc)."""
    text = normalize(text)
    patterns = attribution_patterns(origin)
    found = quantities(text)
    bounds = sentence_bounds(text)
    figure_hints = [
        figure_hint(text, f, found, patterns, bounds) for f in figures or [] if isinstance(f, dict)
    ]
    phrases: list[str] = []
    excerpts: list[str] = []
    if figure_hints:
        for hint in figure_hints:
            if hint.attributed:
                phrases += [p for p in hint.phrases if p not in phrases]
                excerpts += [e for e in hint.excerpts[:1] if e not in excerpts]
    else:
        # No figures to anchor on: any attribution to the origin anywhere in the text.
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                phrase = " ".join(match.group(0).split())
                if phrase not in phrases:
                    phrases.append(phrase)
                    excerpts.append(_excerpt(text, match.start(), match.end()))
    return EvidenceHints(
        snapshot=snapshot_id,
        computed_at=timezone.now().isoformat(),
        figures=tuple(figure_hints),
        figures_found=sum(1 for h in figure_hints if h.found),
        figures_total=len(figure_hints),
        echo=EchoHint(
            likely=bool(phrases),
            phrases=tuple(phrases[:10]),
            excerpts=tuple(excerpts[:MAX_EXCERPTS]),
        ),
    )


def compute_hints(
    *, text: str, figures: list[dict], origin=None, snapshot_id: int | None = None
) -> dict:
    """`hints_for_text` in the stored layout (`EvidenceHints.to_json`)."""
    return hints_for_text(
        text=text, figures=figures, origin=origin, snapshot_id=snapshot_id
    ).to_json()


# --------------------------------------------------------------------------- the stored layout
# One typed structure for `Evidence.hints`: written by `EvidenceHints.to_json` (here and by
# claims.services for drift) and read by `EvidenceHints.from_json` (the claim page), which is
# defensive: hints are hints, and a malformed value shows nothing rather than breaking a page.


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class FigureHint:
    """Is one of the claim's figures in the archived text, and attributed to the claimant?"""

    figure: str
    found: bool = False
    approximate: bool = False
    partial: bool = False
    excerpts: tuple[str, ...] = ()
    attributed: bool = False
    phrases: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """ "found" | "approximate" | "partial" | "missing"."""
        if not self.found:
            return "partial" if self.partial else "missing"
        return "approximate" if self.approximate else "found"

    @property
    def excerpt(self) -> str:
        return self.excerpts[0] if self.excerpts else ""

    def to_json(self) -> dict:
        return {
            "figure": self.figure,
            "found": self.found,
            "approximate": self.approximate,
            "partial": self.partial,
            "excerpts": list(self.excerpts),
            "attributed": self.attributed,
            "phrases": list(self.phrases),
        }

    @classmethod
    def from_json(cls, raw: dict) -> FigureHint:
        return cls(
            figure=str(raw.get("figure", "")),
            found=bool(raw.get("found")),
            approximate=bool(raw.get("approximate")),
            partial=bool(raw.get("partial")),
            excerpts=_strings(raw.get("excerpts")),
            attributed=bool(raw.get("attributed")),
            phrases=_strings(raw.get("phrases")),
        )


@dataclass(frozen=True)
class EchoHint:
    """Does the text attribute the claim to its origin (a hint that the stance is `echoes`)?"""

    likely: bool = False
    phrases: tuple[str, ...] = ()
    excerpts: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "likely": self.likely,
            "phrases": list(self.phrases),
            "excerpts": list(self.excerpts),
        }

    @classmethod
    def from_json(cls, raw: dict) -> EchoHint:
        return cls(
            likely=bool(raw.get("likely")),
            phrases=_strings(raw.get("phrases")),
            excerpts=_strings(raw.get("excerpts")),
        )


#: Drift statuses that flag a source (a re-check that found no change says "unchanged").
DRIFTED = ("changed", "vanished")


@dataclass(frozen=True)
class DriftHint:
    """What a re-check found: `status` "unchanged" | "changed" | "vanished". A re-check that
    archived names the `previous` snapshot; one that found the source gone keeps its `error`."""

    status: str
    snapshot: int | None = None
    checked_at: str = ""
    previous: int | None = None
    error: str | None = None

    @property
    def flagged(self) -> bool:
        return self.status in DRIFTED

    def to_json(self) -> dict:
        out: dict[str, Any] = {"status": self.status, "snapshot": self.snapshot}
        if self.previous is not None:
            out["previous"] = self.previous
        if self.error is not None:
            out["error"] = self.error
        out["checked_at"] = self.checked_at
        return out

    @classmethod
    def from_json(cls, raw: dict) -> DriftHint:
        snapshot, previous = raw.get("snapshot"), raw.get("previous")
        return cls(
            status=str(raw.get("status") or ""),
            snapshot=snapshot if isinstance(snapshot, int) else None,
            checked_at=str(raw.get("checked_at") or ""),
            previous=previous if isinstance(previous, int) else None,
            error=str(raw["error"]) if raw.get("error") is not None else None,
        )


@dataclass(frozen=True)
class EvidenceHints:
    """`Evidence.hints` (module doc): computed when a snapshot is archived, plus the drift a
    re-check found."""

    snapshot: int | None = None
    computed_at: str = ""
    figures: tuple[FigureHint, ...] = ()
    figures_found: int = 0
    figures_total: int = 0
    echo: EchoHint = EchoHint()
    drift: DriftHint | None = None

    @property
    def any(self) -> bool:
        """Anything worth showing the reviewer."""
        return bool(self.figures or self.echo.likely or (self.drift and self.drift.flagged))

    @property
    def drift_status(self) -> str:
        return self.drift.status if self.drift is not None else ""

    def with_drift(self, drift: DriftHint) -> EvidenceHints:
        return replace(self, drift=drift)

    def to_json(self) -> dict:
        out = {
            "snapshot": self.snapshot,
            "computed_at": self.computed_at,
            "figures": [f.to_json() for f in self.figures],
            "figures_found": self.figures_found,
            "figures_total": self.figures_total,
            "echo": self.echo.to_json(),
        }
        if self.drift is not None:
            out["drift"] = self.drift.to_json()
        return out

    @classmethod
    def from_json(cls, raw: Any) -> EvidenceHints:
        raw = _mapping(raw)
        figures = raw.get("figures")
        snapshot = raw.get("snapshot")
        drift = raw.get("drift")
        return cls(
            snapshot=snapshot if isinstance(snapshot, int) else None,
            computed_at=str(raw.get("computed_at") or ""),
            figures=tuple(
                FigureHint.from_json(f)
                for f in (figures if isinstance(figures, list) else [])
                if isinstance(f, dict)
            ),
            figures_found=_int(raw.get("figures_found")),
            figures_total=_int(raw.get("figures_total")),
            echo=EchoHint.from_json(_mapping(raw.get("echo"))),
            drift=DriftHint.from_json(drift) if isinstance(drift, dict) else None,
        )

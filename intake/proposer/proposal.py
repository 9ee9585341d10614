"""What the proposer returns: a `Proposal`, a span of the article's text with its kind,
figures, subjects, origin, score and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Proposal:
    start: int
    end: int
    text: str
    kind: str
    figures: list[dict]
    score: float
    reasons: list[str]
    subjects: list[int]
    origin_kind: str  # "attributed" | "own_voice"
    origin_phrase: str = ""
    origin_id: int | None = None
    bullet: bool = False
    fingerprint: str = ""
    # Organisations named but not known ("a smaller producer in Jiangxi", "Lanshan Magnetics").
    named_subjects: list[str] = field(default_factory=list)
    subjects_refs: list = field(default_factory=list, repr=False)  # the EntityRefs of subjects
    duplicate_of: int | None = field(default=None, repr=False)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

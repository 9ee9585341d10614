"""The hand-labelled corpus of bench/corpus/ (see its README.md) and how bench.proposals scores
the proposer on it. No database: `django.setup()` only, for the extractor and ingest's file
reader, which import models but query nothing for a file ingested without a URL.

Each article is read exactly as `manage.py ingest FILE` reads it (ingest's `draft_from_file`:
plain text as it is, HTML and PDF through `sources.extract.extract`), then proposed on with the
title ingest would store. Gold spans are found in that text by a search that ignores white
space, hyphens, compatibility characters (the "ﬁ" ligature) and page-furniture lines, mapped
back to offsets of the text (never stored offsets: the extractor decides the text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
SPLITS = ("dev", "heldout")
FORMS = ("wire", "html", "release", "pdf")
_HYPHENS = "-\u00ad\u2010\u2011"
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


# --- Finding a label in the extracted text ---------------------------------------------------


def normalise(text: str, furniture: list[str] = ()) -> tuple[str, list[int]]:
    """`text` folded for search, and for each folded character the offset in `text` it came
    from: case-folded, NFKC (ligatures split), curly quotes straight, hyphens dropped (with
    the line break after one), a line break after a dash dropped, white space runs as one
    space, a table's " | " cell separator as a space, furniture lines left out."""
    patterns = [re.compile(p) for p in furniture]
    skip = bytearray(len(text))
    if patterns:
        for m in re.finditer(r"[^\n]+", text):
            line = unicodedata.normalize("NFKC", m.group(0).strip())
            if any(p.fullmatch(line) for p in patterns):
                skip[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    out: list[str] = []
    where: list[int] = []
    after_hyphen = False
    i = 0
    while i < len(text):
        if skip[i]:
            i += 1
            continue
        ch = text[i]
        if ch == "|" and text[i - 1 : i] == " " and text[i + 1 : i + 2] == " ":
            i += 1  # the extractor's cell separator ("Mineral resource | 46 million tonnes")
            continue
        if ch in _HYPHENS:
            after_hyphen = True
            i += 1
            continue
        if ch.isspace():
            j = i
            while j < len(text) and (text[j].isspace() or skip[j]):
                j += 1
            # a line broken after a dash ("in 2026–\n27") reads as one word, the dash kept
            dash_end = out and out[-1] in "\u2013\u2014/" and "\n" in text[i:j]
            if not (after_hyphen and "\n" in text[i:j]) and not dash_end and out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            after_hyphen = False
            i = j
            continue
        after_hyphen = False
        for c in unicodedata.normalize("NFKC", _QUOTES.get(ch, ch)).casefold():
            out.append(c)
            where.append(i)
        i += 1
    return "".join(out), where


def locate(needle: str, folded: str, where: list[int], text: str) -> tuple[int, int] | None:
    """The (start, end) offsets in `text` of `needle` (a label), or None when it is not there."""
    key, _ = normalise(needle)
    key = key.strip()
    if not key:
        return None
    hit = folded.find(key)
    if hit < 0:
        return None
    start, end = where[hit], where[hit + len(key) - 1] + 1
    return start, end


# --- Sentence boundaries (the bench's own, independent of the proposer's) ---------------------

_ABBREV = re.compile(
    r"(?:\b(?:Co|Ltd|Inc|Corp|Mr|Mrs|Ms|Dr|St|No|Nos|approx|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|"
    r"Aug|Sep|Sept|Oct|Nov|Dec|Bhd|plc|Pty|e\.g|i\.e)|\b[A-Z](?:\.[A-Z])*)$"
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?=\s)")
_BULLET = re.compile(r"[ \t]*(?:[-*•▪◦–]|\(?\d{1,2}[.)]|\(?[a-z][.)])[ \t]+")
_DATELINE = re.compile(
    r"[A-Z][\w.'’/]*(?:[ ,]+[\w.'’/()]+){0,8}?[ \t]+(?:-{1,2}|–|—)[ \t]+(?=[A-Z\"“])"
)
_OPEN_END = re.compile(r"\b(?:the|a|an|of|to|and|or|in|on|for|with|at|by|from|as|its)$")
_TABLE_ROW = re.compile(r"\d[\d,.]*%?\s*\([\d,.]+%?\)\s*$")
_CLOSERS = '.!?"”’)]'


def boundaries(text: str, *, every_line: bool = False) -> tuple[set[int], set[int]]:
    """Where sentences, paragraphs and list items start, and where they end, in `text`.

    A paragraph starts at the text's start, after a blank line, and after a line break when
    `every_line` (the HTML extractor writes one paragraph per line) or when the line before
    ends a sentence (. ! ? : ; or a closing quote after one), reads like a heading, byline or
    table row (shorter than 60% of the text's usual line, the 90th percentile of line lengths,
    or than 75% when the next line starts with a capital and the line does not end in a
    comma, hyphen or "the"/"of"/...; "By ..."; ending in figures like "498 (510)"), or the new
    line is a list item (or is out-dented from the list item before it). Inside
    paragraphs a sentence starts after . ! ? and white space, unless the word before is an
    abbreviation (Co., U.S., Oct.) or the next word is lower-case. A list item starts after its
    marker; a dateline ("PERTH, July 24 (Reuters) - ") is skipped at a paragraph's start, and
    opening quotes may be. A sentence ends after its closing punctuation and at the end of a
    paragraph's last line."""
    lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
    usual = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    starts: set[int] = set()
    ends: set[int] = {len(text.rstrip())}
    previous: tuple[int, str] | None = None  # (end offset, text) of the last non-blank line
    blank_since = True
    item_indent: int | None = None  # where the text of the current list item starts
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        pos = e + 1
        line = raw.strip()
        if not line:
            blank_since = True
            continue
        lead = s + len(raw) - len(raw.lstrip())
        indent = lead - s
        bullet = _BULLET.match(raw)
        new_paragraph = blank_since or previous is None or every_line
        if item_indent is not None and not bullet and indent < item_indent:
            new_paragraph = True  # a line out-dented from the list item before ends it
        if not new_paragraph and previous is not None:
            prev = previous[1].strip()
            new_paragraph = bool(
                prev.endswith(tuple(".!?:;"))
                or re.search(r"[.!?][\"”’)]+$", prev)
                or (len(prev) < 0.6 * usual and not prev.endswith((",", "-")))
                or (
                    len(prev) < 0.75 * usual
                    and line[:1].isupper()
                    and not prev.endswith((",", "-"))
                    and not _OPEN_END.search(prev)
                )
                or re.match(r"By [A-Z]", prev)
                or _TABLE_ROW.search(prev)
                or bullet
            )
        if new_paragraph:
            if previous is not None:
                ends.add(previous[0])
            at = s + bullet.end() if bullet else lead
            starts.add(at)
            dateline = _DATELINE.match(text, at)
            if dateline and dateline.end() - at <= 90:
                starts.add(dateline.end())
        if bullet:
            item_indent = bullet.end()
        elif new_paragraph:
            item_indent = None
        previous = (s + len(raw.rstrip()), raw)
        blank_since = False
    for m in _SENTENCE_END.finditer(text):
        if _ABBREV.search(text[: m.start()]):
            continue
        nxt = re.compile(r"\s+").match(text, m.end())
        after = nxt.end() if nxt else m.end()
        if after < len(text) and (text[after].isupper() or text[after] in "\"“‘'(0123456789$€£¥"):
            starts.add(after)
            ends.add(m.end())
    for at in list(starts):
        q = at
        while q < len(text) and text[q] in "\"“‘'(":
            q += 1
        starts.add(q)
    return starts, ends


def mid_sentence(text: str, span: tuple[int, int], starts: set[int], ends: set[int]) -> str:
    """ "start", "end", "both" or "" for a span whose start is not at a sentence, paragraph or
    list-item start (opening quotes aside) or whose end is not at a sentence end (closing
    punctuation and quotes aside)."""
    s, e = span
    tail = re.compile(r"[.!?\"”’)\]]*").match(text, e)
    bad_start = s not in starts
    bad_end = not (e in ends or tail.end() in ends)
    return "both" if bad_start and bad_end else "start" if bad_start else "end" if bad_end else ""


# --- Loading ----------------------------------------------------------------------------------


@dataclass
class Article:
    split: str
    name: str
    form: str
    path: Path
    title: str
    text: str
    gold: list[dict]  # each with start/end (None when not in the extracted text)
    not_claims: list[dict]
    voice: str | None = None
    every_line: bool = False  # the extractor wrote one paragraph per line (HTML)
    folded: str = ""
    where: list[int] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.split}/{self.name}"


def load_split(split: str) -> list[Article]:
    return [
        load_article(folder, split)
        for folder in sorted(p for p in (CORPUS / split).iterdir() if p.is_dir())
    ]


def load_article(folder: Path, split: str) -> Article:
    """One article folder read as ingest reads its file, with every label located in the text
    (a label not found has start/end None)."""
    from intake.ingest import draft_from_file

    labels = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))
    path = next(p for p in sorted(folder.glob("article.*")))
    draft = draft_from_file(path)
    folded, where = normalise(draft.text, labels.get("furniture") or [])
    gold = []
    for g in labels["claims"]:
        g = dict(g)
        g.setdefault("subjects", [])
        found = locate(g["text"], folded, where, draft.text)
        g["start"], g["end"] = found if found else (None, None)
        gold.append(g)
    opinions = []
    for text in labels.get("not_claims") or []:
        found = locate(text, folded, where, draft.text)
        opinions.append(
            {
                "text": text,
                "start": found[0] if found else None,
                "end": found[1] if found else None,
            }
        )
    return Article(
        split=split,
        name=folder.name,
        form=labels["form"],
        path=path,
        title=draft.title,
        text=draft.text,
        gold=gold,
        not_claims=opinions,
        voice=labels.get("voice"),
        every_line=path.suffix.lower() in (".html", ".htm"),
        folded=folded,
        where=where,
    )


def load_entities(split: str, seed_entities: list, seed_ids: dict[str, int]):
    """The seed entities plus the split's entities.yaml, as the proposer's EntityRefs, and a
    resolver from a label's name to an entity id (name or alias, case-insensitive)."""
    from intake.proposer.entities import EntityRef

    entities = list(seed_entities)
    ids = dict(seed_ids)
    # A new batch (incoming/) arrives at a desk that already knows the development split's
    # entities; its writers each list theirs in an entities*.yaml of their own.
    folders = [CORPUS / "dev", CORPUS / split] if split == "incoming" else [CORPUS / split]
    files = [f for folder in folders for f in sorted(folder.glob("entities*.yaml"))]
    known = {n.casefold() for e in entities for n in (e.name, *e.aliases)}
    for extra in files:
        for row in yaml.safe_load(extra.read_text(encoding="utf-8"))["entities"] or []:
            names = {str(n).casefold() for n in (row["name"], *(row.get("aliases") or []))}
            if row["slug"] in ids or row["name"].casefold() in known:
                continue  # one writer's entity another file (or the seeds) already holds
            known |= names
            ids[row["slug"]] = len(ids) + 1
            entities.append(
                EntityRef(
                    id=ids[row["slug"]],
                    name=row["name"],
                    kind=row["kind"],
                    aliases=tuple(str(a) for a in row.get("aliases") or []),
                )
            )
    by_name: dict[str, int] = {}
    for e in entities:
        for n in (e.name, *e.aliases):
            by_name.setdefault(n.casefold(), e.id)
    return entities, by_name


# --- Scoring ----------------------------------------------------------------------------------


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def opinions_proposed(article: Article, proposals) -> list[str]:
    """The `not_claims` a proposal covers (at least half of the opinion or of the proposal)."""
    out = []
    for o in article.not_claims:
        if o["start"] is None:
            continue
        span = (o["start"], o["end"])
        if any(
            (inter := _overlap(span, p.span)) >= 0.5 * (span[1] - span[0])
            or inter >= 0.5 * (p.end - p.start)
            for p in proposals
        ):
            out.append(o["text"])
    return out


def _subject_sets(proposal, gold: dict, by_name: dict[str, int]):
    """The gold's known ids, its unknown names and all its names (case-folded), and the
    proposal's known ids and named-but-unknown names (read from `proposal.named_subjects`
    when it exists)."""
    every = [s.casefold() for s in gold["subjects"]]
    known = {by_name[s] for s in every if s in by_name}
    unknown = [s for s in every if s not in by_name]
    named = [
        str(getattr(n, "name", n)).casefold() for n in getattr(proposal, "named_subjects", []) or []
    ]
    return known, unknown, every, set(proposal.subjects), named


def subject_ok(proposal, gold: dict, by_name: dict[str, int]) -> bool:
    """The README's rule: at least one gold subject named, nothing outside them; [] wants
    nobody. Unknown subjects are looked for in `proposal.named_subjects` (when it exists)."""
    known, unknown, every, proposed, named = _subject_sets(proposal, gold, by_name)
    if not every:
        return not proposed and not named
    if proposed - known or not all(any(n in g or g in n for g in every) for n in named):
        return False
    return bool(proposed & known) or any(any(u in n or n in u for n in named) for u in unknown)


SUBJECT_ERRORS = (
    "nobody named",
    "someone for nobody",
    "a right one and another",
    "a wrong known one",
    "a wrong unknown one",
    "a known one as an unknown name",
)


def subject_error(proposal, gold: dict, by_name: dict[str, int]) -> str | None:
    """Why `subject_ok` fails, as one of SUBJECT_ERRORS (the first that applies), or None:
    the gold names someone and the proposal nobody; the gold names nobody and the proposal
    someone; a right subject beside one outside the gold; only subjects outside the gold, a
    known entity among them or only named-but-unknown ones; or only unknown names that hold
    a gold name (gold "Lynas", named "Lynas Malaysia": a known subject kept as unknown)."""
    if subject_ok(proposal, gold, by_name):
        return None
    known, _, every, proposed, named = _subject_sets(proposal, gold, by_name)
    if not every:
        return "someone for nobody"
    if not proposed and not named:
        return "nobody named"
    right = [n for n in named if any(n in g or g in n for g in every)]
    if proposed - known or len(right) < len(named):
        if proposed & known or right:
            return "a right one and another"
        return "a wrong known one" if proposed - known else "a wrong unknown one"
    return "a known one as an unknown name"


def origin_ok(proposal, gold: dict, voice: str | None, by_name: dict[str, int]) -> bool:
    origin = gold.get("origin")
    own = origin is None or bool(voice and origin.casefold() == voice.casefold())
    if own and proposal.origin_kind == "own_voice":
        return True
    if origin is None:
        return False
    if origin.casefold() in by_name:
        return proposal.origin_id == by_name[origin.casefold()]
    return (
        proposal.origin_kind == "attributed"
        and origin.casefold() in (proposal.origin_phrase or "").casefold()
    )


def gold_boundaries(article: Article) -> tuple[set[int], set[int]]:
    starts = {g["start"] for g in article.gold if g["start"] is not None}
    ends = {g["end"] for g in article.gold if g["end"] is not None}
    return starts, ends

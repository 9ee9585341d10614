"""Candidate claims from an article's text: transparent rules over a sentence splitter.

Pure Python (no Django, no model, no network): `propose(text, entities=..., title=...)` returns
`Proposal`s whose `text == article_text[start:end]` always. The steps, each a rule a person can
read and argue with:

0. paragraphs: hard-wrapped lines (wire copy, e-mail, PDFs) are joined into their paragraphs,
   words hyphenated at a line end joined, offsets kept (`reflow`);
1. lines: headings (no closing punctuation, short, not ending in "to" / "the" / "of" ...), the title line and page furniture ("Leave a
   Reply", "Spread the word") are skipped; bullets are remembered (a highlights list repeats
   the body);
2. sentences: split at . ! ? before white space, except after abbreviations (Co., Ltd., U.S.)
   and before a lower-case word;
3. clauses: a sentence carries several claims when it joins them: "X rose 60.4%, while Y rose
   12.3%" (while/whereas/but/;), "... update: net profit soared ..." (a colon between two
   clauses), "..., boosting production by nearly 40%" (a participle carrying a figure),
   "..., with Z reporting ..." (an absolute clause), "..., which is publicly listed" (a
   relative clause at the end), "Subsidiaries like A and B ramped up ..." (a relation in the
   subject), "(also a shareholder of K)" (a relation in brackets), "According to X, ...";
   commentary tails ("—underscoring its importance", a dash aside without a figure) and
   lead-ins ("A reminder that", "Meanwhile,") are trimmed;
4. opinion and rhetoric are dropped: questions, prescriptions (should, must, calls for),
   hedges (may, might, suggests) without a figure, evaluations ("this is a ...", "this
   highlights ..."), idioms and metaphors ("a warning shot", "the first inning", "betting
   big", "not just");
5. each clause gets its figures, a kind, subjects (known entities and aliases; "the company"
   and "they" refer back), an origin (attribution or the article's own voice) and a
   check-worthiness score with its reasons; clauses under `MIN_SCORE` are not proposed;
6. repeats are dropped: a clause whose figures another clause already states (a highlights
   bullet, a standfirst's "nearly 2000%" inside a stated range), or a bullet whose words a
   body clause already holds.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import syntok.segmenter as _syntok
from rapidfuzz import fuzz

from claims.figures import (
    QUANTITY_UNITS_EXCLUDED,
    figure_covers,
    figure_key,
    parse_figures,
    quantitative,
)
from claims.figures import clean_number as _clean
from claims.figures import label as figure_hint_label

MIN_SCORE = 0.4
# A score the proposer is sure of: a clause with a subject, a verb and a figure (a deck's
# verbless "Phase 1 capital cost of ..." scores below it).
_SURE = 0.6

# --- Entities ---------------------------------------------------------------------------------

COMPANY_KINDS = {"soe", "private_company"}
# What follows a company's name when it is written in full: "Co., Ltd.", "Limited", "Inc.".
_LEGAL_TAIL = re.compile(r"[\s.,]*(?:Co\.?,?\s*)?(?:Ltd|Limited|Inc|Corp|plc|AG|SA)\b")
# Kinds that are where or by whom something is reported rather than what it is about.
_REPORTER_KINDS = {"media_outlet", "data_provider"}
_LEGAL_SUFFIXES = {
    "ltd",
    "inc",
    "co",
    "corp",
    "plc",
    "llc",
    "limited",
    "pty",
    "pty ltd",
    "co., ltd",
    "sa",
    "ag",
    "nv",
    "bv",
    "gmbh",
    "jsc",
    "pjsc",
    "llp",
    "oyj",
    "group",
    "company",
    "corporation",
    "holdings",
    # the same in other jurisdictions: "PT Arunika Sumber Daya Tbk", "Nordhavn Capital ApS",
    # "Mineração Cerrado Ltda", "Malaysian Rare Earth Sdn Bhd", "Nunarsuit Minerals A/S"
    "tbk",
    "bhd",
    "berhad",
    "sdn",
    "aps",
    "a/s",
    "asa",
    "ab",
    "ltda",
    "spa",
    "srl",
    "kk",
}
# Legal forms written before the name: "PT Wallacea Mineral Recovery", "JSC Kazatomprom",
# "TOO Steppe Metals", "OOO Ural Magnets" (in capitals only).
_LEGAL_PREFIXES = {"PT", "CV", "JSC", "PJSC", "OJSC", "OAO", "ZAO", "OOO", "AO", "TOO", "LLP"}


@dataclass(frozen=True)
class EntityRef:
    """A known entity as the proposer sees it: an id, a name, a kind and every alias."""

    id: int
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Name and aliases, less any that is only a legal suffix ("Ltd.", "Inc"): those
        would match every company."""
        return [
            n
            for n in dict.fromkeys([self.name, *self.aliases])
            if n and len(n.strip()) >= 2 and n.strip().lower().rstrip(".") not in _LEGAL_SUFFIXES
        ]


# Common nouns an entity may have as its short name ("Commission"): never matched alone.
_GENERIC_NOUNS = {
    "commission",
    "ministry",
    "department",
    "bank",
    "fund",
    "agency",
    "authority",
    "council",
    "exchange",
    "government",
    "state",
    "province",
    "company",
    "group",
    "board",
    "bureau",
    "office",
    "institute",
    "centre",
    "center",
    "trust",
    "regulator",
    "parliament",
    "court",
}


@dataclass
class Mention:
    entity: EntityRef
    start: int
    end: int


class EntityMatcher:
    """Finds known names in text: longest name first, whole words, case-sensitive (so "US" the
    state is not "us" the pronoun), except that all-lower-case aliases match any case."""

    def __init__(self, entities: Iterable[EntityRef], *, in_compounds: bool = True) -> None:
        """`in_compounds=False`: no match right after a hyphen ("Steppe", a short name the
        text gave "Steppe Capital Research", is not in "Tau-Steppe"); the register's names
        keep matching there ("China" in "U.S.-China")."""
        self.entities = list(entities)
        pairs: list[tuple[str, EntityRef]] = []
        for entity in self.entities:
            for name in entity.names:
                if " " not in name.strip() and name.strip().lower() in _GENERIC_NOUNS:
                    # "Commission" for the European Commission: a common noun as a name
                    # matches only as "the Commission" (`_named_by_head_noun`).
                    continue
                pairs.append((name, entity))
        pairs.sort(key=lambda p: -len(p[0]))
        self._by_name = {}
        for name, entity in pairs:
            self._by_name.setdefault(name, entity)
        if pairs:
            alternation = "|".join(re.escape(name) for name in self._by_name)
            before = r"(?<![\w])" if in_compounds else r"(?<![\w-])"
            self._pattern = re.compile(rf"{before}(?:{alternation})(?![\w])")
        else:
            self._pattern = None

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        if self._pattern is None:
            return []
        end = len(text) if end is None else end
        found = []
        for match in self._pattern.finditer(text, start, end):
            found.append(Mention(self._by_name[match.group(0)], match.start(), match.end()))
        return found

    def match_name(self, phrase: str) -> EntityRef | None:
        found = self.mentions(phrase)
        return found[0].entity if found else None


# --- Figures: one reader for proposals, evidence hints and matching (claims.figures) ---------
# Re-exported here for the proposer's callers (services, admin, tests).
from claims.figures import figure_label, stored_figures  # noqa: E402, F401

# --- Words ------------------------------------------------------------------------------------

_STOP_WORDS = (
    "a an the of in on at to for by with from and or but as is are was were be been being has "
    "have had its it this that these those their his her they them which who whom whose than "
    "also into over under more most very just not no so such like about after before while "
    "year"
)
_STOP = set(_STOP_WORDS.split())


def stems(text: str) -> set[str]:
    """Content words cut to five letters: "integrate" and "integration" meet."""
    words = re.findall(r"[a-z][a-z']+", unicodedata.normalize("NFKC", text).lower())
    return {w[:5] for w in words if w not in _STOP and len(w) > 2}


def wording_similarity(a: str, b: str) -> float:
    """How close two statements are in wording (0..1): rapidfuzz's token-set ratio over their
    content-word stems, so word order, stop words and inflection ("integrate" /
    "integration") do not count; a text with fewer than three content words is compared by the
    stricter token-sort ratio (a subset of two words is not a restatement)."""
    sa, sb = stems(a), stems(b)
    if not sa or not sb:
        return 0.0
    left, right = " ".join(sorted(sa)), " ".join(sorted(sb))
    if min(len(sa), len(sb)) < 3:
        return fuzz.token_sort_ratio(left, right) / 100
    return fuzz.token_set_ratio(left, right) / 100


token_set_similarity = wording_similarity  # the name callers used before rapidfuzz


def fingerprint(text: str) -> str:
    """The normalised text's SHA-256: the same statement, however spaced or punctuated."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


# --- Lines and sentences ----------------------------------------------------------------------

# A numbered item has one or two digits: "2026. Revenue fell" at a line start is a wrapped
# sentence going on, not item 2026.
_BULLET = re.compile(r"^\s*(?:[•·▪◦‣*]|-|–|\d{1,2}[.)])\s+")
_FURNITURE = re.compile(
    r"^\s*(?:spread the word|share (?:this|on)|categories|tags|leave a (?:reply|comment)|"
    r"related(?: posts| articles)?|read more|subscribe|sign up|your email address|"
    r"follow us|advertisement|copyright|all rights reserved|click here|highlights)\b",
    re.I,
)
_ABBREV_WORDS = (
    "co ltd inc corp plc llc mr mrs ms dr prof st no vs e.g i.e etc jan feb mar apr jun jul aug "
    "sep sept oct nov dec approx est dept gov govt u.s u.k u.n e.u"
)
_ABBREV = set(_ABBREV_WORDS.split())
_COMPANY_SUFFIX = {"co", "ltd", "inc", "corp", "plc", "llc", "etc"}
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s|$)")


# Words that end a line only when the sentence goes on: a line ending in one is never a heading.
_CONTINUATION_END = re.compile(
    r"\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|nor|that|which|who|whose|as|"
    r"than|its|their|his|her|is|are|was|were|be|been|has|have|had|will|would|said|says|"
    r"between|about|over|under|into|per|while|after|before|since|up|down)$",
    re.I,
)
# "state-\nowned": a line-end hyphen after one of these is a compound's, kept when joining.
_COMPOUND_PREFIX_WORDS = (
    "state non self well co long short high low mid year half full first second third cross "
    "multi semi anti pre post re ex rare heavy light so much record large small"
)
_COMPOUND_PREFIX = set(_COMPOUND_PREFIX_WORDS.split())
_TERMINAL = '.!?:;"”’)'
_HARD_WRAP_MAX = 130


@dataclass(frozen=True)
class Reflowed:
    """`text` with hard-wrapped paragraphs joined, the same length as the original: a line
    break inside a paragraph (and the next line's indent) becomes spaces; a word hyphenated at a
    line end ("produc-\ntion") is written whole and padded with spaces after it, so every
    character outside those words stays where it was. `zones` are the (start, end) of the
    rewritten words: an offset inside one is moved to its end by `original_end`."""

    text: str
    zones: tuple[tuple[int, int], ...] = ()

    def original_end(self, end: int) -> int:
        for start, stop in self.zones:
            if start <= end < stop:
                return stop
        return end


def _raw_lines(text: str) -> list[tuple[int, int]]:
    """(start, end without the line break) of every line, blank ones included."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, pos + len(raw.rstrip("\r\n"))))
        pos += len(raw)
    return out


# A table's source note or footnote line: "Source: Bureau of National Statistics", "Notes: ...".
_SOURCE_NOTE = re.compile(r"^\s*(?:Sources?|Notes?)\s*:")


def _joins(prev: str, nxt: str, width: int) -> bool:
    """Does line `nxt` continue the paragraph of line `prev` (no blank line between)?"""
    a, b = prev.strip(), nxt.strip()
    if not a or not b or _BULLET.match(nxt):
        return False
    if _is_table_row(a) and not b[:1].islower():
        return False  # a table row ("South Korea 498 (510)") is a line of its own
    if _is_table_row(b) and a[-1:] in _TERMINAL and not _CONTINUATION_END.search(a):
        return False  # nor does a caption or a finished sentence run into one
    if re.match(r"^(?:Table|Figure|Chart|Exhibit)\s+\d+[.:]\s|^Sources?\s*:", b) and (
        a[-1:] in _TERMINAL
    ):
        return False  # "Table 1. China's exports ...", "Source: ..." start a block
    if (
        _SOURCE_NOTE.match(a)
        and a[-1:] not in ",;"
        and not _CONTINUATION_END.search(a)
        and b[:1].isupper()
        and b[-1:] not in _TERMINAL
    ):
        # A table's source note ends its block: "Source: Bureau of National Statistics\nThe
        # 145 tonnes of oxide came from a" (the note's own last line ends with its full stop:
        # "Source: General Administration of Customs; Halden\nMetals Research.").
        return False
    starts_lower = b[:1].islower() or b[:1].isdigit() or b[:1] in "(%$€£¥–-"
    broken_off = bool(_CONTINUATION_END.search(a))  # "... attributable to"
    unfinished = broken_off or a[-1:] not in _TERMINAL
    if width > _HARD_WRAP_MAX:
        # Not hard-wrapped: a line is a paragraph, unless it plainly breaks off mid-sentence.
        return unfinished and starts_lower
    long_line = len(prev.rstrip()) >= 0.6 * width
    if (
        a[-1:] in _TERMINAL
        and b[:1].isupper()
        and len(b) < 0.6 * width
        and b[-1:] not in _TERMINAL
        and not _CONTINUATION_END.search(b)
    ):
        # "... and no debt.\nRisks\nHeavy rare earth prices ...": a short line after a
        # finished sentence, itself unfinished, is a heading standing alone (a wrapped
        # paragraph's lines are full until its last one, which ends a sentence).
        return False
    if _BULLET.match(prev):
        return unfinished and (starts_lower or long_line or nxt[:1].isspace())
    return long_line or broken_off or (unfinished and starts_lower)


def reflow(text: str) -> Reflowed:
    """Paragraphs before sentences: join the lines of each hard-wrapped paragraph (see
    `Reflowed`). A blank line ends a paragraph, a bullet starts an item, and a short line that
    ends like a heading stands alone; text whose lines are whole paragraphs is left as it is."""
    rows = _raw_lines(text)
    out = list(text)
    zones: list[tuple[int, int]] = []
    # The wrap width of each run of non-blank lines: its longest line, a table's source note
    # left out (it runs across the page, over a narrow column's text).
    width: dict[int, int] = {}
    for blank, run in itertools.groupby(
        range(len(rows)), lambda i: not text[slice(*rows[i])].strip()
    ):
        if not blank:
            run = list(run)
            measured = [i for i in run if not _SOURCE_NOTE.match(text[slice(*rows[i])])]
            widest = max(rows[i][1] - rows[i][0] for i in measured or run)
            width.update(dict.fromkeys(run, widest))
    for i in range(len(rows) - 1):
        prev, nxt = text[slice(*rows[i])], text[slice(*rows[i + 1])]
        if not _joins(prev, nxt, width.get(i, 0)):
            continue
        stop = rows[i][0] + len(prev.rstrip())  # after the line's last word
        gap_end = rows[i + 1][0] + len(nxt) - len(nxt.lstrip())  # the next line's first word
        word = re.search(r"([A-Za-z]+)-$", prev.rstrip())
        rest = re.match(r"[a-z]+", nxt.lstrip())
        if word and rest:
            # "produc-\ntion" -> "production" + padding: the joined word, then spaces; after
            # a compound's prefix the hyphen stays: "state-\nowned" -> "state-owned".
            begin, end = stop - len(word.group(0)), gap_end + rest.end()
            compound = word.group(1).lower() in _COMPOUND_PREFIX
            joined = word.group(0 if compound else 1) + rest.group(0)
            out[begin:end] = joined.ljust(end - begin)
            zones.append((begin + len(joined), end))
        else:
            out[stop:gap_end] = " " * (gap_end - stop)
    return Reflowed("".join(out), tuple(zones))


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, its surrounding white space left out."""
    out = []
    for start, end in _raw_lines(text):
        body = text[start:end]
        if body.strip():
            lead = len(body) - len(body.lstrip())
            out.append((start + lead, start + len(body.rstrip())))
    return out


def _hand_boundary_vetoed(text: str, begin: int, stop: int, end: int) -> bool:
    """The domain's abbreviation rules over a boundary after `text[begin:stop]`: no split
    after "approx." / "No." / "Jan." / a single initial, nor after "Co." / "Ltd." / "Inc." /
    "Corp." unless a capitalised word follows, nor before a lower-case word, a comma or a
    digit glued to the full stop."""
    m = _SENTENCE_END.search(text, max(begin, stop - 4), stop)
    if m is None or m.end() != stop:
        return False
    word = re.search(r"([\w.&]+)$", text[begin : m.start()])
    token = (word.group(1) if word else "").lower().rstrip(".")
    after = text[stop:end].lstrip()
    next_char = after[:1]
    abbreviation = token in _ABBREV or (len(token) == 1 and token.isalpha())
    if (
        abbreviation
        and text[m.start()] == "."
        and (token not in _COMPANY_SUFFIX or not next_char.isupper())
    ):
        return True
    return bool(next_char and (next_char.islower() or next_char in ",;:"))


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in `text[start:end]` (one paragraph), by syntok's segmenter (measured
    against pysbd, spaCy's sentencizer and the hand-written splitter this replaced: see
    docs/), with the domain's abbreviation rules (`_hand_boundary_vetoed`) on top."""
    piece = text[start:end]
    starts = [start + sent[0].offset for para in _syntok.analyze(piece) for sent in para if sent]
    out: list[tuple[int, int]] = []
    begin = start + len(piece) - len(piece.lstrip())
    for nxt in starts[1:]:
        stop = len(text[:nxt].rstrip())
        if stop <= begin:
            continue
        if _hand_boundary_vetoed(text, begin, stop, end):
            continue
        out.append((begin, stop))
        begin = nxt
    last = start + len(piece.rstrip())
    if begin < last:
        out.append((begin, last))
    return [piece for a, b in out for piece in _split_after_legal_form(text, a, b)]


# A sentence ending in a legal form's full stop, which the segmenter reads as an abbreviation:
# "... the project company, Nuuluk Minerals A/S. The Greenland government has ...".
_LEGAL_FORM_END = re.compile(
    r"\b(?:A/S|ApS|AS|ASA|AB|Ltd|Inc|Corp|Co|plc|PLC|LLC|LLP|Tbk|Bhd|GmbH|AG|SA|NV|BV|JSC|Pty|"
    r"Ltda|SpA|KK)\.(?=\s+(?:The|It|Its|He|She|They|Their|This|That|These|Those|We|Our|In|On|"
    r"At|A|An|But|Separately|Meanwhile|However|Last|Earlier|Shares)\s)"
)


def _split_after_legal_form(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in _LEGAL_FORM_END.finditer(text, start, end):
        out.append((start, m.end()))
        start = m.end() + len(text[m.end() : end]) - len(text[m.end() : end].lstrip())
    out.append((start, end))
    return out


# --- Clause rules -----------------------------------------------------------------------------

_NOISE_PAREN = re.compile(r"\s*\((?:opens in a new (?:tab|window)|link|pdf|photo|file)\)", re.I)
_RELATION_WORDS = re.compile(
    r"\b(?:shareholders? of|subsidiar(?:y|ies) of|unit of|parent of|owned by|owner of|"
    r"stake in|controlled by|affiliate of|part of|a unit|a subsidiary)\b",
    re.I,
)
_LEAD_INS = re.compile(
    r"^(?:(?:a |one )?reminder that|note that|it is worth noting that|remember that|"
    r"recall that|notably,|meanwhile,|elsewhere,|in addition,|additionally,|moreover,|"
    r"furthermore,|separately,|however,|also,|in other news,|back to [^,]{2,60},|"
    r"for example,|for instance,|and to date,|to date,|and)\s+",
    re.I,
)
_LEAD_PHRASE = re.compile(
    r"^(?:In|At|Within|Across|Among|On) (?:the |its |their )?[^,\d]{2,40},\s+"
)
_ATTRIBUTION_LEAD = re.compile(r"^(?P<all>According to (?P<who>[^,]{3,120})),\s*", re.I)
_DOCUMENT_NOUN = re.compile(
    r"\b(?:entry|statement|announcement|filing|report|release|disclosure|notice|results|"
    r"update|post|circular|prospectus|data)\b",
    re.I,
)
# Participles that qualify the figure before them rather than state something new.
_ELABORATING_ING = re.compile(
    r"^(?:including|excluding|covering|representing|outperforming|underperforming|"
    r"recovering|compared|comparing|amounting|equivalent|beating|lagging|trailing|totalling|"
    r"totaling|"
    # an attribution inside the sentence ("..., according to X, down from ...") and the same
    # measure going on ("..., rising to 25,000 tonnes once ...", "..., valuing it at ..."):
    # part of the statement before them
    r"according|valuing|(?:rising|falling|climbing|dropping|increasing|growing|declining)\s+to|"
    # the same stake going on: "acquired a further 25% of X ..., raising its stake to 51%"
    r"(?:raising|lifting|taking|bringing|increasing|reducing|cutting|lowering|diluting)\s+"
    r"(?:its|their|his|her|the\s+\w+'s)\s+(?:\w+\s+)?(?:stake|holding|shareholding|interest)|"
    # what a placement or sale brought in: "..., raising A$10.0 million before costs"
    r"(?:raising|generating|realising|realizing)\s+(?:about\s+|approximately\s+)?"
    r"(?:[A-Z]{0,3}\$|€|£|¥|RMB\s?)\d[\d.,]*|"
    # what the thing just named costs, holds or measures: "a plant at Bairnsdale, costing an
    # estimated A$145 million", "ore grading 2.1% TREO", "a site spanning 38 hectares"
    r"costing|grading|containing|weighing|measuring|spanning)\b",
    re.I,
)
_COMMENTARY_ING = re.compile(
    r"^(?:underscoring|highlighting|signalling|signaling|showing|reflecting|marking|"
    r"illustrating|suggesting|demonstrating|cementing|reinforcing|strengthening|directly\s+\w+ing|"
    r"making it|adding to|positioning|putting|raising questions|further\s+\w+ing|"
    r"with major|with significant|with global)\b",
    re.I,
)
_RELATION_SUBJECT = re.compile(
    r"^(?P<rel>(?:[\w-]+\s+)?(?:subsidiar(?:y|ies)|affiliates?|sister compan(?:y|ies)|"
    r"joint ventures?|parent(?: company)?)\s+(?:like\s+|such as\s+|including\s+)?)",
    re.I,
)


@dataclass
class Segment:
    start: int
    end: int
    kind_hint: str = ""  # "ownership" for relation phrases, "event" for attributions
    context_start: int = -1  # where the clause's subject may be found (before its span)
    attribution: str = ""  # "according to X" that introduces the rest of the sentence
    forced_reason: str = ""


def _mask(text: str, start: int, end: int) -> str:
    """The sentence with bracketed text blanked out, so no rule splits inside brackets."""
    chars = list(text[start:end])
    depth = 0
    for i, ch in enumerate(chars):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
            continue
        if depth:
            chars[i] = "_"
    return "".join(chars)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces, joining punctuation, a leading "and"/"while", and trailing link noise."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
            start += 1
            changed = True
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
            end -= 1
            changed = True
        m = _NOISE_PAREN.search(text, start, end)
        if m and m.end() == end:
            end = m.start()
            changed = True
        m = _LEAD_INS.match(text[start:end])
        if m:
            start += m.end()
            changed = True
        m = _DATELINE.match(text[start:end])
        if m and m.end() < end - start:
            # "PERTH, July 24 (Reuters) - Lynas said ...": where and when the copy was filed,
            # not part of what it states.
            start += m.end()
            changed = True
        m = re.match(r"^(?:but|and|with)\s+", text[start:end], re.I)
        if m and not changed:
            start += m.end()
            changed = True
    return start, end


def _has_figure(text: str, start: int, end: int) -> bool:
    return bool(quantitative(parse_figures(text, start, end)))


def _split(text: str, seg: Segment) -> list[Segment]:
    """One pass of the clause rules over a segment; returns the pieces (maybe just itself)."""
    s, e = _trim(text, seg.start, seg.end)
    if e - s < 3:
        return []
    seg = Segment(s, e, seg.kind_hint, seg.context_start, seg.attribution, seg.forced_reason)
    if seg.kind_hint:
        return [seg]
    body = text[s:e]
    masked = _mask(text, s, e)

    m = _ATTRIBUTION_LEAD.match(masked)
    if m:
        who = text[s + m.start("who") : s + m.end("who")]
        lead_end = s + m.end("all")
        rest = Segment(s + m.end(), e, attribution=f"according to {who}".strip())
        pieces = []
        if _DOCUMENT_NOUN.search(who):
            pieces.append(Segment(s, lead_end, kind_hint="event", forced_reason="document"))
        return [*pieces, *_split(text, rest)]

    m = _LEAD_PHRASE.match(masked)
    if m:
        return _split(text, Segment(s + m.end(), e, attribution=seg.attribution))

    # "While A, B": A is a statement the writer concedes; B the main clause.
    m = re.match(r"^(?:while|although|though|whereas)\s+", masked, re.I)
    if m:
        commas = [i for i, ch in enumerate(masked) if ch == "," and i > m.end() + 10]
        for i in reversed(commas):
            if len(masked[i + 1 :].split()) >= 4:
                return [
                    *_split(text, Segment(s + m.end(), s + i, attribution=seg.attribution)),
                    *_split(text, Segment(s + i + 1, e, attribution=seg.attribution)),
                ]

    # A relation stated in brackets: "(also a shareholder of K)".
    for pm in re.finditer(r"\(([^()]{6,200})\)", body):
        if _RELATION_WORDS.search(pm.group(1)):
            inner = Segment(s + pm.start(1), s + pm.end(1), kind_hint="ownership", context_start=s)
            before = Segment(s, s + pm.start(), attribution=seg.attribution)
            after = Segment(s + pm.end(), e, context_start=s, attribution=seg.attribution)
            pieces = [inner]
            b_s, b_e = _trim(text, before.start, before.end)
            if _has_verb(text[b_s:b_e]) or _has_figure(text, b_s, b_e):
                pieces = [*_split(text, before), inner]
            return [*pieces, *_split(text, after)]

    m = _RELATION_SUBJECT.match(body)
    if m:
        pos = m.end()
        last = pos
        for tok in re.finditer(r"\([^()]*\)|[^\s()]+", body[pos:]):
            word = tok.group(0).rstrip(",")
            joiner = word in ("and", "&", "of", ",")
            if word.startswith("(") or joiner or word[:1].isupper():
                if not joiner:
                    last = pos + tok.end()
                continue
            break
        if last > pos:
            return [
                Segment(s, s + last, kind_hint="ownership", attribution=seg.attribution),
                *_split(text, Segment(s + last, e, context_start=s, attribution=seg.attribution)),
            ]

    # A colon between two clauses: "... update: net profit soared ...".
    for cm in re.finditer(r":\s+", masked):
        left, right = masked[: cm.start()], masked[cm.end() :]
        if len(left.split()) >= 3 and len(right.split()) >= 4:
            return [
                *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
                *_split(
                    text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)
                ),
            ]

    # An appositive superlative after a name: "Lynas, the largest producer outside China,
    # said ...": a record claim of its own, and the main clause after it. Only after a name
    # (capitalised words): "Exports to Germany, the largest European buyer, rose 9.3%" is one
    # statement about exports and is kept whole.
    cm = re.match(
        r"^[A-Z][\w&.'’_-]*(?:\s+(?:of|and|&|for|de)?\s*[A-Z0-9_][\w&.'’_-]*){0,7},\s+"
        r"((?:the|its|a)\s+(?:world'?s\s+)?(?:largest|biggest|second-largest|"
        r"top|leading|only|first|sole|dominant)\b[^,]{2,80}),\s+(?=[a-z])",
        masked,
    )
    if cm and _has_verb(masked[cm.end() :]):
        return [
            Segment(
                s + cm.start(1),
                s + cm.end(1),
                context_start=s,
                attribution=seg.attribution,
                forced_reason="appositive",
            ),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    # An appositive after a name inside the sentence that states a listing or an owner:
    # "... from Neo Performance Materials, the Toronto-listed company, which separates ...":
    # the main clause, the appositive (said of the name) and what follows it.
    cm = re.search(
        r"(?<=[A-Za-z.)]),\s+((?:the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:[\w]+-listed|listed|"
        r"state-owned|state-controlled|publicly traded|wholly owned|subsidiary|unit|parent)\b"
        r"[^,]{0,60}),\s+",
        masked,
    )
    if cm and cm.start() > 15 and _has_verb(masked[: cm.start()]):
        rest_start = s + cm.end()
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(
                s + cm.start(1),
                s + cm.end(1),
                kind_hint="ownership",
                context_start=s,
                attribution=seg.attribution,
                forced_reason="appositive-inside",
            ),
            *(
                _split(text, Segment(rest_start, e, context_start=s, attribution=seg.attribution))
                if len(masked[cm.end() :].split()) >= 4
                else []
            ),
        ]

    # One subject, two predicates: "Its factory began production in January and is on track
    # to supply GM".
    cm = re.search(
        r",?\s+and\s+(?=(?:is|are|was|were|has|have|will|plans?|aims?|expects?|also)\s)", masked
    )
    if cm and _has_verb(masked[: cm.start()]) and len(masked[cm.end() :].split()) >= 4:
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    # Joined clauses: ", while", ", whereas", ", but", "; ".
    cm = re.search(r",\s+(?:while|whereas|but)\s+|;\s+", masked, re.I)
    if cm and len(masked[cm.end() :].split()) >= 3:
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    # A second clause with its verb left out: "Enami will hold 51% of the joint venture and
    # Andes Litio the other 49%".
    cm = re.search(
        r"\s+and\s+(?=(?:[A-Z][\w.'’-]*\s){1,4}the\s+(?:other|remaining|rest|balance)\b)", masked
    )
    if cm and _has_verb(masked[: cm.start()]):
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(
                s + cm.end(),
                e,
                kind_hint="ownership" if _OWNERSHIP.search(masked[: cm.start()]) else "",
                attribution=seg.attribution,
            ),
        ]

    # An absolute clause: "..., with Huaxing reporting an 83.8% increase".
    cm = re.search(r",\s+with\s+(?=[A-Z]|the (?:balance|rest|remainder|remaining)\b)", masked)
    if cm and re.search(r"\b\w+ing\b|\b(?:held|owned|controlled)\b", masked[cm.end() :]):
        held = re.match(r"the (?:balance|rest|remainder|remaining)\b", masked[cm.end() :])
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(
                text,
                Segment(
                    s + cm.start() + 1,
                    e,
                    kind_hint="ownership" if held else "",
                    context_start=s,
                    attribution=seg.attribution,
                ),
            ),
        ]

    # Two clauses joined by ", and" with a new subject: "X are backed by ..., and the Y is ...".
    # A short second clause ("..., and its founders will hold 41%") completes the first.
    cm = re.search(r",\s+and\s+(?=(?:the|a|an|its|their|this|these|those|it|they)\s)", masked)
    if (
        cm
        and (
            _has_verb(masked[cm.end() :])
            # "..., and it encourages ...": a pronoun, then its verb
            or re.match(r"(?:it|they)\s+(?:\w+ly\s+)?[a-z]+(?:s|ed)\b", masked[cm.end() :])
        )
        and _has_verb(masked[: cm.start()])
        and len(masked[cm.end() :].split()) >= 7
    ):
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, attribution=seg.attribution)),
        ]

    # The same with a named subject, when each side states its own figure: "The Greenland
    # government has a 12.5% free-carried interest, and Danish pension fund Nordlys Pension
    # owns the remaining 15%".
    cm = re.search(r",\s+and\s+(?=(?-i:[A-Z])[\w'’-]+\s)", masked)
    if (
        cm
        and _has_verb(masked[cm.end() :])
        and _has_verb(masked[: cm.start()])
        and len(masked[cm.end() :].split()) >= 5
        and _has_figure(text, s, s + cm.start())
        and _has_figure(text, s + cm.end(), e)
    ):
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, attribution=seg.attribution)),
        ]

    # A participle after a comma or dash: a figure makes it a claim; commentary is trimmed.
    # Paired dashes hold an aside inside the clause ("a base—focusing on X—is being built").
    paired = sum(masked.count(d) for d in "—–") >= 2
    for cm in re.finditer(r"(?:,|—|–| - )\s*(?=(?:already |also |further )?[a-z]+ing\b)", masked):
        if paired and cm.group(0).strip() in ("—", "–"):
            continue
        tail = masked[cm.end() :]
        if _ELABORATING_ING.match(tail):
            continue  # "..., including a 15% contingency": part of the statement before it
        aside = re.match(
            r"[^,;]{3,80},\s+((?:in|on|by|at|before|after|during|within|from|to|for)\s+[^,;]*)$",
            tail,
        )
        if cm.group(0).strip() == "," and aside and not _has_verb(aside.group(1)):
            # "... an updated estimate for Kitaka, incorporating the Phase 2 results, in the
            # first quarter of 2027": an aside, and the clause goes on after it
            continue
        if _has_figure(text, s + cm.end(), e):
            return [
                *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
                Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution),
            ]
        if _COMMENTARY_ING.match(tail) or cm.group(0).strip() in ("—", "–", "-"):
            return _split(
                text, Segment(s, s + cm.start(), seg.kind_hint, seg.context_start, seg.attribution)
            )

    # A dash aside at the end with no figure in it: an elaboration, not a claim.
    dashes = [i for i, ch in enumerate(masked) if ch in "—–"]
    if len(dashes) == 1 and not _has_figure(text, s + dashes[0], e):
        return _split(
            text, Segment(s, s + dashes[0], seg.kind_hint, seg.context_start, seg.attribution)
        )

    # A relative clause between commas: "The group, which is controlled by the Jiangxi
    # government, said revenue ...", "Wyloo, which holds 22.6% of the Company, has agreed to
    # ...": the relative clause is a claim of its own when it states a fact (a figure, a
    # relation, a plan, something done) of another kind than the rest of its sentence
    # (README rule 3); "Kruger, which is listed on AIM, owns 64%" (a listing in an ownership
    # statement) and "the Trust, which represents five villages, holds 10%" (a description)
    # stay inside it.
    cm = re.search(
        r",\s+(which\s+(?:(?:also|now|still|already)\s+)?(?!it\b|its\b|they\b|we\b|the\b)"
        r"(?:is|are|was|were|has|have|had|[a-z]{3,}(?:s|ed))\b[^,]{3,150}),\s+(?=[a-z])",
        masked,
    )
    if cm and (_has_verb(masked[cm.end() :]) or _SAYING_NEXT.match(masked[cm.end() :])):
        inner = (s + cm.start(1), s + cm.end(1))
        main = text[s : s + cm.start()] + " " + text[s + cm.end() : e]
        kind, why = classify(text[slice(*inner)], parse_figures(text, *inner))
        own_fact = why != _NO_SIGNAL or bool(_EVENT_VERB.search(text[slice(*inner)]))
        # "Ganjiang, which is 72% owned by X, said ... would keep the remaining 40%": what
        # describes the sayer is another fact than what it said, whatever the kinds.
        about_sayer = kind == "ownership" and _SAYING_NEXT.match(masked[cm.end() :])
        if not own_fact or (kind == classify(main, parse_figures(main))[0] and not about_sayer):
            return [seg]
        return [
            *(
                _split(text, Segment(s, s + cm.start(), attribution=seg.attribution))
                if _has_verb(masked[: cm.start()])
                else []
            ),
            Segment(s + cm.start(1), s + cm.end(1), context_start=s, attribution=seg.attribution),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    # A relative clause at the end that states a relation or a figure of its own: "...,
    # which is publicly listed". "..., which is expected in July" qualifies its clause and
    # stays with it.
    # "..., which will keep the remaining 70%": a plan or a holding of what was just named,
    # when it ends the sentence.
    cm = re.search(r",\s+(?=which\s+(?:is|are|was|were|has|have|had)\b)", masked) or re.search(
        r",\s+(?=which\s+will\b[^,]*$)", masked
    )
    # "..., which the lender approved on 9 September", "..., which it acquired in the 2023
    # private placement", "..., which expects to produce 10 tonnes a year from 2028": a
    # relative clause ending the sentence with a fact of another kind than its clause.
    last = re.search(r",\s+(?=which\s+[^,]{8,}$)", masked)
    if not cm and last and _has_verb(masked[: last.start()]):
        inner = text[s + last.end() : e]
        main = text[s : s + last.start()]
        kind, why = classify(inner, parse_figures(inner))
        own_fact = why != _NO_SIGNAL or bool(_EVENT_VERB.search(inner) or _PAST.search(inner))
        # (a stake ending the sentence is the rule below's: "..., which holds 19.6%"); a
        # clause stating nothing of its own before it ("The placement is conditional on
        # shareholder approval, which the Company will seek ...") keeps it.
        main_kind, main_why = classify(main, parse_figures(main))
        if own_fact and main_why != _NO_SIGNAL and kind not in ("ownership", main_kind):
            cm = last
    if cm and (
        cm is last
        or _OWNERSHIP.search(masked[cm.end() :])
        or _RELATION_WORDS.search(masked[cm.end() :])
        or _has_figure(text, s + cm.end(), e)
    ):
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution),
        ]
    return [seg]


_SAYING_NEXT = re.compile(
    r"(?:also\s+|has\s+|had\s+)?(?:said|says|told|announced|reported|disclosed|confirmed|"
    r"stated)\b"
)


# --- Opinion, rhetoric, kinds, score ----------------------------------------------------------

_RHETORIC = re.compile(
    r"\b(?:warning shot|(?:first|ninth|early|late) inning|nine-inning|innings?\b|wake-up call|"
    r"game[- ]changer|tip of the iceberg|no accident|stark reminder|it'?s a start|betting big|"
    r"bet big|not just|isn'?t just|aren'?t just|nowhere near|perfect storm|elephant in the room|"
    r"arms race|double-edged|laying the groundwork|lay the groundwork|next leap|"
    r"on the ropes|writing on the wall|the ball is in|a drop in the bucket|playbook|"
    r"chess (?:game|match|board)|checkmate|silver bullet|holy grail|the new oil|"
    r"foundation of future|whole-of-nation|catch up fast|next generation of|once again be|"
    r"(?:our|this|the) journey|only just (?:begun|beginning|started)|just the beginning)\b",
    re.I,
)
# Comparative judgements: a verdict on a state of affairs, not a statement of one ("the gap
# has never been wider", "the stakes could not be higher", "a turning point").
# A comment aside between commas marks the whole sentence as the writer's view: "There is, it
# must be said, something audacious ...", "..., one suspects, ...", "..., arguably, ...".
_ASIDE = re.compile(
    r",\s+(?:it (?:must|has to|should|needs to) be said|one suspects|it seems|arguably|"
    r"admittedly|frankly|to be fair|to be sure|of course|it is fair to say)\s*,",
    re.I,
)
_JUDGEMENT = re.compile(
    # Pride and milestones: how the writer feels about it, not what happened.
    r"\b(?:is|are|was|were|feels?|remains?)\s+(?:very\s+|extremely\s+|immensely\s+)?"
    r"(?:proud|delighted|thrilled|excited|honou?red|grateful)\s+(?:of|by|with|about)\b|"
    r"\bmarks? a (?:new chapter|new era|milestone|watershed)\b|"
    r"\bnever (?:been|looked|seemed|felt)\s+(?:so\s+|more\s+|less\s+)?\w+|"
    r"\b(?:could not|couldn'?t|cannot|can'?t) (?:be|have been) (?:\w+er|more \w+|clearer)\b|"
    r"\b(?:\w+er|more \w+|less \w+) than ever(?: before)?\b|"
    r"\b(?:a|the) (?:turning point|watershed(?: moment)?|defining moment|new era|sea change|"
    r"paradigm shift|reckoning|tipping point|moment of truth)\b|"
    r"\bnothing short of\b|\bsays? it all\b|\bspeaks volumes\b|\bremains to be seen\b",
    re.I,
)
# Opinion reported, not fact: what critics or observers argue, a label put on something in
# quotation marks ("called the timetable \"ambitious ...\""), a verdict someone said a deal
# reflects, how "we see" a thing, a thing made "a test of whether", a house's values ("is
# committed to responsible development") and its vows ("will resolutely serve", "strive to").
_OPINION = re.compile(
    r"\b(?:critics|opponents|sceptics|skeptics|detractors|proponents|supporters|observers|"
    r"campaigners|environmentalists)\s+(?:\w+\s+){0,3}?(?:say|said|argue|argued|contend|"
    r"contended|warn|warned|claim|claimed|believe|fear|feared|worry|complain|complained)\b|"
    r"\b(?:called|calls|described|describes|dubbed|termed|branded|labelled|labeled)\s+"
    r"(?:[\w'’-]+\s+){0,5}?(?:as\s+)?[\"“]|"
    r"\b(?:we|I)\s+(?:see|view|regard)\s+[^.;:]{1,80}?\bas\b|"
    r"\b(?:a|the)\s+(?:[\w-]+\s+){0,2}?test of whether\b|"
    r"\b(?:resolutely|unswervingly|wholeheartedly|strive to|strives to|world-class)\b",
    re.I,
)
# The same, but a figure in it is what can be checked ("said the result reflected a 14% rise").
_OPINION_UNLESS_FIGURE = re.compile(
    r"\bsaid\s+(?:that\s+)?(?:the|this|that|it|its)\s+(?:[\w-]+\s+){0,2}?(?:reflected|reflects|"
    r"showed|shows|underscored|underscores|signalled|signaled|signals|demonstrated|highlighted|"
    r"marked|represented|proved|vindicated)\b|"
    r"\b(?:is|are|remains?)\s+(?:fully\s+|deeply\s+|firmly\s+)?committed to\s+"
    r"(?:responsible|sustainable|the highest|high standards|transparency|working|creating|"
    r"delivering|building strong)",
    re.I,
)
_PRESCRIPTIVE = re.compile(
    r"\b(?:should|ought to|must|needs? to|calls? for|has to|have to|it is time)\b|"
    # an appeal to the reader: "it encourages all licence holders to take part"
    r"\b(?:encourages?|urges?|invites?|calls? on|appeals? to)\s+(?:\w+\s+){0,4}?to\s+[a-z]+",
    re.I,
)
# Case-sensitive on purpose: "May" the month is not "may" the hedge.
_HEDGE = re.compile(
    r"\b(?:may|might|could|would|[Pp]erhaps|[Pp]ossibly|[Aa]rguably|seems?|appears? to|"
    r"suggests?|[Ww]e believe|I think|[Ii]n our view|[Ii]n my view|[Pp]robably|likely)\b"
)
_EVALUATION = re.compile(
    # "It is expected to close in the first quarter of 2027", "it is designed to produce ...":
    # a passive statement of what the thing is set to do, not a verdict on it
    r"^(?:this|that|these|it|such)\s+(?:(?:is|was|are|'s|’s)"
    r"(?!\s+(?:\w+ly\s+)?(?:[a-z]{3,}ed|due|set|being|now|still)\b)|highlights|shows|"
    r"underscores|signals|demonstrates|reflects|means|marks|represents)\b",
    re.I,
)
_OWNERSHIP = re.compile(
    # a listing, whoever's shares: "Its shares trade on the Toronto Stock Exchange"
    r"\b(?:shares|stock) (?:trade|trades|are traded|is traded|are listed|is listed) on\b|"
    r"(?<!\bour )(?<!\bits )(?<!\btheir )(?<!\bhis )(?<!\bher )(?<!\bmy )(?<!\byour )"
    r"\b(?:owns?|owned|ownership|controlling stake|stake in|stakes? of|shareholders? of|"
    r"a shareholder|(?:controlling|largest|biggest|majority|minority|main|principal) "
    r"(?:shareholder|owner|stakeholder)|subsidiary of|a subsidiary|its subsidiary|parent company|part of|state[- ]owned|state[- ]backed|"
    # "Tenggara is a unit of Orchid", "an affiliate of", "the trading arm of"
    r"(?:a|an|the)\s+(?:[\w-]+\s+)?(?:unit|affiliate|arm|division)\s+of|"
    r"state[- ]controlled|controls|controlled by|control over|exerts? control|"
    r"publicly listed|listed on|(?:shares|stock) (?:trade|trades|are traded|is traded) on|acquired|acquires|holds? (?:a|the) \w* ?stake|"
    r"operates? the|operate the|operated by|"
    r"holds? (?:about |around |nearly |some |over |almost )?\d[\d.,]*%\s+(?:of|in)\b|"
    # a stake had: "The Greenland government has a 12.5% free-carried interest"
    r"\b(?:has|have|had|holds?|held|retains?|retained)\s+(?:a|an)\s+(?:about\s+|nearly\s+)?"
    r"\d[\d.,]*\s?%\s+(?:[\w-]+\s+){0,2}?(?:interest|stake|shareholding|holding)\b|"
    # a stake bought: "which bought 19.9% of the company in 2024"
    r"(?:bought|purchased|buys)\s+(?:a\s+)?(?:about\s+|nearly\s+)?\d[\d.,]*\s?%"
    r"(?:\s+stake)?\s+(?:of|in)\b|"
    # the rest of a stake: "Tohoku Metal Industries holds the other 50%", "Cerrado will keep
    # the remaining 85% of Mineração Cerrado", "which will retain the remaining 70%"
    r"\b(?:holds?|held|keeps?|kept|retains?|retained|(?:will|would)\s+(?:hold|keep|retain))\s+"
    r"the\s+(?:other|remaining|balance of)\s+\d[\d.,]*\s?%)",
    re.I,
)
_PLAN_STRONG = re.compile(
    r"\b(?:under construction|being built(?: out)?|is building|are building|will build|"
    r"expansion project|\w+ project for|plans? to|planned|aims? to|aimed at|intends? to|"
    r"is designed to|are designed to|expected to|scheduled to|will (?:be|start|begin|open|"
    r"reach|produce|invest|build|launch)|to be (?:completed|built|commissioned)|"
    r"launchpads? for|serve as|pipeline|expected (?:in|by)|due (?:in|by)|scheduled for|"
    r"committed to|pledged to|promised to|on track to|"
    # any action an organisation says it will take: "Daewon will nominate one director",
    # "the Ministry will consult industry", "Saguenay will host a conference call"
    r"will (?!not\b|need\b|have\b|remain\b|always\b|never\b|surely\b|certainly\b|likely\b)"
    r"(?:\w+ly\s+)?[a-z]{3,}|"
    # an expectation with a date, however long what is expected: "It expects first
    # production from Halls Creek in 2029", "Lynas expects first production of dysprosium
    # and terbium at Seadrift in the 2027 financial year"
    r"(?:(?<!\bthan )(?<!\bas )(?:expects?|anticipates?)\s+[^.;:!?]{3,150}?|"
    r"targets?\s+(?:[\w-]+\s+){1,6}?)(?:in|by|from)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,3}?(?:19|20)\d\d)\b",
    re.I,
)
# A forecast is a plan/forecast claim even when it is a percentage.
_FORECAST = re.compile(
    r"\b(?:will|would|is expected to|are expected to|is forecast to|are forecast to|"
    r"is projected to|are projected to)\s+(?:\w+\s+)?(?:grow|rise|fall|reach|increase|decline|"
    r"double|triple|top|exceed|drop)\b|\b(?:forecasts?|projects|estimates?|predicts?) that\b",
    re.I,
)
# Who expects, targets or proposes, in the present: "the Group targets magnet sales of between
# 24,000 and 26,000 tonnes", "Halden expects full-year exports of about 54,000 tonnes", "The
# Board proposes a cash dividend of 1.50 yuan" (not "expected", what was).
_EXPECTS = re.compile(r"\b(?:targets|expects|forecasts|proposes|is targeting|guides for)\b")
_PLAN_WEAK = re.compile(r"\b(?:target(?:s|ed|ing)?|goal|aim|forecast|outlook|guidance)\b", re.I)
# What is intended, expected or conditional, whatever the figures in it: "Mt Burgess would
# produce 3,950 tonnes a year", "The group intends to fund up to 60% of the cost with debt",
# "is to be financed in part by a EUR120 million loan", "are expected to make up between 12% and
# 15%", "We expect the 2027 quota to rise by 5%", "Our own forecast is lower, at 560 tonnes"
# (a plan in the labelling rules; "will" is left to _PLAN_STRONG, since "X will provide a
# A$65 million loan" states the terms of a deal as often as an intention).
_MODAL_PLAN = re.compile(
    r"\b(?:would\s+(?:\w+ly\s+)?(?!not\b)[a-z]{2,}|(?<!\ban )(?<!\ba )(?:intends?|aims?|plans?)\s+to|"
    r"(?:is|are)\s+(?:expected|scheduled|due|set|projected|forecast|targeted|slated)\s+to|"
    r"(?:is|are)\s+to\s+be|may\s+consider|(?:we|they|I)\s+expect\b[^.;]{0,80}?\bto\s+[a-z]+|"
    r"forecast\s+(?:is|was)\b)",
    re.I,
)
# A plan given up is something that happened: "abandoned an earlier plan to process the ore".
_GIVEN_UP = re.compile(
    r"\b(?:abandoned|dropped|scrapped|shelved|cancell?ed|withdrew|suspended)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:plans?|proposals?|project|bid|offer)\b",
    re.I,
)
# "... until it knew how the rules would be applied": what is expected is only a condition.
_SUBORDINATE_BEFORE = re.compile(
    r"\b(?:how|whether|if|until|unless|what|when|whatever|once|where)\s+(?:[\w'’-]+\s+){0,5}$", re.I
)
_RECORD = re.compile(
    r"\b(?:record(?:-setting|-high)?|all-time highs?|highest|lowest|largest|biggest|"
    r"first-ever|top\b)",
    re.I,
)
_VAGUE_AMOUNT = re.compile(r"\b(?:billions|millions|trillions|hundreds of|thousands of)\b", re.I)
_EVENT_VERB = re.compile(
    r"\b(?:released|announced|launched|signed|completed|opened|started|began|begun|commissioned|"
    r"approved|designated|rolled out|ramped up|deployed|reached|hit|posted|reported|raised|"
    r"cut|agreed|won|secured|built|invested|produced|exported|imported|shipped|expanded|"
    r"upgraded|refined|made|achieved|recorded|rose|fell|jumped|soared|increased|decreased|"
    r"grew|declined|boosted|overcame|anchors|operates|makes money available|provides|funds|"
    r"under testing|being tested|in trial|came online|went into operation|entered|"
    r"imposed|banned|restricted|suspended|halted|resumed|filed|sued|fined|published|"
    r"issued|awarded|merged|bought|sold|has just|have just|has now|have now)\b",
    re.I,
)
# A regular past tense ("received", "signed"), not an adjective that merely ends in -ed.
_PAST = re.compile(
    r"(?<![-\w])(?!(?:based|advanced|aimed|expected|planned|indeed|need|speed|red|feed|"
    r"listed|owned|limited|united|related|detailed|dedicated|integrated|automated|"
    r"optimized|optimised)\b)[a-z]{3,}ed\b"
)
_DEAL = re.compile(
    r"\b(?:deal|agreement|partnership|contract|merger|acquisition|joint venture|tie-up|"
    r"offtake|accord|pact|memorandum)\b",
    re.I,
)
_AUX = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|be|been|does|did|do|can)\b|\b[a-z]{3,}ed\b|"
    # a verb after a pronoun: "We expect to take a final investment decision in 2027"
    r"\b(?:[Ww]e|[Tt]hey|I)\s+(?:\w+ly\s+)?[a-z]{3,}\b|"
    r"\b(?:posts|hits|rises|falls|owns|operates|anchors|makes|holds|controls|aims|intends|"
    r"plans|expects|seeks|targets|hopes|wants|employs|supplies|produces|ships|sells|buys|"
    r"sources|uses|mines|processes|refines|separates|exports|imports|builds|runs)\b|"
    # irregular verbs of plain statements: "The 145 tonnes of oxide came from a pilot
    # circuit", "The mine sits 40 km north", "The plant ran at 80%"
    r"\b(?:came|went|ran|took|gave|got|led|paid|spent|kept|held|brought|sought|sat|stood|"
    r"became|drew|sent|met|found|lost|saw|chose|comes|goes|takes|gives|pays|spends|sits|"
    r"stands|lies|accounts|amounts|totals|contains|covers|lasts|equals)\b",
    re.I,
)
# Between the words of a name: a space, "of" / "and" / "&" / "for", or the comma before a
# legal suffix ("Yunnan Dongshan Germanium Industry Co., Ltd. said").
_NAME_JOIN = r"(?:\s+(?:of|and|&|for)?\s*|,\s+(?=(?:Ltd|Inc|Limited|LLC|Corp)\b))"
_SAID = re.compile(
    rf"(?P<who>(?:[Tt]he |[Ii]ts )?(?:[A-Z][\w&.'’-]*(?:{_NAME_JOIN}[A-Z][\w&.'’-]*){{0,6}})|"
    r"[Tt]he (?:[\w.’'-]+\s+){0,3}?(?:company|firm|group|miner|producer|refiner|developer|explorer|"
    r"manufacturer|maker|supplier|processor|operator|smelter|ministry|government|"
    r"agency|regulator|spokes(?:man|woman|person)))"
    r"(?:'s)?(?:\s+(?:also|further|separately|later|earlier|previously))?\s+(?:said|says|stated|announced|told|noted|added|confirmed|claimed|disclosed|"
    r"reported|estimated|forecast|estimates|expects|forecasts|predicts)\b"
)
# "Chief executive Henrik Aasen said", "The company's chief executive told analysts".
_SAID_OFFICER = re.compile(
    r"(?P<who>(?:(?:[Tt]he|[Ii]ts)\s+(?:[\w-]+['’]s\s+)?)?(?:[Cc]hief\s+[a-z]+(?:\s+officer)?|"
    r"CEO|CFO|COO|[Cc]hairman|[Cc]hairwoman|[Pp]resident|[Mm]anaging\s+director|"
    r"[Ss]pokes(?:man|woman|person))(?:\s+[A-Z][\w'’-]+){0,3})"
    r"(?:\s+(?:also|further|later))?\s+(?:said|says|told|noted|added|stated)\b"
)
_SAID_INVERTED = re.compile(
    r"\b(?:said|says|according to|reported by|as reported by|told)\s+(?P<who>(?:the\s+)?[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,5})"
)
_ATTRIBUTION_CLAUSE = (
    r",\s+(?P<who>according to [^,;]{2,80}|(?:the |its )?[\w .&'’-]{2,60}\s(?:said|says|reported|"
    r"announced|stated|added|showed|show|shows|indicated))"
    r"(?:\s+(?:in|on|at|to|during|after|before|via|late|early|last|this)\b[^,;]{0,100})?"
)
_TRAILING_ATTRIBUTION = re.compile(_ATTRIBUTION_CLAUSE + r"[.!]?[\"”’]?$")
# The same in the middle, before a clause of another statement or a reason: "... to 2,310
# tonnes, customs data showed on Thursday, as fighting kept trucks from crossing".
_MIDDLE_ATTRIBUTION = re.compile(
    _ATTRIBUTION_CLAUSE + r",\s+(?=(?:as|and|but|while|after|amid|because|with)\s)"
)
_SAID_AFTER_APPOSITIVE = re.compile(
    r"^(?:[A-Z][^\n]{0,60}?\s(?:-{1,2}|–|—)\s)?"
    rf"(?P<who>[A-Z][\w&.'’-]*(?:{_NAME_JOIN}[A-Z][\w&.'’-]*){{0,6}})"
    r"(?:\s*\([^)]{1,40}\))?,\s[^,]{3,160},\s+(?P<verb>(?:also\s+)?(?:said|says|told|announced|"
    r"reported|stated))\b"
)
_REPORTED = re.compile(r"\b(?:reportedly|it (?:was|is|has been) reported|reports say)\b", re.I)
_PRONOUN_START = re.compile(
    r"^(?:they|it|its|their|these|those|that|this|he|she|his|her|"
    r"the (?:company|firm|group|center|centre|unit|project|bases?))\b",
    re.I,
)
# A definite description of a company: "the company", "the Darwin-based developer", "the
# Toronto-listed rare earths producer" (up to three modifiers before a noun naming what a
# company is; a buyer or a customer is someone else).
_COMPANY_NOUNS = (
    r"(?:company|firm|group|miner|producer|enterprise|refiner|developer|explorer|manufacturer|"
    r"maker|carmaker|automaker|supplier|processor|operator|smelter|conglomerate|consolidator|"
    r"exporter|importer|start-?up|corporation|concern|business)"
)
_COREF_COMPANY = re.compile(
    rf"\bthe (?:[\w.’'-]+\s+){{0,3}}?{_COMPANY_NOUNS}(?:[’']s)?\b",
    re.I,
)


# What an organisation does, in the present: "Nordvik buys most of its oxide from Neo".
_PRESENT_ACTIVITY = re.compile(
    r"\b(?:buys|sells|supplies|sources|produces|processes|refines|separates|employs|"
    r"purchases)\b"
)


def _has_verb(text: str) -> bool:
    return bool(_AUX.search(text) or _EVENT_VERB.search(text))


_OPENS_QUOTE = re.compile(r"^\s*[\"“]")
_QUOTED = re.compile(r'^\s*["“][^"“”]{3,}["”][,.]?(?:\s|$)|^\s*["“][^"“”]{3,}$')
_NOT_A_STATEMENT = re.compile(
    r"^\(?\s*(?:US)?\$\s?1\s?=|\bforward-looking statements?\b|"
    r"\b(?:declined|refused) to (?:name|comment|say|give|disclose|identify|elaborate)\b|"
    # a risk disclaimer and a competent person's statement: the release's legal boilerplate
    r"\bthere (?:is|can be) no (?:guarantee|assurance)\b|\bno (?:guarantee|assurance) can be\b|"
    r"\bsufficient experience (?:that is )?relevant to the style of mineralisation\b|"
    r"\bconsents? to the inclusion\b",
    re.I,
)
_TARGET = re.compile(
    r"\b(?:should|must|needs? to)\s+(?:\w+\s+){0,2}?(?:contribute|reach|rise|grow|account for|"
    r"make up|produce|supply|exceed|double|triple|fall|drop)\b[^.;]*\bby\s+(?:19|20)\d{2}\b",
    re.I,
)


# A dated intention in a quotation is a plan someone can be held to: '"We expect to take a
# final investment decision in the third quarter of 2027."'
_QUOTED_PLAN = re.compile(
    r"\b(?:we|I|it|they)\s+(?:expect|plan|intend|aim|will|are going|hope)\b[^.;]{0,120}?\b"
    r"(?:(?:19|20)\d\d|next year|this year|(?:first|second|third|fourth|final)\s+(?:quarter|half)|"
    r"by the end of)\b",
    re.I,
)


def rejection(text: str, *, sentence: str, has_figure: bool) -> str:
    """Why a clause is opinion or rhetoric rather than a checkable statement ("" when it is not)."""
    if sentence.rstrip(' "”’)').endswith("?") or text.rstrip().endswith("?"):
        return "a question"
    m = _NOT_A_STATEMENT.search(text)
    if m:
        return f"not a statement of fact ({m.group(0)!r}: a note, a disclaimer or a refusal)"
    if (
        not has_figure
        and (_QUOTED.match(text) or _QUOTED.match(sentence))
        and not _QUOTED_PLAN.search(text)
    ):
        return "a quotation without a figure (what someone said, not what is the case)"
    m = _RHETORIC.search(text)
    if m:
        return f"rhetoric ({m.group(0)!r})"
    m = _JUDGEMENT.search(text)
    if m:
        return f"a comparative judgement ({m.group(0)!r}), not a checkable statement"
    m = _OPINION.search(text) or (not has_figure and _OPINION_UNLESS_FIGURE.search(text))
    if m:
        return f"an opinion or a vow ({m.group(0)!r}), not a checkable statement"
    relation = _OWNERSHIP.search(text)
    if _EVALUATION.match(text) and not (relation and relation.group(0).lower() != "part of"):
        # "It is a wholly owned subsidiary of X" states a relation; "This is a ..." judges.
        return "an evaluation (this is / this shows ...)"
    m = _PRESCRIPTIVE.search(text)
    if m and not (has_figure and _TARGET.search(text)):
        return f"a prescription ({m.group(0)!r})"
    m = _HEDGE.search(text)
    if m and not has_figure:
        return f"hedged opinion ({m.group(0)!r})"
    return ""


_NO_SIGNAL = "states something that happened or is the case"


_TRANSACTION = re.compile(
    r"(?<!\bis )(?<!\bbe )(?<!\bare )\b(?:signed|awarded|approved|agreed(?:\s+(?:in|on|last)\s+\w+"
    r"(?:\s+\d{4})?)?\s+to|converted|pledged|won|secured|issued|hired|applied (?:for|to)|completed|"
    r"shipped its first|entered (?:commercial |trial )?(?:production|operation|service)|"
    r"raised\b(?=[^.;]{0,60}\b(?:offering|IPO|placement|round|financing|funding)\b))"
)
# A change of a figure ("rose", "from ... to", "up 9%"), not a cap ("up to 1.5 billion yuan").
_CHANGE = re.compile(
    r"\b(?:rose|fell|increased|decreased|grew|declined|jumped|climbed|dropped|up(?!\s+to\b)|down|"
    r"from)\b"
)


# A clause whose first verb is a completed act: up to eight words of its subject (no verb
# among them), then the act.
_DONE_FIRST = re.compile(
    r"^(?:(?:on|in|during|after|before|at)\s+[^,]{3,40},?\s+)?"
    r"(?:(?!(?:is|are|was|were|has|have|had|will|would|said|says)\b)[\w.&'’()-]+\s+){1,8}?"
    r"(?:has\s+|have\s+)?(?P<verb>signed|granted|awarded|received|won|secured|issued|"
    r"completed|opened|commissioned|launched)\b(?!\s+(?:by|to|with)\b)",
    re.I,
)


def classify(text: str, figures: list[dict], hint: str = "") -> tuple[str, str]:
    """The kind and the reason for it."""
    if hint == "ownership":
        return "ownership", "states a relation between organisations"
    if hint == "event":
        return "event", "cites a published statement or document"
    amounts = quantitative(figures)
    percent = any(f["unit"] == "%" for f in amounts)
    m = _GIVEN_UP.search(text)
    if m:
        return "event", f"a plan given up ({m.group(0)!r})"
    m = _DONE_FIRST.match(text)
    if m:
        # "Ankole signed a non-binding memorandum with Solvay to supply ...", "the Ministry
        # granted a 21-year mining lease": what was done is the statement, whatever it is for
        return "event", f"something done ({m.group('verb')!r})"
    m = _FORECAST.search(text)
    if m:
        return "plan", f"a forecast ({m.group(0)!r})"
    m = _TARGET.search(text)
    if m:
        return "plan", f"a target with a date ({m.group(0)[:60]!r})"
    m = _EXPECTS.search(text)
    if m:
        return "plan", f"an expectation or a proposal ({m.group(0)!r})"
    m = _PLAN_STRONG.search(text)
    if m and not percent:
        return "plan", f"a project, plan or aim ({m.group(0)!r})"
    m = _OWNERSHIP.search(text)
    if m and not (percent and re.search(r"\b(?:rose|increase|grew|jump|output)", text, re.I)):
        return "ownership", f"ownership or control ({m.group(0)!r})"
    for m in _MODAL_PLAN.finditer(text):
        if not _SUBORDINATE_BEFORE.search(text[: m.start()]):
            return "plan", f"intended, expected or conditional ({m.group(0)!r})"
    digit_amounts = [f for f in amounts if re.search(r"\d", f["text"])]
    m = _TRANSACTION.search(text)
    if m and digit_amounts and not _CHANGE.search(text):
        # "signed a A$258 million agreement", "approved a C$95 million project", "had issued
        # 1,426 export licences": that it was done is what can be checked, the amount is its size.
        return "event", f"a completed action with an amount ({m.group(0)!r})"
    if digit_amounts:
        return "figure", f"states {len(digit_amounts)} figure(s)"
    m = _RECORD.search(text) or _VAGUE_AMOUNT.search(text)
    if m:
        return "figure", f"a record or amount ({m.group(0)!r})"
    m = _PLAN_WEAK.search(text)
    if m:
        return "plan", f"a target or aim ({m.group(0)!r})"
    return "event", _NO_SIGNAL


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


# Nouns after which "in X" names a company, not a place: "shares in Arnhem", "a stake in X".
_IN_COMPANY = re.compile(
    r"(?i)^(?:shares?|stakes?|stock|holdings?|interests?|investments?|invested|equity)$"
)


@dataclass
class _Context:
    matcher: EntityMatcher
    main_subject: EntityRef | None
    outlet_id: int | None
    recent: list[EntityRef] = field(default_factory=list)
    paragraph: list[EntityRef] = field(default_factory=list)  # named so far in this paragraph
    sentence_subjects: list[EntityRef] = field(default_factory=list)  # of its earlier clauses
    said_before: list[EntityRef] = field(default_factory=list)  # the last sentence's subjects
    said_now: list[EntityRef] = field(default_factory=list)
    section_attribution: str = ""
    section_origin: int | None = None

    unknown: dict[str, EntityRef] = field(default_factory=dict)  # by name: named, not known
    paragraph_subjects: list[EntityRef] = field(default_factory=list)  # in subject position
    subjects_seen: list[EntityRef] = field(default_factory=list)
    defined_company: EntityRef | None = None  # '("Coolgardie" or "the Company")'
    counts: dict[EntityRef, int] = field(default_factory=dict)  # company mentions
    table_context: dict | None = None  # what a table's rows are about (`_table_context`)
    unknown_matcher: EntityMatcher | None = None
    # People quoted so far, by each word of their name, and the organisation each speaks for
    # ("chief executive Dale Whitford told reporters": Whitford speaks for the company).
    speakers: dict[str, EntityRef] = field(default_factory=dict)
    last_speaker: EntityRef | None = None  # whom the last person quoted speaks for
    paragraph_serial: int = 0  # counts paragraphs
    speaker_paragraph: int = -1  # the paragraph last_speaker was quoted in

    def quoted_here(self) -> EntityRef | None:
        """Whom the person quoted in this paragraph speaks for (None when nobody was)."""
        return self.last_speaker if self.speaker_paragraph == self.paragraph_serial else None

    def new_paragraph(self) -> None:
        self.paragraph_serial += 1
        self.paragraph = []
        self.paragraph_subjects = []
        self.said_before, self.said_now = [], []

    def new_sentence(self) -> None:
        if self.said_now:
            self.said_before, self.said_now = self.said_now, []
        self.sentence_subjects = []

    def learn_unknown(self, name: str, *aliases: str) -> EntityRef | None:
        """Remember an organisation the text names that the register does not know, as an
        entity with a negative id (never stored: it becomes a named subject), with the short
        names the text may use for it later ("Allegheny" for "Allegheny Magnetics Inc.")."""
        name = " ".join(name.split()).rstrip(".,")
        if not name or self.matcher.match_name(name) is not None:
            return None
        entity = self.unknown.get(name)
        short = [n for n in _short_names(name) if " " in n or not self.is_place(n)]
        if entity is None:
            entity = EntityRef(-(len(self.unknown) + 1), name, "private_company", ())
        merged = tuple(
            a
            for a in dict.fromkeys([*entity.aliases, *short, *aliases])
            if a and a != name and self.matcher.match_name(a) is None
        )
        if merged != entity.aliases or name not in self.unknown:
            entity = EntityRef(entity.id, name, entity.kind, merged)
            self.unknown[name] = entity
            self.unknown_matcher = None  # rebuilt when next needed
        return entity

    text: str = ""
    places: set[str] | None = None  # words the text uses as places (`is_place`)

    def is_place(self, word: str) -> bool:
        """Does the text use `word` as a place ("in Ganzhou", "GANZHOU, China, Aug 5 -")? Then
        it is no short name for "Ganzhou Xinlei Magnetics"."""
        if self.places is None:
            self.places = (
                {
                    m.group(2)
                    for m in re.finditer(
                        r"(\w+\s+)?\b(?:in|at|near|outside)\s+(?:the\s+)?([A-Z][\w'’-]*)", self.text
                    )
                    # "shares in Arnhem", "a stake in Tenggara": an ownership noun before "in"
                    # makes what follows a company, not a place.
                    if not (m.group(1) and _IN_COMPANY.match(m.group(1).strip()))
                }
                | {m.group(1).title() for m in re.finditer(r"(?m)^([A-Z][A-Z'’-]+),", self.text)}
                | {
                    # "the Kunene Region", "Jiangxi Province", "Kwale County": a place's name
                    m.group(1)
                    for m in re.finditer(
                        r"\b([A-Z][\w'’-]+)\s+(?:Region|Province|County|District|Prefecture|"
                        r"Governorate|Oblast|Territory|Valley|Basin)\b",
                        self.text,
                    )
                }
            )
        return word in self.places

    def unknown_mentions(self, text: str, start: int, end: int) -> list[Mention]:
        if not self.unknown:
            return []
        if self.unknown_matcher is None:
            self.unknown_matcher = EntityMatcher(self.unknown.values(), in_compounds=False)
        known = self.matcher.mentions(text, start, end)
        return [
            m
            for m in self.unknown_matcher.mentions(text, start, end)
            if not any(k.start < m.end and m.start < k.end for k in known)
        ]

    named_all: list[EntityRef] | None = None
    topic: list[EntityRef] | None = None

    def topic_state(self) -> EntityRef | None:
        """The country a text is about: the state it names most, twice at least and more
        often than any other."""
        if self.topic is None:
            counts: dict[EntityRef, int] = {}
            for m in self.matcher.mentions(self.text):
                if m.entity.kind == "state":
                    counts[m.entity] = counts.get(m.entity, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            top = ranked[0] if ranked else None
            ok = top and top[1] >= 2 and (len(ranked) == 1 or ranked[1][1] < top[1])
            self.topic = [top[0]] if ok else []
        return self.topic[0] if self.topic else None

    def named_in_text(self) -> list[EntityRef]:
        """The known entities the whole text names, in order of first mention."""
        if self.named_all is None:
            named = [m.entity for m in self.matcher.mentions(self.text)]
            self.masthead = []
            # A masthead, running header or footer in capitals ("REPUBLIC OF NAMIBIA ·
            # MINISTRY OF MINES AND ENERGY"): the names in it, whatever their case.
            for line in re.findall(r"[^\n]{8,}", self.text):
                if not (line.isupper() and len(re.findall(r"[A-Z]{2,}", line)) >= 3):
                    continue
                folded = line.casefold()
                self.masthead += [
                    e
                    for e in self.matcher.entities
                    if any(
                        re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", folded)
                        for n in e.names
                        if len(n) >= 4
                    )
                ]
            self.masthead = list(dict.fromkeys(self.masthead))
            named += self.masthead
            self.named_all = list(dict.fromkeys(named))
        return self.named_all

    masthead: list[EntityRef] | None = None

    def issuer(self) -> EntityRef | None:
        """Whose own voice the document is: a press release's defined company ('"KIC" or
        "the Company"'), else the one body or company a masthead or running header in
        capitals names ("REPUBLIC OF NAMIBIA · MINISTRY OF MINES AND ENERGY")."""
        if self.defined_company is not None:
            return self.defined_company
        self.named_in_text()
        bodies = [e for e in self.masthead or [] if e.kind != "state"]
        return bodies[0] if len(bodies) == 1 else None

    def written_by_analysts(self) -> bool:
        """Is the document a research house's note ("Andaman Ridge Research" at its head or
        in its masthead)? Then its "we" is who says things, never what they are about."""
        if self.analyst_note is None:
            self.named_in_text()
            authors = [self.issuer(), self.head_company(), *(self.masthead or [])]
            # the head of the note: its title, dek and byline ("... · Andaman Ridge Research,
            # Singapore · Analysts: ...")
            head = self.text[:800]
            self.analyst_note = any(_is_research_house(e) for e in authors) or bool(
                re.search(
                    r"[A-Z][\w&-]+(?:\s+[A-Z][\w&-]+){0,3}\s+" + _RESEARCH_HOUSE.pattern, head
                )
                or re.search(r"^\s*Analysts?\s*:|·\s*Analysts?\s*:", head, re.M)
            )
        return self.analyst_note

    analyst_note: bool | None = None

    def remember(self, entities: list[EntityRef]) -> None:
        for entity in entities:
            if entity.kind in _REPORTER_KINDS:
                continue  # an outlet reports; "it" / "the company" never refers to it
            for seen in (self.recent, self.paragraph):
                if entity in seen:
                    seen.remove(entity)
                seen.append(entity)
        del self.recent[:-8]

    def last_company(
        self, *, defined_term: bool = False, exclude: Iterable[EntityRef] = ()
    ) -> EntityRef | None:
        """The company "the company" / "the miner" refers to: the last one named in the
        paragraph, else before it ("the company" never introduces a new one); "the Company"
        (a press release's defined term) with none named is the company the article is
        about."""
        exclude = set(exclude)
        if exclude:
            # Someone other than who the clause names: "X holds 22.4% of its stock" (X does
            # not hold itself).
            return next(
                (
                    e
                    for pool in (
                        [self.last_company(defined_term=defined_term)],
                        self.recent_companies(),
                    )
                    for e in pool
                    if e is not None and e not in exclude
                ),
                None,
            )
        if defined_term:
            issuer = self.defined_company or self.head_company()
            if issuer is not None:
                return issuer
        # A company that was a sentence's subject is the likelier referent than one named
        # after it ("Allegheny has signed an agreement with Meridian Motor Works. The company
        # will ..." is Allegheny).
        # After a heading, with no company named in the new section yet, it is the company
        # the article is about.
        if not self.paragraph_subjects and not self.paragraph:
            # Opening a paragraph, "the company" is the company the article is about: the
            # paragraph before may have been about a buyer or a partner.
            main = self.main_company()
            if main is not None:
                return main
        for pool in (self.paragraph_subjects, self.subjects_seen, self.paragraph):
            for entity in reversed(pool):
                if entity.kind in COMPANY_KINDS:
                    return entity
        main = self.main_company()
        if main is not None:
            return main
        for entity in reversed(self.recent):
            if entity.kind in COMPANY_KINDS:
                return entity
        return None

    def recent_companies(self) -> list[EntityRef]:
        """Companies named lately, the latest first: in subject position in the paragraph,
        lately, then anywhere in the paragraph, then before it."""
        pools = (self.paragraph_subjects, self.subjects_seen, self.paragraph, self.recent)
        return list(
            dict.fromkeys(e for pool in pools for e in reversed(pool) if e.kind in COMPANY_KINDS)
        )

    head: list[EntityRef] | None = None

    def head_company(self) -> EntityRef | None:
        """The company a document names at its head, before its first blank line (a report's
        "Fujian Minjiang Rare Earth Group Co., Ltd. (Stock code: 600987) · Excerpt from the
        2025 Annual Report", a release's masthead): what its "the Group" / "the Company" means
        when it defines no short name. A known company, or an unknown one by its legal name
        (ending in Co., Ltd., Limited, Inc. ...): a headline's other names are no issuer."""
        if self.head is None:
            end = self.text.find("\n\n")
            end = min(end if end >= 0 else len(self.text), 400)
            found = [
                (m.start, m.entity)
                for m in self.matcher.mentions(self.text, 0, end)
                if m.entity.kind in COMPANY_KINDS
            ]
            # Line by line: a heading above the name is no part of it.
            for line in re.finditer(r"[^\n]+", self.text[:end]):
                names = unknown_subjects(
                    self.text, line.start(), line.end(), self.matcher, indefinite=False
                )
                for name in names:
                    at = self.text.find(name, line.start(), line.end())
                    if at < 0:
                        continue
                    tail = self.text[at + len(name) : at + len(name) + 12]
                    if _LEGAL_TAIL.match(tail) or name.split()[-1].lower() in _LEGAL_SUFFIXES:
                        entity = self.learn_unknown(name)
                        if entity is not None:
                            found.append((at, entity))
            self.head = [e for _, e in sorted(found, key=lambda f: f[0])][:1]
        return self.head[0] if self.head else None

    def main_company(self) -> EntityRef | None:
        """The company the article is about: the most named one, known or not (a press
        release's issuer is often not a known entity); the known one the whole text names most
        on a tie."""
        best = self.main_subject
        best_count = self.counts.get(best, 0) if best is not None else 0
        for entity, n in self.counts.items():
            if _is_research_house(entity):
                continue  # a research note's author writes about others
            if entity.id < 0 and entity.kind in COMPANY_KINDS and n > best_count:
                best, best_count = entity, n
        return best

    def remember_subject(self, entity: EntityRef | None) -> None:
        if entity is None or entity.kind in _REPORTER_KINDS:
            return
        for pool in (self.paragraph_subjects, self.subjects_seen):
            if entity in pool:
                pool.remove(entity)
            pool.append(entity)
        del self.subjects_seen[:-8]

    def last_named(self) -> EntityRef | None:
        """The last company named in this paragraph, else the last entity named in it."""
        company = next((e for e in reversed(self.paragraph) if e.kind in COMPANY_KINDS), None)
        return company or (self.paragraph[-1] if self.paragraph else None)


_OFFICER = re.compile(
    r"\b(?:chief executive(?: officer)?|chief financial officer|chief operating officer|"
    r"chairman|chairwoman|chair|president|managing director|spokes(?:man|woman|person)|"
    r"CEO|CFO|COO|founder|executive director)\b",
    re.I,
)


def _origin_entity(phrase: str, ctx: _Context, about: Iterable[EntityRef] = ()) -> EntityRef | None:
    """Who an attribution phrase names: a referring phrase ("the Australian miner", "the
    company's chief executive") is the company it refers to; a person speaks for an
    organisation (`_speaker_organisation`); a data source by what it is ("customs data
    showed") is the body that publishes it; else the first known name in it, or an
    organisation named before that the register does not know; "it expects" is whom the
    clause is about (`about`)."""
    if not phrase:
        return None
    m = _COREF_COMPANY.match(phrase.strip())
    if m:
        # "The Australian miner also said": the company it refers to, not "Australian".
        company = ctx.last_company(defined_term=_is_defined_term(m.group(0)))
        if company is not None:
            return company
    entity = ctx.matcher.match_name(phrase)
    if entity is not None and not (entity.kind == "state" and _CUSTOMS.search(phrase)):
        _remember_speaker(phrase, entity, ctx)
        return entity
    unknown = ctx.unknown_mentions(phrase, 0, len(phrase))
    if unknown:
        _remember_speaker(phrase, unknown[0].entity, ctx)
        return unknown[0].entity
    if _CUSTOMS.search(phrase):
        return _customs_body(phrase, ctx)
    if re.match(r"^(?:it|they)\b", phrase.strip(), re.I):
        # "It expects first production in 2029": whom the clause is about.
        about = [e for e in about if e.kind not in ("state",)]
        return about[0] if about else ctx.last_company()
    speaker = _speaker_organisation(phrase, ctx)
    if speaker is not None:
        return speaker
    m = _COREF_COMPANY.search(phrase)
    if (
        m
        or _OFFICER.search(phrase)
        or _PART_OF_COMPANY.match(phrase.strip())
        or _ORGAN.match(phrase.strip())
    ):
        company = ctx.last_company(defined_term=bool(m and _is_defined_term(m.group(0))) or not m)
        if company is not None and _OFFICER.search(phrase):
            _remember_speaker(phrase, company, ctx)
        return company
    return None


# A company's organ speaking for it without an article: "Management expects", "Directors
# believe", "The board said".
_ORGAN = re.compile(r"^(?:management|directors|the board|executives)\b", re.I)
_CUSTOMS = re.compile(r"\bcustoms\b", re.I)
_MINISTER = re.compile(
    r"\b(?:(?P<a>[A-Z][a-z]+(?:\s+and\s+[A-Z][a-z]+)?)\s+[Mm]inister|"
    r"[Mm]inister\s+(?:of|for)\s+(?:the\s+)?(?P<b>[A-Z][a-z]+))\b"
)
_PERSON_WORDS = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def _remember_speaker(phrase: str, organisation: EntityRef, ctx: _Context) -> None:
    """A person named in an attribution that resolved to `organisation` speaks for it:
    "Whitford said" later, or "she added", is that organisation."""
    if not (_OFFICER.search(phrase) or _MINISTER.search(phrase)):
        return
    _speaks_for(_PERSON_WORDS.findall(phrase), organisation, ctx)


def _speaks_for(words: Iterable[str], organisation: EntityRef, ctx: _Context) -> None:
    """The words of a person's name stand for `organisation` from here on, and the person is
    the last one quoted (in this paragraph)."""
    names = set(organisation.names)
    for word in words:
        if word.lower() not in _NOT_SHORT and not any(word in n for n in names):
            ctx.speakers[word] = organisation
    ctx.last_speaker = organisation
    ctx.speaker_paragraph = ctx.paragraph_serial


# A person quoted with what they are at an organisation, after "said" or before it: "said
# Lars Bech Norgaard, head of natural resources at EIFO", "Ane Lund, a director of Kesk
# Metals, said".
_PERSON_AT = re.compile(
    r"(?:\b(?:said|says|added|told\s+\w+)\s+)?(?P<person>(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){1,3}),"
    r"\s+(?:the\s+|a\s+|an\s+)?(?-i:[a-z])[^,.;\n]{1,70}?\s+(?:at|of|for)\s+(?:the\s+)?"
    r"(?P<org>(?-i:[A-Z])[\w&.'’-]*(?:\s+(?:of\s+|and\s+)?(?-i:[A-Z])[\w&.'’-]*){0,5})"
    r"(?=[,.;]|\s*$|\s+(?:said|says|told|added)\b)"
)


def _learn_speakers(text: str, start: int, end: int, ctx: _Context) -> None:
    """Remember whom the people a sentence quotes speak for ("managing director Katharina
    Haberl told this publication": Haberl, and "she" next, speak for the company), whether
    or not the sentence is proposed (a quotation without a figure is not)."""
    for m in _SAID_OFFICER.finditer(text, start, end):
        _origin_entity(m.group("who"), ctx)
    for m in _PERSON_AT.finditer(text, start, end):
        # '"...," said Lars Norgaard, head of natural resources at EIFO': Norgaard, and "he"
        # next, speak for EIFO.
        org = m.group("org")
        entity = ctx.matcher.match_name(org) or next(
            (x.entity for x in ctx.unknown_mentions(org, 0, len(org))), None
        )
        if entity is not None and entity.kind not in _REPORTER_KINDS:
            _speaks_for(m.group("person").split(), entity, ctx)
    for m in _MINISTER.finditer(text, start, end):
        _speaker_organisation(text[m.start() : min(end, m.end() + 40)], ctx)


def _speaker_organisation(phrase: str, ctx: _Context) -> EntityRef | None:
    """The organisation a person speaks for: a minister for the ministry of that portfolio
    ("Minister of Mining X", "Mining Minister X": the ministry of mining the text names, else
    the one of the country it is about); someone quoted before by name ("Whitford said"); "he"
    or "she" for whom the last person quoted spoke."""
    m = _MINISTER.search(phrase)
    if m:
        ministry = _ministry(m.group("a") or m.group("b"), ctx)
        if ministry is not None:
            _remember_speaker(phrase, ministry, ctx)
            return ministry
    head = phrase.strip().split()
    if head and head[0] in ctx.speakers:
        return ctx.speakers[head[0]]
    if re.match(r"^(?:he|she)\b", phrase.strip(), re.I):
        return ctx.last_speaker
    return None


def _ministry(portfolio: str, ctx: _Context) -> EntityRef | None:
    word = portfolio.split()[0].lower()
    candidates = [
        e
        for e in [*ctx.matcher.entities, *ctx.unknown.values()]
        if any("ministry" in n.lower() and word in n.lower() for n in (e.name, *e.aliases))
    ]
    named = set(ctx.named_in_text())
    state = ctx.topic_state()
    country = [n[:4].lower() for n in state.names if len(n) >= 4] if state else []
    for ok in (
        lambda e: e in named,
        lambda e: any(c in n.lower() for n in (e.name, *e.aliases) for c in country),
    ):
        hits = [e for e in candidates if ok(e)]
        if len(hits) == 1:
            return hits[0]
    return candidates[0] if len(candidates) == 1 else None


def _customs_body(phrase: str, ctx: _Context) -> EntityRef | None:
    """ "customs data showed", "according to Chinese customs data": the customs authority of
    the country named (in the phrase, else the text's), else the only one known."""
    candidates = [e for e in ctx.matcher.entities if any("customs" in n.lower() for n in e.names)]
    states = [m.entity for m in ctx.matcher.mentions(phrase) if m.entity.kind == "state"]
    state = states[0] if states else ctx.topic_state()
    if state is not None:
        keys = [n[:4].lower() for n in state.names if len(n) >= 4]
        keys += [w[:4].lower() for w in re.findall(r"\b[A-Z][a-z]{3,}", phrase)]
        hits = [
            e for e in candidates if any(k in n.lower() for n in (e.name, *e.names) for k in keys)
        ]
        if hits:
            return hits[0]
    return candidates[0] if len(candidates) == 1 else None


def _origin_of(phrase: str, ctx: _Context) -> int | None:
    entity = _origin_entity(phrase, ctx)
    return entity.id if entity is not None and entity.id > 0 else None


def _is_defined_term(phrase: str) -> bool:
    """ "the Company" / "the Group" capitalised: a press release's name for its issuer."""
    return bool(re.search(r"\b(?:Company|Group|Corporation)\b", phrase))


_NOT_SHORT = {
    "the",
    "a",
    "an",
    "three",
    "two",
    "four",
    "five",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "new",
    "great",
    "first",
    "national",
    "china",
    "chinese",
    "american",
    "australian",
    "united",
    "global",
    "international",
    "royal",
    "general",
    "state",
    "federal",
    "department",
    "ministry",
    "office",
}


def _short_names(name: str) -> list[str]:
    """Shorter names a text uses for an organisation after naming it in full: without its
    legal suffix ("Allegheny Magnetics" for "Allegheny Magnetics Inc."), and its first word
    when that is a distinctive name ("Allegheny", "Chilwa"; not "South" or "Three")."""
    words = name.split()
    out = []
    while len(words) > 1 and words[-1].lower().rstrip(".,") in _LEGAL_SUFFIXES:
        words = words[:-1]
        out.append(" ".join(words))
    if len(words) > 2 and words[0] in _LEGAL_PREFIXES:
        words = words[1:]
        out.append(" ".join(words))
    first = words[0] if words else ""
    if (
        len(words) >= 2
        and len(first) >= 4
        and first[:1].isupper()
        and first[1:].islower()
        and first.lower() not in _NOT_SHORT
        and first.lower() not in _ORG_WORD
        and first not in _NOT_NAMES
    ):
        out.append(first)
    return [o for o in out if o and o != name]


# "Malawi Mining Investment Company (MMIC)", 'Coolgardie Critical Minerals Limited
# ("Coolgardie" or "the Company")': the short name a text defines for an organisation.
_DEFINED = re.compile(r"\(\s*(?:[\"“']([A-Z][\w&.' -]{1,40})[\"”'][^)]*|([A-Z]{2,8}))\s*\)")


_TICKER = re.compile(r"\(\s*(?:[A-Z][\w.-]*\s*:\s*)([A-Z][A-Z.]{1,7})\s*\)")


_OWN_PROJECT = re.compile(
    r"\bits\s+(?:[\w%-]+-owned\s+|flagship\s+|wholly\s+owned\s+)?"
    r"((?:Mt|Mount|Lake|Port|[A-Z][a-z]+)(?:\s[A-Z][\w'’-]+){0,2})\s+"
    r"(?:(?:rare earths?|lithium|nickel|graphite|ionic clay)\s+)?(?:project|mine|deposit)\b"
)


def _learn_names(text: str, start: int, end: int, ctx: _Context) -> None:
    """Remember the organisations a sentence names that the register does not know (see
    `_Context.learn_unknown`), with the short names it defines for them."""
    for name in unknown_subjects(text, start, end, ctx.matcher, indefinite=False):
        entity = ctx.learn_unknown(name)
        if entity is None:
            continue
        at = text.find(name, start, end)
        if at < 0:
            continue
        tail = text[at + len(name) : min(end, at + len(name) + 80)].lstrip(" .,")
        ticker = _TICKER.match(tail)
        while ticker:
            # "Kimberley Ionic Clays Limited (ASX: KIC) ("KIC" or "the Company")": the ticker
            # is a short name too, and the definition may follow it (after another listing:
            # "(TSXV: TCM) (OTCQB: TCMMF)").
            ctx.learn_unknown(name, ticker.group(1))
            tail = tail[ticker.end() :].lstrip(" .,")
            ticker = _TICKER.match(tail)
        # "... for its 100%-owned Mt Burgess rare earths project": the project's name is
        # the company's too ("Mt Burgess would produce ..." is about the company).
        for pm in _OWN_PROJECT.finditer(text, at + len(name), end):
            ctx.learn_unknown(name, pm.group(1))
        m = _DEFINED.match(tail)
        if m:
            defined = ctx.learn_unknown(name, m.group(1) or m.group(2))
            if re.search(r"\bthe\s+[\"“']?(?:Company|Group|Corporation)\b", m.group(0)):
                ctx.defined_company = defined


_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’/-]+,(?:[^\n]{0,60}?)\s(?:-{1,2}|–|—)\s|^[A-Z][A-Z .'’/-]+\s(?:–|—|-{1,2})\s"
    r"|^[A-Z][\w.'’]+(?:\s[A-Z][\w.'’]+)?,\s[A-Z][\w.'’]+(?:\s[A-Z][\w.'’]+){0,2}\s(?:-{1,2}|–|—)\s"
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|of|from|to|outside|across|into|at|for|by|with|within|throughout|than|on|"
    r"around|near|beyond|through|via|under)\s+(?:the\s+)?(?-i:[A-Z][a-z]+\s+)?"
    # "in southern Greenland", "in north-east India": a part of the place
    r"(?:(?:north|south|east|west|central|north-east|north-west|south-east|south-west)"
    r"(?:ern)?\s+)?"
    # "in Australia and Malawi", "from Peru, Chile or Bolivia": the places after the first
    r"(?-i:(?:[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+)?,?\s+){1,3}(?:and|or)\s+)?$",
    re.I,
)
_GOVERNMENT_NOUN = re.compile(
    r"^\s*(?:government|authorities|state|ministry|department|regulators?|officials?)\b", re.I
)


# A body that is a party to what it is named in, not a place: "a loan from the European
# Investment Bank", "a grant from the Export Finance Agency".
_PARTY_BODY = re.compile(r"\b(?:Bank|Fund|Agency|Finance|Facility|Corporation|Commission)\b")


def _subject_mentions(text: str, start: int, end: int, ctx: _Context) -> list[Mention]:
    """The mentions of a clause that can be what it is about: known names and unknown
    organisations named before, less a dateline ("PERTH, July 24 (Reuters) -"), anything in
    brackets ("(NASDAQ: AMAG)"), a place named as a place or a modifier ("in South Africa",
    "a U.S. manufacturer", "the Australian miner"), and a news outlet or data provider when
    anyone else is named (it reports; it is not the subject)."""
    mentions = sorted(
        [*ctx.matcher.mentions(text, start, end), *ctx.unknown_mentions(text, start, end)],
        key=lambda m: m.start,
    )
    body = text[start:end]
    dateline = _DATELINE.match(body)
    skip_to = start + dateline.end() if dateline else start
    masked = _mask(text, start, end)
    kept = []
    for m in mentions:
        # "Fujian ... Commission (Fujian SASAC)": a name defined in brackets after a name;
        # "Regulation (EU) 2024/1252" is a reference, not a party.
        alone_in_brackets = (
            text[m.start - 1 : m.start] == "("
            and text[m.end : m.end + 1] == ")"
            and bool(
                re.search(r"[A-Z][\w.&'’-]*[\s,]*$", text[max(start, m.start - 40) : m.start - 1])
            )
            and not re.search(
                r"\b(?:Regulation|Directive|Act|Article|Decision)\s*$",
                text[max(start, m.start - 20) : m.start - 1],
            )
        )
        bracketed = masked[m.start - start] == "_" or text[m.start - 1 : m.start] == "("
        if m.start < skip_to or (bracketed and not alone_in_brackets):
            continue
        if m.entity.id < 0 and _PROJECT_AFTER.match(text, m.end):
            continue  # "to the Nuuluk rare earths project": the project, not its company
        if m.entity.kind == "state" and any(
            o.start > m.end and text[m.end : o.start].strip() in ("", "'s", "’s") for o in mentions
        ):
            continue  # "U.S. Department of Defense": the state names the body after it
        if m.entity.kind in _REPORTER_KINDS and m.start > start + 2:
            continue  # "according to Shanghai Metals Market", "the S&P/ASX 200 index"
        if m.entity.kind in ("state", "government_body"):
            before = text[max(start, m.start - 30) : m.start]
            after = text[m.end : min(end, m.end + 20)]
            # "a U.S. manufacturer", "the Australian miner": a determiner, then the name used
            # as an adjective before a common noun.
            modifier = (
                re.search(r"\b(?:a|an|the|its|their|this|that)\s+$", before, re.I)
                and _NOUN_NEXT.match(after)
                and not _VERB_NEXT.match(after)  # "The Commission has designated": its subject
                and not _GOVERNMENT_NOUN.match(after)
            )
            # "of Malawi's cabinet": Malawi's organ; but "Kazakhstan's state miner Tau-Steppe",
            # "one of Japan's largest trading houses": the state only says where it is from.
            possessive = re.match(r"^['’]s\s", after) and not _STATE_OF_ORIGIN.match(
                text[m.end : min(end, m.end + 80)]
            )
            if m.entity.kind == "state" and _STATE_OF_ORIGIN.match(text[m.end : m.end + 80]):
                continue
            if (
                _LOCATIVE_BEFORE.search(before)
                and not _GOVERNMENT_NOUN.match(after)
                # "supply outside China, whose magnet exports fell 3.2%": what the relative
                # clause states is about the place
                and not re.match(r",\s+whose\b", after)
                and not possessive
                and (m.entity.kind == "state" or not _PARTY_BODY.search(m.entity.name))
            ):
                continue
            if m.entity.kind == "state" and modifier:
                continue
            if modifier and not re.search(r"government|state|ministry", m.entity.name, re.I):
                continue
        kept.append(m)
    if any(m.entity.kind not in _REPORTER_KINDS for m in kept):
        kept = [m for m in kept if m.entity.kind not in _REPORTER_KINDS]
    return kept


def _subjects(text: str, seg: Segment, ctx: _Context) -> tuple[list[EntityRef], str]:
    """Who the clause is about, and how that was found ("names", "refers back to", or
    "nobody" when the text supports no one). Only what the text supports: the clause's own
    names; the names of the sentence it was split from; a referring phrase ("the company",
    "the miner", "its", "it", "that" at the start) resolved to the last company (else entity)
    named in the paragraph; a figure of a bare metric ("Output rose ...") in a paragraph about
    a company. A clause whose subject is someone else ("a smaller producer in Jiangxi",
    "Lanshan Magnetics") or nobody gets no known subject."""
    found = [m.entity for m in _subject_mentions(text, seg.start, seg.end, ctx)]
    how = "names"
    if seg.context_start >= 0 and seg.context_start < seg.start:
        context = [m.entity for m in _subject_mentions(text, seg.context_start, seg.start, ctx)]
        if seg.forced_reason == "appositive" and context:
            # "Lynas, the largest producer outside China": said of the name before it.
            found = context[:1]
            return found, "refers back to"
        if context and (
            seg.forced_reason == "appositive-inside"
            or re.match(r"^(?:which|who|whose)\b", text[seg.start : seg.end])
        ):
            # "... from Neo Performance Materials, the Toronto-listed company, which separates
            # ...": an appositive or a relative clause is about the name just before it.
            return context[-1:], "refers back to"
        if context and (not found or seg.kind_hint == "ownership"):
            found = [*context, *found] if seg.kind_hint == "ownership" else context + found
            how = "names" if seg.kind_hint == "ownership" else "refers back to"
        elif (
            not found
            and ctx.sentence_subjects
            and not _OWN_SUBJECT.match(text[seg.start : seg.end])
        ):
            # "X output rose 60.4%, while functional materials rose 12.3%": the second clause
            # goes on about the first clause's subject.
            found, how = list(ctx.sentence_subjects), "refers back to"
    body = text[seg.start : seg.end]
    reported = _reported_clause(text, seg.start, seg.end, ctx)
    if reported is not None:
        # "Halden Metals Research expects full-year exports of about 54,000 tonnes": who
        # said it is the origin, what it said is about someone else.
        sayers, at = reported
        found = [e for e in found if e not in sayers]
        body = text[at : seg.end]
    m = _COREF_COMPANY.search(body)
    if m:
        company = ctx.last_company(defined_term=_is_defined_term(m.group(0)))
        if company is not None and not found:
            found, how = [company], "refers back to"
        elif company is not None and m.start() == 0 and company not in found:
            # "The Australian miner also said it had signed ... with the U.S. Department of
            # Defense": the miner is the subject, the department the other party.
            found = [company, *found]
    held = _HELD.search(body) if len(found) == 1 and _OWNERSHIP.search(body) else None
    if held:
        # A stake is about its holder and what is held: "Investissement Québec ... is the
        # Company's largest shareholder", "X holds 22.4% of its common stock", "X owns 19.9% of
        # the company" (the company referred to, not X).
        # What is held is what the paragraph is about (its first company in subject position:
        # a shareholder named since is the holder of another stake), else the last company.
        topic = [e for e in ctx.paragraph_subjects if e.kind in COMPANY_KINDS]
        issuer = ctx.defined_company or ctx.head_company()
        referent = (
            issuer
            if _is_defined_term(held.group(0)) and issuer not in (None, *found)
            else topic[0]
            if topic and topic[0] not in found
            else ctx.last_company(exclude=found)
        )
        if referent is not None:
            found = [*found, referent]
    if found and _FIRST_PERSON.match(body):
        # "The basket price we received ... from Solvay": we, the document's issuer, first;
        # an analyst's "we" ("We expect Myanmar volumes to ...") is who says it, not what it
        # is about.
        issuer = ctx.last_company(defined_term=True)
        if issuer is not None and issuer not in found and not ctx.written_by_analysts():
            found = [issuer, *found]
    for m in _HEAD_NOUN.finditer(body):
        after = body[m.end() :]
        if _NOUN_NEXT.match(after) and not _VERB_NEXT.match(after):
            continue  # "the state consolidator", "the bank loan": a modifier, not the head
        if re.match(r"\s+of\s+(?:the\s+)?[A-Z]", after):
            continue  # "the Ministry of Industry and Trade": a name, matched as one
        # "The Ministry intends ...", "the province", "the government expects ...": the body
        # named by that word in the paragraph (else lately), else anywhere in the document (a
        # ministry's bulletin names its ministry once, in its masthead).
        noun = m.group("noun").lower()
        # "the commerce ministry": the ministry of that portfolio, when the text's country
        # (or the register) has exactly one.
        hit = (
            _ministry(m.group("modifier"), ctx)
            if noun == "ministry" and m.group("modifier")
            else None
        )
        hit = hit or _named_by_head_noun(noun, ctx)
        if hit is not None and hit not in found:
            found.append(hit)
            if m.start() == 0:
                ctx.remember([hit])
                ctx.remember_subject(hit)
    lead = re.match(
        r"^(?:(?:together|also|now|so|then|and|but|still|yet),?|"
        # "She added that the plant aims ...": what was said is the clause
        r"(?:he|she|they|it|we)\s+(?:also\s+)?(?:added|said|noted|stressed|explained)(?:\s+that)?)"
        r"\s+",
        body,
        re.I,
    )
    opening = body[lead.end() :] if lead else body
    # "In June 2025 the second phase of the plant entered ...", "During the reporting period
    # the controlling shareholder ...": who the clause is about comes after when it happened.
    when = _TIME_LEAD.match(opening)
    if when and when.end() < len(opening):
        opening = opening[when.end() :]
    if (
        not found
        and ctx.said_before
        and re.match(r"^(?:that|this)\s+(?!\w+ing\b)\w+", opening, re.I)
    ):
        # "That makes the province the controlling shareholder": about what the sentence
        # before said, so about everyone it was about.
        found, how = list(ctx.said_before), "refers back to"
    if found and seg.context_start < 0 and _IT_SUBJECT.match(opening):
        # "It expects the levy to raise N$420 million, to be paid into the Fund": "it" is the
        # subject; the names after it are what it acts on.
        referent = _pronoun_referent(opening, ctx)
        if referent and referent[0] not in found:
            found = [*referent, *found]
    flow = None if found else _FLOW_FROM.match(opening)
    if flow:
        # "Shipments from Myanmar totalled 19,870 tonnes": the exporting country's trade.
        states = [
            m.entity for m in ctx.matcher.mentions(flow.group("place")) if m.entity.kind == "state"
        ]
        if states:
            found, how = states[:1], "names"
    imports = _IMPORTS_FROM.search(body)
    if imports and all(e.kind == "state" for e in found):
        # "China imported 41,200 tonnes ... from Laos", "China's imports ... from Myanmar fell
        # 41%": trade data is the exporting country's (README rule 9), not the importer's.
        exporters = [
            m.entity
            for m in ctx.matcher.mentions(imports.group("place"))
            if m.entity.kind == "state"
        ]
        if exporters:
            found, how = exporters, "names"
    demonym = None if found else _DEMONYM_FLOW.match(opening)
    if demonym and demonym.group("adj") in DEMONYMS:
        # "Malaysian shipments fell 14.0%": Malaysia's exports.
        country = ctx.matcher.match_name(DEMONYMS[demonym.group("adj")])
        if country is not None and country.kind == "state":
            found, how = [country], "names"
    if not found and not _OWN_SUBJECT.match(opening):
        if _PRONOUN_START.match(opening):
            referent = _pronoun_referent(opening, ctx)
            if referent:
                found, how = referent, "refers back to"
        elif (
            (_METRIC_START.match(opening) and not _TRADE_METRIC.match(opening))
            or _PART_OF_COMPANY.match(opening)
            or _FIRST_PERSON.match(opening)
        ):
            # "Revenue was ...", "The plant processed ...", "The board intends ...", "We
            # plan ...": the company's, named before (in the paragraph, else earlier); a
            # quotation's "we" is the organisation of the person quoted.
            company = ctx.last_company(defined_term=True)
            if (
                _FIRST_PERSON.match(opening)
                and _OPENS_QUOTE.match(body)
                and ctx.last_speaker is not None
            ):
                company = ctx.last_speaker
            if company is not None:
                found, how = [company], "refers back to"
    if not found and _TRADE_METRIC.match(opening):
        # "Exports of lithium ore reached 184,000 tonnes", "Imports ... from Myanmar rose":
        # a country's trade, in a text about one country (the state it names most).
        country = ctx.topic_state()
        if country is not None:
            found, how = [country], "refers back to"
    if not found:
        how = "nobody"
    unique = list(dict.fromkeys(found))
    return unique, how


# What a stake is held in, when the text refers to it: "its shares", "the Company's largest
# shareholder", "of the company", "an interest in the Company".
_HELD = re.compile(
    rf"\b(?:its|the\s+(?:[\w-]+\s+)?{_COMPANY_NOUNS}['’]s)\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:shares|stock|equity|capital|shareholders?|owners?|stake)\b"
    rf"|\b(?:of|in)\s+the\s+{_COMPANY_NOUNS}\b(?!['’]s)",
    re.I,
)
# "It" as a clause's subject, not the empty "it" of "It is expected that ...".
_IT_SUBJECT = re.compile(
    r"^it\s+(?!(?:is|was|has been|had been|would be|will be|remains)\s+(?:\w+\s+)?"
    r"(?:expected|likely|unlikely|unclear|possible|understood|estimated|thought|said|reported|"
    r"not|that|to)\b)(?=[a-z])",
    re.I,
)


_PROJECT_AFTER = re.compile(
    r"(?:\s+(?:rare\s+earths?|[\w-]+)){0,3}?\s+(?:project|mine|deposit|prospect|Project|Mine)\b"
)


def _pronoun_referent(opening: str, ctx: _Context) -> list[EntityRef]:
    """Whom "It", "Its", "They", "That" opening a clause refers to: the last named in the
    paragraph (the last company first; "they" may be the last two); a one-sentence paragraph
    of wire copy refers to the paragraph before. A paragraph that names no one yet goes on
    about whom its sentence before was about ("The refinery cost ... to build. It shipped
    ...": the refinery's owner)."""
    # "Arsuk plans to ..., and it expects ...": the company of the sentence's earlier clause.
    earlier = [e for e in ctx.sentence_subjects if e.kind in COMPANY_KINDS]
    if earlier and not re.match(r"^(?:they|their|these|those)\b", opening, re.I):
        return earlier[-1:]
    pool = (
        ctx.paragraph or [e for e in ctx.said_before if e.kind in COMPANY_KINDS] or ctx.recent[-2:]
    )
    if not pool:
        return []
    # "Cerrado ... is 18.5% owned by Tembusu. Its shares rose": the company a sentence of the
    # paragraph was about, before one it merely named.
    company = next(
        (e for e in reversed(ctx.paragraph_subjects) if e.kind in COMPANY_KINDS and e in pool),
        None,
    ) or next((e for e in reversed(pool) if e.kind in COMPANY_KINDS), None)
    if re.match(r"^(?:they|their|these|those)\b", opening, re.I):
        return list(pool[-2:])
    return [company or pool[-1]]


# A verb of saying or estimating after the name that opens a clause ("X said", "X, the
# state-owned consolidator, said on Tuesday that", "X's chief executive told analysts").
_SAYING = re.compile(
    r"(?:['’]s(?:\s+[a-z][\w-]*){1,3})?(?:\s*\([^)]{1,40}\))?(?:,\s[^,]{3,160},)?\s+"
    r"(?:also\s+|now\s+|further\s+)?(?:said|says|expects|expected|estimates|estimated|forecasts|"
    r"forecast|predicts|predicted|believes|reported|announced|noted|added|stated|told\s+\w+)"
    r"(?:\s+(?:on|last|this|in|earlier|late|early)(?:\s+(?:a|the))?\s+\w+(?:\s+\d{4})?)?"
    r"(?:\s+that)?\s+"
)
# The reported clause goes on about whoever said it: "it", "its", "the company", a metric or a
# part of the sayer ("revenue fell", "the plant will"), an infinitive ("expects to start").
_REFERS_TO_SAYER = re.compile(
    r"^(?:it|its|they|their|we|our|to)\b|^(?:the|its)\s+(?:[\w-]+\s+){0,2}?"
    + _COMPANY_NOUNS
    + r"\b",
    re.I,
)


def _reported_clause(
    text: str, start: int, end: int, ctx: _Context
) -> tuple[list[EntityRef], int] | None:
    """When a clause opens with who said or estimated something and what was said has a
    subject of its own (another name, a country's trade, a market), the sayers and where
    what they said starts; None when the clause is not reported or goes on about the sayer
    ("Lynas said it produced ...", "X said revenue rose ...", "X expects to start ...")."""
    body = text[start:end]
    head = _DATELINE.match(body)
    lead = start + (head.end() if head else 0)
    mentions = _subject_mentions(text, start, end, ctx)
    first = next((m for m in mentions if m.start >= lead), None)
    if first is None or not re.fullmatch(r"\s*(?:the\s+)?", text[lead : first.start], re.I):
        return None
    saying = _SAYING.match(text, first.end, end)
    if saying is None:
        return None
    at = saying.end()
    rest = text[at:end]
    sayer = first.entity
    if (
        _REFERS_TO_SAYER.match(rest)
        or _METRIC_START.match(rest)
        or _PART_OF_COMPANY.match(rest)
        or _FIRST_PERSON.match(rest)
    ):
        return None
    others = [m.entity for m in mentions if m.start >= at and m.entity != sayer]
    if sayer in (m.entity for m in mentions if m.start >= at):
        return None  # "X said X's output ..."
    if others or _TRADE_METRIC.match(rest) or _OWN_SUBJECT.match(rest):
        return [sayer], at
    return None


# The word after a name or noun is a verb (so the name is a subject, not a modifier): "The
# Commission has designated", "the ministry said", "the bank approved".
_VERB_NEXT = re.compile(
    r"\s+(?:also\s+|now\s+|still\s+)?(?:is|are|was|were|has|have|had|will|would|can|could|"
    r"may|might|must|should|shall|did|does|do|said|says|told|owns|holds|plans|expects|intends|"
    r"aims|wants|controls|agreed|approved|[a-z]{3,}ed)\b"
)
# A lower-case word that is not a function word after a name or noun: it may be the noun the
# name modifies ("a U.S. manufacturer", "the state consolidator").
_NOUN_NEXT = re.compile(
    r"\s+(?!(?:the|a|an|and|or|of|in|on|at|to|for|with|by|from|as|that|which|who|whose|its|"
    r"their|his|her|this|these|those|into|over|under|after|before|since|than)\b)[a-z]"
)
# A state named as where an organisation is from: "Kazakhstan's state miner Tau-Steppe",
# "one of Japan's largest general trading houses", "Brazil's national development bank BNDES".
_STATE_OF_ORIGIN = re.compile(
    r"^['’]s\s+(?:(?-i:[a-z])[\w-]*\s+){0,4}?"
    r"(?:company|companies|firm|group|miner|producer|refiner|developer|maker|manufacturer|"
    r"supplier|house|houses|bank|fund|lender|investor|conglomerate|utility|trader|smelter|"
    r"exporter|importer|agency|agencies|insurer|operator|holding)s?\b",
    re.I,
)
# A definite description by what a body is: "the Ministry", "the Commission", "the province",
# "the government", "the exchange" (not "the state-owned ...", not "the bank's chief ...").
_HEAD_NOUN = re.compile(
    r"\bthe\s+(?:(?P<modifier>(?-i:[a-z])[\w-]*)\s+)?(?P<noun>center|centre|institute|ministry|"
    r"department|agency|bank|fund|"
    r"commission|authority|council|exchange|regulator|government|province|state|trust|lender)"
    r"\b(?![-\w])(?!['’]s\s)",
    re.I,
)


def _named_by_head_noun(noun: str, ctx: _Context) -> EntityRef | None:
    """The entity a definite description by `noun` refers to: the latest named in the
    paragraph, else lately, else anywhere in the text (known or not) whose name holds the
    noun ("Ministry of Mines and Energy" for "the Ministry", "Jiangxi Province" for "the
    province"); for "the government", else the state named there."""
    words = {"province": ("province", "provincial"), "centre": ("centre", "center")}.get(
        noun, (noun,)
    )

    def named(e: EntityRef) -> bool:
        return any(w in n.lower() for n in (e.name, *e.aliases) for w in words)

    pools = (
        list(reversed(ctx.paragraph)),
        list(reversed(ctx.recent)),
        [*ctx.named_in_text(), *ctx.unknown.values()],
        # the register's own short name ("Commission" for the European Commission)
        [e for e in ctx.matcher.entities if any(a.strip().lower() == noun for a in e.aliases)],
    )
    for near, pool in enumerate(pools):
        hit = next((e for e in pool if e.kind not in _REPORTER_KINDS and named(e)), None)
        if hit is None and noun == "government" and near < 2:
            hit = next((e for e in pool if e.kind == "state"), None)
        if hit is not None:
            return hit
    return ctx.topic_state() if noun == "government" else None


# A country's trade or market figure opening a clause that names no one: "Exports there rose
# ...", "Graphite exports were ...", "The average export price rose ...".
_TRADE_METRIC = re.compile(
    r"^(?:the\s+)?(?:(?!(?:a|an|on|of|for|to|in|against)\b)[\w-]+\s+){0,4}?"
    r"(?:exports?|imports?|export prices?|import prices?|"
    r"overseas (?:shipments|sales)|foreign sales|trade surplus|trade deficit)\b(?!\s+(?:of|by)\s+(?-i:[A-Z]))",
    re.I,
)


# Goods leaving a place, opening a clause: "Shipments from Myanmar ...", "Exports out of
# Laos ..." (the place as it is named, up to three words).
_FLOW_FROM = re.compile(
    r"^(?:[\w-]+\s+){0,3}?(?:shipments|exports|deliveries|sales|supplies|flows)\s+"
    r"(?:of\s+(?:[\w-]+\s+){1,4}?)?(?:from|out of)\s+"
    r"(?P<place>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*){0,2})",
    re.I,
)


# What a country bought from another: "imported 47,300 tonnes of compounds from Myanmar",
# "imports of rare earth compounds from Myanmar" (the place as named, up to three words).
_IMPORTS_FROM = re.compile(
    r"\b(?:imports?|imported|importing)\b[^.;:]{0,80}?\bfrom\s+(?:the\s+)?"
    r"(?P<place>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*){0,2})",
    re.I,
)


# A country's adjective and the country it names: "Malaysian shipments fell 14%", "Lao volumes
# overtake ...": the country's trade or output, when the register knows the country.
DEMONYMS = {
    "American": "United States",
    "Angolan": "Angola",
    "Argentine": "Argentina",
    "Argentinian": "Argentina",
    "Australian": "Australia",
    "Belgian": "Belgium",
    "Bolivian": "Bolivia",
    "Brazilian": "Brazil",
    "British": "United Kingdom",
    "Burmese": "Myanmar",
    "Canadian": "Canada",
    "Chilean": "Chile",
    "Chinese": "China",
    "Danish": "Denmark",
    "Dutch": "Netherlands",
    "Estonian": "Estonia",
    "Filipino": "Philippines",
    "Finnish": "Finland",
    "French": "France",
    "German": "Germany",
    "Greenlandic": "Greenland",
    "Indian": "India",
    "Indonesian": "Indonesia",
    "Italian": "Italy",
    "Japanese": "Japan",
    "Kazakh": "Kazakhstan",
    "Kazakhstani": "Kazakhstan",
    "Kenyan": "Kenya",
    "Korean": "South Korea",
    "Kyrgyz": "Kyrgyzstan",
    "Lao": "Laos",
    "Laotian": "Laos",
    "Madagascan": "Madagascar",
    "Malagasy": "Madagascar",
    "Malawian": "Malawi",
    "Malaysian": "Malaysia",
    "Mexican": "Mexico",
    "Mongolian": "Mongolia",
    "Mozambican": "Mozambique",
    "Namibian": "Namibia",
    "Norwegian": "Norway",
    "Peruvian": "Peru",
    "Philippine": "Philippines",
    "Polish": "Poland",
    "Russian": "Russia",
    "Saudi": "Saudi Arabia",
    "Spanish": "Spain",
    "Swedish": "Sweden",
    "Taiwanese": "Taiwan",
    "Tanzanian": "Tanzania",
    "Thai": "Thailand",
    "Turkish": "Turkey",
    "Ugandan": "Uganda",
    "Ukrainian": "Ukraine",
    "Uzbek": "Uzbekistan",
    "Vietnamese": "Vietnam",
    "Zambian": "Zambia",
}
_DEMONYM_FLOW = re.compile(
    r"^(?:the\s+)?(?:South\s+)?(?P<adj>(?-i:[A-Z])[a-z]+)\s+(?:[a-z][\w-]*\s+){0,2}?"
    r"(?:shipments|exports|imports|deliveries|sales|supplies|output|production|purchases|"
    r"volumes|arrivals)\b"
)


# A clause with a subject of its own that is not a known entity: "a smaller producer in
# Jiangxi said ...", "Another refiner ...", "One buyer ...".
_OWN_SUBJECT = re.compile(
    r"^(?:a|an|another|one|some|several|two|three|many|most|other)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:producers?|compan(?:y|ies)|firms?|miners?|refiners?|groups?|makers?|manufacturers?|"
    r"suppliers?|buyers?|traders?|smelters?|processors?|start-?ups?|developers?|investors?|"
    r"analysts?|officials?|executives?|customers?|rivals?|competitors?|plants?|operators?)\b",
    re.I,
)
# A definite description of a company's part or document: "The plant ...", "The board ...",
# "The PFS estimates ...", "Commercial production ...".
_PART_OF_COMPANY = re.compile(
    r"^(?:(?:in|during|over|for)\s+the\s+(?:year|quarter|half|period|six months|month)\b"
    r"[^,]{0,30}?,?\s+)?(?:the|its)\s+(?:[\w-]+\s+){0,2}?(?:plant|mine|project|study|board|facility|refinery|"
    r"factory|site|operations?|deposit|line|subsidiary|business|division|management|"
    r"chief executive|shares|stock|expansion|reserve|resource|mine life|PFS|DFS|BFS|"
    r"feasibility study|grant|loan|offtake|agreement|contract|basket price)\b",
    re.I,
)
# An analyst's firm by its name: "Andaman Ridge Research", "Harbour Securities", "Tarrant
# Metals Research", "Brightwater Equity Research".
_RESEARCH_HOUSE = re.compile(
    r"\b(?:Research|Securities|Analytics|Intelligence|Insights|Advisory|Advisors|Consulting|"
    r"Consultants|Economics|Strategists)\b"
)


def _is_research_house(entity: EntityRef | None) -> bool:
    return entity is not None and bool(_RESEARCH_HOUSE.search(entity.name))


_FIRST_PERSON = re.compile(r"^[\"“‘']?(?:we|our|all of our|us)\b|^the \w+ we\b", re.I)
# When, opening a clause before its subject: "In June 2025", "During the reporting period",
# "At year-end", "On Tuesday", "Last month".
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_TIME_LEAD = re.compile(
    r"^(?:(?:in|during|by|at|on|since|over|for|from|until|after|before)\s+(?:the\s+|early\s+|"
    r"late\s+|mid-?)?(?:(?:\d{1,2}\s+)?" + _MONTH + r"(?:\s+\d{1,2})?(?:,?\s+\d{4})?|\d{4}|"
    r"(?:first|second|third|fourth|final|last)\s+(?:half|quarter)(?:\s+of\s+\d{4})?|"
    r"year[- ]end|(?:the\s+)?reporting period|(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday))|(?:last|this|next)\s+(?:week|month|year|quarter))\b,?\s+(?=[A-Za-z])",
    re.I,
)
# A bare metric opening the clause: whose output / revenue it is comes from the paragraph.
_METRIC_START = re.compile(
    r"^(?:(?:first|second|third|fourth)[- ](?:half|quarter)\s+|quarterly\s+|annual\s+|"
    r"full-year\s+|half-year\s+)?(?:[\w-]+\s+){0,4}?(?:output|production|revenues?|sales|"
    r"(?:net\s+)?profits?|earnings|income|shipments|deliveries|volumes?|capacity|margins?|"
    r"costs?|orders|losses|capital expenditure|capex|net present value|NPV|IRR|"
    r"(?:final )?investment decision|payback|ore reserves?|mineral resources?|expenditure|"
    r"spending|cash(?: and cash equivalents)?|net debt|borrowings|dividends?)\b",
    re.I,
)

_ORG_WORDS = (
    "group holdings holding magnetics metals materials resources mining minerals earths "
    "corp corporation company co inc ltd plc llc limited pty industries technologies technology "
    "energy chemicals partners capital bank fund refinery smelting ventures trust works motors "
    "elements research institute university association authority agency commission council "
    "exchange consortium alliance army militia "
    # Legal forms of companies elsewhere: Malaysia and Brunei (Sdn Bhd, Berhad), Singapore (Pte),
    # Indonesia (Tbk), Germany and Austria (GmbH, AG, KG, SE), France, Spain, Belgium (SA, SAS,
    # SARL), Italy (SpA, Srl), the Netherlands (NV, BV), the Nordics (AB, ASA, AS, Oy, A/S),
    # Japan (KK), Russia and Kazakhstan (JSC, PJSC), partnerships (LP, LLP).
    "sdn bhd berhad pte tbk gmbh ag kg se sa sas sarl spa srl nv bv ab asa oy oyj kk jsc pjsc "
    "lp llp"
)
_ORG_WORD = set(_ORG_WORDS.split())
_ORG_HEAD = {
    "ministry",
    "department",
    "bank",
    "university",
    "office",
    "commission",
    "bureau",
    "agency",
    "council",
    "institute",
    "administration",
    "authority",
    "board",
    "state",
}


# A company's own organ, named with capitals in a release ("the Board of Directors", "the
# Board of Kimberley Ionic Clays Limited"): its part, not an organisation.
_COMPANY_ORGAN = re.compile(
    r"^(?:Board(?: of Directors)?|Audit Committee|Executive Committee|Management Board|"
    r"Supervisory Board|Annual General Meeting|General Meeting)(?:\s+of\s+.+)?$"
)


_ADJECTIVE_PREFIX = re.compile(
    r"^[A-Z][\w.'’]*-(?:listed|based|owned|headquartered|registered|controlled|backed|"
    r"focused|born)$"
)


def unknown_subjects(
    text: str, start: int, end: int, matcher: EntityMatcher, *, indefinite: bool = True
) -> list[str]:
    """Organisations the clause names that the register does not know: an indefinite subject
    ("a smaller producer in Jiangxi") or a capitalised name of several words ending in an
    organisation's word ("Lanshan Magnetics", "Hunan Metals Group"). Known names are left out;
    an editor can turn one of these into an entity."""
    body = list(text[start:end])
    for mention in matcher.mentions(text, start, end):
        for i in range(mention.start - start, mention.end - start):
            body[i] = " "
    clause = "".join(body)
    out: list[str] = []
    # An indefinite organisation as the clause's subject ("a smaller producer in Jiangxi
    # said ...") or after "at" / "by" / "from" ("sales rose 40% at a smaller producer").
    starts = [len(clause) - len(clause.lstrip())] if indefinite else []
    if indefinite:
        starts += [
            m.end() for m in re.finditer(r"\b(?:at|by)\s+(?=(?:a|an|another|one)\s)", clause)
        ]
    whole = text[start:end]
    for lead in starts:
        m = _OWN_SUBJECT.match(clause[lead:])
        if not m or (lead and m.group(0).lower().endswith(("plant", "plants"))):
            continue  # "at a uranium processing plant": a place of work, not who did it
        # where it is, known place names included: "a smaller producer in East Kazakhstan"
        tail = re.match(
            r"(?:\s+(?:in|from|based in)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)?",
            whole[lead + m.end() :],
        )
        out.append(" ".join(whole[lead : lead + m.end() + tail.end()].split()))
    for name in _NAME.finditer(clause):
        words = name.group(0).split()
        if words and words[0] in _NOT_NAMES:
            words = words[1:]
        prefixed = False
        while words and _ADJECTIVE_PREFIX.match(words[0]):
            words = words[1:]  # "Singapore-listed Orchid Strategic Metals": Orchid Strategic Metals
            prefixed = True
        if "of" in words[1:-1] and words[-1].lower().rstrip(".") not in _ORG_WORD:
            # "Tohoku Metal Industries of Japan", "Hanbit Magnetics of South Korea": the
            # organisation, then where it is from.
            cut = len(words) - 1 - words[::-1].index("of")
            if words[cut - 1].lower().rstrip(".") in _ORG_WORD:
                words = words[:cut]
        org_last = len(words) >= 2 and words[-1].lower().rstrip(".") in _ORG_WORD
        # "Ministry of Commerce", "Department of Energy", "Bank of Japan".
        org_head = len(words) >= 3 and words[0].lower() in _ORG_HEAD and words[1] == "of"
        introduced = bool(words) and (
            prefixed or _introduced_as_organisation(clause, name.start(), name.end())
        )
        if _REPORTING_TERM.match(" ".join(words)):
            continue  # "the total Mineral Resource", "Ore Reserves": a reporting code's term
        if (
            prefixed
            and len(words) == 1
            and re.match(rf"\s+(?:[a-z][\w-]*\s+){{0,2}}?{_ORG_NOUNS}\b", clause[name.end() :])
        ):
            continue  # "the Tokyo-listed Japanese trading house": what it is, not a name
        if (org_last or org_head or introduced) and not _COMPANY_ORGAN.match(" ".join(words)):
            out.append(" ".join(words))
    return list(dict.fromkeys(out))


# The capitalised terms of the mineral reporting codes (JORC, NI 43-101, SAMREC, PERC): what
# an estimate is ("Measured Mineral Resources", "Proved Ore Reserves"), never who made it.
_REPORTING_TERM = re.compile(
    r"^(?:(?:Total|Measured|Indicated|Inferred|Proved|Proven|Probable)\s+(?:and\s+\w+\s+)?)?"
    r"(?:Mineral\s+(?:Resources?|Reserves?)|Ore\s+Reserves?|Exploration\s+Targets?|"
    r"Competent\s+Persons?|Qualified\s+Persons?)$"
)


# What a text calls an organisation when it introduces one, before its name ("private equity
# house Isar Growth Partners", "carmaker Velto", "its magnet subsidiary, Lanshan Magnetics")
# or in an appositive after it ("Sanwa Tsusho, the Japanese trading house,", "Velto, a maker
# of ...", "Kestrel, a company registered in Windhoek"), or as something held or listed
# ("shares in Velto", "a stake in Velto", "Velto (ASX: VLT)").
_ORG_NOUNS = (
    r"(?:company|firm|group|miner|producer|refiner|developer|explorer|manufacturer|maker|"
    r"carmaker|automaker|supplier|processor|operator|smelter|conglomerate|consolidator|"
    r"exporter|importer|start-?up|corporation|subsidiary|unit|affiliate|venture|house|fund|"
    r"investor|lender|bank|utility|insurer|trader|partner|arm|vehicle|agency|authority|"
    r"institute|regulator|body)"
)
_ORG_BEFORE_NAME = re.compile(
    rf"(?:\b{_ORG_NOUNS}(?:,)?|\b(?:shares|stake|stakes|interest|holding)\s+in)\s+$", re.I
)
_ORG_AFTER_NAME = re.compile(
    rf"^(?:,\s+(?:a|an|the|its)\s+(?:[\w.’'-]+\s+){{0,5}}?{_ORG_NOUNS}s?\b(?![’']s)"
    # an appositive ends, or goes on describing ("a maker of ..."); "..., the company said"
    # is an attribution after a place, not an appositive
    r"(?=\s*[,.;)]|\s*$|\s+(?:of|in|at|that|which|whose|based|registered|listed|"
    r"headquartered|owned|controlled|with|for|from|and|behind|since)\b)"
    r"|\s*\(\s*[A-Z]{2,}[\w.]*\s*:\s*[A-Z][A-Z.]{0,7}\s*\)"
    r"|['’]s\s+(?:shares|stock|board|chief executive|chairman|largest shareholder)\b)",
)


def _introduced_as_organisation(clause: str, start: int, end: int) -> bool:
    """Does the text call the name at clause[start:end] an organisation (`_ORG_BEFORE_NAME`,
    `_ORG_AFTER_NAME`)? A person's title is not one ("Dale Whitford, the miner's chief
    executive": a possessive is someone's part, not what the name is)."""
    before = clause[max(0, start - 40) : start]
    if re.search(r"\b(?:in|at|near|outside|to|from)\s+(?:[A-Z][\w'’-]+,\s+)?$", before):
        return False  # "its plant in Narva-Jõesuu, Estonia, ...": a place
    if all(w.lower().rstrip(".,") in _ORG_WORD for w in clause[start:end].split()):
        return False  # "(Pty) Ltd": a legal form, not a name
    return bool(_ORG_BEFORE_NAME.search(before) or _ORG_AFTER_NAME.match(clause[end : end + 120]))


def _score(
    text: str,
    figures: list[dict],
    kind: str,
    kind_reason: str,
    subjects: list[EntityRef],
    subject_how: str,
    seg: Segment,
    unknown: list[str] = (),
    about: str = "",
) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    amounts = [f for f in quantitative(figures) if re.search(r"\d", f["text"])]
    if amounts:
        score += 0.4
        reasons.append("states " + ", ".join(f["text"] for f in amounts[:4]))
    if subjects:
        names = ", ".join(e.name for e in subjects[:3])
        if subject_how == "names":
            score += 0.25
            reasons.append(f"names {names}")
        else:
            score += 0.15
            reasons.append(f"about {names} (referred back to in its paragraph)")
    if unknown:
        score += 0.15 if not subjects else 0.0
        reasons.append(f"names {', '.join(unknown[:3])} (not a known entity: an editor can add it)")
    if not subjects:
        names = [] if unknown else _unknown_names(text)
        if names:
            score += 0.15
            reasons.append(f"names {', '.join(names[:3])} (not a known entity)")
        elif about and not unknown:
            score += 0.15
        if unknown:
            reasons.append("no known subject: the organisations named above are not entities yet")
        elif about:
            reasons.append(
                "no subject: names no one known and refers to no one (its paragraph is about "
                f"{about}: an editor can set it)"
            )
        else:
            reasons.append("no subject: names no one known and refers to no one named before")
    if kind == "ownership":
        score += 0.3
        reasons.append(kind_reason)
    elif kind == "plan":
        score += 0.25
        reasons.append(kind_reason)
    elif seg.forced_reason == "document":
        score += 0.3
        reasons.append("cites a published statement (its existence can be checked)")
    elif seg.forced_reason == "appositive":
        score += 0.15
        reasons.append("a superlative said of a named organisation (it can be checked)")
    elif seg.forced_reason == "deal":
        score += 0.3
        reasons.append("a transaction between named parties (that it happened can be checked)")
    m = _EVENT_VERB.search(text) or _PRESENT_ACTIVITY.search(text)
    if m and kind != "ownership":
        score += 0.3
        reasons.append(f"reports something done ({m.group(0)!r})")
    elif kind != "ownership":
        m = re.search(
            r"\b(?:is|are|was|were|has been|have been|had been)\s+(?:\w+\s+)?\w{3,}ed\b", text
        )
        past = _PAST.search(text)
        if m:
            score += 0.15
            reasons.append(f"states a fact ({m.group(0)!r})")
        elif past:
            score += 0.2
            reasons.append(f"reports something done ({past.group(0)!r})")
    m = _VAGUE_AMOUNT.search(text)
    if m and not amounts:
        score += 0.2
        reasons.append(f"an amount without a figure ({m.group(0)!r}): ask for the number")
    m = _RECORD.search(text)
    if m:
        score += 0.15
        reasons.append(f"a record or superlative ({m.group(0)!r})")
    dates = [f for f in figures if f.get("unit") in QUANTITY_UNITS_EXCLUDED]
    if dates:
        score += 0.1
        reasons.append(f"dated ({dates[0]['text']})")
    if not _has_verb(text) and kind != "ownership" and not amounts and not seg.forced_reason:
        score -= 0.2
        reasons.append("no verb: a fragment")
    words = len(text.split())
    if words < 4 and kind != "ownership":
        score -= 0.15
        reasons.append("very short")
    return round(min(max(score, 0.0), 1.0), 2), reasons


_NAME = re.compile(
    r"(?<![\w.])(?:[A-Z][\w&'’-]*[a-z0-9][\w&'’-]*|[A-Z]{2,})"
    # one space or line break between the words of a name: a run of spaces is a column gap
    # (a contact block's "Helen Okoro          Tristan Bell"), not a name going on
    r"(?:\s(?:of\s|and\s|&\s)?[A-Z][\w&'’-]+)*"
)
_NOT_NAMES_WORDS = (
    "The A An This That These Those It Its They Their He She We Our In On At For By With From As "
    "And But Or If When While Meanwhile Elsewhere According Revenue Output Profit Net Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December"
)
_NOT_NAMES = set(_NOT_NAMES_WORDS.split())


def _unknown_names(text: str) -> list[str]:
    """Capitalised names in a clause (not its first word, unless that is a name of several
    words or an acronym): an organisation or place the register does not know yet."""
    out = []
    for m in _NAME.finditer(text):
        name = m.group(0)
        first = name.split()[0]
        if first in _NOT_NAMES and " " not in name:
            continue
        if m.start() == 0 and " " not in name and not name.isupper():
            continue
        out.append(name)
    return out


def _deal_phrases(text: str, start: int, end: int, ctx: _Context) -> list[Segment]:
    """ "the MP Materials Department of Defense deal": a transaction between two named parties
    asserts that the transaction happened, even inside a sentence of rhetoric."""
    out = []
    mentions = ctx.matcher.mentions(text, start, end)
    for a, b in itertools.pairwise(mentions):
        if a.entity == b.entity:
            continue
        between = text[a.end : b.start]
        if not re.fullmatch(r"\s*(?:-|–|/|and|,)?\s*", between):
            continue
        tail = re.match(r"(?:[’']s)?\s+(?:[\w-]+\s+)?(" + _DEAL.pattern + ")", text[b.end : end])
        if not tail:
            continue
        s = a.start
        lead = re.search(r"\b(?:the|a|an)\s+$", text[max(start, s - 5) : s], re.I)
        if lead:
            s = max(start, s - 5) + lead.start()
        out.append(Segment(s, b.end + tail.end(), kind_hint="event", forced_reason="deal"))
    return out


def _is_heading(line: str, first: bool, title: str) -> bool:
    stripped = line.strip()
    if re.match(r"^(?:Table|Figure|Chart|Exhibit)\s+\d+[.:]\s", stripped):
        return True  # a caption: what the table shows, not a statement
    if title and stripped == title.strip():
        return True
    if _FURNITURE.match(stripped):
        return True
    if stripped[-1:] in '.!?"”’)':
        return False
    if _CONTINUATION_END.search(stripped):
        return False  # "... net profit attributable to": a sentence broken off, not a heading
    if re.search(r"[a-z0-9%)][.!?][\"”’)]*\s+[A-Z]", stripped):
        span = (line.index(stripped[0]), len(line))
        if len(sentences(line, *span)) > 1:
            return False  # a sentence ends inside it: a paragraph, not a heading
    if _BULLET.match(line) and re.search(r"\d", _BULLET.sub("", line, count=1)):
        # "- Revenue up 15% to $88 million": a list item stating a figure (a press release's
        # highlights) is a statement without a full stop, not a heading.
        return False
    return first or len(stripped.split()) <= 16


def propose(
    text: str,
    *,
    entities: Iterable[EntityRef] = (),
    title: str = "",
    outlet_id: int | None = None,
    min_score: float = MIN_SCORE,
) -> list[Proposal]:
    """Candidate claims of `text`, in text order, repeats removed (see the module docstring).
    Hard-wrapped paragraphs are joined first (`reflow`); offsets and `text` of each proposal
    are the original text's."""
    original = text
    reflowed = reflow(text)
    # The rules read single spaces ("according to"): the padding after a rejoined hyphenated
    # word is taken out while they read, and put back in every offset they return.
    compact, shift = _without_padding(reflowed)
    found = _propose(
        compact, entities=entities, title=title, outlet_id=outlet_id, min_score=min_score
    )
    for p in found:
        p.start, p.end = shift(p.start), reflowed.original_end(shift(p.end))
        p.text = original[p.start : p.end]
        for f in p.figures:
            if "start" in f and "end" in f:
                f["start"], f["end"] = shift(f["start"]), reflowed.original_end(shift(f["end"]))
    return found


def _without_padding(reflowed: Reflowed):
    """`reflowed.text` without the padding of its rejoined words (`Reflowed.zones`), and the
    function that turns an offset into that text back into an offset into `reflowed.text`."""
    if not reflowed.zones:
        return reflowed.text, lambda offset: offset
    parts, cuts, pos, removed = [], [], 0, 0
    for start, stop in sorted(reflowed.zones):
        parts.append(reflowed.text[pos:start])
        cuts.append((start - removed, stop - start))  # (where in the compact text, how much)
        removed += stop - start
        pos = stop
    parts.append(reflowed.text[pos:])

    def shift(offset: int) -> int:
        return offset + sum(length for at, length in cuts if offset >= at)

    return "".join(parts), shift


def _propose(
    text: str,
    *,
    entities: Iterable[EntityRef],
    title: str,
    outlet_id: int | None,
    min_score: float,
) -> list[Proposal]:
    matcher = EntityMatcher(entities)
    counts: dict[EntityRef, int] = {}
    for mention in matcher.mentions(text):
        if mention.entity.kind in COMPANY_KINDS:
            counts[mention.entity] = counts.get(mention.entity, 0) + 1
    main = max(counts, key=lambda e: counts[e]) if counts else None
    ctx = _Context(
        matcher=matcher, main_subject=main, outlet_id=outlet_id, counts=dict(counts), text=text
    )
    # The organisations the text names that the register does not know, learnt up front
    # (as the known ones are counted up front) so the most named company can be one of them.
    for ls, le in lines(text):
        _learn_names(text, ls, le, ctx)
    for mention in ctx.unknown_mentions(text, 0, len(text)):
        if _PROJECT_AFTER.match(text, mention.end):
            continue  # "the Nuuluk rare earths project": the project, not its company
        ctx.counts[mention.entity] = ctx.counts.get(mention.entity, 0) + 1
    candidates: list[Proposal] = []
    all_lines = _table_lines(text, lines(text))
    rows = [_is_table_row(text[a:b]) for a, b in all_lines]
    for index, (ls, le) in enumerate(all_lines):
        line = text[ls:le]
        ctx.new_paragraph()
        in_table = rows[index] and (
            (index > 0 and rows[index - 1]) or (index + 1 < len(rows) and rows[index + 1])
        )
        if in_table:
            if not (index > 0 and rows[index - 1]):
                # The table's caption: the line just before its first row, if short.
                prev = text[slice(*all_lines[index - 1])] if index else ""
                caption = prev if len(prev.split()) <= 30 else ""
                ctx.table_context = _table_context(
                    text, all_lines, rows, index, caption, candidates, ctx
                )
            row = _table_row(text, ls, le, caption, ctx, outlet_id)
            if row is not None and row.score >= min_score:
                candidates.append(row)
            continue
        if _is_heading(line, index == 0, title):
            ctx.subjects_seen = []  # a new section
            if not _FURNITURE.match(line.strip()):
                ctx.section_attribution, ctx.section_origin = "", None
            continue
        bullet = _BULLET.match(line)
        if bullet:
            ls += bullet.end()
        for ss, se in sentences(text, ls, le):
            sentence = text[ss:se]
            ctx.new_sentence()
            if _inside_quotation(text[ls:ss]) and not re.match(r'\s*["“]', sentence):
                # The second sentence of a quotation ('"... said. We are building a company
                # that will ..."'): read as quoted.
                sentence = "“" + sentence
            _learn_names(text, ss, se, ctx)
            _learn_speakers(text, ss, se, ctx)
            segments = _split(text, Segment(ss, se))
            segments += [
                d
                for d in _deal_phrases(text, ss, se, ctx)
                if not any(seg.start <= d.start and d.end <= seg.end for seg in segments)
                or rejection(sentence, sentence=sentence, has_figure=False)
            ]
            segments.sort(key=lambda g: g.start)
            sentence_rejected = bool(
                sentence.rstrip(' "”’)').endswith("?")
                or _RHETORIC.search(sentence)
                or _JUDGEMENT.search(sentence)
            )
            for seg in segments:
                if _ASIDE.search(sentence):
                    break  # the writer's view, every clause of it
                proposal = _evaluate(text, seg, sentence, ctx, bullet=bool(bullet))
                if proposal is None:
                    continue
                # Rhetoric anywhere in a sentence colours all of it; only a named deal inside
                # it stands on its own.
                if (
                    sentence_rejected
                    and seg.forced_reason != "deal"
                    and (
                        _RHETORIC.search(proposal.text)
                        or _JUDGEMENT.search(proposal.text)
                        or sentence.rstrip().endswith("?")
                    )
                ):
                    continue
                if proposal.score >= min_score:
                    candidates.append(proposal)
                # "According to the company's entry, ..." opening a paragraph introduces an
                # account of that document: it covers the rest of the section. "According to
                # X, ..." about one fact covers its sentence only.
                if seg.forced_reason == "document" and ss == ls and not ctx.section_attribution:
                    ctx.section_attribution = text[seg.start : seg.end]
                    ctx.section_origin = _origin_of(ctx.section_attribution, ctx)
            named = _subject_mentions(text, ss, se, ctx)
            ctx.remember([m.entity for m in named])
            head = _DATELINE.match(text[ss:se])
            first = next(iter(named), None)
            if first is not None and first.start - (ss + (head.end() if head else 0)) <= 12:
                ctx.remember_subject(first.entity)  # named first: the sentence's subject
    return _dedupe(candidates)


# A row of a table of figures: a label, then numbers (a figure and the previous period's in
# brackets, or several columns): "South Korea 498 (510)", "Japan | 1,120 | 1,040".
_CELL = r"[-−+]?\d[\d,]*(?:\.\d+)?%?"  # "+14.5%": a change column
_TABLE_ROW = re.compile(
    rf"^\|?\s*(?P<label>[A-Z][^\d|\t]{{0,60}}?)\s*[|\t]?\s*"
    rf"(?P<cells>{_CELL}(?:\s*\({_CELL}\))?(?:\s*[|\t]?\s*{_CELL}(?:\s*\({_CELL}\))?){{0,8}})"
    r"\s*\|?\s*$"
)
# A row as the HTML extractor writes a table's cells, "Label | cell | cell", where a cell
# may be words around a figure ("Phase 1 output | 3,400 t TREO a year", "Initial capital cost |
# US$285-310 million"): a row when a cell after the label holds a number.
_PIPE_ROW = re.compile(
    r"^\|?\s*(?P<label>[A-Z][^|\n]{0,80}?)\s+\|\s+(?P<cells>(?=[^\n]*\d)[^\n]{1,160}?)\s*\|?\s*$"
)


# A row of a printed table whose middle columns are words, as a PDF's text layer gives it:
# a label, cells of words and numbers, and at least two numbers last ("Changting Rare Earth
# Separation Co., Ltd. 76% Separation 5,600 236.9"). Its label may wrap onto the line above.
_WORD_ROW = re.compile(
    rf"^(?P<label>[A-Z][^\d\n]{{0,80}}?(?:\n[^\d\n]{{1,80}}?)?)\s+"
    rf"(?P<cells>{_CELL}(?:\s+[^\d\s][^\d\n]{{0,40}}?)?(?:\s+{_CELL}){{2,8}})\s*$"
)


def _is_table_row(line: str) -> bool:
    return bool(_TABLE_ROW.match(line) or _PIPE_ROW.match(line) or _WORD_ROW.match(line))


def _table_lines(text: str, all_lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines of the text, with a printed table's wrapped row labels joined to their rows:
    in a run of two or more rows of word cells (`_WORD_ROW`), a short line with no number and
    no sentence end just above a row is the first half of that row's label ("Minjiang
    Magnetics (Longyan)" over "Co., Ltd. 100% Sintered NdFeB magnets 20,000 412.6")."""
    word_rows = [bool(_WORD_ROW.match(text[a:b])) for a, b in all_lines]
    out: list[tuple[int, int]] = []
    skip = False
    for i, (a, b) in enumerate(all_lines):
        if skip:
            skip = False
            continue
        line = text[a:b]
        if (
            i + 1 < len(all_lines)
            and word_rows[i + 1]
            and not word_rows[i]
            and not re.search(r"\d", line)
            and len(line.split()) <= 6
            and line[-1:] not in ".!?:;"
            and any(word_rows[j] for j in (i - 1, i + 2, i + 3) if 0 <= j < len(all_lines))
        ):
            out.append((a, all_lines[i + 1][1]))
            skip = True
        else:
            out.append((a, b))
    return out


_CAPTION_UNITS = (
    (re.compile(r"\b(?:tonnes?|tons?|t)\b", re.I), "t"),
    (re.compile(r"%|\bper ?cent\b|\bpercent\b", re.I), "%"),
    (re.compile(r"\b(?:yuan|RMB|CNY)\b|¥", re.I), "CNY"),
    (re.compile(r"\b(?:USD|US\$|dollars)\b|\$"), "USD"),
    (re.compile(r"\b(?:EUR|euros?)\b|€", re.I), "EUR"),
)


def _caption_unit(caption: str) -> tuple[str, float]:
    """The unit and multiplier a table's caption gives its cells ("tonnes", "$ million"); none
    when it names several (a header row's "Capacity (t/a) Net profit (RMB m)": each column its
    own, which a line of text does not tell apart)."""
    units = [u for pattern, u in _CAPTION_UNITS if pattern.search(caption)]
    if len(units) > 1:
        return "", 1
    unit = units[0] if units else ""
    mult = re.search(r"\b(thousand|million|billion|mn|bn|'000)\b", caption, re.I)
    factor = {"thousand": 1e3, "'000": 1e3, "million": 1e6, "mn": 1e6}.get(
        (mult.group(1).lower() if mult else ""), 1e9 if mult else 1
    )
    return unit, factor


def _inside_quotation(before: str) -> bool:
    """Does a quotation opened in `before` (the paragraph up to a sentence) run on?"""
    curly = before.count("“") - before.count("”")
    return curly > 0 or (not curly and before.count('"') % 2 == 1)


def _table_context(text, all_lines, rows, first, caption, candidates, ctx) -> dict:
    """What the rows of a table starting at line `first` are about and who says so: the
    caption's names ("China's exports of NdFeB magnets by destination"), else the last
    statement before the table; a "Source: X" line under the table is its origin."""
    out: dict = {"subjects": [], "named": [], "origin": None, "from": ""}
    # A table of imports by origin: each row's country is the exporter, the row's subject
    # (README rule 9: trade data is the exporting country's); a caption above a header line
    # ("Origin Oct 2026 Jan-Oct 2026") is read with it.
    above = text[slice(*all_lines[first - 2])] if first >= 2 else ""
    heading = f"{above}\n{caption}"
    out["by_origin"] = bool(
        re.search(
            r"\b(?:imports?|purchases|arrivals|supplies)\b[^\n]{0,80}?\bby\s+(?:origin|source|"
            r"supplier|country of origin)\b|^\s*(?:Origin|Source country|Country of origin)\b",
            heading,
            re.I | re.M,
        )
    )
    if caption:
        at = text.find(caption)
        named = _subject_mentions(text, at, at + len(caption), ctx) if at >= 0 else []
        out["subjects"] = [m.entity for m in named if m.entity.id > 0]
        out["named"] = [m.entity.name for m in named if m.entity.id < 0]
        out["from"] = "the table's caption"
    if not (out["subjects"] or out["named"]):
        last = next(
            (c for c in reversed(candidates) if not c.bullet and not _from_table(c)),
            None,
        )
        if last is not None:
            out["subjects"] = [e for e in last.subjects_refs if e.id > 0]
            out["named"] = list(last.named_subjects)
            out["from"] = "the text before the table"
    end = first
    while end < len(rows) and rows[end]:
        end += 1
    if end < len(all_lines):
        under = text[slice(*all_lines[end])]
        m = re.match(r"^\s*Sources?\s*:\s*(?P<who>.+)", under)
        if m:
            who = m.group("who").strip()
            entity = ctx.matcher.match_name(who)
            out["origin"] = ("attributed", f"Source: {who}"[:200], entity.id if entity else None)
    return out


def _table_row(
    text: str, start: int, end: int, caption: str, ctx: _Context, outlet_id: int | None
) -> Proposal | None:
    """A table row with figures as a figure claim: its cells read with the caption's unit."""
    unit, factor = _caption_unit(caption)
    figures = []
    m = _TABLE_ROW.match(text[start:end]) or _WORD_ROW.match(text[start:end])
    if m is None:
        m = _PIPE_ROW.match(text[start:end])
        if m is None:
            return None
        # Cells in words: read as any sentence's figures are.
        figures = quantitative(parse_figures(text, start + m.start("cells"), end))
    cells = () if figures else re.finditer(_CELL, m.group("cells"))
    for cell in cells:
        raw = cell.group(0)
        a = start + m.start("cells") + cell.start()
        number = float(raw.replace(",", "").replace("−", "-").rstrip("%"))
        if re.fullmatch(r"(?:19|20)\d{2}", raw):
            continue  # a year column heading, not a figure
        cell_unit = "%" if raw.endswith("%") else unit
        value = number * (factor if cell_unit not in ("%", "") else 1)
        figures.append(
            {
                "value": _clean(value),
                "unit": cell_unit,
                "text": raw,
                "start": a,
                "end": a + len(raw),
            }
        )
    if not figures:
        return None
    label = " ".join(m.group("label").strip(" |\t").split())
    # A row labelled with a company is about it; a row labelled with a place or a measure
    # ("Germany 3,412 (3,122)", "Revenue, R million") goes on about what the text before the
    # table was about, in that text's voice.
    named = [
        x.entity
        for x in [*ctx.matcher.mentions(text, start, end), *ctx.unknown_mentions(text, start, end)]
        if x.entity.kind in COMPANY_KINDS
    ]
    before = ctx.table_context or {}
    origin_kind, origin_phrase, origin_id = before.get("origin") or ("own_voice", "", outlet_id)
    named_subjects: list[str] = []
    origins = [x.entity for x in ctx.matcher.mentions(text, start, end) if x.entity.kind == "state"]
    if before.get("by_origin") and not named:
        # "Malaysia 1,904 (2,215)" under "imports by origin": Malaysia's exports; "Other
        # origins 386 (410)" names nobody.
        subjects = list(dict.fromkeys(origins))
        about = f"the exporting country, in a table of imports by origin (row label {label!r})"
    elif named:
        subjects = [e for e in named if e.id > 0]
        named_subjects = [e.name for e in named if e.id < 0]
        about = f"names {', '.join(e.name for e in named)}"
    elif before.get("subjects") or before.get("named"):
        subjects = list(before["subjects"])
        named_subjects = list(before["named"])
        who = ", ".join([*(e.name for e in subjects), *named_subjects])
        about = f"about {who}, as {before['from']} (row label {label!r})"
    else:
        subjects, about = [], f"row label {label!r}"
    reasons = [
        f"a table row: {label} {', '.join(f['text'] for f in figures)}"
        + (f" ({unit or 'no unit'}, from the caption {caption.strip()!r})" if caption else ""),
        about,
        f"attributed: {origin_phrase!r}"
        if origin_kind == "attributed"
        else "the article's own voice",
    ]
    body = text[start:end]
    return Proposal(
        start=start,
        end=end,
        text=body,
        kind="figure",
        figures=figures,
        score=0.55 if caption else 0.45,
        reasons=reasons,
        subjects=[e.id for e in subjects],
        named_subjects=named_subjects,
        origin_kind=origin_kind,
        origin_phrase=origin_phrase,
        origin_id=origin_id,
        fingerprint=fingerprint(body),
    )


def _evaluate(
    text: str, seg: Segment, sentence: str, ctx: _Context, *, bullet: bool
) -> Proposal | None:
    start, end = _trim(text, seg.start, seg.end)
    if end - start < 3:
        return None
    seg = Segment(start, end, seg.kind_hint, seg.context_start, seg.attribution, seg.forced_reason)
    body = text[start:end]
    phrase = ""
    tail = _TRAILING_ATTRIBUTION.search(body) or _MIDDLE_ATTRIBUTION.search(body)
    if tail and tail.start() > 0 and len(body[: tail.start()].split()) >= 3:
        # ", according to company filings." / ", the company said.": who said it, not what.
        phrase = tail.group("who").strip().rstrip('.!"”’ ')
        end = start + tail.start()
        body = text[start:end]
    seg = Segment(start, end, seg.kind_hint, seg.context_start, seg.attribution, seg.forced_reason)
    figures = parse_figures(text, start, end)
    has_amount = bool([f for f in quantitative(figures) if re.search(r"\d", f["text"])])
    if not seg.kind_hint:
        why = rejection(body, sentence=sentence, has_figure=has_amount)
        if why:
            return None
    kind, kind_reason = classify(body, figures, seg.kind_hint)
    resolved, how = _subjects(text, seg, ctx)
    ctx.said_now = list(dict.fromkeys([*ctx.said_now, *resolved]))
    subjects = [e for e in resolved if e.id > 0]
    unknown = list(
        dict.fromkeys(
            [
                *(e.name for e in resolved if e.id < 0),
                *(
                    n
                    for n in unknown_subjects(text, start, end, ctx.matcher)
                    if not any(n in e.names for e in ctx.unknown.values())
                    or n in (e.name for e in resolved)
                ),
            ]
        )
    )
    if not subjects and not unknown and seg.context_start >= 0 and seg.context_start < start:
        # "..., which has hired 40 new engineers": about the organisation named before it.
        unknown = unknown_subjects(text, seg.context_start, start, ctx.matcher)[-1:]
    around = ctx.last_named()
    places = [
        m.entity.name
        for m in ctx.matcher.mentions(text, start, end)
        if m.entity not in subjects and m.entity.kind in ("state", "government_body")
    ]
    score, reasons = _score(
        body, figures, kind, kind_reason, subjects, how, seg, unknown, around.name if around else ""
    )
    if places and how == "refers back to":
        # "... as it stopped shipping concentrate to China": a named place or body the
        # statement can be checked against, though not its subject.
        score = round(min(score + 0.1, 1.0), 2)
        reasons.append(f"also names {', '.join(dict.fromkeys(places[:2]))}")
    # known or not: "..., which is expected to lift capacity" goes on about either
    ctx.sentence_subjects = resolved or ctx.sentence_subjects
    # Origin: an attribution in the clause, in its sentence, or opening its section.
    said_by_unknown = re.match(
        _OWN_SUBJECT.pattern + r"[^,;]{0,60}?\s+(?:also\s+)?(?:said|says|told|reported)\b",
        body,
        re.I,
    )
    if said_by_unknown and not phrase:
        # "a smaller producer in Jiangxi said ...": said by that producer (not a known entity).
        phrase = said_by_unknown.group(0)
    said_by_subject = re.match(
        r"(?:also\s+)?(?:said|says|told|reported|announced|stated)\b", body, re.I
    )
    if said_by_subject and not phrase and resolved and seg.context_start >= 0:
        # "Lynas, the largest producer outside China, said revenue fell": the clause's subject,
        # named before it in the sentence, is who said it.
        phrase = f"{resolved[0].name} {said_by_subject.group(0)}"
    m = None if phrase else _SAID_AFTER_APPOSITIVE.match(body)
    if m:
        # "GANZHOU, China, Aug 5 (Reuters) - China Southern Rare Earth Group, the state-owned
        # consolidator of the country's heavy rare earths industry, said on Tuesday ...".
        phrase = f"{m.group('who')} {m.group('verb')}"
    for pattern in (_SAID_OFFICER, _SAID, _DATA_SAID, _SAID_INVERTED, _SAID_PRONOUN, _PUT_AT):
        m = None if phrase else pattern.search(body)
        if m:
            phrase = m.group(0).rstrip(".,;: ")
            break
    if re.match(r"^(?:We|Our|I)\b", phrase):
        phrase = ""  # "We forecast ...": the document's own voice (or the person quoted's)
    if not phrase and seg.attribution:
        phrase = seg.attribution
    if not phrase and _REPORTED.search(body):
        phrase = _REPORTED.search(body).group(0)
    origin_id = None
    if seg.forced_reason == "document":
        origin_kind = "own_voice"
        origin_id = ctx.outlet_id
    elif phrase:
        origin_kind = "attributed"
        # "a smaller producer in East Kazakhstan said": that producer, not the place it is in
        by_unknown = said_by_unknown is not None and phrase == said_by_unknown.group(0)
        who = None if by_unknown else _origin_entity(phrase, ctx, resolved)
        origin_id = who.id if who is not None and who.id > 0 else None
        if who is not None and who.name.casefold() not in phrase.casefold():
            phrase = f"{phrase} ({who.name})"  # "the company said (Nordvik Magnetics)"
        if who is not None and who == ctx.issuer():
            # "the Company said", "It expects" in the Company's own release: its own voice.
            origin_kind, origin_id = "own_voice", ctx.outlet_id
    elif _OPENS_QUOTE.match(body) and ctx.quoted_here() is not None:
        # '"This licence is the starting gun," chief executive Helena Nangolo said. "We expect
        # to take a final investment decision in 2027."': the next sentence of the quotation.
        speaker = ctx.quoted_here()
        origin_kind, phrase = "attributed", f"the quotation goes on ({speaker.name})"
        origin_id = speaker.id if speaker.id > 0 else None
        if speaker == ctx.issuer():
            origin_kind, origin_id = "own_voice", ctx.outlet_id
    elif ctx.section_attribution:
        origin_kind, phrase = "attributed", ctx.section_attribution
        origin_id = ctx.section_origin
    else:
        origin_kind = "own_voice"
        origin_id = ctx.outlet_id
    if origin_kind == "attributed":
        reasons.append(f"attributed: {phrase!r}")
    else:
        reasons.append("the article's own voice")
    lead = _SAID_LEAD.match(body) if said_by_subject else None
    if lead and len(body[lead.end() :].split()) >= 4:
        # "X, the state-owned consolidator, said on Tuesday that revenue ...": the statement
        # is what was said; the verb of saying is its origin, outside the span.
        start += lead.end()
        body = text[start:end]
        figures = parse_figures(text, start, end)
    return Proposal(
        start=start,
        end=end,
        text=body,
        kind=kind,
        figures=figures,
        score=score,
        reasons=reasons,
        subjects=[e.id for e in subjects],
        subjects_refs=list(subjects),
        named_subjects=unknown,
        origin_kind=origin_kind,
        origin_phrase=phrase,
        origin_id=origin_id,
        bullet=bullet,
        fingerprint=fingerprint(body),
    )


# A data source by what it is: "customs data showed", "according to Chinese customs data",
# "official figures show".
_DATA_SAID = re.compile(
    r"(?P<who>(?:according to\s+)?(?:the\s+)?(?:[A-Z][\w'’-]*\s+)?(?:customs|official|"
    r"government|trade)\s+(?:data|figures|statistics)(?:\s+(?:show|showed|shows|indicate|"
    r"indicated))?)\b",
)
# A pronoun saying or expecting: "which it expects to commission", "It expects first
# production", "he said".
_SAID_PRONOUN = re.compile(
    r"(?<![\w-])(?P<who>(?:[Ii]t|[Tt]hey|[Hh]e|[Ss]he)(?:\s+also)?\s+(?:said|says|expects|"
    r"expected|estimates|forecasts|added|noted))\b"
)
# An estimate put on something: "The miner put the capital cost of the first stage at A$486
# million", "X valued the deal at".
_PUT_AT = re.compile(
    r"(?P<who>(?:[Tt]he\s+(?:[\w-]+\s+){0,3}?" + _COMPANY_NOUNS + r"|[A-Z][\w&.'’-]*"
    r"(?:\s+[A-Z][\w&.'’-]*){0,4}))\s+(?:put|puts|valued|values|estimated|estimates)\s+"
    r"(?=(?:the|its|their)\s+[^,.;]{3,80}?\s+at\b)"
)
# A verb of saying opening a clause, with its time and "that": "said on Monday that ",
# "also said last month ", "told analysts ".
_SAID_LEAD = re.compile(
    r"^(?:also\s+)?(?:said|says|told\s+(?:analysts|reporters|investors|\w+)|reported|announced|"
    r"stated)(?:"
    # "said in a filing to the Shenzhen Stock Exchange that ": where it was said, up to "that"
    r"\s+(?:on|last|this|in|to)\s+[^,.;:\d]{1,60}?\s+that|"
    r"(?:\s+(?:on|last|this|in)\s+(?:a\s+)?\w+(?:\s+\w+)?)?(?:\s+that)?)\s+"
    r"(?=(?:it|its|the|a|an|revenue|output|[A-Z0-9])\b)",
)


def _from_table(p: Proposal) -> bool:
    """Was `p` read from a table row (`_table_row` gives it its first reason)?"""
    return bool(p.reasons) and p.reasons[0].startswith("a table row")


def _dedupe(candidates: list[Proposal]) -> list[Proposal]:
    """Drop repeats: figures already stated by a kept clause, or a bullet a body clause holds.
    Body before bullets, exact figures before approximate ones, a clause the proposer is sure
    of before a fragment (a deck's "Phase 1 capital cost of US$640-720 million" restates the
    body's sentence), then text order."""

    def approximate_only(p: Proposal) -> bool:
        amounts = quantitative(p.figures)
        return bool(amounts) and all(f.get("qualifier") in ("nearly", "about") for f in amounts)

    def listed(p: Proposal) -> bool:
        # a bullet or a table row: the body sentence that states its figures is the claim
        # ("The 145 tonnes of oxide came from a pilot circuit ..." after a row "... 145 (90)")
        return p.bullet or _from_table(p)

    order = sorted(
        candidates, key=lambda p: (listed(p), approximate_only(p), p.score < _SURE, p.start)
    )
    kept: list[Proposal] = []
    seen_prints: set[str] = set()
    # the kept clauses' figures, comparable (`figure_key`), with who each was said of
    kept_keys: dict[tuple, list[set]] = {}
    kept_ranges: list[dict] = []
    for p in order:
        if p.fingerprint in seen_prints:
            continue
        amounts = [f for f in quantitative(p.figures) if re.search(r"\d", f["text"])]
        about = {*p.subjects, *p.named_subjects}

        def stated(f, about=about, p=p) -> bool:
            # The same figure said of someone else is no repeat: "Saguenay owns 50% of the
            # joint venture. Tohoku Metal Industries holds the other 50%."
            said_of = kept_keys.get(figure_key(f), [])
            return bool(said_of) and (
                p.bullet or any(not about or not who or about & who for who in said_of)
            )

        if amounts and all(
            stated(f) or any(figure_covers(k, f) for k in kept_ranges) for f in amounts
        ):
            continue
        if p.bullet and any(
            len(stems(p.text) & stems(k.text)) >= 0.6 * max(len(stems(p.text)), 1)
            for k in kept
            if not k.bullet
        ):
            continue
        if any(k.start < p.end and p.start < k.end for k in kept):
            continue  # spans never overlap: the earlier-kept clause wins
        kept.append(p)
        seen_prints.add(p.fingerprint)
        for f in quantitative(p.figures):
            kept_keys.setdefault(figure_key(f), []).append(about)
            if "low" in f and "high" in f:
                kept_ranges.append(f)  # a range covers an approximate figure inside it
    kept.sort(key=lambda p: p.start)
    return kept


# --- Matching proposals to existing claims -----------------------------------------------------


@dataclass(frozen=True)
class ClaimRef:
    """An existing claim as the matcher sees it."""

    id: int
    text: str
    figures: tuple = ()
    subjects: frozenset[int] = frozenset()


def _distinctive(figure: dict) -> bool:
    """A figure specific enough to identify a statement on its own: a range, a number with
    decimals, or three significant digits or more ("1,882.5%–2,014.7%", "$258 million",
    "12,500 t"; not "40%" or "$5 million")."""
    if "low" in figure and "high" in figure:
        return True
    try:
        value = abs(float(figure.get("value")))
    except (TypeError, ValueError):
        return False
    if not value.is_integer():
        return True
    digits = str(int(value)).rstrip("0")
    return len(digits) >= 3


def match_claim(
    proposal: Proposal,
    claims: Iterable[ClaimRef],
    *,
    min_similarity: float = 0.8,
    other_subject_similarity: float = 0.9,
) -> tuple[int, str] | None:
    """The existing claim that states what `proposal` states, and why in words; None if none.

    - **The same figures**: every amount of the proposal is one of the claim's figures (or
      inside its range when the proposal says "nearly"), about the same subject, or with one
      side's subject not recognised; with no shared subject the figures must identify the
      statement (`_distinctive`) or the wording be at least half alike. Said as "same
      figures 1,882.5%–2,014.7%, subject not recognised".
    - **Close wording**: `wording_similarity` (rapidfuzz) at least `min_similarity`, or
      `other_subject_similarity` when the two name different subjects.

    Of several matches the closest wins (figures before wording).
    """
    amounts = [f for f in quantitative(proposal.figures) if re.search(r"\d", f.get("text", "0"))]
    subjects = set(proposal.subjects)
    best: tuple[float, int, str] | None = None
    for claim in claims:
        similarity = wording_similarity(proposal.text, claim.text)
        shared = subjects & set(claim.subjects)
        reason = ""
        claim_figures = list(claim.figures)
        same_figures = bool(
            amounts
            and claim_figures
            and all(
                any(figure_covers(c, f) or figure_covers(f, c) for c in claim_figures)
                for f in amounts
            )
        )
        labels = ", ".join(_figure_text(f) for f in amounts)
        if same_figures and shared:
            reason = f"same figures {labels} about the same subject"
        elif (
            same_figures
            and not (subjects and claim.subjects)
            and (any(_distinctive(f) for f in amounts) or similarity >= 0.5)
        ):
            who = "subject not recognised" if not subjects else "the claim names no subject"
            reason = f"same figures {labels}, {who}"
        if reason:
            similarity = 1.0 + similarity  # figures before wording
        else:
            needed = (
                min_similarity
                if (shared or not subjects or not claim.subjects)
                else other_subject_similarity
            )
            if similarity >= needed:
                reason = f"close wording (similarity {similarity:.2f})"
        if reason and (best is None or similarity > best[0]):
            best = (similarity, claim.id, reason)
    return (best[1], best[2]) if best else None


def _figure_text(figure: dict) -> str:
    """ "1,882.5%–2,014.7%", "258,000,000 USD" as the reasons say it."""
    return figure_hint_label(figure)

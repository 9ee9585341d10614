"""Clauses: the rules that split a sentence into the clauses that each carry a claim (`_split`:
"while", a colon between two clauses, joined clauses, an absolute clause, a participle carrying
a figure, a relation in brackets, "According to X, ..."; the asides and relatives said of a
name are in `asides`), what is trimmed off a clause (`_trim`), and a named deal inside a
sentence (`_deal_phrases`)."""

from __future__ import annotations

import itertools
import re

from intake.proposer import asides
from intake.proposer.asides import _RELATION_WORDS, first_pieces
from intake.proposer.context import _Context
from intake.proposer.segment import Segment, _has_figure
from intake.proposer.text import _DATELINE
from intake.proposer.verbs import PLACE_UNDER, _has_verb

_NOISE_PAREN = re.compile(r"\s*\((?:opens in a new (?:tab|window)|link|pdf|photo|file)\)", re.I)
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
        # ("With this placement we will have ...": a sentence's own opening stays)
        m = re.match(
            r"^(?:but|and|with(?!\s+(?:this|these|that|those|our|its|their)\b))\s+",
            text[start:end],
            re.I,
        )
        if m and not changed:
            start += m.end()
            changed = True
    return start, end


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

    pieces = asides.relation_subject(text, seg, masked, _split)
    if pieces is not None:
        return pieces

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

    pieces = first_pieces(asides.APPOSITIVES, text, seg, masked, _split)
    if pieces is not None:
        return pieces

    # One subject, two predicates: "Its factory began production in January and is on track
    # to supply GM".
    cm = re.search(
        r",?\s+and\s+(?=(?:is|are|was|were|has|have|will|plans?|aims?|expects?|also|indicates|"
        rf"includes|provides|requires|allows|gives|sets|shows|{PLACE_UNDER})\s)",
        masked,
    )
    if cm and _has_verb(masked[: cm.start()]) and len(masked[cm.end() :].split()) >= 4:
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    # Joined clauses: ", while", ", whereas", ", but", "; ".
    # (", while the Jakarta Composite Index gained 0.4%": the market a share price is set
    # against belongs to its clause)
    cm = re.search(
        r",\s+(?:while|whereas|but)\s+(?!the\s+(?:[\w&/-]+\s+){0,3}?(?:index|market)\b)|;\s+",
        masked,
        re.I,
    )
    if cm and len(masked[cm.end() :].split()) >= 3:
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

    pieces = asides.gapped_clause(text, seg, masked, _split)
    if pieces is not None:
        return pieces

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
    # ("..., and we are aiming for ...": in a quotation, we is the speaker's organisation)
    cm = re.search(
        r",\s+and\s+(?=(?:the|a|an|its|their|this|these|those|it|they|we|our)\s)", masked
    )
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
    # (a dash between figures is a range, "in 2026–27", even broken across a line)
    dashes = [
        i
        for i, ch in enumerate(masked)
        if ch in "—–" and not re.match(r"\d\s*[—–]\s*\d", masked[max(0, i - 1) : i + 4])
    ]
    if len(dashes) == 1 and not _has_figure(text, s + dashes[0], e):
        return _split(
            text, Segment(s, s + dashes[0], seg.kind_hint, seg.context_start, seg.attribution)
        )

    pieces = first_pieces(asides.RELATIVES, text, seg, masked, _split)
    return [seg] if pieces is None else pieces


_DEAL = re.compile(
    r"\b(?:deal|agreement|partnership|contract|merger|acquisition|joint venture|tie-up|"
    r"offtake|accord|pact|memorandum)\b",
    re.I,
)


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

"""Clauses: the rules that split a sentence into the clauses that each carry a claim (`_split`:
"while", a colon between two clauses, a participle carrying a figure, an absolute or a relative
clause, a relation in the subject or in brackets, "According to X, ..."), what is trimmed off a
clause (`_trim`), and a named deal inside a sentence (`_deal_phrases`). A `Segment` is a
clause's span and what the rules learnt of it."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from claims.figures import quantitative
from claims.stated_figures import parse_figures
from intake.proposer.context import _Context
from intake.proposer.kinds import _NO_SIGNAL, _OWNERSHIP, classify
from intake.proposer.text import _DATELINE
from intake.proposer.verbs import _EVENT_VERB, _PAST, PLACE_UNDER, _has_verb

# A relative clause after a clause: ", which it bought in 2025".
_RELATIVE = re.compile(r",\s+(?=(?:which|who)\s)")
# A verb of holding a stake: "holds 12.5%", "owns", "retained".
_HOLDS = re.compile(r"\b(?:holds?|owns?|held|keeps?|retains?)\b")
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


def _has_figure(text: str, start: int, end: int) -> bool:
    return bool(quantitative(parse_figures(text, start, end)))


def _ownership_aside(seg: Segment, start: int, end: int, context: int) -> Segment:
    """An appositive or relative clause of `seg` that states an owner or a parent, as its own
    ownership clause about the name before it (the sentence from `context`)."""
    return Segment(
        start,
        end,
        kind_hint="ownership",
        context_start=context,
        attribution=seg.attribution,
        forced_reason="appositive-inside",
    )


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
        # (or ending the sentence: "... lodged by Nunarsuit Minerals A/S, the Company's wholly
        # owned Greenlandic subsidiary and holder of licence 2023/07.")
        r"[^,]{0,60})(?:,\s+|[.]?\s*$)",
        masked,
    )
    if cm and not masked[cm.end() :].strip() and not cm.group(1).startswith("the "):
        cm = None  # "..., a Jakarta-listed coal trader." ending the sentence only describes
    if cm and cm.start() > 15 and _has_verb(masked[: cm.start()]):
        rest_start = s + cm.end()
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            _ownership_aside(seg, s + cm.start(1), s + cm.end(1), s),
            *(
                _split(text, Segment(rest_start, e, context_start=s, attribution=seg.attribution))
                if len(masked[cm.end() :].split()) >= 4
                else []
            ),
        ]

    # The same appositive after the name that opens the sentence: "Hengtai Separation, a
    # subsidiary of China Minmetals Rare Earth, shipped the most ...", "KOMIR, a state-owned
    # corporation under the Ministry of Trade, Industry and Energy, aims to ...": the
    # appositive's ownership, then what the name does (about the name).
    cm = re.match(
        r"[A-Z][\w&.'’_-]*(?:\s+(?:of|and|&|de)?\s*[A-Z0-9_][\w&.'’_-]*){0,7}"
        r",\s+((?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:subsidiary|unit|arm|affiliate|"
        r"corporation|company|enterprise|agency|body|fund)\s+(?:of|under|owned\s+by|"
        r"controlled\s+by)\s+(?:the\s+)?[A-Z][^()]{0,80}?(?:\s*\(?[\w&._-]*\))?|"
        # or a relative clause stating a stake: "Kliprand, in which the state-owned IDC holds
        # 26%, said it would ship ..."
        r"(?:in\s+which|of\s+which|which|whose)\s+[^,;]{3,100}?\b(?:holds?|owns?|owned|"
        r"controls?|controlled|stake|shareholder)\b[^,;]{0,60}),\s+(?=[a-z])",
        masked,
    )
    if (
        cm
        and len(masked[cm.end() :].split()) >= 3
        and _has_verb(masked[cm.end() :])
        # "X, a unit of Y, holds 26% of Z": one ownership sentence, kept whole
        and not re.search(
            r"\b(?:holds?|owns?|owned|stakes?|shareholder|controls?)\b", masked[cm.end() :]
        )
    ):
        return [
            _ownership_aside(seg, s + cm.start(1), s + cm.end(1), s),
            *_split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]

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

    # A second clause with its verb left out: "Enami will hold 51% of the joint venture and
    # Andes Litio the other 49%".
    cm = re.search(
        # ("and the Seoul fund Namsan Capital Partners the remaining 20%": with what it is)
        r"\s+and\s+(?=(?:the\s+(?:[\w-]+\s+){1,3}?)?(?:[A-Z][\w.'’-]*\s){1,4}the\s+"
        r"(?:other|remaining|rest|balance)\b)",
        masked,
    )
    if cm and (_has_verb(masked[: cm.start()]) or re.search(r"\bholding\b", masked[: cm.start()])):
        first = masked[: cm.start()]
        # "the remaining 8%" of what the first clause holds: a stake, however it was said
        # ("holds 12.5%")
        stake = bool(
            _OWNERSHIP.search(first)
            or (_HOLDS.search(first) and re.search(r"\d\s?%", masked[cm.end() :]))
        )
        # "..., and EIFO the remaining 8%, which it bought in 2025 for DKK 96 million": the
        # relative clause after the gapped one is a statement of its own
        rel = _RELATIVE.search(masked, cm.end())
        gap_end = s + rel.start() if rel else e
        return [
            *_split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(
                s + cm.end(),
                gap_end,
                kind_hint="ownership" if stake else "",
                attribution=seg.attribution,
            ),
            *(
                _split(
                    text,
                    Segment(
                        s + rel.end(), e, context_start=s + cm.end(), attribution=seg.attribution
                    ),
                )
                if rel
                else []
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

    # A relative clause between commas: "The group, which is controlled by the Jiangxi
    # government, said revenue ...", "Wyloo, which holds 22.6% of the Company, has agreed to
    # ...": the relative clause is a claim of its own when it states a fact (a figure, a
    # relation, a plan, something done) of another kind than the rest of its sentence
    # (README rule 3); "Kruger, which is listed on AIM, owns 64%" (a listing in an ownership
    # statement) and "the Trust, which represents five villages, holds 10%" (a description)
    # stay inside it.
    cm = re.search(
        r",\s+((?:which\s+(?:(?:also|now|still|already)\s+)?(?!it\b|its\b|they\b|we\b|the\b)"
        r"|whose\s+[a-z]+\s+)"  # "STAMICO, whose shares are held by the Treasury Registrar,"
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

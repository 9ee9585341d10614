"""Asides and relatives: the clause rules that find a fact said in passing about a name
inside a sentence (an appositive stating a record, a listing or an owner; a relation opening
the sentence; a relative clause between commas or ending the sentence) and a second clause
whose verb is left out ("X will hold 51% and Y the other 49%"). Each rule takes the sentence's
segment, its text with brackets masked, and `clauses._split` to split what is left; it returns
the pieces, or None when it does not apply."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from claims.stated_figures import parse_figures
from intake.proposer.kinds import _NO_SIGNAL, _OWNERSHIP, classify
from intake.proposer.segment import Segment, _has_figure
from intake.proposer.verbs import _EVENT_VERB, _PAST, _has_verb

Split = Callable[[str, Segment], list[Segment]]
Rule = Callable[[str, Segment, str, Split], "list[Segment] | None"]

# A relative clause after a clause: ", which it bought in 2025".
_RELATIVE = re.compile(r",\s+(?=(?:which|who)\s)")
# A verb of holding a stake: "holds 12.5%", "owns", "retained".
_HOLDS = re.compile(r"\b(?:holds?|owns?|held|keeps?|retains?)\b")
_RELATION_WORDS = re.compile(
    r"\b(?:shareholders? of|subsidiar(?:y|ies) of|unit of|parent of|owned by|owner of|"
    r"stake in|controlled by|affiliate of|part of|a unit|a subsidiary)\b",
    re.I,
)
_RELATION_SUBJECT = re.compile(
    r"^(?P<rel>(?:[\w-]+\s+)?(?:subsidiar(?:y|ies)|affiliates?|sister compan(?:y|ies)|"
    r"joint ventures?|parent(?: company)?)\s+(?:like\s+|such as\s+|including\s+)?)",
    re.I,
)
_SAYING_NEXT = re.compile(
    r"(?:also\s+|has\s+|had\s+)?(?:said|says|told|announced|reported|disclosed|confirmed|"
    r"stated)\b"
)


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


def relation_subject(text: str, seg: Segment, masked: str, split: Split) -> list[Segment] | None:
    """A sentence that opens with a relation and the names it holds ("Subsidiaries such as
    Baotou Tianhe and Inner Mongolia Xinyuan ..."): that relation is an ownership clause of its
    own, and the rest is split on."""
    s, e = seg.start, seg.end
    body = text[s:e]
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
                *split(text, Segment(s + last, e, context_start=s, attribution=seg.attribution)),
            ]
    return None


def superlative_appositive(
    text: str, seg: Segment, masked: str, split: Split
) -> list[Segment] | None:
    """An appositive superlative after a name: "Lynas, the largest producer outside China,
    said ...": a record claim of its own, and the main clause after it. Only after a name
    (capitalised words): "Exports to Germany, the largest European buyer, rose 9.3%" is one
    statement about exports and is kept whole."""
    s, e = seg.start, seg.end
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
            *split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]
    return None


def listing_appositive(text: str, seg: Segment, masked: str, split: Split) -> list[Segment] | None:
    """An appositive after a name inside the sentence that states a listing or an owner:
    "... from Neo Performance Materials, the Toronto-listed company, which separates ...":
    the main clause, the appositive (said of the name) and what follows it."""
    s, e = seg.start, seg.end
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
            *split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            _ownership_aside(seg, s + cm.start(1), s + cm.end(1), s),
            *(
                split(text, Segment(rest_start, e, context_start=s, attribution=seg.attribution))
                if len(masked[cm.end() :].split()) >= 4
                else []
            ),
        ]
    return None


def opening_appositive(text: str, seg: Segment, masked: str, split: Split) -> list[Segment] | None:
    """The same appositive after the name that opens the sentence: "Hengtai Separation, a
    subsidiary of China Minmetals Rare Earth, shipped the most ...", "KOMIR, a state-owned
    corporation under the Ministry of Trade, Industry and Energy, aims to ...": the
    appositive's ownership, then what the name does (about the name)."""
    s, e = seg.start, seg.end
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
            *split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]
    return None


def gapped_clause(text: str, seg: Segment, masked: str, split: Split) -> list[Segment] | None:
    """A second clause with its verb left out: "Enami will hold 51% of the joint venture and
    Andes Litio the other 49%"."""
    s, e = seg.start, seg.end
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
            *split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(
                s + cm.end(),
                gap_end,
                kind_hint="ownership" if stake else "",
                attribution=seg.attribution,
            ),
            *(
                split(
                    text,
                    Segment(
                        s + rel.end(), e, context_start=s + cm.end(), attribution=seg.attribution
                    ),
                )
                if rel
                else []
            ),
        ]
    return None


def relative_between_commas(
    text: str, seg: Segment, masked: str, split: Split
) -> list[Segment] | None:
    """A relative clause between commas: "The group, which is controlled by the Jiangxi
    government, said revenue ...", "Wyloo, which holds 22.6% of the Company, has agreed to
    ...": the relative clause is a claim of its own when it states a fact (a figure, a
    relation, a plan, something done) of another kind than the rest of its sentence (README
    rule 3); "Kruger, which is listed on AIM, owns 64%" (a listing in an ownership
    statement) and "the Trust, which represents five villages, holds 10%" (a description)
    stay inside it."""
    s, e = seg.start, seg.end
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
                split(text, Segment(s, s + cm.start(), attribution=seg.attribution))
                if _has_verb(masked[: cm.start()])
                else []
            ),
            Segment(s + cm.start(1), s + cm.end(1), context_start=s, attribution=seg.attribution),
            *split(text, Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution)),
        ]
    return None


def relative_at_end(text: str, seg: Segment, masked: str, split: Split) -> list[Segment] | None:
    """A relative clause at the end that states a relation or a figure of its own: "...,
    which is publicly listed". "..., which is expected in July" qualifies its clause and
    stays with it. "..., which will keep the remaining 70%": a plan or a holding of what was
    just named, when it ends the sentence."""
    s, e = seg.start, seg.end
    cm = re.search(r",\s+(?=which\s+(?:is|are|was|were|has|have|had)\b)", masked) or re.search(
        r",\s+(?=which\s+will\b[^,]*$)", masked
    )
    # "..., which the lender approved on 9 September", "..., which it acquired in the 2023
    # private placement", "..., which expects to produce 10 tonnes a year from 2028": a
    # relative clause ending the sentence with a fact of another kind than its clause.
    last = re.search(r",\s+(?=which\s+[^,]{8,}$)", masked)
    # (also when "which was ..." states no relation or figure: "... in the tender notice,
    # which was published on the national e-procurement portal" is an event of its own)
    plain = cm is not None and not (
        _OWNERSHIP.search(masked[cm.end() :])
        or _RELATION_WORDS.search(masked[cm.end() :])
        or _has_figure(text, s + cm.end(), e)
    )
    if (not cm or (plain and last is not None and cm.start() == last.start())) and (
        last and _has_verb(masked[: last.start()])
    ):
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
            *split(text, Segment(s, s + cm.start(), attribution=seg.attribution)),
            Segment(s + cm.end(), e, context_start=s, attribution=seg.attribution),
        ]
    return None


#: After the colon rule, in this order: the record, the listing or owner after a name inside
#: the sentence, the same after the name that opens it.
APPOSITIVES: tuple[Rule, ...] = (superlative_appositive, listing_appositive, opening_appositive)
#: Last of all the clause rules: a relative clause between commas, then one ending the sentence.
RELATIVES: tuple[Rule, ...] = (relative_between_commas, relative_at_end)


def first_pieces(
    rules: Sequence[Rule], text: str, seg: Segment, masked: str, split: Split
) -> list[Segment] | None:
    """The pieces of the first rule that applies, or None."""
    for rule in rules:
        pieces = rule(text, seg, masked, split)
        if pieces is not None:
            return pieces
    return None

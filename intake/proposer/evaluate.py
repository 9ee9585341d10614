"""A clause read as a proposal (`_evaluate`): the attribution trimmed off it, opinion left out,
then its figures, kind, subjects, origin and score."""

from __future__ import annotations

import re

from claims.figures import quantitative
from claims.stated_figures import parse_figures
from intake.proposer.attribution import (
    _DATA_SAID,
    _MIDDLE_ATTRIBUTION,
    _OPENS_QUOTE,
    _PUT_AT,
    _REPORTED,
    _SAID,
    _SAID_AFTER_APPOSITIVE,
    _SAID_INVERTED,
    _SAID_LEAD,
    _SAID_OFFICER,
    _SAID_PRONOUN,
    _TRAILING_ATTRIBUTION,
)
from intake.proposer.clauses import _trim
from intake.proposer.context import _Context
from intake.proposer.kinds import classify
from intake.proposer.names import _OWN_SUBJECT, unknown_subjects
from intake.proposer.opinion import rejection
from intake.proposer.origins import _origin_entity
from intake.proposer.proposal import Proposal
from intake.proposer.score import _score
from intake.proposer.segment import Segment
from intake.proposer.subjects import _subjects
from intake.proposer.wording import fingerprint

# A document that estimates is its author's: in a release, the issuer's own voice.
_DOCUMENT_WHO = re.compile(r"\b(?:study|studies|report|estimate|assessment|plan|PFS|DFS)$", re.I)
_ESTIMATED = re.compile(r"\b(?:estimated|estimates|forecast|forecasts|put|puts)$")


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
        if (
            m
            and (pattern is _PUT_AT or (pattern is _SAID and _ESTIMATED.search(m.group(0))))
            and _DOCUMENT_WHO.search(m.group("who"))
        ):
            # "The Pre-Feasibility Study put (estimated) the capital cost at": the issuer's own
            m = None
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
        who = None if by_unknown else _origin_entity(phrase, ctx, resolved, at=seg.start)
        origin_id = who.id if who is not None and who.id > 0 else None
        if who is not None:
            ctx.last_sayer, ctx.sayer_paragraph = who, ctx.paragraph_serial
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

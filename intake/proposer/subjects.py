"""Subjects: what a clause is about (`_subjects`): the organisations it names where a subject
can be (`mentions._subject_mentions`), a pronoun or a definite description referring back, the speaker of a
reported clause, a body named by its head noun ("the Commission"), a country's trade, and the
time or bare metric that may open a clause before its subject."""

from __future__ import annotations

import re

from intake.proposer.attribution import _OPENS_QUOTE, _inside_quotation
from intake.proposer.context import _Context
from intake.proposer.entities import COMPANY_KINDS, EntityRef
from intake.proposer.kinds import _OWNERSHIP
from intake.proposer.mentions import _NOUN_NEXT, _VERB_NEXT, _subject_mentions
from intake.proposer.names import (
    _COMPANY_NOUNS,
    _COREF_COMPANY,
    _OWN_SUBJECT,
    _PART_OF_COMPANY,
    _PRONOUN_START,
)
from intake.proposer.origins import _is_defined_term, _ministry, _named_by_head_noun
from intake.proposer.segment import Segment
from intake.proposer.text import _DATELINE
from intake.proposer.trade import (
    _DEMONYM_FLOW,
    _DESTINATION,
    _FLOW_FROM,
    _IMPORTS_FROM,
    _SUPPLIED_SHARE,
    _TRADE_METRIC,
    DEMONYMS,
)


def _subjects(text: str, seg: Segment, ctx: _Context) -> tuple[list[EntityRef], str]:
    """Who the clause is about, and how that was found ("names", "refers back to", or
    "nobody" when the text supports no one). Only what the text supports: the clause's own
    names; the names of the sentence it was split from; a referring phrase ("the company",
    "the miner", "its", "it", "that" at the start) resolved to the last company (else entity)
    named in the paragraph; a figure of a bare metric ("Output rose ...") in a paragraph about
    a company. A clause whose subject is someone else ("a smaller producer in Jiangxi",
    "Lanshan Magnetics") or nobody gets no known subject."""
    own = _subject_mentions(text, seg.start, seg.end, ctx)
    found = [m.entity for m in own]
    how = "names"
    if own and re.match(r"(?:which|whom)\s+(?:the\s+)?$", text[seg.start : own[0].start], re.I):
        # "..., which Beijing placed on its catalogue in 2023": the relative pronoun is the
        # object; the clause is about the name that acts.
        return found[:1], how
    if seg.context_start >= 0 and seg.context_start < seg.start:
        named_before = _subject_mentions(text, seg.context_start, seg.start, ctx)
        context = [m.entity for m in named_before]
        if seg.forced_reason == "appositive" and context:
            # "Lynas, the largest producer outside China": said of the name before it.
            found = context[:1]
            return found, "refers back to"
        if context and (
            seg.forced_reason == "appositive-inside"
            or re.match(r"^(?:which|who|whose)\b", text[seg.start : seg.end])
        ):
            # "... from Neo Performance Materials, the Toronto-listed company, which separates
            # ...": an appositive or a relative clause is about the name just before it (and
            # the parent an appositive names: "Hengtai, a subsidiary of China Minmetals,").
            if seg.forced_reason == "appositive-inside" and seg.kind_hint == "ownership":
                return list(dict.fromkeys([*context[-1:], *found])), "refers back to"
            return context[-1:], "refers back to"
        opener = named_before[:1]
        if (
            opener
            and opener[0].start == seg.context_start
            and re.match(_PREDICATE, text[seg.start : seg.end])
        ):
            # "Hengtai Separation, a subsidiary of China Minmetals, | shipped the most ...":
            # a predicate whose subject is the name opening the sentence
            return [opener[0].entity], "refers back to"
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
    at = seg.end - len(body)  # where `body` starts in the text
    if m:
        named = re.match(r",\s+[^,]{2,80}?,", body[m.end() :])
        if named and any(
            at + m.end() < o.start and o.end <= at + m.end() + named.end() for o in own
        ):
            m = None  # "The largest importer, Ulsan-based Hankuk Rare Metals, is ...": named
    if m:
        company = ctx.described(m.group(0), at + m.start()) or ctx.last_company(
            defined_term=_is_defined_term(m.group(0))
        )
        if company is not None and not found:
            found, how = [company], "refers back to"
        elif company is not None and m.start() == 0 and company not in found:
            # "The Australian miner also said it had signed ... with the U.S. Department of
            # Defense": the miner is the subject, the department the other party.
            found = [company, *found]
        elif (
            company is not None
            and company not in found
            and re.search(_OBJECT_VERB + r"\s+$", body[: m.start()])
            and not re.match(r"[’']s\b", body[m.end() :])
            and (
                re.fullmatch(r"the\s+(?:company|group|firm)", m.group(0), re.I)
                or ctx.described(m.group(0), at + m.start()) is not None
            )
        ):
            # "Natural Resources Canada awarded the company a C$18.5 million contribution":
            # the party it was given to is what the clause is about too ("fined the smelter"
            # only when the text introduced a smelter).
            found = [*found, company]
    parties = ctx.said_before or (ctx.said_last if not ctx.paragraph else [])
    if (
        not found
        and _DEAL_TERMS.match(body)
        and len(parties) >= 2
        # (a deal named just before: "signed a binding five-year offtake agreement with ...")
        and _DEAL_NAMED.search(text, max(0, at - 400), at)
    ):
        # "Pricing is linked to the Asian Metal NdPr price, with a floor of US$68": the terms
        # of the deal the sentence before (maybe ending the paragraph before) made between
        # its parties
        found, how = list(parties), "the terms of the deal the sentence before names"
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
    if (
        not found
        and lead
        and re.match(r"(?:it|they)\b", body, re.I)
        and not _OWN_SUBJECT.match(opening)
    ):
        # "It said applications would be decided within 45 days": what was said names no one,
        # so it is about whom "it" is
        found = _pronoun_referent(body, ctx)
        how = "refers back to" if found else how
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
    if (
        len(found) == 1
        and found[0].kind == "state"
        and _DESTINATION.search(body)
        and ctx.topic_state() not in (None, found[0])
        and ctx.topic_state() in (*ctx.paragraph, *ctx.said_before, *ctx.said_last)
    ):
        # "Germany remained the largest single destination": a destination of the exports of
        # the country the text is about (README rule 9: trade data is the exporter's)
        found, how = [ctx.topic_state()], "the exporter the text is about"
    share = _SUPPLIED_SHARE.match(body)
    if share and len(found) > 1 and all(e.kind == "state" for e in found):
        # "China supplied 61.8% of Japan's imports": the supplier's trade, not the buyer's
        suppliers = [
            m.entity for m in ctx.matcher.mentions(share.group("who")) if m.entity.kind == "state"
        ]
        if suppliers:
            found, how = suppliers[:1], "names"
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
            # '"We will ..., and we are aiming for ...," she said': a later clause of a
            # quotation opened earlier in its paragraph
            paragraph = text[text.rfind("\n", 0, seg.start) + 1 : seg.start]
            quoted = _OPENS_QUOTE.match(body) or _inside_quotation(paragraph)
            if _FIRST_PERSON.match(opening) and quoted and ctx.last_speaker is not None:
                company = ctx.last_speaker
            if company is not None:
                found, how = [company], "refers back to"
    if not found and _DEFINED_PART.search(body):
        # "... 12% to 15% of the Project's product basket": a release's capitalised defined
        # term is the issuer's.
        company = ctx.last_company(defined_term=True)
        if company is not None:
            found, how = [company], "refers back to"
    if not found and _TRADE_METRIC.match(opening):
        # "Exports of lithium ore reached 184,000 tonnes", "Imports ... from Myanmar rose":
        # a country's trade, in a text about one country (the state it names most).
        country = ctx.topic_state()
        if country is not None:
            found, how = [country], "refers back to"
    if (
        not found
        and ctx.defined_company is not None
        and not _OWN_SUBJECT.match(opening)
        # a market's price is nobody's, in a release too
        and not re.search(
            r"\bprices?\b(?!\s+(?:we|the Company)\b)|\baveraged\b|\btraded at\b|"
            r"\b(?:per|a) (?:tonne|ton|kilogram|kg|pound|lb)\b",
            opening,
            re.I,
        )
    ):
        # A release that defines "the Company" speaks of its own business throughout:
        # "Assays have been received for 64 holes", a drill-hole table's row.
        found, how = [ctx.defined_company], "refers back to"
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


# A clause that opens with its verb: the predicate of a subject named before it.
_PREDICATE = re.compile(
    r"(?:also\s+)?(?:is|are|was|were|has|have|had|will|would|aims|plans|expects|intends|"
    r"holds|owns|operates|produces|supplies|(?-i:[a-z]+ed))\s",
)
_SAYS = r"(?:also\s+)?(?:said|says|added|told|noted|expects|estimated|reported|announced)\b"


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
    sayer = ctx.recent_sayer()
    if (
        sayer is not None
        and not ctx.paragraph
        and not ctx.said_before
        and re.match(rf"^(?:it|they)\s+{_SAYS}", opening, re.I)
    ):
        # "China's Ministry of Commerce said ... The notice, No. 61, also lowers ... It said
        # applications would be decided within 45 days": who spoke last
        return [sayer]
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


# A definite description by what a body is: "the Ministry", "the Commission", "the province",
# "the government", "the exchange" (not "the state-owned ...", not "the bank's chief ...").
_HEAD_NOUN = re.compile(
    r"\bthe\s+(?:(?P<modifier>(?-i:[a-z])[\w-]*)\s+)?(?P<noun>center|centre|institute|ministry|"
    r"department|agency|bank|fund|"
    r"commission|authority|council|exchange|regulator|government|province|state|trust|lender)"
    r"\b(?![-\w])(?!['’]s\s)",
    re.I,
)


# A deal's terms, opening a clause that names nobody: "Pricing will be set quarterly ...",
# "Prices are linked to ...", "Deliveries start in 2028", "The agreement runs for ten years".
_DEAL_TERMS = re.compile(
    r"^(?:pricing|prices?|the\s+(?:price|pricing|floor|tenor|term|offtake|agreement|contract|"
    r"deal|loan|facility)|deliveries|volumes|payments?)\b(?!\s+(?:of|for)\b)",
    re.I,
)
_DEAL_NAMED = re.compile(
    r"\b(?:agreement|offtake|contract|deal|term sheet|memorandum|facility|loan|supply pact)\b", re.I
)
# What puts a party after it: a verb that gives, lends, tells or orders it ("awarded the company",
# "lent the group", "told the company") or a preposition of a dealing ("to", "with", "from").
_OBJECT_VERB = (
    r"\b(?:awarded|granted|lent|loaned|paid|gave|offered|sent|sold|supplied|issued|fined|"
    r"ordered|told|asked|allowed|licensed|to|with|from)"
)


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
# A release's defined terms for what the issuer owns, capitalised: "the Project's", "the
# Placement", "the Offer".
_DEFINED_PART = re.compile(r"\bthe (?:Project|Placement|Offer|Facility|Transaction)\b")
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

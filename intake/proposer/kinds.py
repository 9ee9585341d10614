"""Kinds: a clause's kind (figure, event, plan, ownership) and the reason for it (`classify`),
with the patterns of ownership and control, plans, forecasts and targets, completed acts, changes
and records."""

from __future__ import annotations

import re

from claims.figures import quantitative
from intake.proposer.verbs import IMPERATIVE, PLACE_UNDER

_OWNERSHIP = re.compile(
    # a listing, whoever's shares: "Its shares trade on the Toronto Stock Exchange"
    r"\b(?:shares|stock) (?:trade|trades|are traded|is traded|are listed|is listed) on\b|"
    # who holds them: "whose shares are held entirely by the Treasury Registrar"
    r"\b(?:shares|stock|equity|stake)\s+(?:is|are|was|were)\s+(?:\w+ly\s+)?held\b|"
    # "owns", not "its own" / "our own"
    r"(?<!\bour )(?<!\bits )(?<!\btheir )(?<!\bhis )(?<!\bher )(?<!\bmy )(?<!\byour )"
    r"\b(?:owns?|owned|owners?|ownership)\b|"
    r"\b(?:controlling stake|stake in|stakes? of|shareholders? of|"
    r"a shareholder|(?:controlling|largest|biggest|majority|minority|main|principal) "
    r"(?:shareholder|owner|stakeholder)|subsidiary of|a subsidiary|its subsidiary|parent company|part of|state[- ]owned|state[- ]backed|"
    # "Tenggara is a unit of Orchid", "an affiliate of", "the trading arm of"
    r"(?:a|an|the)\s+(?:[\w-]+\s+)?(?:unit|affiliate|arm|division)\s+of|"
    r"state[- ]controlled|controls|controlled by|control over|exerts? control|"
    r"publicly listed|listed on|(?:shares|stock) (?:trade|trades|are traded|is traded) on|acquired|acquires|holds? (?:a|the) \w* ?stake|"
    r"operates? the|operate the|operated by|"
    # a share held: "holds 22% of", "Timah holds 30%", "will hold approximately 9.9% of"
    r"\b(?:holds?|held|owns?)\s+(?:about |around |nearly |some |over |almost |approximately |"
    r"roughly |just over |just under )?\d[\d.,]*\s?%(?:\s+(?:of|in)\b|\s*(?:[,;.)]|$)|"
    r"\s+(?:and|while|with|through|via)\b)|"
    # the rest of a stake, by whom: "the remaining 10% belongs to Koyama Shoji", "The
    # remaining 85% is held by Kunene", "the other 49% is owned by"
    r"\b(?:remaining|other|balance of(?: the)?|rest of(?: the)?)\s+\d[\d.,]*\s?%\s+"
    r"(?:(?:is|are|was|were|will be)\s+(?:\w+ly\s+)?(?:held|owned)\s+by|belongs?\s+to|"
    r"goes\s+to|went\s+to)\b|"
    # a stake had: "The Greenland government has a 12.5% free-carried interest"
    r"\b(?:has|have|had|holds?|held|retains?|retained)\s+(?:a|an)\s+(?:about\s+|nearly\s+)?"
    r"\d[\d.,]*\s?%\s+(?:[\w-]+\s+){0,2}?(?:interest|stake|shareholding|holding)\b|"
    # a stake bought: "which bought 19.9% of the company in 2024"
    r"(?:bought|purchased|buys)\s+(?:a\s+)?(?:about\s+|nearly\s+)?\d[\d.,]*\s?%"
    r"(?:\s+stake)?\s+(?:of|in)\b|"
    # a body's place under another: "reports to the Department of Trade, Industry and
    # Competition", "EIFO belongs to the Danish state"
    rf"\b{PLACE_UNDER}\s+the\s+(?:[\w-]+\s+){{0,2}}?(?-i:[A-Z])|"
    r"\bbelongs\s+to\s+the\s+(?:\w+\s+)?state\b|"
    # "with POSCO Future M holding 35%": a holder's name, then its share
    r"(?-i:[A-Z])[\w-]*\s+holding\s+(?:about\s+|nearly\s+)?\d[\d.,]*\s?%|"
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
    r"reach|produce|invest|build|launch|have)|aiming (?:for|to|at)|to be (?:completed|built|commissioned)|"
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
# (a plan in the labelling rules), and the future of a verb ("LKAB will buy 60% of the oxides
# for ten years"), though "X will provide a A$65 million loan" states a deal's terms as often.
_MODAL_PLAN = re.compile(
    r"\b(?:would\s+(?:\w+ly\s+)?(?!not\b)[a-z]{2,}|"
    # the future of a verb, in lower case ("Will Adams", "the will of the board" are none;
    # "will always find an open door" is a promise with no time, no plan)
    r"(?<!\bthe )(?<!\bher )(?<!\bhis )(?<!\bits )(?-i:will)\s+(?!always\b|never\b|forever\b)"
    r"(?:\w+ly\s+)?(?!not\b|be\s+(?:entitled|able)\b|of\b)(?-i:[a-z]{2,})|(?<!\ban )(?<!\ba )(?:intends?|aims?|plans?)\s+to|"
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
# A rank is a figure (README rule 4): "the second-largest rare earth reserves in the world",
# "the bank's first equity investment", "the second state-led lithium tie-up this year".
_RANK = re.compile(
    r"(?<!\bof )\b(?:(?:the|its|their)\s+(?:[\w-]+['’]s\s+)?|[A-Z][\w.&-]*['’]s\s+|world['’]s\s+)"
    r"(?:(?:second|third|fourth|fifth)-(?:largest|biggest)|largest|biggest|first)"
    r"\s+(?!(?:step|is|was|half|quarter|time)\b)[a-z][\w-]+",
    re.I,
)
_VAGUE_AMOUNT = re.compile(r"\b(?:billions|millions|trillions|hundreds of|thousands of)\b", re.I)
_TARGET = re.compile(
    r"\b(?:should|must|needs? to)\s+(?:\w+\s+){0,2}?(?:contribute|reach|rise|grow|account for|"
    r"make up|produce|supply|exceed|double|triple|fall|drop)\b[^.;]*\bby\s+(?:19|20)\d{2}\b",
    re.I,
)


_NO_SIGNAL = "states something that happened or is the case"


_TRANSACTION = re.compile(
    r"(?<!\bis )(?<!\bbe )(?<!\bare )\b(?:signed|awarded|approved|agreed(?:\s+(?:in|on|last)\s+\w+"
    r"(?:\s+\d{4})?)?\s+to|converted|pledged|won|secured|issued|hired|applied (?:for|to)|completed|"
    r"(?:bought|purchased)\b(?=[^.;]{0,80}\bfor\b)|shipped its first|entered (?:commercial |trial )?(?:production|operation|service)|"
    r"raised\b(?=[^.;]{0,60}\b(?:offering|IPO|placement|round|financing|funding)\b)|"
    # money raised: "has raised €310 million", "raised A$42.5 million" (not "raised its price")
    r"raised\s+(?:about\s+|nearly\s+|more than\s+)?(?:[A-Z]{0,3}\$|€|£|¥|(?:SEK|NOK|DKK|EUR|"
    r"USD|CHF|ZAR|R|N\$)\s?)\d)"
)
# A change of a figure ("rose", "from ... to", "up 9%"), not a cap ("up to 1.5 billion yuan").
_CHANGE = re.compile(
    r"\b(?:rose|fell|increased|decreased|grew|declined|jumped|climbed|dropped|up(?!\s+to\b)|down|"
    # "from" a figure or a period ("from 6,000 yen", "from a year earlier"), not a party
    # ("bought the rights from Uis Tin Holdings for N$48 million")
    r"from(?=\s+(?:about\s+|around\s+|nearly\s+)?(?:[A-Z]{0,3}\$|€|£|¥)?\d|\s+(?:a|the)\s+"
    r"(?:year|quarter|month|half|same|previous|prior)\b|\s+(?:last|the last)\b))\b"
)


# A clause whose first verb is a completed act: up to eight words of its subject (no verb
# among them), then the act.
_DONE_FIRST = re.compile(
    r"^(?:(?:on|in|during|after|before|at)\s+[^,]{3,40},?\s+)?"
    r"(?:(?!(?:is|are|was|were|has|have|had|will|would|said|says)\b)[\w.&'’()-]+\s+){1,11}?"
    r"(?:has\s+|have\s+)?(?P<verb>signed|granted|awarded|received|won|secured|issued|"
    r"completed|opened|commissioned|launched|lifted|sent|approved|introduced)\b"
    r"(?!\s+(?:by|to|with)\b)",
    re.I,
)


_AGREED_DEAL = re.compile(
    r"\b(?:has|have|had)\s+(?:\w+ly\s+)?agreed\s+(?:(?:in|on|last|this)\s+\w+\s+(?:\d{4}\s+)?)?to\s+"
    r"(?:buy|acquire|purchase|take|invest|sell|subscribe)\b",
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
    m = IMPERATIVE.match(text.strip())
    if m:
        return "plan", f"a step set as an instruction ({m.group(0)!r})"
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
    m = _AGREED_DEAL.search(text)
    if m:
        # "STAMICO has agreed to buy a 15% stake in Kisaki": the agreement made is what can
        # be checked now; the stake is held only once it closes
        return "event", f"a deal agreed ({m.group(0)!r})"
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

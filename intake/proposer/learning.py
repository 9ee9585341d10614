"""What a sentence teaches the reader before its clauses are read (`_learn_names`): the
organisations it names that the register does not know, the short names, tickers and project
names it gives them, and the company a release defines as "the Company"."""

from __future__ import annotations

import re

from intake.proposer.context import _Context
from intake.proposer.entities import COMPANY_KINDS
from intake.proposer.names import unknown_subjects

# "Malawi Mining Investment Company (MMIC)", 'Coolgardie Critical Minerals Limited
# ("Coolgardie" or "the Company")': the short name a text defines for an organisation.
_DEFINED = re.compile(
    r"\(\s*(?:[\"“']([A-Z][\w&.' -]{1,40})[\"”'][^)]*|([A-Z]{2,8})|"
    # "The Canadian Strategic Minerals Fund (the Fund) is ...": a defined term without quotes
    r"the\s+(?P<term>Company|Group|Corporation|Fund|Trust|Bank|Agency))\s*\)"
)


# "(ASX: KIC)"; "(WSE: KLM, "Kłodnica Magnetics" or "the Company")": the ticker, then the
# bracket closed or the definition after it
_LISTING = r"\(\s*(?:[A-Z][\w.-]*\s*:\s*)([A-Z][A-Z.]{1,7})\s*"
_TICKER = re.compile(_LISTING + r"\)")
_TICKER_THEN_DEFINED = re.compile(_LISTING + r"[,;]\s*(?=[\"“']|the\s)")


_OWN_PROJECT = re.compile(
    r"\bits\s+(?:[\w%-]+-owned\s+|flagship\s+|wholly\s+owned\s+)?"
    r"((?:Mt|Mount|Lake|Port|[A-Z][a-z]+)(?:\s[A-Z][\w'’-]+){0,2})\s+"
    r"(?:(?:rare earths?|lithium|nickel|graphite|ionic clay)\s+)?(?:project|mine|deposit)\b"
)


def _learn_names(text: str, start: int, end: int, ctx: _Context) -> None:
    """Remember the organisations a sentence names that the register does not know (see
    `_Context.learn_unknown`), with the short names it defines for them; and the company a
    release defines as "the Company", known or not."""
    for name in unknown_subjects(text, start, end, ctx.matcher, indefinite=False):
        entity = ctx.learn_unknown(name)
        if entity is None:
            continue
        at = text.find(name, start, end)
        if at < 0:
            continue
        tickers, m = _definition(text, at + len(name), end)
        for ticker in tickers:
            ctx.learn_unknown(name, ticker)
        # "... for its 100%-owned Mt Burgess rare earths project": the project's name is
        # the company's too ("Mt Burgess would produce ..." is about the company).
        for pm in _OWN_PROJECT.finditer(text, at + len(name), end):
            ctx.learn_unknown(name, pm.group(1))
        if m:
            defined = ctx.learn_unknown(name, m.group(1) or m.group(2) or "")
            if _defines_the_company(m):
                ctx.defined_company = defined
    if ctx.defined_company is None:
        # 'Lynas Rare Earths Ltd ("Lynas" or "the Company")': a known issuer defines its
        # Company as an unknown one does
        for mention in ctx.matcher.mentions(text, start, end):
            if mention.entity.kind in COMPANY_KINDS:
                _, m = _definition(text, mention.end, end)
                if m and _defines_the_company(m):
                    ctx.defined_company = mention.entity
                    break


def _definition(text: str, at: int, end: int) -> tuple[list[str], re.Match | None]:
    """The tickers and the definition in brackets after a name ending at `at`: 'Kimberley
    Ionic Clays Limited (ASX: KIC) ("KIC" or "the Company")'."""
    tail = text[at : min(end, at + 80)].lstrip(" .,")
    # "Kujalleq Rare Metals plc ("Kujalleq" or "the Company")": a lower-case legal form
    # the name reader left behind stands between the name and its definition
    # (or a Nordic "(publ)", a public company's mark: 'Tornefjäll Minerals AB (publ)
    # ("Tornefjäll" or "the Company")')
    tail = re.sub(
        r"^(?:(?:plc|ltd|limited|inc|corp|llc|a/s|s\.a)\b\.?|\(publ\))[ ,]*",
        "",
        tail,
        flags=re.I,
    )
    tickers = []
    listed = _TICKER_THEN_DEFINED.match(tail)
    if listed:
        # 'Kłodnica Magnetics S.A. (WSE: KLM, "Kłodnica Magnetics" or "the Company")': the
        # ticker and the definition in one pair of brackets
        tickers.append(listed.group(1))
        tail = "(" + tail[listed.end() :]
    ticker = _TICKER.match(tail)
    while ticker:
        # "Kimberley Ionic Clays Limited (ASX: KIC) ("KIC" or "the Company")": the ticker
        # is a short name too, and the definition may follow it (after another listing:
        # "(TSXV: TCM) (OTCQB: TCMMF)").
        tickers.append(ticker.group(1))
        tail = tail[ticker.end() :].lstrip(" .,")
        ticker = _TICKER.match(tail)
    return tickers, _DEFINED.match(tail)


def _defines_the_company(m: re.Match) -> bool:
    return bool(
        m.group("term")
        or re.search(r"\bthe\s+[\"“']?(?:Company|Group|Corporation|Fund|Trust)\b", m.group(0))
    )

"""Attribution: the phrases that say who said a statement ("X said", "said X", "according
to X", ", the company said.", "customs data showed", "It expects", "put ... at", "assessed ... at"), the verb of
saying that opens a clause ("said on Monday that"), and a quotation's opening."""

from __future__ import annotations

import re

from intake.proposer.names import _COMPANY_NOUNS

# Between the words of a name: a space, "of" / "and" / "&" / "for", or the comma before a
# legal suffix ("Yunnan Dongshan Germanium Industry Co., Ltd. said").
_NAME_JOIN = r"(?:\s+(?:of|and|&|for)?\s*|,\s+(?=(?:Ltd|Inc|Limited|LLC|Corp)\b))"
_SAID = re.compile(
    rf"(?P<who>(?:[Tt]he |[Ii]ts )?(?:[A-Z][\w&.'’-]*(?:{_NAME_JOIN}[A-Z][\w&.'’-]*){{0,6}})|"
    r"[Tt]he (?:[\w.’'-]+\s+){0,3}?(?:company|firm|group|miner|producer|refiner|developer|explorer|"
    r"manufacturer|maker|supplier|processor|operator|smelter|ministry|government|"
    r"agency|regulator|spokes(?:man|woman|person)))"
    r"(?:'s)?(?:\s+(?:also|further|separately|later|earlier|previously))?\s+(?:said|says|stated|announced|told|noted|"
    # ("added seven heavy rare earths to its export-control list": something done, not said)
    r"added(?!\s+(?:\d[\d.,]*|a|an|the|its|their|another|more|new|two|three|four|five|six|seven|"
    r"eight|nine|ten|several)\b)|confirmed|claimed|disclosed|"
    r"reported|estimated|forecast|estimates|expects|forecasts|predicts)\b"
)
# "Chief executive Henrik Aasen said", "The company's chief executive told analysts".
_SAID_OFFICER = re.compile(
    # "Rufiji managing director Sarah Whitcombe said": the employer named before the title
    r"(?P<who>(?:(?:[Tt]he|[Ii]ts)\s+(?:[\w-]+['’]s\s+)?|"
    r"(?!(?:The|Its|But|And|In|On|At|As|With)\b)[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3}\s+)?"
    r"(?:[Cc]hief\s+[a-z]+(?:\s+officer)?|"
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


_OPENS_QUOTE = re.compile(r"^\s*[\"“]")


def _inside_quotation(before: str) -> bool:
    """Does a quotation opened in `before` (the paragraph up to a sentence) run on?"""
    curly = before.count("“") - before.count("”")
    return curly > 0 or (not curly and before.count('"') % 2 == 1)


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
    r"(?:\s+(?:(?:of|and|for)\s+)?[A-Z][\w&.'’-]*){0,5}))\s+(?:(?:put|puts|valued|values|estimated|estimates|"
    r"pegged|pegs)\s+"
    r"(?=(?:the|its|their)\s+[^,.;]{3,80}?\s+at\b|"
    # "put Sarybulak's resource at 27.4 million tonnes", "put capital spending for the first
    # phase at 800 million yuan": whatever is estimated, before its figure
    r"[^.;,]{3,100}?\s+at\s+(?:about\s+|around\s+|roughly\s+|some\s+)?(?:[$€£¥]|[A-Z]{1,3}\$|\d))|"
    # an estimate revised: "The U.S. Geological Survey cut its estimate of those reserves to"
    r"(?:cut|raised|lowered|revised|lifted|trimmed)\s+(?=(?:its|their)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:estimates?|forecasts?|guidance|outlook)\b)|"
    # a price reporter's assessment: "Fastmarkets assessed dysprosium oxide, CIF Japan, at"
    r"(?:assessed|assesses|quoted|quotes)\s+(?=[^.;]{3,100}?\s+at\s+(?:[$€£¥]|US\$|A\$|\d)))"
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

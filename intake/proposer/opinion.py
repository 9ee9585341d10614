"""Opinion and rhetoric: why a clause is not a checkable statement (`rejection`): a question,
a note, a disclaimer or a refusal, a quotation without a figure, rhetoric, a comparative
judgement, an opinion or a vow, an evaluation, a prescription, a hedge; and the comment aside
that marks a whole sentence as the writer's view (`_ASIDE`)."""

from __future__ import annotations

import re

from intake.proposer.kinds import _OWNERSHIP, _RANK, _TARGET

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
    r"admittedly|frankly|to be fair|to be sure|of course|it is fair to say)\s*,|"
    # a sentence opened as the writer's view: "In our view, the gap in processing remains ..."
    r"^[\"“]?(?:in (?:our|my) (?:view|opinion|judgement|judgment)|in the (?:view|opinion) of "
    r"(?:the|this) (?:board|fund|company|management|authors?)|arguably|we believe that|"
    # "We think so, because it is one of very few sources ...": the speaker's view
    r"(?:we|I)\s+(?:think|believe|feel|consider)\b(?!\s+(?:tank|about)\b)|"
    r"we (?:see|view|regard)\b[^.;:]{1,80}?\bas)\b",
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
    r"\bnothing short of\b|\bsays? it all\b|\bspeaks volumes\b|\bremains to be seen\b|"
    # a verdict of confidence: "the strongest endorsement Vuolla could receive", "a testament
    # to the team", "a powerful vote of confidence"
    # (an adjective of degree is what makes it a verdict: "the validation drilling programme",
    # "the endorsement of the Ministry" are things)
    r"\b(?:the|a|an)\s+(?:strongest|clearest|best|biggest|greatest|ultimate|strong|clear|"
    r"powerful|resounding|ringing)\s+(?:possible\s+)?(?:endorsement|vote of confidence|"
    r"testament|validation|seal of approval)\b|\ba\s+testament\s+to\b|\ba\s+vote\s+of\s+confidence\b",
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
    # a reaction: "Epangelo's managing director welcomed the arrangement"
    r"\b(?:welcomed|welcomes|praised|praises|hailed|hails|applauded|criticised|criticized|"
    r"condemned|lamented|cheered)\s+(?:the|this|that|its|their|a|an)\b|"
    # a lesson drawn ("The year proved that patient public capital can bring private money")
    # and a forecast of feelings ("Investors who ... will be disappointed")
    r"\b(?:proved|proves|showed|shows|demonstrated|demonstrates)\s+that\b[^.;]*?"
    r"\b(?:can|could|must|should)\b|"
    r"\bwill be (?:disappointed|surprised|pleased|rewarded|punished|vindicated|sorry)\b|"
    r"\bsaid\s+(?:that\s+)?(?:the|this|that|it|its)\s+(?:[\w-]+\s+){0,2}?(?:reflected|reflects|"
    r"showed|shows|underscored|underscores|signalled|signaled|signals|demonstrated|highlighted|"
    r"marked|represented|proved|vindicated)\b|"
    # a mission statement ("Quandong is committed to building a secure, responsible supply
    # of magnet rare earths"); with a date it is a plan someone can be held to
    r"\b(?:is|are|remains?)\s+(?:fully\s+|deeply\s+|firmly\s+)?committed to\s+"
    r"(?![^.;]*\b(?:19|20)\d\d\b)",
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
_QUOTED = re.compile(r'^\s*["“][^"“”]{3,}["”][,.]?(?:\s|$)|^\s*["“][^"“”]{3,}$')
_NOT_A_STATEMENT = re.compile(
    r"^\(?\s*(?:US)?\$\s?1\s?=|\bforward-looking statements?\b|"
    # an agency's correction or update note: "(Corrects October import figure in paragraph 1"
    r"^\(\s*(?:Corrects|Updates|Adds|Recasts|Refiles|Removes)\b|"
    # (not "an explorer, which it declined to name": the refusal is only an aside there)
    r"(?<!\bwhich it )(?<!\bwhich they )(?<!\bwhom it )(?<!\bwhom they )"
    r"\b(?:declined|refused) to (?:name|comment|say|give|disclose|identify|elaborate)\b|"
    # a risk disclaimer and a competent person's statement: the release's legal boilerplate
    r"\bthere (?:is|can be) no (?:guarantee|assurance)\b|\bno (?:guarantee|assurance) can be\b|"
    r"\bsufficient experience (?:that is )?relevant to the style of mineralisation\b|"
    r"\bconsents? to the inclusion\b|\bthere is no certainty\b|"
    r"\b(?:has|have) been (?:prepared|reviewed|verified) and approved by\b|"
    r"\breviewed and approved (?:by|the (?:scientific|technical))\b|"
    r"\bthat relates? to (?:the )?(?:exploration results|mineral resources?|ore reserves?)\b|"
    r"\bobtained from sources (?:we )?believed? to be reliable\b|"
    r"\b(?:is|are) (?:preliminary|conceptual) in nature\b|"
    r"\b(?:do|does) not have demonstrated economic viability\b|"
    r"\bmineral resources (?:that )?are not mineral reserves\b|"
    r"\bfor information(?:al)? purposes only\b|\bdoes not constitute (?:an offer|advice|"
    r"investment advice|a recommendation)\b|\bpast performance is not\b|"
    # an exchange's disclaimer: "Neither the TSX Venture Exchange nor its Regulation Services
    # Provider ... accepts responsibility for the adequacy or accuracy of this release"
    r"\b(?:accepts?|assumes?|takes?)\s+(?:no\s+)?responsibility\s+for\s+the\s+"
    r"(?:adequacy|accuracy|contents?)\b",
    re.I,
)


# A dated intention in a quotation is a plan someone can be held to: '"We expect to take a
# final investment decision in the third quarter of 2027."'
_QUOTED_PLAN = re.compile(
    r"\b(?:we|I|it|they)\s+(?:expect|plan|intend|aim|will|are going|hope|"
    r"(?:are|am)\s+(?:aiming|planning|expecting|targeting))\b[^.;]{0,120}?\b"
    r"(?:(?:19|20)\d\d|next year|this year|(?:first|second|third|fourth|final)\s+(?:quarter|half)|"
    r"by the end of)\b",
    re.I,
)


# An open question put as a statement: "Whether Campo Alegre becomes a model or a warning will
# depend on ...", "Whether the money buys an industry, or only a quarry, is the question the
# next two years will answer".
_WHETHER = re.compile(
    r"^[\"“]?Whether\b[^.;:]{3,240}?\b(?:(?:will|would|may|might|could)\s+)?(?:depends?|"
    r"hinges?|turns?|rests?|remains?|is\s+(?:unclear|uncertain|not\s+yet\s+clear|"
    r"an\s+open\s+question|anyone's\s+guess|(?:the|a|an)\s+(?:\w+\s+)?question))\b"
)


def rejection(text: str, *, sentence: str, has_figure: bool) -> str:
    """Why a clause is opinion or rhetoric rather than a checkable statement ("" when it is not)."""
    if sentence.rstrip(' "”’)').endswith("?") or text.rstrip().endswith("?"):
        return "a question"
    if _WHETHER.match(sentence.strip()) or _WHETHER.match(text.strip()):
        return "an open question (whether ... depends on / remains ...), not a statement"
    m = _NOT_A_STATEMENT.search(text)
    if m:
        return f"not a statement of fact ({m.group(0)!r}: a note, a disclaimer or a refusal)"
    has_figure = has_figure or bool(_RANK.search(text))
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
    rank = re.match(r"^(?:it|this)\s+(?:is|was)\s+", text, re.I) and _RANK.match(
        text, re.match(r"^\w+\s+\w+\s+", text).end()
    )
    if (
        _EVALUATION.match(text)
        and not (relation and relation.group(0).lower() != "part of")
        and not rank
    ):
        # "It is a wholly owned subsidiary of X" states a relation; "This is a ..." judges.
        return "an evaluation (this is / this shows ...)"
    m = _PRESCRIPTIVE.search(text)
    if m and not (has_figure and _TARGET.search(text)):
        return f"a prescription ({m.group(0)!r})"
    m = _HEDGE.search(text)
    if m and m.group(0) == "would" and _REPORTED_WOULD.search(sentence):
        # "X said the proceeds would cover ...": what someone said will happen (a plan in
        # reported speech), not the writer hedging.
        m = _HEDGE.search(text, m.end())
    if m and not has_figure:
        return f"hedged opinion ({m.group(0)!r})"
    return ""


_REPORTED_WOULD = re.compile(
    r"\b(?:said|says|told\s+\w+|added|announced|confirmed|stated)\s+(?:that\s+)?"
    r"(?:[\w’'-]+\s+){1,6}?would\b"
)

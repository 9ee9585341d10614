"""A country's trade, opening a clause: a trade or market metric that names no one, goods
leaving a place, what a country bought from another, a country's adjective (`DEMONYMS`);
`_subjects` makes them the trading country's."""

from __future__ import annotations

import re

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
# A buyer ranked among an exporter's destinations: "Germany remained the largest single
# destination", "Japan was the second-biggest buyer".
_DESTINATION = re.compile(
    r"\b(?:is|was|remained|remains|became|stayed)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:largest|"
    r"biggest|top|main|leading|second-largest|third-largest|second-biggest)\s+(?:single\s+)?"
    r"(?:destination|buyer|importer)s?\b(?!\s+(?:of|for)\s+(?!(?:its|their|the\s+\w+['’]s)\b))"
)


# A supplier's share of a buyer's imports: "China supplied 61.8% of Japan's imports",
# "Myanmar accounted for 38% of China's imports of the concentrate".
_SUPPLIED_SHARE = re.compile(
    r"^(?P<who>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*){0,2})\s+(?:supplied|provided|"
    r"accounted\s+for|made\s+up)\s+(?:about\s+|nearly\s+|almost\s+|some\s+)?[\d.,]+\s?%\s+of\s+"
    r"(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*){0,2}['’]s?\s+(?:[\w-]+\s+){0,2}?imports\b"
)


_DEMONYM_FLOW = re.compile(
    r"^(?:the\s+)?(?:South\s+)?(?P<adj>(?-i:[A-Z])[a-z]+)\s+(?:[a-z][\w-]*\s+){0,2}?"
    r"(?:shipments|exports|imports|deliveries|sales|supplies|output|production|purchases|"
    r"volumes|arrivals)\b"
)

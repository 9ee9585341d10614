"""Subjects and origins only where the text supports them, opinion left out, appositives and
table rows (intake.proposer): the rules of issue 27, on texts written for these tests."""

from __future__ import annotations

from intake.proposer.entities import EntityRef
from intake.proposer.propose import propose

NRE, LYNAS, HUNAN = 1, 2, 3
ENTITIES = [
    EntityRef(NRE, "China Northern Rare Earth Group", "soe", ("Northern Rare Earth",)),
    EntityRef(LYNAS, "Lynas Rare Earths", "private_company", ("Lynas",)),
    EntityRef(HUNAN, "Hunan Metals Group", "soe"),
]

TEXT = """Producers report a mixed half

China Northern Rare Earth Group told investors this week that net profit rose 1,882.5% in the first half. The company said output of rare earth metals rose 60.4%.

Separately, a smaller producer in Jiangxi said it had hired 40 new engineers.

Lynas Rare Earths, the largest producer outside China, said revenue fell 9% in the quarter. The Australian miner also said it had signed a supply contract worth $258 million with a Japanese buyer.

Hunan Metals Group owns 60% of Lanshan Holdings. That makes the province the controlling shareholder. Its magnet subsidiary, Lanshan Magnetics, shipped 12,500 tonnes of magnets in 2025.

Exports to Germany, the largest European buyer, rose 9.3% to 1,240 tonnes.

The gap between announced capacity and verifiable output has never been wider. For Western buyers the figures are a wake-up call.

Exports by destination, tonnes (2024 in brackets)
Japan 1,120 (1,040)
South Korea 498 (510)
"""


def proposals():
    return propose(TEXT, entities=ENTITIES, title="Producers report a mixed half")


def find(found, fragment):
    hits = [p for p in found if fragment in p.text]
    assert hits, f"nothing proposed holds {fragment!r}: {[p.text for p in found]}"
    return hits[0]


def test_a_clause_naming_nobody_known_gets_no_subject_and_says_so():
    p = find(proposals(), "hired 40 new engineers")
    assert p.subjects == []  # not Northern Rare Earth, the last company named
    assert p.named_subjects == ["a smaller producer in Jiangxi"]
    assert any("not a known entity" in r for r in p.reasons)
    plain = propose(
        "Lynas Rare Earths posted record sales.\n\nExports to Germany rose 9.3% to 1,240 tonnes.",
        entities=ENTITIES,
    )
    nameless = find(plain, "Exports to Germany")
    assert nameless.subjects == []
    assert any("no subject" in r for r in nameless.reasons)


def test_referring_phrases_resolve_within_the_paragraph():
    found = proposals()
    assert find(found, "The company said output").subjects == [NRE]
    # "That" is about what the sentence before said: the owner and the company owned.
    that = find(found, "That makes the province")
    assert (that.subjects, that.named_subjects) == ([HUNAN], ["Lanshan Holdings"])
    # "Its magnet subsidiary, Lanshan Magnetics, shipped ...": the subsidiary named there did.
    subsidiary = find(found, "Its magnet subsidiary, Lanshan Magnetics, shipped 12,500 tonnes")
    assert (subsidiary.subjects, subsidiary.named_subjects) == ([], ["Lanshan Magnetics"])


def test_the_miner_said_makes_the_subject_it_refers_to_the_origin():
    found = proposals()
    miner = find(found, "The Australian miner also said")
    assert (miner.origin_kind, miner.origin_id) == ("attributed", LYNAS)
    assert miner.subjects == [LYNAS]
    assert find(found, "The company said output").origin_id == NRE
    # "said" is outside the span (bench/corpus/README.md rule 2) and is the origin
    revenue = find(found, "revenue fell 9%")
    assert revenue.text.startswith("revenue") and revenue.origin_id == LYNAS


def test_opinion_and_rhetoric_are_not_proposed():
    texts = " ".join(p.text for p in proposals())
    assert "never been wider" not in texts
    assert "wake-up call" not in texts


def test_an_appositive_after_a_phrase_that_is_not_a_name_is_kept_whole():
    p = find(proposals(), "Exports to Germany")
    assert p.text == "Exports to Germany, the largest European buyer, rose 9.3% to 1,240 tonnes."
    assert p.subjects == []  # nor does it take the previous sentence's subject


def test_table_rows_are_figure_claims_with_the_captions_unit():
    row = find(proposals(), "South Korea 498 (510)")
    assert row.kind == "figure"
    assert [(f["value"], f["unit"]) for f in row.figures] == [(498, "t"), (510, "t")]


def test_a_plan_is_a_plan_not_a_fragment():
    [p] = propose(
        "The Company intends to complete a definitive feasibility study in the second half of "
        "2026.",
        entities=ENTITIES,
    )
    assert p.kind == "plan"
    assert not any("fragment" in r for r in p.reasons)


def test_a_quotation_without_a_figure_is_not_proposed_even_in_its_second_sentence():
    text = (
        'Lynas Rare Earths shipped 2,410 tonnes in the quarter. "Our customers are asking for '
        'more," the chief executive said. "We are building a company that will help the West '
        'break its dependence on a single supplier."'
    )
    found = propose(text, entities=ENTITIES)
    assert [p.text for p in found] == ["Lynas Rare Earths shipped 2,410 tonnes in the quarter."]


def test_a_participle_that_qualifies_the_figure_stays_with_it():
    text = (
        "Pre-production capital expenditure is estimated at A$612 million, including a 15% "
        "contingency, with a payback period of 3.2 years."
    )
    [p] = propose(text, entities=ENTITIES)
    assert p.text == text


REPORT = """Qingshan Rare Earth Materials Co., Ltd. (Stock code: 600123) · Excerpt from the 2025 Annual Report

In 2025 the Group sold 21,000 tonnes of magnets, up 9.1% on 2024.

Research and development expenditure rose to 512 million yuan, or 4.3% of operating revenue. In December 2025 the Board approved the issuance of up to 1.5 billion yuan of notes.

Hunan Metals Group holds 30.2% of the Company's shares and a further 9.6% through Lanshan Holdings, which it wholly owns. That makes Hunan Metals Group the controlling shareholder of the Company.

The total Mineral Resource stands at 38.6 Mt at 0.52% TREO.
"""


def test_a_report_s_own_metrics_and_defined_terms_are_its_issuer_s_after_a_date():
    found = propose(REPORT, entities=ENTITIES, title="Annual report")
    issuer = "Qingshan Rare Earth Materials Co"
    rnd = find(found, "Research and development expenditure")
    assert rnd.named_subjects == [issuer] and rnd.subjects == []
    board = find(found, "the Board approved")  # "In December 2025" before its subject
    assert board.named_subjects == [issuer]
    control = find(found, "controlling shareholder of the Company")
    assert control.subjects == [HUNAN]
    assert control.named_subjects == [issuer]  # "the Company" is the issuer, not Lanshan
    resource = find(found, "Mineral Resource stands at")
    assert "Mineral Resource" not in resource.named_subjects  # a reporting-code term


def test_a_portfolio_word_before_ministry_names_that_ministry():
    ministries = [
        *ENTITIES,
        EntityRef(7, "Ministry of Commerce of the People's Republic of China", "government_body"),
        EntityRef(8, "Ministry of Finance of the People's Republic of China", "government_body"),
        EntityRef(9, "People's Republic of China", "state", ("China",)),
    ]
    found = propose(
        "China tightens export rules\n\nChina's exports of gallium fell 12% in October. "
        "The commerce ministry, which added seven rare earths to its control list in April, "
        "issued 1,426 export licences in the third quarter.",
        entities=ministries,
    )
    assert find(found, "issued 1,426 export licences").subjects == [7]


PRINTED_TABLE = """Principal subsidiaries (as at 31 December 2025)

Company Shareholding Main business Capacity (t/a) Net profit (RMB m)

Lanshan Magnetics (Hengyang)
Co., Ltd. 100% Sintered magnets 20,000 412.6
Xiangtan Rare Earth
Separation Co., Ltd. 76% Separation 5,600 236.9
Hunan Recycling Technology Co., Ltd. 40% Magnet recycling 3,000 -12.1

Outlook
The Group expects sales to rise.
"""


def test_a_printed_table_s_rows_with_wrapped_labels_are_each_one_claim():
    found = propose(PRINTED_TABLE, entities=ENTITIES, title="Subsidiaries")
    rows = [p for p in found if p.reasons[0].startswith("a table row")]
    assert [" ".join(p.text.split()) for p in rows] == [
        "Lanshan Magnetics (Hengyang) Co., Ltd. 100% Sintered magnets 20,000 412.6",
        "Xiangtan Rare Earth Separation Co., Ltd. 76% Separation 5,600 236.9",
        "Hunan Recycling Technology Co., Ltd. 40% Magnet recycling 3,000 -12.1",
    ]
    for p in rows:
        assert PRINTED_TABLE[p.start : p.end] == p.text
    first = rows[0]
    # The header names tonnes and yuan, one per column: the cells keep their numbers, no unit.
    assert [(f["value"], f["unit"]) for f in first.figures] == [
        (100, "%"),
        (20000, ""),
        (412.6, ""),
    ]


WIRE = """China's rare earth trade slows

BEIJING/YANGON, Nov 20 (Reuters) - China's imports of rare earth compounds from Myanmar fell 41% in October to 2,310 tonnes, customs data showed on Thursday, as fighting kept trucks from crossing.

Overseas sales of permanent magnets slipped by 3.2% in January-June to 26,480 tonnes, the customs agency reported in July, and October figures are due next week.
"""


def test_a_dateline_is_outside_the_claim_and_a_middle_attribution_ends_it():
    china = EntityRef(9, "People's Republic of China", "state", ("China",))
    customs = EntityRef(10, "General Administration of Customs", "government_body", ("customs",))
    found = propose(
        WIRE, entities=[*ENTITIES, china, customs], title="China's rare earth trade slows"
    )
    imports = find(found, "fell 41% in October")
    assert imports.text == (
        "China's imports of rare earth compounds from Myanmar fell 41% in October to 2,310 tonnes"
    )
    assert "customs data showed" in imports.origin_phrase
    magnets = find(found, "slipped by 3.2%")
    assert magnets.text.endswith("to 26,480 tonnes")
    assert magnets.subjects == [9]  # a country's overseas sales: the text's country, no company


def test_a_completed_action_with_an_amount_is_an_event_and_a_change_stays_a_figure():
    from claims.stated_figures import parse_figures
    from intake.proposer.kinds import classify

    def kind(sentence):
        return classify(sentence, parse_figures(sentence, 0, len(sentence)))[0]

    assert (
        kind("The company raised $210 million in an initial public offering in March 2025.")
        == "event"
    )
    assert (
        kind("In December 2025 the Board approved the issuance of up to 1.5 billion yuan of notes.")
        == "event"
    )
    assert (
        kind("Solvay agreed in July to buy up to 1,200 tonnes a year of the plant's output.")
        == "event"
    )
    assert kind("It shipped its first 40 tonnes of oxide to a buyer in Japan in August.") == "event"
    assert kind("Revenue rose 9% to $210 million in the quarter.") == "figure"
    assert kind("The company raised its output forecast by 5% to 12,000 tonnes.") != "event"


def test_shipments_from_a_country_are_that_country_s_and_an_army_is_an_organisation():
    places = [
        *ENTITIES,
        EntityRef(11, "Republic of the Union of Myanmar", "state", ("Myanmar",)),
    ]
    found = propose(
        "Border trade slows\n\nLynas Rare Earths said sales fell 9%. "
        "Shipments from Myanmar in the first ten months totalled 19,870 tonnes, down 28%.\n\n"
        "The Kachin Independence Army, which has held the mines since 2021, has imposed a levy "
        "of 15% on each truck.",
        entities=places,
    )
    assert find(found, "Shipments from Myanmar").subjects == [11]  # not Lynas, named before
    assert "Kachin Independence Army" in find(found, "imposed a levy").named_subjects


def test_a_legal_form_before_or_after_a_name_is_no_part_of_its_short_name():
    text = (
        "Heading\n\n"
        "PT Wallacea Mineral Recovery, a processor of tin tailings, said on Friday it had shipped "
        "1,150 tonnes of concentrate. "
        "Wallacea is 60% owned by PT Arunika Sumber Daya Tbk, a Jakarta coal trader.\n\n"
        "Arunika's shares rose 4% to 1,250 rupiah.\n"
    )
    stake = find(propose(text), "60% owned")
    assert stake.named_subjects == ["PT Wallacea Mineral Recovery", "PT Arunika Sumber Daya Tbk"]
    shares = find(propose(text), "shares rose")
    assert shares.named_subjects == ["PT Arunika Sumber Daya Tbk"]


def test_a_release_defines_the_company_after_two_listings_and_in_quotation_marks():
    text = (
        "NEWS RELEASE\n\n"
        "VANCOUVER, December 8, 2026 - Kesk Critical Metals Corp. (TSXV: KCM) (OTCQB: KCMMF) "
        '("Kesk" or the "Company") is pleased to announce a US$18.6 million award from '
        "Lynas Rare Earths.\n\n"
        "Lynas will also buy 1,200 tonnes a year. The award agreement was signed on December 3, "
        "2026. Initial capital costs are estimated at US$486 million.\n"
    )
    found = propose(text, entities=ENTITIES)
    for fragment in ("was signed on", "capital costs"):
        proposal = find(found, fragment)
        assert proposal.subjects == [] and proposal.named_subjects == ["Kesk Critical Metals Corp"]


def test_a_nationality_after_a_listing_is_what_a_company_is_not_a_name():
    text = (
        "Heading\n\n"
        "Kesk Metals signed a 10-year supply deal for 1,200 tonnes a year with Sanwa "
        'Corporation ("Sanwa"),\nthe Tokyo-listed Japanese trading house. Deliveries would be '
        "priced against\npublished prices.\n"
    )
    deal = find(propose(text), "supply deal")
    assert deal.named_subjects == ["Kesk Metals", "Sanwa Corporation"]


def test_a_row_of_a_table_of_imports_by_origin_is_the_exporting_countrys():
    entities = [
        EntityRef(11, "Republic of the Union of Myanmar", "state", ("Myanmar",)),
        EntityRef(12, "Malaysia", "state"),
        EntityRef(13, "People's Republic of China", "state", ("China",)),
    ]
    text = (
        "Feedstock note\n\n"
        "China's imports of feedstock rose 9.8% in October, customs data showed.\n\n"
        "Table 1 China: imports of rare-earth feedstock by origin, tonnes\n"
        "Origin Oct 2026 Jan-Oct 2026 Change\n"
        "Myanmar 3,412 (2,980) 29,655 (33,140) +14.5%\n"
        "Malaysia 1,904 (2,215) 18,336 (19,980) -14.0%\n"
        "Other origins 386 (410) 3,471 (3,905) -5.9%\n"
    )
    rows = {p.text.split()[0]: p for p in propose(text, entities=entities)}
    assert rows["Myanmar"].subjects == [11] and rows["Myanmar"].figures[-1]["text"] == "+14.5%"
    assert rows["Malaysia"].subjects == [12]
    assert rows["Other"].subjects == [] and rows["Other"].named_subjects == []


MONITOR = (
    "FEEDSTOCK MONITOR\n\n"
    "China's imports, October 2026 · Harbour Ridge Research, Singapore · Analysts: Wei Koh\n\n"
    "Kesk Separation Co. said its lines ran at 80% in October. "
    "We expect Myanmar volumes to average 3,000 tonnes a month in the fourth quarter. "
    "Malaysian shipments fell 14.0% to 1,904 tonnes.\n"
)
MONITOR_ENTITIES = [
    EntityRef(11, "Republic of the Union of Myanmar", "state", ("Myanmar",)),
    EntityRef(12, "Malaysia", "state"),
]


def test_an_analysts_we_is_who_says_it_not_what_it_is_about():
    myanmar = find(propose(MONITOR, entities=MONITOR_ENTITIES), "We expect")
    assert (myanmar.subjects, myanmar.named_subjects) == ([11], [])


def test_a_countrys_adjective_before_its_shipments_names_the_country():
    malaysia = find(propose(MONITOR, entities=MONITOR_ENTITIES), "Malaysian shipments")
    assert (malaysia.subjects, malaysia.named_subjects) == ([12], [])


GREENLAND = (
    "Lender offers loan for Greenland mine\n\n"
    "A state lender offered to lend $327 million to the Nuuluk rare earths project, majority "
    "owner Arsuk Critical Metals said on Tuesday.\n\n"
    "Arsuk holds 72.5% of the project company, Nuuluk Minerals A/S. The government granted "
    "Nuuluk Minerals a licence in 2024, and Brussels named Nuuluk a strategic project.\n\n"
    "Arsuk plans to complete a feasibility study by 2027, and it expects to ship first "
    "concentrate in 2030.\n\n"
    "Chief Executive Ane Lund said the company aims to sell up to 60% of the concentrate.\n"
)


def test_it_in_a_sentences_second_clause_is_the_company_of_its_first():
    ship = find(propose(GREENLAND), "it expects to ship")
    assert ship.named_subjects == ["Arsuk Critical Metals"]


def test_a_project_named_after_its_company_does_not_make_that_company_the_main_one():
    sell = find(propose(GREENLAND), "aims to sell")
    assert sell.named_subjects == ["Arsuk Critical Metals"]


def test_a_states_agency_a_region_of_a_place_and_a_project_are_no_subjects():
    entities = [
        EntityRef(21, "Kingdom of Denmark", "state", ("Denmark",)),
        EntityRef(22, "Export and Investment Fund of Denmark", "government_body", ("EIFO",)),
        EntityRef(23, "Government of Greenland", "government_body", ("Greenland",)),
    ]
    text = (
        "Heading\n\n"
        "Denmark's state export credit agency EIFO has signed a letter of interest to lend up "
        "to $327 million to the Nuuluk rare earths project in southern Greenland, majority "
        "owner Arsuk Critical Metals said. Arsuk holds 72.5% of Nuuluk Minerals A/S.\n"
    )
    letter = find(propose(text, entities=entities), "letter of interest")
    assert (letter.subjects, letter.named_subjects) == ([22], [])


def test_its_is_the_company_the_paragraph_was_about_before_one_it_merely_named():
    text = (
        "Heading\n\n"
        "Cerrado Rare Earths, which is listed in Toronto, is 18.5% owned by Singapore-based "
        "Tembusu Metals Capital. Its shares rose 9.2% to C$1.43 on Wednesday.\n"
    )
    shares = find(propose(text), "Its shares")
    assert shares.named_subjects == ["Cerrado Rare Earths"]


def test_a_countrys_imports_from_another_are_the_exporting_countrys_trade():
    entities = [
        EntityRef(13, "People's Republic of China", "state", ("China",)),
        EntityRef(14, "Lao People's Democratic Republic", "state", ("Laos",)),
    ]
    text = (
        "Heading\n\n"
        "China imported 41,200 tonnes of rare earth compounds from Laos in the first nine "
        "months, up 38%, customs data showed. Kesk Separation Co. plans to raise its imports of "
        "clay feedstock from Laos to about 6,000 tonnes next year.\n"
    )
    found = propose(text, entities=entities)
    assert find(found, "China imported").subjects == [14]
    company = find(found, "Kesk Separation Co.")
    assert (company.subjects, company.named_subjects) == ([], ["Kesk Separation Co"])


def test_the_next_sentence_of_a_quotation_is_the_speakers_and_its_we_their_organisation():
    entities = [
        EntityRef(22, "Export and Investment Fund of Denmark", "government_body", ("EIFO",))
    ]
    text = (
        "Heading\n\n"
        "Arsuk Critical Metals said the lender had offered $327 million.\n\n"
        '"Europe cannot leave the financing to someone else," said Lars Norgaard, head of '
        'natural resources at EIFO. "We expect to take a final credit decision in the second '
        'half of next year," he added.\n\n'
        '"This licence is the starting gun," Arsuk chief executive Ane Lund said. "We expect to '
        'take a final investment decision in the third quarter of 2027."\n'
    )
    found = propose(text, entities=entities)
    credit = find(found, "final credit decision")
    assert credit.kind == "plan" and credit.subjects == [22] and credit.origin_id == 22
    fid = find(found, "final investment decision")
    assert fid.kind == "plan" and fid.named_subjects == ["Arsuk Critical Metals"]
    assert "Arsuk Critical Metals" in fid.origin_phrase


def test_an_analysts_we_forecast_is_the_notes_own_voice():
    note = MONITOR + "\nWe forecast Lao volumes to overtake Malaysia's by mid-2027.\n"
    forecast = find(propose(note, entities=MONITOR_ENTITIES), "We forecast")
    assert forecast.origin_kind == "own_voice"


def test_an_unknown_organisation_is_one_subject_under_its_full_and_short_names():
    found = propose(
        "Highlights\n\n- Kazakhstan's Tau-Steppe and Hamburg's Hanseatic Critical Materials "
        "signed a joint venture.\n\n"
        "Tau-Steppe Metals JSC will hold 51% of the venture, and Hanseatic Critical Materials "
        "GmbH the remaining 49%.\n\n"
        "Tau-Steppe put the capital cost of the first phase at US$640 million.\n",
        entities=ENTITIES,
    )
    cost = find(found, "Tau-Steppe put")
    assert cost.named_subjects == ["Tau-Steppe Metals JSC"]
    names = {n for p in found for n in p.named_subjects}
    assert "Hanseatic Critical Materials GmbH" in names
    assert not any("and Hamburg" in n or n == "Hanseatic Critical Materials" for n in names)


def test_a_possessive_a_long_name_in_any_case_and_a_place_first_name():
    sasac = EntityRef(
        9,
        "Yunnan SASAC",
        "government_body",
        ("Yunnan Provincial State-owned Assets Supervision and Administration Commission",),
    )
    found = propose(
        "Kunming-based Dianchi Nickel Cobalt Materials counts Yunnan Dianxi Industrial "
        "Investment Group as its largest shareholder, with 38.2%.\n\n"
        "Dianxi is wholly owned by the Yunnan provincial State-owned Assets Supervision and "
        "Administration Commission.\n\n"
        "Lynas Rare Earths said sales rose. Dianchi's net profit fell 23% to 412 million yuan in "
        "the third quarter, the company said.\n",
        entities=[*ENTITIES, sasac],
    )
    owned = find(found, "Dianxi is wholly owned")
    assert owned.subjects == [sasac.id]
    assert owned.named_subjects == ["Yunnan Dianxi Industrial Investment Group"]
    profit = find(found, "Dianchi's net profit")
    assert profit.named_subjects == ["Dianchi Nickel Cobalt Materials"]  # not "Dianchi's"
    # "the company said" after a clause about Dianchi is Dianchi's word, not Lynas's
    assert "Dianchi Nickel Cobalt Materials" in profit.origin_phrase
    assert profit.origin_id is None


def test_two_plans_in_one_quotation_are_two_claims_of_the_speaker_s_organisation():
    stamico = EntityRef(9, "State Mining Corporation", "soe", ("STAMICO",))
    found = propose(
        "STAMICO will buy 15% of the project from Rufiji Resources.\n\n"
        "Rufiji Resources managing director Sarah Whitcombe said the proceeds would cover the "
        "company's share of a study. “We will have the definitive feasibility study finished by "
        "the end of the June quarter, and we are aiming for a final investment decision before "
        "the end of 2027,” she said.\n",
        entities=[*ENTITIES, stamico],
    )
    study = find(found, "We will have the definitive")
    decision = find(found, "we are aiming for a final investment decision")
    assert study is not decision
    for p in (study, decision):
        assert p.kind == "plan"
        assert (p.subjects, p.named_subjects) == ([], ["Rufiji Resources"])


def test_a_stock_exchange_as_venue_is_no_issuer_and_a_place_inside_a_name_is_no_subject():
    asx = EntityRef(21, "ASX Limited", "private_company", ("ASX",))
    australia = EntityRef(22, "Commonwealth of Australia", "state", ("Australia",))
    found = propose(
        "ASX ANNOUNCEMENT | ASX: KRM\n\nKUJALLEQ RARE METALS PLC\n\n"
        'Kujalleq Rare Metals plc ("Kujalleq" or "the Company") reports a resource.\n\n'
        "Measured 6.1 0.61 27.4\nIndicated 17.9 0.54 26.1\n\n"
        "The A$65 million loan is provided through Nippon-Australia Critical Metals Co., Ltd. "
        '("NACM"), a Tokyo-registered company.\n\n'
        "About Kujalleq Rare Metals\n\nThe Company is listed under ASX Listing Rule 1.1.\n",
        entities=[*ENTITIES, asx, australia],
    )
    row = find(found, "Measured 6.1")
    assert row.subjects == [] and row.named_subjects == ["Kujalleq Rare Metals"]
    funding = find(found, "loan is provided")
    assert australia.id not in funding.subjects
    assert funding.named_subjects[:1] == ["Nippon-Australia Critical Metals Co"]
    assert not [n for p in found for n in p.named_subjects if n.startswith("About")]


def test_a_share_price_move_against_an_index_is_about_the_company_only():
    asx = EntityRef(21, "ASX Limited", "private_company", ("ASX",))
    found = propose(
        "Shares in Lynas rose 4.6% to A$8.12, outperforming a 0.3% gain in the benchmark "
        "S&P/ASX 200 index.\n",
        entities=[*ENTITIES, asx],
    )
    assert find(found, "Shares in Lynas").subjects == [LYNAS]


def test_a_country_s_industry_a_ministry_s_inspectors_and_a_fund_s_own_voice():
    japan = EntityRef(31, "Japan", "state", ())
    mee = EntityRef(32, "Ministry of Ecology and Environment", "government_body", ())
    found = propose(
        "Japan's producers made an estimated 9,800 tonnes in the first half.\n\n"
        "Inspectors from the Ministry of Ecology and Environment closed 23 unlicensed "
        "leaching sites, the ministry said.\n\n"
        "A separation plant with capacity of 5,000 tonnes a year is to be built by 2028.\n\n"
        "The Canadian Strategic Minerals Fund (the Fund) is a federal Crown corporation.\n\n"
        "The Fund expects to commit C$500 million in 2027.\n\n"
        "Spodumene concentrate averaged US$890 a tonne in the year.\n",
        entities=[*ENTITIES, japan, mee],
    )
    assert find(found, "Japan's producers").subjects == [japan.id]
    closed = find(found, "closed 23 unlicensed")
    assert closed.subjects == [mee.id] and closed.origin_id == mee.id
    plant = find(found, "A separation plant")
    assert plant.named_subjects == []
    commit = find(found, "The Fund expects")
    assert commit.origin_kind == "own_voice"
    assert find(found, "Spodumene concentrate averaged").named_subjects == []


def test_a_state_qualifying_a_body_in_an_attribution_is_not_the_sayer():
    dod = EntityRef(
        41, "United States Department of Defense", "government_body", ("Department of Defense",)
    )
    usa = EntityRef(42, "United States of America", "state", ("U.S.",))
    found = propose(
        "The U.S. Department of Defense said in October it had awarded $14.6 million to a "
        "germanium recycling plant.\n",
        entities=[*ENTITIES, dod, usa],
    )
    assert find(found, "awarded $14.6 million").origin_id == dod.id


def test_a_definite_deal_or_licence_and_a_bare_action_refer_back_to_the_company():
    found = propose(
        "Lynas Rare Earths won a 25-year mining licence on Tuesday.\n\n"
        "The licence covers 84 square kilometres of the Brandberg corridor. Construction is "
        "scheduled to begin in the second quarter of 2027.\n",
        entities=ENTITIES,
    )
    assert find(found, "The licence covers").subjects == [LYNAS]
    assert find(found, "Construction is scheduled").subjects == [LYNAS]


def test_according_to_the_filing_is_the_filing_of_the_company_the_story_is_about():
    found = propose(
        "Lynas Rare Earths said in a filing on Tuesday that it would buy a stake in a Lao "
        "miner. Lynas will pay $45 million.\n\n"
        "The project holds an estimated 110,000 tonnes of rare earth oxides, according to the "
        "filing.\n",
        entities=ENTITIES,
    )
    assert find(found, "110,000 tonnes").origin_id == LYNAS


def test_a_state_body_is_known_by_the_state_s_possessive_form():
    china = EntityRef(51, "People's Republic of China", "state", ("China",))
    mofcom = EntityRef(
        52, "Ministry of Commerce of the People's Republic of China", "government_body", ("MOFCOM",)
    )
    found = propose(
        "China's Ministry of Commerce said on Thursday it would extend export licensing for "
        "gallium to 2027.\n",
        entities=[*ENTITIES, china, mofcom],
    )
    p = find(found, "extend export licensing")
    assert p.subjects == [mofcom.id] and p.origin_id == mofcom.id


STATES = [
    EntityRef(10, "Republic of Indonesia", "state", ("Indonesia", "Indonesian state")),
    EntityRef(11, "People's Republic of China", "state", ("China", "Beijing")),
    EntityRef(12, "PT Aneka Tambang Tbk", "soe", ("Antam", "PT Aneka Tambang")),
    EntityRef(13, "Dianchi Nickel Cobalt Materials", "private_company", ("Dianchi",)),
]


def test_a_state_before_what_an_organisation_is_and_its_name_only_says_where_it_is_from():
    found = propose(
        "Indonesian state miner PT Aneka Tambang (Antam) signed an agreement on Monday.\n\n"
        "The Indonesian state holds 65% of Antam.",
        entities=STATES,
    )
    assert find(found, "signed an agreement").subjects == [12]
    # the state that acts is still its subject
    assert 10 in find(found, "holds 65%").subjects


def test_a_relative_clause_whose_own_name_acts_is_about_that_name_not_the_one_before():
    found = propose(
        "Dianchi said it would apply for permission to export its solvent extraction "
        "technology, which Beijing placed on its catalogue of technologies banned from export "
        "in December 2023.",
        entities=STATES,
    )
    assert find(found, "which Beijing placed").subjects == [11]
    about = propose(
        "The ministry fined Dianchi Nickel Cobalt Materials, which shipped 4,000 tonnes of "
        "cobalt in 2023.",
        entities=STATES,
    )
    assert find(about, "which shipped").subjects == [13]


def test_a_states_government_by_its_adjective_is_the_state_across_a_line_end_hyphen_too():
    register = [
        EntityRef(20, "Commonwealth of Australia", "state", ("Australia", "Australian Government")),
        EntityRef(21, "Lao People's Democratic Republic", "state", ("Laos",)),
        *ENTITIES,
    ]
    found = propose(
        "Lynas Rare Earths sells most of its oxide to Japan. The Australian gover-\n"
        "nment owns no equity in the company.\n\n"
        "Lao authorities fined the smelter 2 million kip in May.",
        entities=register,
    )
    assert find(found, "owns no equity").subjects[:1] == [20]
    assert find(found, "Lao authorities").subjects == [21]


def test_it_said_after_a_sentence_naming_nobody_is_whom_an_attribution_named_lately():
    register = [
        EntityRef(30, "Ministry of Commerce", "government_body", ("MOFCOM",)),
        EntityRef(31, "Yunnan Germanium Industry", "private_company", ("Yunnan Germanium",)),
    ]
    text = (
        "Yunnan Germanium Industry shipped 40 tonnes of germanium in 2025.\n\n"
        "The Ministry of Commerce said on Thursday it would extend export licensing to "
        "scrap from Jan. 1.\n\n"
        "The notice, No. 61 of 2026, also lowers the amount above which a shipment needs a "
        "licence to 50 grams. It said applications would be decided within 45 working days.\n"
    )
    p = find(propose(text, entities=register), "applications would be decided")
    assert p.origin_id == 30  # not Yunnan Germanium, the last company named
    assert p.subjects == [30]


def test_an_unknown_name_with_a_particle_is_kept_whole():
    found = propose(
        "Lynas Rare Earths signed an offtake with Aimants de Lacq SAS, a French magnet maker, "
        "in March.\n\nAimants de Lacq will also provide a prepayment of €30 million.",
        entities=ENTITIES,
    )
    assert find(found, "prepayment").named_subjects == ["Aimants de Lacq SAS"]
    assert not any(n == "Lacq SAS" for p in found for n in p.named_subjects)


def test_a_definite_description_is_the_organisation_introduced_with_it():
    text = (
        "Lynas Rare Earths signed an offtake with Aimants de Lacq SAS, a French magnet maker, "
        "in March. Lynas Rare Earths will ship 1,100 tonnes a year.\n\n"
        "The magnet maker opened its first sintering line at Mourenx in March 2025."
    )
    found = propose(text, entities=ENTITIES)
    p = find(found, "opened its first sintering line")
    assert p.subjects == [] and p.named_subjects == ["Aimants de Lacq SAS"]  # not Lynas


def test_an_open_question_put_as_a_statement_is_not_proposed():
    text = (
        "Lynas Rare Earths shipped 1,100 tonnes of NdPr oxide in 2025.\n\n"
        "Whether the A$500 million buys Australia an industry of its own, or only a quarry "
        "that feeds plants in Japan, is the question the next two years will answer.\n\n"
        "Whether the plant opens in 2027 will depend on a loan of $120 million.\n\n"
        "Lynas Rare Earths said on Monday it would decide whether to build a second plant by "
        "June 2027."
    )
    found = propose(text, entities=ENTITIES)
    assert not [p for p in found if p.text.startswith("Whether")]
    find(found, "decide whether to build")  # "whether" inside a plan is still proposed


def test_an_exchanges_disclaimer_is_not_proposed():
    text = (
        "Lynas Rare Earths shipped 1,100 tonnes of NdPr oxide in 2025.\n\n"
        "Neither the TSX Venture Exchange nor its Regulation Services Provider (as that term "
        "is defined in the policies of the TSX Venture Exchange) accepts responsibility for "
        "the adequacy or accuracy of this release.\n\n"
        "For further information\n\n"
        "Investor relations: Karim Boudreau · +1 514 555 0178 · ir@example.com\n"
    )
    register = [*ENTITIES, EntityRef(40, "TSX Venture Exchange", "private_company", ("TSXV",))]
    found = propose(text, entities=register)
    assert [p.text for p in found] == [
        "Lynas Rare Earths shipped 1,100 tonnes of NdPr oxide in 2025."
    ]


def test_a_description_followed_by_the_name_it_describes_does_not_refer_back():
    text = (
        "Lynas Rare Earths sold 4,000 tonnes of oxide to Korea in 2025.\n\n"
        "The largest importer, Ulsan-based Hankuk Metals Group, is 45% owned by Hunan Metals "
        "Group."
    )
    register = [*ENTITIES, EntityRef(50, "Hankuk Metals Group", "private_company")]
    p = find(propose(text, entities=register), "45% owned")
    assert sorted(p.subjects) == sorted([50, HUNAN])  # not Lynas, the last company before


def test_an_ownership_appositive_after_the_opening_name_is_its_own_claim():
    register = [
        *ENTITIES,
        EntityRef(60, "China Minmetals Rare Earth", "soe"),
        EntityRef(61, "KOMIR", "soe"),
        EntityRef(62, "Ministry of Trade, Industry and Energy", "government_body", ("MOTIE",)),
        EntityRef(63, "Republic of Korea", "state", ("South Korea",)),
    ]
    text = (
        "Japan imported 14,860 tonnes of rare earth compounds in 2026.\n\n"
        "Hengtai Separation, a subsidiary of China Minmetals Rare Earth, shipped the most "
        "dysprosium oxide to Japan, about 210 tonnes.\n\n"
        "KOMIR, a state-owned corporation under the Ministry of Trade, Industry and Energy "
        "(MOTIE), aims to raise South Korea's rare earth stockpile to 100 days by 2030."
    )
    found = propose(text, entities=register)
    parent = find(found, "a subsidiary of")
    assert parent.text == "a subsidiary of China Minmetals Rare Earth"
    assert parent.kind == "ownership" and 60 in parent.subjects
    shipped = find(found, "shipped the most")
    assert shipped.subjects == [] and shipped.named_subjects == ["Hengtai Separation"]
    assert find(found, "a state-owned corporation").kind == "ownership"
    assert find(found, "aims to raise").subjects == [61]  # not South Korea
    # an ownership sentence with such an appositive stays whole
    whole = propose(
        "The Industrial Development Corporation, a unit of the Department of Trade, holds 26% "
        "of Hengtai Separation.",
        entities=register,
    )
    assert len(whole) == 1


def test_a_stake_in_a_relative_clause_after_the_opening_name_is_its_own_claim():
    register = [*ENTITIES, EntityRef(70, "Industrial Development Corporation", "soe", ("IDC",))]
    text = (
        "Kliprand Minerals won its first export permit in November.\n\n"
        "Kliprand Minerals, in which the state-owned Industrial Development Corporation holds "
        "26%, said it would ship the first 1,200 tonnes from Saldanha Bay in January."
    )
    found = propose(text, entities=register)
    stake = find(found, "in which the state-owned")
    assert stake.kind == "ownership" and stake.text.endswith("holds 26%")
    assert find(found, "ship the first 1,200 tonnes").kind == "plan"


def test_an_act_done_with_an_amount_in_it_is_an_event():
    text = (
        "Lynas Rare Earths lifted its ban on exports of unprocessed concentrate in September, "
        "on condition that 20% of output is processed locally.\n\n"
        "The International Trade Administration Commission (ITAC) on Nov. 20 granted Hunan "
        "Metals Group a permit to export 4,800 tonnes of concentrate."
    )
    found = propose(text, entities=ENTITIES)
    assert find(found, "lifted its ban").kind == "event"
    assert find(found, "granted Hunan").kind == "event"


def test_a_programme_named_after_its_owners_possessive_is_not_a_subject():
    register = [
        *ENTITIES,
        EntityRef(80, "Natural Resources Canada", "government_body"),
        EntityRef(81, "European Commission", "government_body"),
    ]
    text = (
        "In 2025, Natural Resources Canada awarded Lynas Rare Earths C$4.2 million from its "
        "Critical Minerals Infrastructure Fund.\n\n"
        "The European Commission selected the expansion as a Strategic Project under the "
        "Critical Raw Materials Act in June 2026."
    )
    found = propose(text, entities=register)
    assert find(found, "awarded").named_subjects == []
    assert find(found, "Strategic Project").named_subjects == []


def test_a_speaker_named_with_the_organisations_possessive_speaks_for_it():
    text = (
        "Hunan Metals Group owns 12.5% of the project.\n\n"
        '"No bank in Europe would have lent to a first mine here," said Aviaja Lynge, Lynas '
        "Rare Earths' chief executive. \"We expect to take a final investment decision in the "
        'second quarter of 2027."\n\n'
        "Lynge said the company had received a letter of interest for up to $120 million."
    )
    found = propose(text, entities=ENTITIES)
    assert find(found, "final investment decision").origin_id == LYNAS
    assert find(found, "letter of interest").origin_id == LYNAS


def test_a_next_step_put_as_an_instruction_is_a_plan():
    text = (
        'Nordhaven Rare Metals Corp. ("Nordhaven" or the "Company") is pleased to report pilot '
        "results.\n\n"
        "Next steps\n\n"
        "- File the environmental impact study with Quebec's Ministry of the Environment by "
        "the third quarter of 2027\n"
        "- Conclude a toll-separation agreement with a European separator by mid-2027\n"
    )
    found = propose(text, entities=ENTITIES)
    for fragment in ("File the environmental", "Conclude a toll-separation"):
        assert find(found, fragment).kind == "plan"


def test_a_gapped_stake_and_the_relative_clause_after_it_are_two_claims():
    text = (
        "Hunan Metals Group owns 79.5% of Lanshan Holdings. Lynas Rare Earths holds 12.5%, "
        "and Northern Rare Earth the remaining 8%, which it bought in 2025 for "
        "DKK 96 million."
    )
    found = propose(text, entities=ENTITIES)
    gapped = find(found, "the remaining 8%")
    assert gapped.text == "Northern Rare Earth the remaining 8%"
    assert gapped.kind == "ownership"
    bought = find(found, "which it bought")
    assert bought.kind == "event" and bought.subjects == [NRE]


def test_a_with_clause_splitting_a_stake_three_ways_gives_each_holder_its_claim():
    text = (
        "Lanshan Holdings is 45% owned by Hunan Metals Group, with Lynas Rare Earths holding "
        "35% and the Seoul fund Namsan Capital Partners the remaining 20%."
    )
    found = propose(text, entities=ENTITIES)
    holding = find(found, "holding 35%")
    assert holding.text == "Lynas Rare Earths holding 35%" and holding.kind == "ownership"
    rest = find(found, "the remaining 20%")
    assert rest.kind == "ownership" and "Namsan Capital Partners" in rest.named_subjects


def test_a_body_reporting_to_another_is_an_ownership_claim_of_its_own():
    register = [
        *ENTITIES,
        EntityRef(90, "Industrial Development Corporation", "soe", ("IDC",)),
        EntityRef(91, "Department of Trade, Industry and Competition", "government_body"),
    ]
    text = (
        "The IDC is wholly owned by the South African government and reports to the "
        "Department of Trade, Industry and Competition."
    )
    found = propose(text, entities=register)
    assert [p.text for p in found] == [
        "The IDC is wholly owned by the South African government",
        "reports to the Department of Trade, Industry and Competition.",
    ]
    assert {p.kind for p in found} == {"ownership"}


def test_a_refusal_in_an_aside_leaves_the_statement_a_claim():
    text = (
        "Hunan Metals Group said it was reviewing an application from a smaller explorer in "
        "the Gardar province, which it declined to name, for a guarantee of a similar kind.\n\n"
        "Lynas Rare Earths declined to comment on the figures."
    )
    found = propose(text, entities=ENTITIES)
    assert [p.text for p in found] == [text.split("\n\n")[0]]


def test_an_estimate_put_at_an_amount_is_a_figure_claim():
    text = (
        "Lynas Rare Earths plans a second plant.\n\n"
        "The company puts the cost of building the mine and concentrator at DKK 3.4 billion "
        "to DKK 3.9 billion."
    )
    p = find(propose(text, entities=ENTITIES), "puts the cost")
    assert p.kind == "figure" and {f["unit"] for f in p.figures} == {"DKK"}

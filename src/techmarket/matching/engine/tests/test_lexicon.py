import time

from techmarket.matching.engine import analysis
from techmarket.matching.engine.lexicon import (
    DAMPING,
    AbbreviationMiner,
    Lexicon,
    alias_table,
    read_synonyms,
)
from techmarket.search import segment


def _weights(table):
    """A stand-in for the index's term weights: known features get their weight, others None."""
    return lambda features: [table.get(feature) for feature in features]


def test_keywords_grow_domain_terms_that_match_as_wholes():
    lexicon = Lexicon.grow(
        [{"keywords": ["锂离子电池", "导热"], "abstract": ""}],
        terms=True,
        abbreviations=False,
        synonyms=False,
    )
    assert "锂离子电池" in lexicon.terms
    assert "导热" not in lexicon.terms  # two characters: already one word and one bigram
    assert segment.tokens("锂离子电池") == ["锂离子", "电池"]
    words = analysis.words("提高锂离子电池的低温性能", lexicon)
    assert "w锂离子电池" in words
    assert {"w锂离子", "w电池"} <= set(words)  # the parts still match too
    counts = analysis.document_counts({"title": "锂离子电池", "abstract": "锂离子电池"}, lexicon)
    assert counts["w锂离子电池"] == 3  # title × 2 + abstract


def test_by_default_keywords_are_not_terms_but_aliases_are():
    lexicon = Lexicon.grow([{"keywords": ["锂离子电池"], "abstract": ""}])
    assert "锂离子电池" in lexicon.terms  # a curated alias of 锂电池
    assert "聚偏氟乙烯" in lexicon.terms
    assert not Lexicon.grow([{"keywords": ["高熵合金涂层"]}], synonyms=False).terms


def test_a_term_is_found_only_where_its_words_stand_side_by_side():
    lexicon = Lexicon(["锂离子电池"])
    assert "w锂离子电池" not in analysis.words("锂离子，电池", lexicon)


def test_text_without_lexicon_terms_is_analysed_as_before():
    lexicon = Lexicon(["锂离子电池"], {"pvdf": ("聚偏氟乙烯",)})
    text = "针对混凝土裂缝的自修复技术，Ti-6Al-4V 钛合金"
    assert analysis.words(text, lexicon) == analysis.words(text)
    assert analysis.features(text, lexicon) == analysis.features(text)
    assert lexicon.phrases(text) == []
    assert lexicon.expansions(text, analysis.features(text), analysis.features, _weights({}), 5.0) == {}


def test_abbreviations_are_mined_from_both_patterns():
    miner = AbbreviationMiner()
    for text in ["采用扫描电镜(SEM)观察形貌", "利用扫描电镜（SEM）分析", "通过扫描电镜(sem)表征"]:
        miner.feed({"title": "", "abstract": text})
    miner.feed({"title": "PLC(可编程逻辑控制器)的应用", "abstract": ""})
    pairs = dict(miner.pairs())
    assert pairs["sem"] == "扫描电镜"
    assert pairs["plc"] == "可编程逻辑控制器"


def test_a_lone_abbreviation_needs_a_known_full_form():
    miner = AbbreviationMiner()
    miner.feed({"title": "", "abstract": "本文采用聚偏氟乙烯(PVDF)制备中空纤维膜"})
    assert miner.pairs() == []  # the left edge of 本文采用聚偏氟乙烯 is unknown
    assert dict(miner.pairs({"聚偏氟乙烯"})) == {"pvdf": "聚偏氟乙烯"}


def test_inconsistent_or_implausible_abbreviations_are_left_out():
    miner = AbbreviationMiner()
    miner.feed({"title": "", "abstract": "绘制受试者工作特征曲线(ROC)，采用受试者操作特性曲线(ROC)"})
    miner.feed({"title": "", "abstract": "配合物中金属镍(II)"})
    pairs = dict(miner.pairs())
    assert "ii" not in pairs
    assert pairs.get("roc") != "曲线"  # shorter than the abbreviation has letters


def test_mined_and_curated_aliases_are_bidirectional():
    table = alias_table([("PVDF", "聚偏氟乙烯"), ("物联网", "IoT")])
    assert table == {"pvdf": ("聚偏氟乙烯",), "聚偏氟乙烯": ("pvdf",), "物联网": ("iot",), "iot": ("物联网",)}
    groups = read_synonyms()
    assert 100 <= len(groups) <= 300
    curated = alias_table(groups)
    assert "人工智能" in curated["ai"]
    assert "ai" in curated["人工智能"]
    assert "锂离子电池" in curated["锂电池"]


def test_an_expansion_never_outweighs_the_literal_term():
    lexicon = Lexicon([], {"pvdf": ("聚偏氟乙烯", "聚偏二氟乙烯"), "锂电池": ("锂离子电池",)})
    weights = {"w聚偏氟乙烯": 9.0, "w聚偏二氟乙烯": 7.0, "cpvdf": 2.0, "wpvdf": 2.0, "w锂离子电池": 1.0}
    text = "PVDF膜的锂电池隔膜"
    own = analysis.features(text, lexicon)
    added = lexicon.expansions(text, own, analysis.features, _weights(weights), 5.0)
    assert set(added) == {"w聚偏氟乙烯", "w聚偏二氟乙烯", "w锂离子电池"}
    # Both aliases of PVDF together weigh at most DAMPING × PVDF's own weight (2 + 2).
    assert sum(added[f][0] * weights[f] for f in ("w聚偏氟乙烯", "w聚偏二氟乙烯")) <= DAMPING * 4.0 + 1e-9
    assert all(0 < weight <= DAMPING for weight, _ in added.values())
    assert added["w聚偏氟乙烯"][1] == "pvdf"


def test_a_literal_the_index_has_never_seen_still_expands():
    lexicon = Lexicon([], {"pvdf": ("聚偏氟乙烯",)})
    added = lexicon.expansions(
        "PVDF", analysis.features("PVDF"), analysis.features, _weights({"w聚偏氟乙烯": 3.0}), 5.0
    )
    assert 0 < added["w聚偏氟乙烯"][0] <= DAMPING


def test_the_demand_own_features_are_never_expanded():
    lexicon = Lexicon([], {"pvdf": ("聚偏氟乙烯",), "聚偏氟乙烯": ("pvdf",)})
    text = "PVDF 聚偏氟乙烯"
    own = analysis.features(text, lexicon)
    weights = {"wpvdf": 1.0, "cpvdf": 1.0, "w聚偏氟乙烯": 1.0}
    assert lexicon.expansions(text, own, analysis.features, _weights(weights), 5.0) == {}


def test_chinese_phrases_prefer_the_longest_overlapping_alias():
    lexicon = Lexicon([], {"锂离子电池": ("锂电池",), "电池": ("蓄电池",)})
    assert lexicon.phrases("锂离子电池低温性能") == ["锂离子电池"]
    assert lexicon.phrases("电池低温性能") == ["电池"]


def test_latin_aliases_match_whole_words_only():
    lexicon = Lexicon([], {"ai": ("人工智能",)})
    assert lexicon.phrases("用AI检测") == ["ai"]
    assert lexicon.phrases("email 与 maintain") == []


def test_save_and_load_round_trip(tmp_path):
    lexicon = Lexicon(["锂离子电池"], {"pvdf": ("聚偏氟乙烯",)})
    lexicon.save(tmp_path)
    assert Lexicon.load(tmp_path) == lexicon
    assert not Lexicon.load(tmp_path / "missing")


def test_long_text_costs_linear_time():
    lexicon = Lexicon(
        [f"{a}{b}材料" for a in "碳硅铝铁铜锌钛镍" for b in "纤维基复合"], {"ai": ("人工智能",)}
    )
    unit = "碳纤维复合材料的人工智能检测与铝基复合材料。"
    short, long = unit * 50, unit * 500

    def best_of_five(text: str) -> float:
        """The fastest of five runs: one run's time also measures whatever else the machine was doing."""
        times = []
        for _ in range(5):
            started = time.perf_counter()
            analysis.words(text, lexicon), lexicon.phrases(text)
            times.append(time.perf_counter() - started)
        return min(times)

    short_time, long_time = best_of_five(short), best_of_five(long)
    assert long_time < 30 * max(short_time, 1e-3)
    assert long_time < 2.0


def test_chinese_members_that_contain_one_another_are_not_aliases():
    table = alias_table([["储能", "储能系统", "蓄能"], ["voc", "vocs"]])
    assert table["储能"] == ("蓄能",)
    assert table["储能系统"] == ("蓄能",)
    assert table["蓄能"] == ("储能", "储能系统")
    assert table["voc"] == ("vocs",)  # Latin words match whole: a plural is another word

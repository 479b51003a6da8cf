from techmarket.matching.engine import analysis


def test_bigrams_keep_their_offsets_in_the_normalised_text():
    assert analysis.bigram_spans("石墨烯，导热") == [("c石墨", 0), ("c墨烯", 1), ("c导热", 4)]


def test_latin_runs_are_one_feature_and_full_width_is_folded():
    spans = analysis.bigram_spans("５Ｇ通讯 Ti-6Al-4V")
    assert [feature for feature, _ in spans] == ["c5g", "c通讯", "cti-6al-4v"]


def test_a_single_chinese_character_is_kept():
    assert analysis.bigram_spans("钢") == [("c钢", 0)]


def test_words_and_bigrams_are_separate_features():
    features = analysis.features("导热")
    assert "c导热" in features
    assert "w导热" in features


def test_title_and_keywords_count_twice_and_keywords_do_not_run_together():
    counts = analysis.document_counts({"title": "导热", "keywords": ["石墨", "烯膜"], "abstract": "导热"})
    assert counts["c导热"] == 3
    assert counts["c石墨"] == 2
    assert "c墨烯" not in counts  # would span the two keywords


def test_a_demand_body_is_read_from_content():
    assert analysis.document_counts({"title": "", "content": "导热"})["c导热"] == 1

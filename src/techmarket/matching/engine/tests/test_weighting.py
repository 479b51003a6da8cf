import numpy as np

from techmarket.matching.engine import weighting


def test_a_clustering_term_outweighs_a_scattered_one_with_the_same_document_frequency():
    n = 10_000
    topical, scattered = weighting.specificity(np.array([100, 100]), np.array([400, 101]), n)
    assert topical > scattered
    assert scattered >= weighting.SPECIFICITY_PRIOR


def test_a_term_seen_once_keeps_the_prior():
    assert np.isclose(
        weighting.specificity(np.array([1]), np.array([1]), 1000)[0], weighting.SPECIFICITY_PRIOR
    )


def test_saturation_grows_with_term_frequency_but_stays_below_k1_plus_one():
    values = weighting.saturation(np.array([1.0, 2.0, 50.0]), np.array([10.0] * 3), 10.0)
    assert values[0] < values[1] < values[2] < weighting.K1 + 1


def test_longer_records_get_less_per_occurrence():
    short, long = weighting.saturation(np.array([1.0, 1.0]), np.array([5.0, 50.0]), 10.0)
    assert short > long


def test_idf_is_never_negative():
    assert (weighting.idf(np.array([1, 500, 1000]), 1000) > 0).all()

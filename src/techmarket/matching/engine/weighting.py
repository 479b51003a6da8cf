"""Term weights: BM25 for how well a record matches a term, residual IDF for how much a term is worth.

BM25 (k1=1.2, b=0.75, the stock parameters) is computed per feature kind (bigram, word), each with
its own average record length, over field-weighted counts.

Residual IDF (Church & Gale, 1995) is learned from the indexed records at build time. A topical term
clusters: when a record uses it, it tends to use it again, so it appears in fewer records than its
total count would predict if it were scattered at random (Poisson). Connective and discourse words
(然而, 结果表明, 近年来 — or 我公司, 希望 in an enterprise's prose) are scattered, and get no boost
even when they are rare enough to have a high IDF. A term's weight is its IDF × (1 + residual IDF):
plain BM25 for a term without evidence of clustering, two to four times that for a term that clusters
strongly (电池, 天线, 混凝土). benchmarks/matching/results.md measures the effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np

K1 = 1.2
B = 0.75
SPECIFICITY_PRIOR = 1.0


def idf(df: np.ndarray, n: int) -> np.ndarray:
    """BM25's IDF, never negative."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


def specificity(df: np.ndarray, cf: np.ndarray, n: int) -> np.ndarray:
    """1 + residual IDF: observed IDF minus the IDF that a Poisson scatter of ``cf`` occurrences predicts."""
    df = np.maximum(np.asarray(df, dtype=np.float64), 1.0)
    cf = np.maximum(np.asarray(cf, dtype=np.float64), df)
    observed = -np.log(df / n)
    predicted = -np.log(-np.expm1(-cf / n))
    return np.maximum(observed - predicted, 0.0) + SPECIFICITY_PRIOR


def saturation(tf: Any, length: Any, average_length: Any) -> Any:
    """BM25's term-frequency part: grows with ``tf``, saturates, and is normalised by record length."""
    norm = K1 * (1.0 - B + B * length / np.maximum(average_length, 1e-9))
    return tf * (K1 + 1.0) / (tf + norm)

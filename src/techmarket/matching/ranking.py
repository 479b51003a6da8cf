"""The platform's ranking: the engine's text score fused with structured fit, and weights learned from reviewers.

    ranked = rank(index, Need(text, industry="C3985", trl=6), profile_of=profiles.get, weights=current)

A candidate's score is ``(w_bigram·text_bigram + w_word·text_word + w_character·text_character) ×
(1 + Σ_f w_f·fit_f)``: the three text views of :mod:`.engine` (character bigrams, words and single
characters) reweighted, times a factor for how well the
candidate's structured fields (industry, discipline, region, TRL, price, transfer mode) fit the need.
Each fit is in [-1, 1] and 0 when either side is unknown, so a record with no structured fields keeps
its text order; the factor never falls below :data:`FACTOR_FLOOR`, so text still orders the records
that fit badly. With :data:`DEFAULT_WEIGHTS` and no structured fields the order is the engine's own.

:func:`learn` fits the weights to reviewers' decisions (accepted vs rejected suggestions of the same
demand) with a pairwise logistic loss, pulled towards the weights in use so that a handful of
decisions moves them only a little. Everything here is plain Python and numpy: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

# The structured side of a candidate is part of the domains' contract with matching; re-exported here.
from techmarket.core.matchsources import Profile as Profile
from techmarket.matching.engine import Allowed, MatchIndex, Reason
from techmarket.matching.engine.explain import BIGRAM_SOURCE, CHARACTER_SOURCE, WORD_SOURCE

FIT_KINDS = ("industry", "discipline", "region", "trl", "price", "mode")
VIEWS = (BIGRAM_SOURCE, WORD_SOURCE, CHARACTER_SOURCE)
TEXT_FEATURES = {view: f"text_{view}" for view in VIEWS}
REJECTION_REASONS = ("too_early", "not_relevant", "already_known", "price", "region", "other")
# A rejection for one of these reasons says which fit was the problem.
REASON_FIT = {"too_early": "trl", "price": "price", "region": "region"}
FACTOR_FLOOR = 0.05
VIEW_BOUNDS = (0.25, 4.0)
FIT_BOUNDS = (-1.0, 1.0)
FIT_SOURCE = "fit"
# A different industry, discipline or region is weak evidence against a record (technology crosses
# sectors); a mismatched transfer mode is stronger (the deal cannot be made as asked).
MISMATCH = -0.25
MODE_MISMATCH = -0.5
# Which cooperation a demand asks for is served by which transfer mode of an achievement (either way
# round, so that reverse matching works too).
MODE_PAIRS = frozenset(
    {
        ("purchase", "transfer"),
        ("license", "license"),
        ("co_develop", "co_develop"),
        ("co_develop", "equity"),
        ("commission", "co_develop"),
        ("commission", "service"),
        ("consulting", "service"),
        ("service", "service"),
    }
)
# GB/T 4754-2017 sections by their first division: a bare "3985" still knows it is manufacturing (C).
_SECTION_STARTS = (
    (1, "A"),
    (6, "B"),
    (13, "C"),
    (44, "D"),
    (47, "E"),
    (51, "F"),
    (53, "G"),
    (61, "H"),
    (63, "I"),
    (66, "J"),
    (70, "K"),
    (71, "L"),
    (73, "M"),
    (76, "N"),
    (80, "O"),
    (83, "P"),
    (84, "Q"),
    (86, "R"),
    (91, "S"),
    (97, "T"),
)


@dataclass(frozen=True)
class Need:
    """A demand (or, for reverse matching, an achievement seen as a need)."""

    text: str
    industry: str = ""
    discipline: str = ""
    region: str = ""
    trl: int | None = None  # expected maturity: a candidate below it is too early
    budget_min: float | None = None  # 万元
    budget_max: float | None = None
    cooperation: frozenset[str] = (
        frozenset()
    )  # purchase, license, co_develop, commission, consulting, service


@dataclass(frozen=True)
class Weights:
    """How much each text view and each fit counts; JSON-able, learned from reviewers' decisions."""

    views: Mapping[str, float]
    fits: Mapping[str, float]
    trained_on: int = 0

    def __post_init__(self) -> None:
        views = {view: float(self.views.get(view, 1.0)) for view in VIEWS}
        fits = {kind: float(self.fits.get(kind, 0.0)) for kind in FIT_KINDS}
        unknown = (set(self.views) - set(VIEWS)) | (set(self.fits) - set(FIT_KINDS))
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(sorted(unknown))}")
        if not all(map(math.isfinite, [*views.values(), *fits.values()])):
            raise ValueError("weights must be finite numbers")
        object.__setattr__(self, "views", MappingProxyType(views))
        object.__setattr__(self, "fits", MappingProxyType(fits))

    def to_dict(self) -> dict[str, Any]:
        return {"views": dict(self.views), "fits": dict(self.fits), "trained_on": self.trained_on}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Weights:
        """The inverse of :meth:`to_dict`; missing entries take their default, unknown ones are refused."""
        if not isinstance(data, Mapping):
            raise ValueError("weights must be a JSON object")
        unknown = set(data) - {"views", "fits", "trained_on"}
        if unknown:
            raise ValueError(f"unknown keys in weights: {', '.join(sorted(unknown))}")
        views, fits = data.get("views") or {}, data.get("fits") or {}
        if not isinstance(views, Mapping) or not isinstance(fits, Mapping):
            raise ValueError("weights 'views' and 'fits' must be JSON objects")
        try:
            return cls(
                views={key: float(value) for key, value in views.items()},
                fits={**DEFAULT_FITS, **{key: float(value) for key, value in fits.items()}},
                trained_on=int(data.get("trained_on") or 0),
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"bad weights: {error}") from error


# Priors before any decision: fits nudge, they never outweigh the text (a perfect fit on every kind
# multiplies the text score by 1.8).
DEFAULT_FITS = MappingProxyType(
    {"industry": 0.15, "discipline": 0.1, "region": 0.1, "trl": 0.2, "price": 0.15, "mode": 0.1}
)
DEFAULT_WEIGHTS = Weights(views=dict.fromkeys(VIEWS, 1.0), fits=DEFAULT_FITS)


class Ranked(NamedTuple):
    """A ranked candidate; ``features`` are what :func:`learn` learns from (store them with the decision).

    ``level`` is the 0–100 match level shown to people (:func:`match_level`; None unless asked for).
    """

    doc_id: str
    score: float
    reasons: tuple[Reason, ...]
    features: dict[str, float]
    level: int | None = None


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict on one suggestion, with the features it was ranked on."""

    demand_id: str
    doc_id: str
    accepted: bool
    reason: str = ""  # for a rejection: one of REJECTION_REASONS
    features: Mapping[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- fit


def _industry_path(code: str) -> str:
    """``C3985`` → ``C3985``; ``3985`` → ``C3985`` (section from the division); ``c39`` → ``C39``."""
    code = code.strip().upper()
    if code[:1].isdigit() and len(code) >= 2 and code[:2].isdigit():
        division = int(code[:2])
        section = next((letter for start, letter in reversed(_SECTION_STARTS) if division >= start), "")
        return section + code
    return code


def _discipline_path(code: str) -> str:
    return code.strip().replace(".", "").replace(" ", "")


def _region_path(code: str) -> str:
    """``420000`` → ``42`` (a province), ``420100`` → ``4201`` (a city), ``420111`` unchanged."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def _common(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _by_levels(need: str, have: str, levels: Sequence[tuple[int, float]]) -> float:
    """Hierarchical codes: 1 when the candidate lies inside what is asked for, else by the deepest shared level.

    ``levels`` are (shared prefix length, fit), deepest first.
    """
    if have.startswith(need):
        return 1.0
    shared = _common(need, have)
    return next((fit for length, fit in levels if shared >= length), MISMATCH)


_INDUSTRY_LEVELS = ((5, 1.0), (4, 0.75), (3, 0.5), (1, 0.25))
_DISCIPLINE_LEVELS = ((7, 1.0), (5, 0.6), (3, 0.3))
_REGION_LEVELS = ((6, 1.0), (4, 0.6), (2, 0.3))


def _code_fit(kind: str, need: str, have: str) -> float:
    if kind == "industry":
        return _by_levels(_industry_path(need), _industry_path(have), _INDUSTRY_LEVELS)
    if kind == "region":
        return _by_levels(_region_path(need), _region_path(have), _REGION_LEVELS)
    need_path, have_path = _discipline_path(need), _discipline_path(have)
    if not (need_path.isdigit() and have_path.isdigit()):  # names (工程热物理) rather than codes
        return 1.0 if need.strip() == have.strip() else 0.0
    return _by_levels(need_path, have_path, _DISCIPLINE_LEVELS)


def _trl_fit(need: int, have: int) -> float:
    """At or above the expected maturity fits; each level short costs a third."""
    return 1.0 if have >= need else max(-1.0, (have - need) / 3)


def _budget(need: Need) -> str:
    low, high = need.budget_min, need.budget_max
    if low is not None and high is not None:
        return f"{low:g}-{high:g}"
    return f"{high:g}" if high is not None else f"{low:g}+"


def _price_fit(price: float, low: float | None, high: float | None) -> float:
    """Within budget fits; every 10 % over the ceiling costs 0.2; below the floor fits half."""
    if high is not None and price > high:
        return max(-1.0, -2.0 * (price / high - 1.0)) if high > 0 else -1.0
    if low is not None and price < low:
        return 0.5
    return 1.0


def _modes_fit(wanted: frozenset[str], offered: frozenset[str]) -> tuple[float, str]:
    for want in sorted(wanted):
        for offer in sorted(offered):
            if want == offer or (want, offer) in MODE_PAIRS or (offer, want) in MODE_PAIRS:
                return 1.0, offer
    return MODE_MISMATCH, "+".join(sorted(offered))


def _fits(need: Need, profile: Profile | None) -> dict[str, tuple[float, str]]:
    """(fit, short machine value) for each kind both sides know."""
    if profile is None:
        return {}
    result: dict[str, tuple[float, str]] = {}
    for kind in ("industry", "discipline", "region"):
        wanted, have = getattr(need, kind).strip(), getattr(profile, kind).strip()
        if wanted and have:
            result[kind] = (_code_fit(kind, wanted, have), have)
    if need.trl is not None and profile.trl is not None:
        result["trl"] = (_trl_fit(need.trl, profile.trl), f"{profile.trl}/{need.trl}")
    if profile.price is not None and (need.budget_min is not None or need.budget_max is not None):
        fit = _price_fit(profile.price, need.budget_min, need.budget_max)
        result["price"] = (fit, f"{profile.price:g}/{_budget(need)}")
    if need.cooperation and profile.modes:
        result["mode"] = _modes_fit(need.cooperation, profile.modes)
    return result


def fit_features(need: Need, profile: Profile | None) -> dict[str, float]:
    """Every fit kind in [-1, 1]: 1 fits, negative counts against, 0 when either side is unknown."""
    known = _fits(need, profile)
    return {kind: round(known[kind][0], 4) if kind in known else 0.0 for kind in FIT_KINDS}


def fit_reasons(need: Need, profile: Profile | None) -> list[Reason]:
    """One reason per known fit, its weight the signed fit (in FIT_KINDS order)."""
    return [
        Reason(kind, value, round(fit, 4), FIT_SOURCE)
        for kind, (fit, value) in sorted(
            _fits(need, profile).items(), key=lambda item: FIT_KINDS.index(item[0])
        )
    ]


# --------------------------------------------------------------------------- level

# The match level people see: 100 × (1 − exp(−r / LEVEL_SCALE)), r = score / best possible score for
# the demand (the engine's ceiling — an ideal record holding each of the demand's words once — times
# the largest fit factor the demand's fields allow). On the benchmark's known-item demands the record
# sought reaches r ≈ 0.5–1.5 (level 63–95) and the unrelated records around it r ≈ 0.2–0.4 (33–55).
LEVEL_SCALE = 0.5


def best_factor(need: Need, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The largest fit factor a candidate can reach for this need: every field the need states fits."""
    stated = {
        "industry": bool(need.industry.strip()),
        "discipline": bool(need.discipline.strip()),
        "region": bool(need.region.strip()),
        "trl": need.trl is not None,
        "price": need.budget_min is not None or need.budget_max is not None,
        "mode": bool(need.cooperation),
    }
    return max(FACTOR_FLOOR, 1.0 + sum(max(weights.fits[kind], 0.0) for kind in FIT_KINDS if stated[kind]))


def match_level(score: float, ceiling: float, best: float = 1.0) -> int:
    """A raw score as a 0–100 level: monotone in the score for one demand, 0 for nothing matched.

    ``ceiling`` is :meth:`MatchIndex.ceiling` of the demand's text, ``best`` its :func:`best_factor`.
    """
    if score <= 0 or ceiling <= 0 or best <= 0:
        return 0
    return min(100, round(100 * (1.0 - math.exp(-score / (ceiling * best) / LEVEL_SCALE))))


# --------------------------------------------------------------------------- rank


def _factor(weights: Weights, fits: Mapping[str, float]) -> float:
    return max(FACTOR_FLOOR, 1.0 + sum(weights.fits[kind] * fits.get(kind, 0.0) for kind in FIT_KINDS))


def rank(
    index: MatchIndex,
    need: Need,
    *,
    k: int = 10,
    allowed: Allowed = None,
    profile_of: Callable[[str], Profile | None] = lambda doc_id: None,
    weights: Weights = DEFAULT_WEIGHTS,
    depth: int = 100,
    levels: bool = False,
) -> list[Ranked]:
    """The ``k`` best of the engine's top ``depth`` for the need's text, re-ranked with structured fit.

    With ``levels`` each result carries its 0–100 :func:`match_level` (one more analysis of the text).

    ``allowed`` is applied inside the engine: a record outside it is never a candidate. Reasons are
    the engine's term reasons, then one per fit that moved the score (its weight: the points it added
    or took away). Equal scores keep the engine's order.
    """
    if k <= 0:
        return []
    candidates = index.candidates(need.text, k=max(depth, k), allowed=allowed)
    scored = []
    for order, candidate in enumerate(candidates):
        views = candidate.views
        # Written as a correction to the engine's own score, so that unit view weights give it exactly.
        text = candidate.score + sum((weights.views[view] - 1.0) * views[view] for view in VIEWS)
        fits = _fits(need, profile_of(candidate.doc_id))
        fit_values = {kind: fit for kind, (fit, _) in fits.items()}
        score = text * _factor(weights, fit_values)
        scored.append((score, order, candidate, text, fits))
    scored.sort(key=lambda item: (-item[0], item[1]))
    ceiling = index.ceiling(need.text) if levels and scored else 0.0
    best = best_factor(need, weights)
    result = []
    for score, _, candidate, text, fits in scored[:k]:
        fit_notes = tuple(
            Reason(kind, value, round(text * weights.fits[kind] * fit, 4), FIT_SOURCE)
            for kind in FIT_KINDS
            if kind in fits
            for fit, value in [fits[kind]]
            if weights.fits[kind] * fit != 0
        )
        features = {TEXT_FEATURES[view]: round(candidate.views[view], 6) for view in VIEWS}
        features.update({kind: round(fits[kind][0], 4) if kind in fits else 0.0 for kind in FIT_KINDS})
        level = match_level(score, ceiling, best) if levels else None
        result.append(
            Ranked(candidate.doc_id, round(score, 4), candidate.reasons() + fit_notes, features, level)
        )
    return result


# --------------------------------------------------------------------------- learn

# The ranking model's sharpness: P(accepted above rejected) = σ(GAMMA · log(score ratio)).
GAMMA = 4.0
# Pull towards the base weights, against a sum over pairs: one demand with one accepted and nine
# rejected suggestions moves a weight by a few hundredths at most; hundreds of demands can move it far.
L2 = 300.0
# Weight of a structured rejection's evidence on its fit kind, against one pair.
REASON_EVIDENCE = 1.0
_STEPS = 500


def _vector(weights: Weights) -> np.ndarray:
    return np.array(
        [weights.views[v] for v in VIEWS] + [weights.fits[f] for f in FIT_KINDS], dtype=np.float64
    )


def _bounds() -> tuple[np.ndarray, np.ndarray]:
    low = np.array([VIEW_BOUNDS[0]] * len(VIEWS) + [FIT_BOUNDS[0]] * len(FIT_KINDS))
    high = np.array([VIEW_BOUNDS[1]] * len(VIEWS) + [FIT_BOUNDS[1]] * len(FIT_KINDS))
    return low, high


def _rows(decisions: Sequence[Decision]) -> tuple[np.ndarray, np.ndarray]:
    """Text views and fits of each decision, as two arrays."""
    text = np.array(
        [[float(d.features.get(TEXT_FEATURES[v], 0.0)) for v in VIEWS] for d in decisions], dtype=np.float64
    ).reshape(len(decisions), len(VIEWS))
    fits = np.array(
        [[float(d.features.get(f, 0.0)) for f in FIT_KINDS] for d in decisions], dtype=np.float64
    ).reshape(len(decisions), len(FIT_KINDS))
    return text, fits


def _log_score(theta: np.ndarray, text: np.ndarray, fits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log score of each row and its gradient with respect to theta (rows × parameters)."""
    views, fit_weights = theta[: len(VIEWS)], theta[len(VIEWS) :]
    text_score = np.maximum(text @ views, 1e-12)
    raw = 1.0 + fits @ fit_weights
    factor = np.maximum(raw, FACTOR_FLOOR)
    gradient = np.hstack(
        [text / text_score[:, None], np.where(raw > FACTOR_FLOOR, 1.0, 0.0)[:, None] * fits / factor[:, None]]
    )
    return np.log(text_score) + np.log(factor), gradient


def learn(decisions: Sequence[Decision], base: Weights = DEFAULT_WEIGHTS) -> Weights:
    """Weights that rank accepted suggestions above rejected ones of the same demand, near ``base``.

    Pairwise logistic loss over (accepted, rejected) pairs of each demand, plus, for a rejection whose
    reason names a fit (too_early → TRL, price, region), a term asking that fit to count against the
    record. Rejections as ``already_known`` say nothing about relevance and are skipped, as are
    decisions without features. L2 towards ``base``; views stay in [0.25, 4], fits in [-1, 1].
    Deterministic: the same decisions (in any order) give the same weights.
    """
    used = sorted(
        (d for d in decisions if d.features and not (not d.accepted and d.reason == "already_known")),
        key=lambda d: (d.demand_id, d.doc_id, d.accepted, d.reason),
    )
    if not used:
        return base
    text, fits = _rows(used)
    index_of = {id(d): i for i, d in enumerate(used)}
    by_demand: dict[str, tuple[list[int], list[int]]] = {}
    for decision in used:
        accepted, rejected = by_demand.setdefault(decision.demand_id, ([], []))
        (accepted if decision.accepted else rejected).append(index_of[id(decision)])
    pairs = np.array(
        [(a, r) for accepted, rejected in by_demand.values() for a in accepted for r in rejected],
        dtype=np.int64,
    ).reshape(-1, 2)
    flagged = [
        (i, len(VIEWS) + FIT_KINDS.index(REASON_FIT[d.reason]))
        for i, d in enumerate(used)
        if not d.accepted and d.reason in REASON_FIT
    ]
    flagged = [(i, column) for i, column in flagged if fits[i, column - len(VIEWS)] != 0.0]
    if not len(pairs) and not flagged:
        return base

    start = _vector(base)
    low, high = _bounds()

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss = 0.5 * L2 * float(np.sum((theta - start) ** 2))
        gradient = L2 * (theta - start)
        if len(pairs):
            log_score, d_log = _log_score(theta, text, fits)
            margin = GAMMA * (log_score[pairs[:, 0]] - log_score[pairs[:, 1]])
            loss += float(np.sum(np.logaddexp(0.0, -margin)))
            slope = -GAMMA / (1.0 + np.exp(margin))  # d loss / d (log score_a - log score_r)
            gradient = gradient + slope @ (d_log[pairs[:, 0]] - d_log[pairs[:, 1]])
        for row, column in flagged:
            # softplus(GAMMA · w_f · fit_f): the named fit should lower this record's score.
            z = GAMMA * theta[column] * fits[row, column - len(VIEWS)]
            loss += REASON_EVIDENCE * float(np.logaddexp(0.0, z))
            gradient[column] += REASON_EVIDENCE * GAMMA * fits[row, column - len(VIEWS)] / (1.0 + np.exp(-z))
        return loss, gradient

    theta = np.clip(start, low, high)
    loss, gradient = objective(theta)
    step = 1.0 / (L2 + GAMMA**2 * (len(pairs) + len(flagged)))
    for _ in range(_STEPS):  # projected gradient descent with backtracking
        while True:
            candidate = np.clip(theta - step * gradient, low, high)
            new_loss, new_gradient = objective(candidate)
            if new_loss <= loss - 1e-4 * float(gradient @ (theta - candidate)) or step < 1e-12:
                break
            step /= 2
        moved = float(np.max(np.abs(candidate - theta)))
        theta, loss, gradient = candidate, new_loss, new_gradient
        step *= 2
        if moved < 1e-7:
            break
    values = [round(float(value), 4) for value in theta]
    return Weights(
        views=dict(zip(VIEWS, values[: len(VIEWS)], strict=True)),
        fits=dict(zip(FIT_KINDS, values[len(VIEWS) :], strict=True)),
        trained_on=base.trained_on + len(used),
    )

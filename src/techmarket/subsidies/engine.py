"""The subsidy engine: policies as data, computed without Django or a database.

Used by the platform (facts taken from registered contracts' confirmed receipts) and by the
``techmarket subsidy-calc`` what-if calculator (facts read from a CSV/.xlsx file). It imports no Django
and no app (an import contract checks it), so it runs anywhere and is tested by hand-checked figures.

Interface (fixed; the implementation fills it in):

- :func:`load_policy` reads a shipped policy id (``yueyang-2017``) or a policy file / mapping, validates
  it and returns a :class:`Policy`, or raises :class:`PolicyError` with every problem found.
- :func:`compute` takes a policy, the year, the year's S&T budget (the policy derives its pool from it),
  the contract facts (an iterable, read once, so a million rows stream) and the claims (applications for
  rules that are not paid on contracts: fixed awards, ranges, the tax reward) and returns a
  :class:`Result` whose awards carry the full trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

POLICY_DIR = Path(__file__).resolve().parent / "policies"
CONTRACT_TYPES = ("development", "transfer", "license", "consulting", "service")


class PolicyError(ValueError):
    """A policy that cannot be used; ``problems`` lists every reason, in the user's language."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ContractFact:
    """One contract's received amount in the year, with both parties (ids are opaque strings)."""

    contract_id: str
    seller_id: str
    seller_name: str
    seller_region: str
    buyer_id: str
    buyer_name: str
    buyer_region: str
    type: str  # one of CONTRACT_TYPES
    received: Decimal  # yuan
    year: int


@dataclass(frozen=True)
class Claim:
    """An organisation's application under a rule that is not paid on contracts (its facts per rule kind)."""

    claim_id: str
    org_id: str
    org_name: str
    org_region: str
    rule: str
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Award:
    """What one organisation earns under one rule, with the trail that explains every figure."""

    org_id: str
    org_name: str
    rule: str
    base: Decimal
    rate: Decimal | None
    raw_award: Decimal
    capped_award: Decimal
    final_award: Decimal
    trail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    policy_id: str
    policy_version: str
    year: int
    pool: Decimal | None  # None when the policy has no pool
    total_before_scaling: Decimal
    scaling_factor: Decimal  # 1 when no scaling was needed
    total: Decimal
    awards: list[Award]


@dataclass(frozen=True)
class Policy:
    """A validated policy document (``document`` is the data as loaded, kept for the trail and history)."""

    id: str
    version: str
    title: str
    region: str
    document: Mapping[str, Any]


def shipped_policy_ids() -> list[str]:
    """The ids of the policy files shipped in ``subsidies/policies``."""
    return sorted(path.stem for path in POLICY_DIR.glob("*.json"))


def load_policy(source: str | Path | Mapping[str, Any]) -> Policy:
    raise NotImplementedError


def compute(
    policy: Policy,
    *,
    year: int,
    budget: Decimal | None,
    contracts: Iterable[ContractFact] = (),
    claims: Iterable[Claim] = (),
) -> Result:
    raise NotImplementedError

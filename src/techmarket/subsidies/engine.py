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

The document format and the rule kinds are described in ``docs/domains/subsidies.md`` ("Policies as
data"); the validation lives in :mod:`techmarket.subsidies.policy_format`. Money is ``Decimal`` yuan with
2 decimals throughout; every award is rounded *down* to the fen (the plans say "不超过"), and scaled awards
are ``floor(capped × pool / total)`` computed in whole fen, so their sum never exceeds the pool.
"""

from __future__ import annotations

import datetime
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from techmarket.subsidies.policy_format import (
    CLAIM_KINDS,
    CONTRACT_TYPES,
    MESSAGES,
    Problem,
    region_prefix,
    validate_document,
)

POLICY_DIR = Path(__file__).resolve().parent / "policies"
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
#: How many contract ids an award's trail lists; beyond it the trail keeps the count, the sum and an
#: order-independent checksum of all the ids (so a checker re-filtering the facts can confirm the set).
TRAIL_IDS_LIMIT = 50

__all__ = [
    "CONTRACT_TYPES",
    "MESSAGES",
    "POLICY_DIR",
    "Award",
    "Check",
    "Claim",
    "ContractFact",
    "Policy",
    "PolicyError",
    "Problem",
    "Refusal",
    "Result",
    "compute",
    "ids_checksum",
    "load_policy",
    "shipped_policy_ids",
]


class PolicyError(ValueError):
    """A policy that cannot be used; ``problems`` lists every reason, in the user's language.

    ``problems`` holds the Chinese default texts; ``details`` the same problems as :class:`Problem`
    (code + params), which ``techmarket.subsidies.messages.render_problem`` renders in the user's language.
    """

    def __init__(self, problems: list[str] | list[Problem]) -> None:
        details = [p if isinstance(p, Problem) else Problem("other", {"text": str(p)}) for p in problems]
        texts = [p.text for p in details]
        super().__init__("; ".join(texts))
        self.problems = texts
        self.details = details


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
class Refusal:
    """A claim that earns nothing, with the reason (``code`` + ``params``; ``text`` in Chinese)."""

    claim_id: str
    org_id: str
    org_name: str
    rule: str
    code: str
    params: Mapping[str, Any]
    text: str


@dataclass(frozen=True)
class Check:
    """The outcome of a check rule (no money): ``passed`` with the trail of the figures compared."""

    claim_id: str
    org_id: str
    org_name: str
    rule: str
    passed: bool
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
    refusals: list[Refusal] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    #: counts of what was read and left out (contracts of other years, outside the region, ...)
    stats: Mapping[str, Any] = field(default_factory=dict)
    #: how the pool was applied: method, factor, rounding, unallocated remainder
    scaling: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """A validated policy document (``document`` is the data as loaded, kept for the trail and history)."""

    id: str
    version: str
    title: str
    region: str
    document: Mapping[str, Any]
    title_en: str = ""
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None
    #: the normalised document (amounts and rates as Decimal, dates as date) that :func:`compute` uses
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rules(self) -> list[Mapping[str, Any]]:
        return list(self.spec["rules"])

    @property
    def rule_ids(self) -> list[str]:
        return [rule["id"] for rule in self.spec["rules"]]

    def in_region(self, region: str) -> bool:
        return in_region(self.region, region)


def in_region(policy_region: str, region: str) -> bool:
    """Whether ``region`` (a GB/T 2260 code) is the policy's region or below it (by code prefix)."""
    return isinstance(region, str) and len(region) == 6 and region.startswith(region_prefix(policy_region))


def shipped_policy_ids() -> list[str]:
    """The ids of the policy files shipped in ``subsidies/policies``."""
    return sorted(path.stem for path in POLICY_DIR.glob("*.json"))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise PolicyError([Problem("file_not_found", {"path": str(path)})]) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PolicyError([Problem("bad_json", {"path": str(path), "error": str(exc)})]) from None


def load_policy(source: str | Path | Mapping[str, Any]) -> Policy:
    """A shipped policy id, a path to a JSON policy file, or a mapping → a validated :class:`Policy`."""
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        text = str(source)
        if isinstance(source, str) and text in shipped_policy_ids():
            raw = _read_json(POLICY_DIR / f"{text}.json")
        elif isinstance(source, Path) or text.endswith(".json") or "/" in text or "\\" in text:
            raw = _read_json(Path(text))
        else:
            raise PolicyError(
                [Problem("unknown_policy", {"id": text, "known": ", ".join(shipped_policy_ids())})]
            )
    spec, problems = validate_document(raw)
    if problems:
        raise PolicyError(problems)
    if spec is None:  # pragma: no cover - validate_document returns a spec whenever there is no problem
        raise PolicyError([Problem("not_an_object", {"at": "$"})])
    return Policy(
        id=spec["id"],
        version=spec["version"],
        title=spec["title"]["zh"],
        title_en=spec["title"].get("en", ""),
        region=spec["region"],
        document=raw,
        effective_from=spec["effective_from"],
        effective_to=spec["effective_to"],
        spec=spec,
    )


# --------------------------------------------------------------------------------------------- money


def fen_down(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_DOWN)


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_DOWN))


def ids_checksum(ids: Iterable[str]) -> str:
    """An order-independent checksum of a set of contract ids (the sum of their CRC-32 values, as hex).

    With the count and the sum of the amounts it lets a checker confirm that re-filtering the facts gives
    the same contracts as the award (cheap enough for a million rows; not a cryptographic digest).
    """
    return f"{sum(zlib.crc32(contract_id.encode()) for contract_id in ids):x}"


class _Tally:
    """One organisation's running total on one side and contract type (memory bounded by the ids limit)."""

    __slots__ = ("count", "digest", "ids", "name", "total")

    def __init__(self, name: str) -> None:
        self.name = name
        self.total = Decimal(0)
        self.count = 0
        self.ids: list[str] = []
        self.digest = 0


def _contract_award(
    rule: Mapping[str, Any], org_id: str, parts: list[tuple[str, _Tally]], ids_limit: int, with_trail: bool
) -> Award | None:
    """The award of one organisation under one contract rule from its tallies of the rule's types."""
    base = sum((tally.total for _, tally in parts), Decimal(0)).quantize(FEN)
    threshold = rule.get("threshold", Decimal(0))
    if base < threshold:
        return None
    rate = rule["rate"]
    raw = fen_down(base * rate)
    cap = rule.get("cap")
    capped = min(raw, cap) if cap is not None else raw
    if capped <= 0:
        return None
    name = parts[0][1].name
    if not with_trail:
        return Award(org_id, name, rule["id"], base, rate, raw, capped, capped, {})
    count = sum(tally.count for _, tally in parts)
    trail = {
        "kind": rule["kind"],
        "side": rule["side"],
        "contract_types": list(rule["contract_types"]),
        "license_as_transfer": rule.get("license_as_transfer", False),
        "contracts": count,
        "contract_ids": [i for _, tally in parts for i in tally.ids][:ids_limit],
        "contract_ids_complete": count <= ids_limit,
        "contract_ids_checksum": f"{sum(tally.digest for _, tally in parts):x}",
        "base_by_type": {kind: str(tally.total.quantize(FEN)) for kind, tally in parts},
        "contracts_by_type": {kind: tally.count for kind, tally in parts},
        "base": str(base),
        "threshold": str(threshold),
        "threshold_reached": True,
        "rate": str(rate),
        "raw": str(raw),
        "rounding": "down to the fen",
        "cap": None if cap is None else str(cap),
        "capped": str(capped),
        "cap_applied": cap is not None and raw > cap,
    }
    return Award(org_id, name, rule["id"], base, rate, raw, capped, capped, trail)


def compute(
    policy: Policy,
    *,
    year: int,
    budget: Decimal | None,
    contracts: Iterable[ContractFact] = (),
    claims: Iterable[Claim] = (),
    ids_limit: int = TRAIL_IDS_LIMIT,
    trail: bool = True,
) -> Result:
    """The policy's awards for ``year``: one streaming pass over ``contracts``, then the claims, then the pool.

    ``trail=False`` leaves the contract awards' trails empty and keeps no contract ids (the what-if
    calculator without ``--trail``): same figures, less memory. The result's stats and scaling are kept.
    """
    if not trail:
        ids_limit = 0
    document = policy.spec
    problems: list[Problem] = []
    if not _year_effective(policy, year):
        problems.append(
            Problem(
                "year_not_effective",
                {
                    "year": year,
                    "from": str(policy.effective_from),
                    "to": str(policy.effective_to or "—"),
                },
            )
        )
    budget_spec = document["budget"]
    pool: Decimal | None = None
    if budget_spec["method"] == "pool":
        if budget is None:
            problems.append(Problem("budget_required", {"policy": policy.id}))
        elif budget < 0:
            problems.append(Problem("negative_budget", {"value": str(budget)}))
        else:
            pool = fen_down(Decimal(budget) * budget_spec["share"])
    if problems:
        raise PolicyError(problems)

    rules = list(document["rules"])
    order = {rule["id"]: index for index, rule in enumerate(rules)}
    contract_rules = [rule for rule in rules if rule["kind"] == "contract_threshold"]
    prefix = region_prefix(policy.region)
    # One tally per (side, organisation, contract type): each contract is hashed once and added to at
    # most two tallies; the rules then add up the tallies of their types.
    side_types: dict[str, set[str]] = {"seller": set(), "buyer": set()}
    rule_types: dict[str, tuple[str, ...]] = {}
    for rule in contract_rules:
        types = set(rule["contract_types"])
        if rule.get("license_as_transfer") and "transfer" in types:
            types.add("license")
        rule_types[rule["id"]] = tuple(t for t in CONTRACT_TYPES if t in types)
        side_types[rule["side"]].update(types)
    seller_types, buyer_types = frozenset(side_types["seller"]), frozenset(side_types["buyer"])
    sellers: dict[str, dict[str, _Tally]] = {}
    buyers: dict[str, dict[str, _Tally]] = {}
    outside_by_type: dict[str, dict[str, int]] = {
        "seller": dict.fromkeys(CONTRACT_TYPES, 0),
        "buyer": dict.fromkeys(CONTRACT_TYPES, 0),
    }
    seller_outside, buyer_outside = outside_by_type["seller"], outside_by_type["buyer"]
    crc32 = zlib.crc32
    read = other_year = unmatched = 0
    for fact in contracts:
        read += 1
        if fact.year != year:
            other_year += 1
            continue
        kind = fact.type
        for_seller, for_buyer = kind in seller_types, kind in buyer_types
        if not (for_seller or for_buyer):
            unmatched += 1
            continue
        contract_id = fact.contract_id
        digest = crc32(contract_id.encode())
        amount = fact.received
        if for_seller:
            region = fact.seller_region
            if len(region) == 6 and region.startswith(prefix):
                org_tallies = sellers.get(fact.seller_id)
                if org_tallies is None:
                    org_tallies = sellers[fact.seller_id] = {}
                tally = org_tallies.get(kind)
                if tally is None:
                    tally = org_tallies[kind] = _Tally(fact.seller_name)
                tally.total += amount
                tally.count += 1
                tally.digest += digest
                if tally.count <= ids_limit:
                    tally.ids.append(contract_id)
            else:
                seller_outside[kind] += 1
        if for_buyer:
            region = fact.buyer_region
            if len(region) == 6 and region.startswith(prefix):
                org_tallies = buyers.get(fact.buyer_id)
                if org_tallies is None:
                    org_tallies = buyers[fact.buyer_id] = {}
                tally = org_tallies.get(kind)
                if tally is None:
                    tally = org_tallies[kind] = _Tally(fact.buyer_name)
                tally.total += amount
                tally.count += 1
                tally.digest += digest
                if tally.count <= ids_limit:
                    tally.ids.append(contract_id)
            else:
                buyer_outside[kind] += 1

    rule_by_id = {rule["id"]: rule for rule in rules}
    awards: list[Award] = []
    outside: dict[str, int] = {}
    below_threshold: dict[str, int] = {}
    for rule in contract_rules:
        rule_id, side = rule["id"], rule["side"]
        kinds = rule_types[rule_id]
        outside[rule_id] = sum(outside_by_type[side][t] for t in kinds)
        below_threshold[rule_id] = 0
        for org_id, org_tallies in (sellers if side == "seller" else buyers).items():
            parts = [(t, org_tallies[t]) for t in kinds if t in org_tallies]
            if not parts:
                continue
            award = _contract_award(rule, org_id, parts, ids_limit, trail)
            if award is None:
                below_threshold[rule_id] += 1
            else:
                awards.append(award)

    refusals: list[Refusal] = []
    checks: list[Check] = []
    seen_claims: set[str] = set()
    claims_read = 0
    for claim in claims:
        claims_read += 1
        outcome = _claim_outcome(policy, rule_by_id, claim, year, seen_claims)
        if isinstance(outcome, Award):
            awards.append(outcome)
        elif isinstance(outcome, Check):
            checks.append(outcome)
        else:
            refusals.append(outcome)

    awards.sort(key=lambda a: (a.org_id, order[a.rule]))
    checks.sort(key=lambda c: (c.org_id, order[c.rule], c.claim_id))
    refusals.sort(key=lambda r: (r.org_id, order.get(r.rule, len(order)), r.claim_id))

    total_before = sum((award.capped_award for award in awards), ZERO)
    factor = Decimal(1)
    scaling: dict[str, Any] = {"method": budget_spec["method"], "applied": False}
    if pool is not None:
        scaling.update({"share": str(budget_spec["share"]), "budget": str(budget), "pool": str(pool)})
    if pool is not None and total_before > pool:
        pool_fen, total_fen = _fen(pool), _fen(total_before)
        factor = (pool / total_before).quantize(Decimal("0.0000000001"), rounding=ROUND_DOWN)
        scaled: list[Award] = []
        for award in awards:
            final = Decimal(_fen(award.capped_award) * pool_fen // total_fen) / 100
            final = final.quantize(FEN)
            # the trail is the engine's own dict, made for this award: record the scaling in place
            if award.trail:
                award.trail["scaling"] = {  # type: ignore[index]
                    "factor": str(factor),
                    "formula": "floor_fen(capped × pool / total_before_scaling)",
                    "pool": str(pool),
                    "total_before_scaling": str(total_before),
                    "final": str(final),
                }
            scaled.append(
                Award(
                    award.org_id,
                    award.org_name,
                    award.rule,
                    award.base,
                    award.rate,
                    award.raw_award,
                    award.capped_award,
                    final,
                    award.trail,
                )
            )
        awards = scaled
        total = sum((award.final_award for award in awards), ZERO)
        scaling.update(
            {
                "applied": True,
                "factor": str(factor),
                "rounding": "each award rounded down to the fen",
                "total_before_scaling": str(total_before),
                "total": str(total),
                "unallocated": str(pool - total),
            }
        )
    else:
        total = total_before
        if pool is not None:
            scaling.update({"factor": "1", "unallocated": str(pool - total)})

    stats = {
        "contracts_read": read,
        "contracts_other_year": other_year,
        "contracts_type_not_in_policy": unmatched,
        "contracts_outside_region_by_rule": outside,
        "organisations_below_threshold_by_rule": below_threshold,
        "claims_read": claims_read,
        "claims_refused": len(refusals),
        "checks": len(checks),
        "checks_failed": sum(1 for check in checks if not check.passed),
        "trail_ids_limit": ids_limit,
    }
    return Result(
        policy_id=policy.id,
        policy_version=policy.version,
        year=year,
        pool=pool,
        total_before_scaling=total_before,
        scaling_factor=factor,
        total=total,
        awards=awards,
        refusals=refusals,
        checks=checks,
        stats=stats,
        scaling=scaling,
    )


def _year_effective(policy: Policy, year: int) -> bool:
    if policy.effective_from is not None and year < policy.effective_from.year:
        return False
    return not (policy.effective_to is not None and year > policy.effective_to.year)


# -------------------------------------------------------------------------------------------- claims


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _money_fact(facts: Mapping[str, Any], name: str, *, default: Decimal | None = None) -> Decimal:
    if name not in facts or facts[name] is None or facts[name] == "":
        if default is not None:
            return default
        raise _Refused("fact_missing", fact=name)
    value = facts[name]
    if isinstance(value, bool):
        raise _Refused("fact_not_a_number", fact=name, value=str(value))
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise _Refused("fact_not_a_number", fact=name, value=str(value)) from None
    if not amount.is_finite():
        raise _Refused("fact_not_a_number", fact=name, value=str(value))
    if amount < 0:
        raise _Refused("fact_negative", fact=name, value=str(value))
    if amount != amount.quantize(FEN, rounding=ROUND_DOWN):
        raise _Refused("fact_too_precise", fact=name, value=str(value))
    return amount.quantize(FEN)


def _int_fact(facts: Mapping[str, Any], name: str, *, default: int | None = None) -> int:
    if name not in facts or facts[name] is None:
        if default is not None:
            return default
        raise _Refused("fact_missing", fact=name)
    value = facts[name]
    try:
        number = int(str(value))
    except ValueError:
        raise _Refused("fact_not_an_integer", fact=name, value=str(value)) from None
    if isinstance(value, bool) or number < 0:
        raise _Refused("fact_not_an_integer", fact=name, value=str(value))
    return number


def _claim_outcome(
    policy: Policy,
    rule_by_id: Mapping[str, Mapping[str, Any]],
    claim: Claim,
    year: int,
    seen: set[str],
) -> Award | Check | Refusal:
    rule = rule_by_id.get(claim.rule)
    try:
        if claim.claim_id in seen:
            raise _Refused("duplicate_claim", claim=claim.claim_id)
        seen.add(claim.claim_id)
        if rule is None:
            raise _Refused("unknown_rule", rule=claim.rule)
        if rule["kind"] not in CLAIM_KINDS:
            raise _Refused("rule_not_for_claims", rule=claim.rule)
        if not policy.in_region(claim.org_region):
            raise _Refused("outside_region", region=claim.org_region, policy_region=policy.region)
        facts = claim.facts
        claim_year = facts.get("year")
        if claim_year is not None and str(claim_year) != str(year):
            raise _Refused("claim_other_year", claim_year=str(claim_year), year=year)
        for name, allowed in rule.get("conditions", {}).items():
            if name not in facts:
                raise _Refused("fact_missing", fact=name)
            if str(facts[name]) not in allowed:
                raise _Refused(
                    "condition_not_met", fact=name, value=str(facts[name]), allowed=", ".join(allowed)
                )
        for name in rule.get("requires", []):
            if facts.get(name) in (None, ""):
                raise _Refused("fact_missing", fact=name)
        kind = rule["kind"]
        if kind == "fixed":
            return _fixed_award(rule, claim)
        if kind == "range":
            return _range_award(rule, claim)
        if kind == "tax_increment":
            return _tax_award(rule, claim, year)
        return _share_check(rule, claim)
    except _Refused as refused:
        text = MESSAGES[refused.code] % refused.params
        return Refusal(
            claim.claim_id, claim.org_id, claim.org_name, claim.rule, refused.code, refused.params, text
        )


def _award(
    rule: Mapping[str, Any],
    claim: Claim,
    base: Decimal,
    rate: Decimal | None,
    raw: Decimal,
    capped: Decimal,
    trail: dict[str, Any],
) -> Award:
    trail = {"kind": rule["kind"], "claim_id": claim.claim_id, **trail}
    return Award(claim.org_id, claim.org_name, rule["id"], base, rate, raw, capped, capped, trail)


def _fixed_award(rule: Mapping[str, Any], claim: Claim) -> Award:
    facts = claim.facts
    if "levels" in rule:
        level = facts.get("level")
        if level is None:
            raise _Refused("fact_missing", fact="level")
        if str(level) not in rule["levels"]:
            raise _Refused("unknown_level", level=str(level), levels=", ".join(rule["levels"]))
        amount = rule["levels"][str(level)]
    else:
        level = None
        amount = rule["amount"]
    count = _int_fact(facts, "count", default=1) if rule.get("per_item") else 1
    if count < 1:
        raise _Refused("fact_not_an_integer", fact="count", value=str(count))
    raw = amount * count
    return _award(
        rule,
        claim,
        amount,
        None,
        raw,
        raw,
        {"level": level, "amount": str(amount), "count": count, "raw": str(raw)},
    )


def _range_award(rule: Mapping[str, Any], claim: Claim) -> Award:
    facts = claim.facts
    amount = _money_fact(facts, "amount")
    low, high = rule.get("min", ZERO), rule["max"]
    if amount < low or amount > high or amount <= 0:
        raise _Refused("amount_out_of_range", amount=str(amount), min=str(low), max=str(high))
    count = _int_fact(facts, "count", default=1) if rule.get("per_item") else 1
    if count < 1:
        raise _Refused("fact_not_an_integer", fact="count", value=str(count))
    raw = amount * count
    trail = {"amount": str(amount), "min": str(low), "max": str(high), "count": count, "raw": str(raw)}
    for name in rule.get("requires", []):
        trail[name] = str(facts[name])
    return _award(rule, claim, amount, None, raw, raw, trail)


def _tax_award(rule: Mapping[str, Any], claim: Claim, year: int) -> Award:
    """The technical-renovation tax reward for ``year`` (see the module doc of the rule kind)."""
    facts = claim.facts
    investment = _money_fact(facts, "investment")
    land = _money_fact(facts, "land", default=ZERO)
    eligible = investment - land
    if eligible < rule["min_investment"]:
        raise _Refused("investment_too_small", investment=str(eligible), minimum=str(rule["min_investment"]))
    completion = _int_fact(facts, "completion_year")
    years = rule["years"]
    last = completion + years - 1
    if not completion <= year <= last:
        raise _Refused("outside_reward_years", year=year, first=completion, last=last)
    raw_taxes = facts.get("taxes")
    if not isinstance(raw_taxes, Mapping):
        raise _Refused("fact_missing", fact="taxes")
    taxes: dict[int, Decimal] = {}
    for key in raw_taxes:
        taxes[_int_fact({"year": key}, "year")] = _money_fact(raw_taxes, key)
    for y in range(completion - 1, year + 1):
        if y not in taxes:
            raise _Refused("tax_year_missing", year=y)
    share, cap_share, cap = rule["share"], rule["cap_share_of_investment"], rule["cap"]
    total_cap = min(fen_down(eligible * cap_share), cap)
    # The schedule from completion to ``year``: each year's award under the caps, stopping for good
    # from the first year the tax falls.
    schedule: list[dict[str, str | int]] = []
    paid = ZERO
    for y in range(completion, year + 1):
        increase = taxes[y] - taxes[y - 1]
        if increase < 0 and rule.get("stop_on_fall", True):
            raise _Refused("tax_fell", year=y, before=str(taxes[y - 1]), after=str(taxes[y]))
        y_raw = fen_down(max(increase, ZERO) * share)
        y_award = min(y_raw, max(total_cap - paid, ZERO))
        schedule.append(
            {
                "year": y,
                "tax": str(taxes[y]),
                "increase": str(increase),
                "raw": str(y_raw),
                "award": str(y_award),
            }
        )
        if y < year:
            paid += y_award
    previous = _money_fact(facts, "previous_awards", default=paid)
    increase = taxes[year] - taxes[year - 1]
    raw = fen_down(max(increase, ZERO) * share)
    remaining = max(total_cap - previous, ZERO)
    capped = min(raw, remaining)
    if capped <= 0:
        raise _Refused("no_tax_award", increase=str(increase), remaining=str(remaining))
    trail = {
        "investment": str(investment),
        "land": str(land),
        "eligible_investment": str(eligible),
        "min_investment": str(rule["min_investment"]),
        "completion_year": completion,
        "reward_years": f"{completion}–{last}",
        "tax_previous_year": str(taxes[year - 1]),
        "tax_year": str(taxes[year]),
        "increase": str(increase),
        "share": str(share),
        "raw": str(raw),
        "rounding": "down to the fen",
        "cap_share_of_investment": str(cap_share),
        "cap": str(cap),
        "total_cap": str(total_cap),
        "previous_awards": str(previous),
        "previous_awards_recomputed": str(paid),
        "remaining_cap": str(remaining),
        "capped": str(capped),
        "cap_applied": capped < raw,
        "schedule": schedule,
    }
    return _award(rule, claim, increase, share, raw, capped, trail)


def _share_check(rule: Mapping[str, Any], claim: Claim) -> Check:
    facts = claim.facts
    income = _money_fact(facts, "net_income")
    reward = _money_fact(facts, "inventors_reward")
    minimum = rule["min_share"]
    required = income * minimum
    passed = reward >= required
    share = (reward / income).quantize(Decimal("0.0001"), rounding=ROUND_DOWN) if income else None
    trail = {
        "kind": rule["kind"],
        "claim_id": claim.claim_id,
        "net_income": str(income),
        "inventors_reward": str(reward),
        "min_share": str(minimum),
        "required": str(required.quantize(FEN, rounding=ROUND_CEILING)),
        "share": None if share is None else str(share),
        "passed": passed,
    }
    return Check(claim.claim_id, claim.org_id, claim.org_name, rule["id"], passed, trail)

"""Demo data of policy subsidies for ``techmarket demo`` (call :func:`load` after the contracts demo).

The demo deployment is Hubei: the platform administrator adapts the shipped ``yueyang-2017`` rules to
Wuhan (region 420100) as a new version of that policy, and the year's run is computed from the registered
contracts' confirmed receipts by Wuhan's reviewer (demo-city), checked by the province's (demo-province),
approved and published (公示, objections open for 7 days) by the administrator — every step through the
services, so the audit log is what real use would leave. The facts are the contracts demo's: the
registered Wuhan contracts with receipts confirmed in the year (without any, the run is published empty
and :attr:`DemoSubsidies.had_receipts` says so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from techmarket.accounts.demo import DemoPeople
from techmarket.contracts import subsidy_facts
from techmarket.subsidies import engine, services

POLICY_ID = "yueyang-2017"
REGION = "420100"
TITLE = "武汉市技术合同奖补（演示，依岳阳2017规则）"
YEAR = 2026
BUDGET = "1200000"  # the year's S&T budget (yuan): a pool of 120,000, so the awards are scaled


@dataclass
class DemoSubsidies:
    policy_version: int
    run: int
    awards: int
    total: str
    had_receipts: bool
    year: int = YEAR


def wuhan_document() -> dict[str, Any]:
    document = dict(engine.load_policy(POLICY_ID).document)
    document.update(
        {
            "version": "2026-wuhan-demo",
            "title": {"zh": TITLE, "en": "Wuhan technology contract subsidies (demo, Yueyang 2017 rules)"},
            "region": REGION,
            "effective_from": "2026-01-01",
            "effective_to": None,
            "note": "演示数据：岳阳2017年后补助规则用于武汉市。",
        }
    )
    return document


def load(people: DemoPeople, *, year: int = YEAR, budget: str = BUDGET) -> DemoSubsidies:
    """The Wuhan policy version and a published run of ``year``."""
    admin = people.admin
    computer = people.accounts.get("demo-city") or admin
    checker = people.accounts.get("demo-province") or admin
    version = services.policy_save(
        actor=admin,
        policy_id=POLICY_ID,
        document_text=json.dumps(wuhan_document(), ensure_ascii=False),
        note="演示：改为武汉市（420100），2026年起执行",
    )
    had_receipts = subsidy_facts.has_receipts(year, REGION)
    run = services.run_compute(actor=computer, policy_id=POLICY_ID, year=year, budget=budget)
    run = services.run_check(actor=checker, run=run)
    run = services.run_approve(actor=admin, run=run)
    run = services.run_publish(actor=admin, run=run, objection_days=7)
    return DemoSubsidies(version.number, run.pk, run.award_count, str(run.total), had_receipts)

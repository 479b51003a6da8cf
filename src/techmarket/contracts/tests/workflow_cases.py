"""The contract workflow's cases for the generated role × transition matrix (core.testing).

The seller is the conftest's university (first county) with its filer; the contract names the
``agency`` organisation (as a deal's broker would be named), so its broker files too. The registry is
the first city's (and the province's) registrars; the other city's registrar, reviewers, platform
administrators, the buyer's users and everyone else never act on it.
"""

from __future__ import annotations

from typing import Any

from techmarket.contracts import services
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import TechContract
from techmarket.contracts.tests.helpers import build_people, in_state
from techmarket.contracts.workflow import CONTRACT_WORKFLOW
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase

FILERS = {"filer", "seller_admin", "seller_enterprise", "broker"}
REGISTRY = {"registrar", "province_registrar"}
NOBODY = {
    "anonymous",
    "seller_expert",
    "buyer_user",
    "buyer_admin",
    "other_broker",
    "outsider",
    "other_registrar",
    "reviewer",
    "platform_admin",
    "superuser",
}
ROLES = [
    "filer",
    "seller_admin",
    "seller_enterprise",
    "seller_expert",
    "buyer_user",
    "buyer_admin",
    "broker",
    "other_broker",
    "outsider",
    "registrar",
    "province_registrar",
    "other_registrar",
    "reviewer",
    "platform_admin",
    "superuser",
    "anonymous",
]


def setup(request: Any) -> dict[str, Any]:
    return build_people(
        request.getfixturevalue("regions"),
        request.getfixturevalue("organisation"),
        request.getfixturevalue("applicant"),
    )


def make(world: dict[str, Any], state: str) -> TechContract:
    contract = in_state(world, state)
    TechContract.objects.filter(pk=contract.pk).update(agency_organisation=world["agency"])
    return TechContract.objects.get(pk=contract.pk)


FIRE = {
    "submit": lambda actor, c, reason: services.contract_submit(actor=actor, contract=c),
    "withdraw": lambda actor, c, reason: services.contract_withdraw(actor=actor, contract=c, reason=reason),
    "start_review": lambda actor, c, reason: services.contract_start_review(actor=actor, contract=c),
    "return": lambda actor, c, reason: services.contract_return(actor=actor, contract=c, reason=reason),
    "register": lambda actor, c, reason: services.contract_register(actor=actor, contract=c),
    "refuse": lambda actor, c, reason: services.contract_refuse(actor=actor, contract=c, reason=reason),
}

CASES = [
    WorkflowCase(
        workflow=CONTRACT_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: {role: world[role] for role in ROLES},
        fire=FIRE,
        rules=[
            Rule("the seller side submits and withdraws", FILERS, {"submit", "withdraw"}, True),
            Rule("the registry never files", REGISTRY, {"submit", "withdraw"}, False),
            Rule(
                "the registry of the seller's chain reviews",
                REGISTRY,
                {"start_review", "return", "register", "refuse"},
                True,
            ),
            Rule(
                "the filers never review their own contract",
                FILERS,
                {"start_review", "return", "register", "refuse"},
                False,
            ),
            Rule(
                "nobody else acts on a contract",
                NOBODY,
                {"submit", "withdraw", "start_review", "return", "register", "refuse"},
                False,
            ),
        ],
    )
]

__all__ = ["CASES", "S"]

"""Issue 9, section 5: every path to an object applies the same rule.

Generated from the URL configuration: every web and API route that names one object (a path parameter
such as ``pk``, ``job_id``, ``demand_id``) is tried, with every method it answers, by users outside that
object's audience. Each must be refused (403/404/405, or for a page a redirect with nothing done),
change nothing in the database and show none of the object's private text. A new route naming an object
fails :func:`test_every_object_route_has_a_case` until it gets a row in ``CASES`` (or, for routes that
name no private object, in ``PUBLIC``).

Routes without an object (lists, search, suggest, exports) are tried by the same outsiders with the
private objects' words as the query: nothing private may show in the answer.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from techmarket.accounts import services as accounts_services
from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import RoleAssignment
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import ImportJob, ImportStatus
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.contracts import receipt_services
from techmarket.contracts.tests import helpers as contract_helpers
from techmarket.contracts.tests.factories import registered_contract
from techmarket.conversations import services as conversation_services
from techmarket.conversations.models import Thread
from techmarket.core.models import CalendarDay
from techmarket.deals import services as deal_services
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.docking import services as docking_services
from techmarket.docking.models import PushRecipient
from techmarket.docking.tests.factories import confirmed, expert_with_login
from techmarket.matching.choices import TargetKind
from techmarket.matching.models import Suggestion
from techmarket.notifications import services as notifications
from techmarket.trading import services as trading_services
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state
from techmarket.trading.tests.factories import listing_data as trading_listing_data

pytestmark = pytest.mark.django_db

SECRET_ACHIEVEMENT = "绝密石墨烯散热膜卷对卷工艺"
DRAFT_ACHIEVEMENT = "尚未提交的钠离子电池正极草稿"
SECRET_DEMAND = "受限的高导热界面材料需求"
SECRET_NOTICE = "只给专家甲看的通知"
SECRET_UPLOAD = "甲单位内部成果清单.xlsx"
SECRET_MESSAGE = "只给对话双方看的报价三十万"
SECRET_FILE = "报价单内部版.pdf"
SECRET_DISCLOSED = "只给授权买方看的挂牌保密工艺参数"
SECRET_LISTING_FILE = "挂牌保密工艺配方文件"
SECRET_LISTING = "受限成果挂牌的内部名称"
SECRET_LISTING_DETAIL = "挂牌保密信息：最低可接受价"
SECRET_TERMS = "只给洽谈双方看的分期付款条件"
SECRET_OBJECTION = "只给管理员和成果方看的异议证据"
SECRET_CONTRACT = "只给合同双方和登记机构看的储能电池技术转让合同"
SECRET_RECEIPT = "只给合同当事方和登记机构看的到账付款方"
SECRET_SUBSIDY_OBJECTION = "只给异议人和主管部门看的奖补异议"
SECRETS = (
    SECRET_CONTRACT,
    SECRET_RECEIPT,
    SECRET_SUBSIDY_OBJECTION,
    SECRET_LISTING,
    SECRET_LISTING_DETAIL,
    SECRET_OBJECTION,
    SECRET_DISCLOSED,
    SECRET_LISTING_FILE,
    SECRET_TERMS,
    SECRET_ACHIEVEMENT,
    DRAFT_ACHIEVEMENT,
    SECRET_DEMAND,
    SECRET_NOTICE,
    SECRET_UPLOAD,
    SECRET_MESSAGE,
    SECRET_FILE,
)
# Words of the private texts: what an outsider would type into a search box to find them.
PROBES = ("石墨烯散热膜 钠离子电池正极", "高导热界面材料 只给专家甲", "报价三十万", "内部名称 最低可接受价")

# Route parameters that name one object; other parameters (an action, a format) come from the case.
OBJECT_PARAMETERS = {
    "pk",
    "job_id",
    "attachment_id",
    "demand_id",
    "uidb64",
    "quarter",
    "code",
    "document_id",
    "request_id",
    "rule_id",
    "deal_id",
    "policy_id",
}
# Routes that name an object nobody's audience limits (public reference data, the public catalogues)
# or no stored object at all; each says why.
PUBLIC = {
    "api:region-detail": "GB/T 2260 regions are public reference data",
    "api:classification-detail": "GB/T 13745 / 4754 classifications are public reference data",
    "achievements:catalogue_download": "published quarterly catalogues are public (public records only)",
    "deals:notice": "成交公告 are public (a 受限 listing's notice shows only its public fields)",
    "api:dealnotice-detail": "成交公告 are public (a 受限 listing's notice shows only its public fields)",
    "accounts:password_reset_confirm": "a signed reset link, not a stored object",
    "accounts:activate": "a signed registration link, not a stored object",
    "verify:check": "the public check of a registration certificate: valid or not, the number, type, date, "
    "registry and certified amount, masked party names (tests in contracts/tests/test_pages_api.py)",
    "statistics:enter_actual": "KPI targets are public plan data; entering an actual is for platform administrators only (statistics/tests/test_targets.py)",
}
# Not the platform's own routes.
IGNORED_PREFIXES = ("admin/", "i18n/", "api/v1/schema/", "api/v1/docs/", "static/")


@dataclass
class Case:
    """One object route: its path arguments, who is outside the object's audience, what a POST sends."""

    kwargs: Callable[[dict[str, Any]], dict[str, Any]]
    outsiders: tuple[str, ...]
    data: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda w: {})
    # GET may be public for some objects (an active expert's profile): then only actions are tried.
    get_is_private: bool = True


def _post_data(world: dict[str, Any]) -> dict[str, Any]:
    """Plausible form/API fields for every action (an answer, a decision, a grant, a hand-added match)."""
    return {
        "note": "x",
        "reason": "外部人员尝试",
        "reject_reason": "not_relevant",
        "kind": TargetKind.ACHIEVEMENT,
        "target_id": world["secret_achievement"].pk,
        "answer": "interested",
        "message": "想对接",
        "username": world["outsider_enterprise"].username,
        "is_active": "",
        "name": "被改掉的名称",
        "title": "被改掉的标题",
    }


ACHIEVEMENT_OUTSIDERS = (
    "broker",
    "outsider_enterprise",
    "other_applicant",
    "other_city_reviewer",
    "anonymous",
)
DEMAND_OUTSIDERS = ("broker", "outsider_enterprise", "other_applicant", "other_city_reviewer", "anonymous")


def _secret(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["secret_achievement"].pk}


def _draft(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["draft_achievement"].pk}


def _demand(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["secret_demand"].pk}


def _thread(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["thread"].pk}


def _attachment(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["thread"].pk, "attachment_id": w["attachment"].pk}


def _auction(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["auction"].pk}


# Everyone but the trading administrators (the bidder registered in the world is not among them).
AUCTION_OUTSIDERS = ("broker", "outsider_enterprise", "other_applicant", "anonymous")


THREAD_OUTSIDERS = (
    "other_expert",
    "outsider_enterprise",
    "other_applicant",
    "other_city_reviewer",
    "anonymous",
)
# The broker is outside a thread until it joins (it may join: the demand is 公开 and it handles it).
THREAD_READERS_OUTSIDE = (*THREAD_OUTSIDERS, "broker")


def _listing(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["open_listing"].pk}


def _draft_listing(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["draft_listing"].pk}


# Staged disclosure on an open listing of the 受限 achievement: its public part is for everyone; its
# confidential detail, documents, requests and log only for the parties and grantees (none here).
LISTING_OUTSIDERS = ("broker", "outsider_enterprise", "other_applicant", "other_city_reviewer", "anonymous")
# Those who may not even ask for disclosure (the others are buyers: asking is theirs).
NON_BUYERS = ("other_city_reviewer", "anonymous")


def _disclosure_cases() -> dict[str, list[Case]]:
    on_listing = [Case(_listing, LISTING_OUTSIDERS), Case(_draft_listing, LISTING_OUTSIDERS)]
    public_get = [
        Case(_listing, LISTING_OUTSIDERS, get_is_private=False),
        Case(_draft_listing, LISTING_OUTSIDERS),
    ]
    return {
        "trading:disclosure": public_get,
        "trading:disclosure_request": [
            Case(_listing, NON_BUYERS, get_is_private=False),
            Case(_draft_listing, LISTING_OUTSIDERS),
        ],
        "trading:disclosure_requests": on_listing,
        "trading:disclosure_decide": [
            Case(
                lambda w, d=decision: {**_listing(w), "request_id": w["disclosure_request"].pk},
                LISTING_OUTSIDERS,
                data=lambda w, d=decision: {"decision": d, "days": "30", "reason": "外部人员尝试"},
            )
            for decision in ("grant", "refuse")
        ],
        "trading:disclosure_nda": on_listing,
        "trading:disclosure_rules": on_listing,
        "trading:disclosure_rule_remove": [
            Case(lambda w: {**_listing(w), "rule_id": w["auto_grant_rule"].pk}, LISTING_OUTSIDERS)
        ],
        "trading:disclosure_log": on_listing,
        "trading:disclosure_upload": on_listing,
        "trading:document_download": [
            Case(lambda w: {**_listing(w), "document_id": w["listing_document"].pk}, LISTING_OUTSIDERS)
        ],
        "api:disclosure-request-detail": [
            Case(lambda w: {"pk": w["disclosure_request"].pk}, LISTING_OUTSIDERS)
        ],
        "api:disclosure-request-decide": [
            Case(
                lambda w: {"pk": w["disclosure_request"].pk},
                LISTING_OUTSIDERS,
                data=lambda w: {"decision": "grant", "days": "30"},
            )
        ],
        "api:listing-nda": public_get,
        "api:listing-documents": public_get,
        "api:listing-document-download": [
            Case(lambda w: {**_listing(w), "document_id": w["listing_document"].pk}, LISTING_OUTSIDERS)
        ],
        "api:listing-confidential": on_listing,
    }


def _listing_draft(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["draft_listing"].pk}


def _listing_notice(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["notice_listing"].pk}


def _objection(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["objection"].pk}


# A negotiation on a 受限 achievement's listing (an ordinary licence, so it goes on after its first deal):
# only its two sides see it; the deal only its parties (the certificate also trading administrators).
NEGOTIATION_OUTSIDERS = (
    "broker",
    "outsider_enterprise",
    "other_applicant",
    "other_city_reviewer",
    "anonymous",
)


def _negotiation(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["negotiation"].pk}


def _offer(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["offer"].pk}


def _deal(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["deal"].pk}


# Technology contracts (issue 11), their receipts and amendments: their parties (seller, buyer, agency) and
# the registry of the seller's region chain only — not reviewers, platform administrators, other
# registries, brokers or the public.
CONTRACT_OUTSIDERS = (
    "broker",
    "outsider_enterprise",
    "other_applicant",
    "other_city_reviewer",
    "platform_admin",
    "other_registrar",
    "anonymous",
)


def _contract_draft(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["contract_draft"].pk}


def _contract_registered(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["contract_registered"].pk}


def _contract_cases() -> dict[str, list[Case]]:
    both = [Case(_contract_draft, CONTRACT_OUTSIDERS), Case(_contract_registered, CONTRACT_OUTSIDERS)]
    return {
        "contracts:detail": both,
        "contracts:edit": both,
        "contracts:certificate": both,
        "contracts:signed_pdf": both,
        "contracts:transition": [
            Case(lambda w, n=name: {**_contract_draft(w), "name": n}, CONTRACT_OUTSIDERS)
            for name in ("submit", "withdraw")
        ]
        + [
            Case(lambda w, n=name: {**_contract_registered(w), "name": n}, CONTRACT_OUTSIDERS)
            for name in ("register", "refuse")
        ],
        "contracts:from_deal": [Case(lambda w: {"deal_id": w["deal"].pk}, NEGOTIATION_OUTSIDERS)],
        "api:contract-detail": both,
        "api:contract-certificate": both,
        "api:contract-signed-pdf": both,
        "api:contract-transition": [
            Case(lambda w, n=name: {**_contract_draft(w), "transition": n}, CONTRACT_OUTSIDERS)
            for name in ("submit", "withdraw", "start_review")
        ],
    }


def _contract_receipts() -> dict[str, list[Case]]:
    contract = lambda w: {"pk": w["receipt_contract"].pk}  # noqa: E731
    receipt = lambda w: {"pk": w["receipt"].pk}  # noqa: E731
    amendment = lambda w: {"pk": w["amendment"].pk}  # noqa: E731
    money = lambda w: {"amount": "10", "new_total_amount": "1", "new_certified_amount": "1"}  # noqa: E731
    return {
        "contracts:receipts": [Case(contract, CONTRACT_OUTSIDERS, data=money)],
        "contracts:amendment_file": [Case(contract, CONTRACT_OUTSIDERS, data=money)],
        "contracts:receipt_detail": [Case(receipt, CONTRACT_OUTSIDERS)],
        "contracts:receipt_evidence": [Case(receipt, CONTRACT_OUTSIDERS)],
        "contracts:receipt_decide": [
            Case(lambda w, a=action: {**receipt(w), "action": a}, CONTRACT_OUTSIDERS)
            for action in ("confirm", "reject")
        ],
        "contracts:amendment_decide": [
            Case(lambda w, a=action: {**amendment(w), "action": a}, CONTRACT_OUTSIDERS)
            for action in ("register", "refuse")
        ],
        "api:receipt-detail": [Case(receipt, CONTRACT_OUTSIDERS)],
        "api:receipt-confirm": [Case(receipt, CONTRACT_OUTSIDERS)],
        "api:receipt-reject": [Case(receipt, CONTRACT_OUTSIDERS)],
        "api:receipt-evidence": [Case(receipt, CONTRACT_OUTSIDERS)],
        "api:amendment-detail": [Case(amendment, CONTRACT_OUTSIDERS)],
        "api:amendment-register": [Case(amendment, CONTRACT_OUTSIDERS)],
        "api:amendment-refuse": [Case(amendment, CONTRACT_OUTSIDERS)],
        "api:contract-income-detail": [Case(contract, CONTRACT_OUTSIDERS)],
    }


# Subsidies (issue 11 §2): a run not yet published is its bureau's (platform administrators, reviewers of
# the policy's city and province) — nobody else learns it exists; an award's trail is the bureau's and,
# once published, the awarded organisation's; an objection its filer's and the bureau's; policies and
# their versions the platform administrators'.
SUBSIDY_OUTSIDERS = ("broker", "outsider_enterprise", "other_applicant", "other_city_reviewer", "anonymous")


def _subsidy_run(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["subsidy_run"].pk}


def _subsidy_cases() -> dict[str, list[Case]]:
    run, award = _subsidy_run, lambda w: {"pk": w["subsidy_award"].pk}
    published_award = lambda w: {"pk": w["subsidy_published_award"].pk}  # noqa: E731
    objection = lambda w: {"pk": w["subsidy_objection"].pk}  # noqa: E731
    claim = lambda w: {"pk": w["subsidy_claim"].pk}  # noqa: E731
    policy = lambda w: {"policy_id": w["subsidy_run"].policy_id}  # noqa: E731
    version = lambda w: {"policy_id": w["subsidy_run"].policy_id, "pk": w["subsidy_run"].policy_version_id}  # noqa: E731
    return {
        "subsidies:public_run": [Case(run, SUBSIDY_OUTSIDERS)],
        "subsidies:public_export": [Case(run, SUBSIDY_OUTSIDERS)],
        "subsidies:objection_file": [Case(run, SUBSIDY_OUTSIDERS)],
        "subsidies:award_detail": [Case(award, SUBSIDY_OUTSIDERS), Case(published_award, SUBSIDY_OUTSIDERS)],
        "subsidies:run_detail": [Case(run, SUBSIDY_OUTSIDERS)],
        "subsidies:run_export": [Case(run, SUBSIDY_OUTSIDERS)],
        "subsidies:run_action": [
            Case(lambda w, a=action: {**_subsidy_run(w), "action": a}, SUBSIDY_OUTSIDERS)
            for action in ("check", "approve", "publish", "pay", "return", "reopen", "cancel", "recompute")
        ],
        "subsidies:objection_decide": [
            Case(lambda w, a=action: {**objection(w), "action": a}, (*SUBSIDY_OUTSIDERS, "objector"))
            for action in ("uphold", "dismiss")
        ],
        "subsidies:claim_withdraw": [Case(claim, SUBSIDY_OUTSIDERS)],
        "subsidies:policy_edit": [Case(policy, SUBSIDY_OUTSIDERS)],
        "subsidies:policy_adopt": [Case(lambda w: {"policy_id": "yueyang-2017"}, SUBSIDY_OUTSIDERS)],
        "subsidies:policy_version": [Case(version, SUBSIDY_OUTSIDERS)],
        "api:subsidy-run-detail": [Case(run, SUBSIDY_OUTSIDERS)],
        "api:subsidy-run-transition": [Case(run, SUBSIDY_OUTSIDERS)],
        "api:subsidy-run-awards": [Case(run, SUBSIDY_OUTSIDERS)],
        "api:subsidy-run-objections": [Case(run, SUBSIDY_OUTSIDERS)],
        "api:subsidy-run-export": [Case(run, SUBSIDY_OUTSIDERS)],
        "api:subsidy-award-detail": [
            Case(award, SUBSIDY_OUTSIDERS),
            Case(published_award, SUBSIDY_OUTSIDERS),
        ],
        "api:subsidy-objection-detail": [Case(objection, SUBSIDY_OUTSIDERS)],
        "api:subsidy-objection-decide": [Case(objection, (*SUBSIDY_OUTSIDERS, "objector"))],
        "api:subsidy-policy-detail": [Case(policy, SUBSIDY_OUTSIDERS)],
        "api:subsidy-policy-versions": [Case(policy, SUBSIDY_OUTSIDERS)],
    }


def _subsidy_world(regions: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """A computed run of the test city's policy (a registered contract of ``organisation`` with a confirmed
    receipt), a published run of a second policy with an objection, a claim."""
    import json

    from techmarket.contracts.tests.factories import receipt, registered_contract
    from techmarket.subsidies import services as subsidy_services
    from techmarket.subsidies.tests.factories import city_document

    admin = user_with_role(Role.PLATFORM_ADMIN, username="subsidy_admin")
    checker = user_with_role(Role.REVIEWER, region=regions["city"], username="subsidy_checker")
    buyer = OrganisationFactory(
        region=regions["county"], name="奖补买方企业", kind=OrganisationKind.ENTERPRISE
    )
    item = registered_contract(seller=organisation, buyer=buyer, total="900000.00", title=SECRET_CONTRACT)
    receipt(item, "900000.00")
    for policy_id in ("city-a-2026", "city-a-2026-b"):
        subsidy_services.policy_create(
            actor=admin, document_text=json.dumps(city_document(policy_id=policy_id))
        )
    run = subsidy_services.run_compute(actor=admin, policy_id="city-a-2026", year=2026, budget="10000000")
    published = subsidy_services.run_compute(
        actor=admin, policy_id="city-a-2026-b", year=2026, budget="10000000"
    )
    published = subsidy_services.run_check(actor=checker, run=published)
    published = subsidy_services.run_approve(actor=admin, run=published)
    published = subsidy_services.run_publish(actor=admin, run=published)
    objector = enterprise_user(regions["county"], username="subsidy_objector")
    objection = subsidy_services.objection_file(actor=objector, run=published, text=SECRET_SUBSIDY_OBJECTION)
    fixed = city_document(policy_id="city-a-2026")
    fixed["rules"].append({"id": "base", "kind": "fixed", "title": {"zh": "基地"}, "amount": "100000"})
    subsidy_services.policy_save(actor=admin, policy_id="city-a-2026", document_text=json.dumps(fixed))
    claim = subsidy_services.claim_add(
        actor=checker,
        policy_id="city-a-2026",
        year=2026,
        org_name="某基地",
        org_id="",
        org_region=regions["county"].code,
        rule="base",
        facts="{}",
    )
    return {
        "subsidy_run": run,
        "subsidy_award": run.awards.get(rule="seller_dev_transfer"),
        "subsidy_published_award": published.awards.get(rule="seller_dev_transfer"),
        "subsidy_objection": objection,
        "subsidy_claim": claim,
        "objector": objector,
    }


CASES: dict[str, list[Case]] = {
    **_disclosure_cases(),
    **_contract_cases(),
    **_contract_receipts(),
    **_subsidy_cases(),
    # Trading: a draft listing (its organisation's and administrators' only), a 受限 listing in notice
    # (public, but only its public fields; its changes are the seller's and administrators'), an objection
    # (administrators, the seller, the filer), an agency authorisation and a calendar day.
    "trading:listing_detail": [
        Case(_listing_draft, LISTING_OUTSIDERS),
        Case(_listing_notice, LISTING_OUTSIDERS, get_is_private=False),
    ],
    "trading:listing_edit": [
        Case(_listing_draft, LISTING_OUTSIDERS),
        Case(_listing_notice, LISTING_OUTSIDERS),
    ],
    "trading:listing_transition": [
        Case(lambda w: {**_listing_draft(w), "name": "submit"}, LISTING_OUTSIDERS),
        Case(lambda w: {**_listing_notice(w), "name": "withdraw"}, LISTING_OUTSIDERS),
        Case(lambda w: {**_listing_notice(w), "name": "suspend"}, LISTING_OUTSIDERS),
    ],
    "trading:objection_file": [Case(_listing_draft, LISTING_OUTSIDERS)],
    "trading:objection_resolve": [
        Case(lambda w, n=name: {**_objection(w), "name": n}, LISTING_OUTSIDERS)
        for name in ("uphold", "dismiss")
    ],
    "trading:authorisation_revoke": [
        Case(
            lambda w: {"pk": w["authorisation"].pk},
            ("broker", "org_admin_other", "other_applicant", "anonymous"),
        )
    ],
    "trading:calendar_day_clear": [Case(lambda w: {"pk": w["calendar_day"].pk}, LISTING_OUTSIDERS)],
    "api:listing-detail": [
        Case(_listing_draft, LISTING_OUTSIDERS),
        Case(_listing_notice, LISTING_OUTSIDERS, get_is_private=False),
    ],
    "api:listing-transition": [
        Case(lambda w: {**_listing_draft(w), "transition": "submit"}, LISTING_OUTSIDERS),
        Case(lambda w: {**_listing_notice(w), "transition": "withdraw"}, LISTING_OUTSIDERS),
    ],
    "api:listing-objections": [Case(_listing_draft, LISTING_OUTSIDERS)],
    "api:listing-objection-detail": [Case(_objection, LISTING_OUTSIDERS)],
    "api:listing-objection-transition": [
        Case(lambda w, n=name: {**_objection(w), "transition": n}, LISTING_OUTSIDERS)
        for name in ("uphold", "dismiss")
    ],
    "deals:negotiation": [Case(_negotiation, NEGOTIATION_OUTSIDERS)],
    "deals:offer_make": [Case(_negotiation, NEGOTIATION_OUTSIDERS, data=lambda w: {"amount": "10"})],
    "deals:offer_answer": [
        Case(lambda w, a=action: {**_offer(w), "action": a}, NEGOTIATION_OUTSIDERS)
        for action in ("accept", "reject", "withdraw")
    ],
    "deals:deal": [Case(_deal, NEGOTIATION_OUTSIDERS)],
    "deals:certificate": [Case(_deal, NEGOTIATION_OUTSIDERS)],
    "api:negotiation-detail": [Case(_negotiation, NEGOTIATION_OUTSIDERS)],
    "api:negotiation-offers": [Case(_negotiation, NEGOTIATION_OUTSIDERS, data=lambda w: {"amount": "10"})],
    "api:offer-detail": [Case(_offer, NEGOTIATION_OUTSIDERS)],
    "api:offer-accept": [Case(_offer, NEGOTIATION_OUTSIDERS)],
    "api:offer-reject": [Case(_offer, NEGOTIATION_OUTSIDERS)],
    "api:offer-withdraw": [Case(_offer, NEGOTIATION_OUTSIDERS)],
    "api:deal-detail": [Case(_deal, NEGOTIATION_OUTSIDERS)],
    "api:deal-certificate": [Case(_deal, NEGOTIATION_OUTSIDERS)],
    # Achievements: a 受限 published record and a draft, web and API.
    "achievements:detail": [Case(_secret, ACHIEVEMENT_OUTSIDERS), Case(_draft, ACHIEVEMENT_OUTSIDERS)],
    "achievements:edit": [Case(_secret, ACHIEVEMENT_OUTSIDERS), Case(_draft, ACHIEVEMENT_OUTSIDERS)],
    "achievements:transition": [
        Case(lambda w: {**_draft(w), "name": "submit"}, ACHIEVEMENT_OUTSIDERS),
        Case(lambda w: {**_secret(w), "name": "revoke"}, ACHIEVEMENT_OUTSIDERS),
    ],
    "achievements:attachment_upload": [Case(_secret, ACHIEVEMENT_OUTSIDERS)],
    "achievements:attachment_download": [
        Case(lambda w: {**_secret(w), "attachment_id": 1}, ACHIEVEMENT_OUTSIDERS)
    ],
    "achievements:grant_access": [Case(_secret, ACHIEVEMENT_OUTSIDERS), Case(_draft, ACHIEVEMENT_OUTSIDERS)],
    "api:achievement-detail": [Case(_secret, ACHIEVEMENT_OUTSIDERS), Case(_draft, ACHIEVEMENT_OUTSIDERS)],
    "api:achievement-timeline": [Case(_secret, ACHIEVEMENT_OUTSIDERS), Case(_draft, ACHIEVEMENT_OUTSIDERS)],
    "api:achievement-transition": [
        Case(lambda w: {**_draft(w), "transition": "submit"}, ACHIEVEMENT_OUTSIDERS),
        Case(lambda w: {**_secret(w), "transition": "revoke"}, ACHIEVEMENT_OUTSIDERS),
    ],
    # Reverse matching of a 受限 achievement.
    "matching:reverse": [Case(_secret, ACHIEVEMENT_OUTSIDERS)],
    "api:demand-match-detail": [Case(_secret, ACHIEVEMENT_OUTSIDERS)],
    # Import jobs: the uploader's only.
    "achievements:import_job": [
        Case(lambda w: {"job_id": w["job"].pk}, ("other_applicant", "org_admin_other"))
    ],
    "achievements:import_progress": [
        Case(lambda w: {"job_id": w["job"].pk}, ("other_applicant", "org_admin_other", "anonymous"))
    ],
    "achievements:import_confirm": [
        Case(lambda w: {"job_id": w["job"].pk}, ("other_applicant", "org_admin_other", "anonymous"))
    ],
    # Demands: a 受限 published demand.
    "demands:detail": [Case(_demand, DEMAND_OUTSIDERS)],
    "demands:edit": [Case(_demand, DEMAND_OUTSIDERS)],
    "demands:transition": [Case(lambda w: {**_demand(w), "name": "close"}, DEMAND_OUTSIDERS)],
    "api:demand-detail": [Case(_demand, DEMAND_OUTSIDERS)],
    "api:demand-transition": [Case(lambda w: {**_demand(w), "transition": "close"}, DEMAND_OUTSIDERS)],
    "matching:refresh": [Case(_demand, DEMAND_OUTSIDERS)],
    "matching:search": [Case(_demand, DEMAND_OUTSIDERS)],
    "matching:add": [Case(_demand, DEMAND_OUTSIDERS)],
    # 新挂牌匹配提醒 of the 受限 demand: its enterprise's switch only.
    "matching:listing_alert": [Case(_demand, DEMAND_OUTSIDERS)],
    "api:demand-listing-alert-detail": [Case(_demand, DEMAND_OUTSIDERS)],
    "docking:push": [Case(_demand, DEMAND_OUTSIDERS)],
    "api:docking-push-response": [Case(lambda w: {"demand_id": w["secret_demand"].pk}, DEMAND_OUTSIDERS)],
    # Suggestions: one of a public demand whose target is the 受限 achievement — the broker works the
    # demand but is outside the record's audience (the issue's web-form hole), and one of the 受限 demand.
    "matching:decide": [
        Case(lambda w, a=action: {"pk": w["secret_suggestion"].pk, "action": a}, ACHIEVEMENT_OUTSIDERS)
        for action in ("confirm", "reject", "reconsider")
    ]
    + [Case(lambda w: {"pk": w["demand_suggestion"].pk, "action": "confirm"}, DEMAND_OUTSIDERS)],
    "api:suggestion-decide": [
        Case(lambda w, d=decision: {"pk": w["secret_suggestion"].pk, "decision": d}, ACHIEVEMENT_OUTSIDERS)
        for decision in ("confirm", "reject", "reconsider")
    ]
    + [Case(lambda w: {"pk": w["demand_suggestion"].pk, "decision": "confirm"}, DEMAND_OUTSIDERS)],
    # Experts: a profile is public, its edits are its own and the platform's.
    "experts:detail": [
        Case(lambda w: {"pk": w["expert"].pk}, ("other_expert", "broker", "anonymous"), get_is_private=False)
    ],
    "experts:edit": [Case(lambda w: {"pk": w["expert"].pk}, ("other_expert", "broker", "anonymous"))],
    "experts:set_active": [Case(lambda w: {"pk": w["expert"].pk}, ("other_expert", "broker", "anonymous"))],
    "api:expert-detail": [
        Case(lambda w: {"pk": w["expert"].pk}, ("other_expert", "broker", "anonymous"), get_is_private=False)
    ],
    # A push and its answer: the invited expert's.
    "docking:answer": [Case(lambda w: {"pk": w["push"].pk}, ("other_expert", "broker", "anonymous"))],
    "api:docking-push-answer": [
        Case(lambda w: {"pk": w["push"].pk}, ("other_expert", "broker", "anonymous"))
    ],
    # 我要对接 on a 受限 record and a 受限 demand: only who may see them (and may start) opens a thread.
    "achievements:converse": [Case(_secret, ACHIEVEMENT_OUTSIDERS)],
    "demands:converse": [Case(_demand, DEMAND_OUTSIDERS)],
    # A conversation (the expert's answer to the public demand): its participants' only. The broker may
    # join a thread on a 公开 demand it handles, so it is not an outsider of the join route.
    "conversations:detail": [Case(_thread, THREAD_READERS_OUTSIDE)],
    "conversations:post": [Case(_thread, THREAD_READERS_OUTSIDE)],
    "conversations:join": [Case(_thread, THREAD_OUTSIDERS)],
    "conversations:attachment": [Case(_attachment, THREAD_READERS_OUTSIDE)],
    "api:conversation-thread-detail": [Case(_thread, THREAD_READERS_OUTSIDE)],
    "api:conversation-thread-messages": [Case(_thread, THREAD_READERS_OUTSIDE)],
    "api:conversation-thread-read": [Case(_thread, THREAD_READERS_OUTSIDE)],
    "api:conversation-thread-join": [Case(_thread, THREAD_OUTSIDERS)],
    "api:conversation-thread-attachment": [Case(_attachment, THREAD_READERS_OUTSIDE)],
    # Auctions (issue 10 §4): the page, its live fragment, the bid history and the auction in the API are
    # public (the auction's listing is); registering and bidding need a signed-in buyer (and bidding a
    # registration); everything else is the trading administrators'.
    "trading:auction_detail": [Case(_auction, AUCTION_OUTSIDERS, get_is_private=False)],
    "trading:auction_live": [Case(_auction, AUCTION_OUTSIDERS, get_is_private=False)],
    "trading:auction_register": [Case(_auction, ("anonymous",))],
    "trading:auction_bid": [Case(_auction, ("anonymous", "outsider_enterprise"))],
    "trading:auction_create": [Case(lambda w: {"pk": w["auction"].listing_id}, AUCTION_OUTSIDERS)],
    "trading:auction_registrations": [Case(_auction, AUCTION_OUTSIDERS)],
    "trading:auction_registration_decide": [
        Case(
            lambda w, a=action: {**_auction(w), "registration_id": w["registration"].pk, "action": a},
            AUCTION_OUTSIDERS,
        )
        for action in ("approve", "reject", "receive_deposit", "forfeit")
    ],
    "trading:auction_cancel": [Case(_auction, AUCTION_OUTSIDERS)],
    "trading:auction_close": [Case(_auction, AUCTION_OUTSIDERS)],
    "api:auction-detail": [Case(_auction, AUCTION_OUTSIDERS, get_is_private=False)],
    "api:auction-bids": [Case(_auction, ("anonymous", "outsider_enterprise"), get_is_private=False)],
    "api:auction-registrations": [Case(_auction, ("anonymous",), get_is_private=False)],
    "api:auction-registration-decide": [
        Case(
            lambda w, d=decision: {**_auction(w), "registration_id": w["registration"].pk, "decision": d},
            AUCTION_OUTSIDERS,
        )
        for decision in ("approve", "reject", "receive_deposit", "forfeit")
    ],
    "api:auction-close": [Case(_auction, AUCTION_OUTSIDERS)],
    "api:auction-cancel": [Case(_auction, AUCTION_OUTSIDERS)],
    # Notifications: the recipient's.
    "notifications:open": [Case(lambda w: {"pk": w["notice"].pk}, ("other_expert", "broker", "anonymous"))],
    "api:notification-read": [
        Case(lambda w: {"pk": w["notice"].pk}, ("other_expert", "broker", "anonymous"))
    ],
    # API tokens: only their owner lists and revokes them.
    "accounts:token_revoke": [
        Case(lambda w: {"pk": w["token"].pk}, ("other_expert", "broker", "anonymous"), get_is_private=False)
    ],
    "api:auth-token-revoke": [
        Case(lambda w: {"pk": w["token"].pk}, ("other_expert", "broker", "anonymous"), get_is_private=False)
    ],
    # Organisations and their members: reviewers of the region chain and the organisation's admin.
    "accounts:organisation_decide": [
        Case(
            lambda w, d=decision: {"pk": w["pending_organisation"].pk, "decision": d},
            ("other_city_reviewer", "outsider_enterprise", "broker", "anonymous"),
        )
        for decision in ("verify", "reject")
    ],
    "accounts:role_revoke": [
        Case(
            lambda w: {"pk": w["member_role"].pk},
            ("org_admin_other", "outsider_enterprise", "other_city_reviewer", "anonymous"),
        )
    ],
}


def iter_routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """(route, name with namespaces, callback) of every URL pattern of the project."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from iter_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            route = prefix + str(pattern.pattern)
            if not route.startswith(IGNORED_PREFIXES):
                yield route, f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern.callback


def parameters(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))


def object_routes() -> dict[str, tuple[str, Any]]:
    return {
        name: (route, callback)
        for route, name, callback in iter_routes()
        if parameters(route) & OBJECT_PARAMETERS
    }


def open_routes() -> dict[str, tuple[str, Any]]:
    return {
        name: (route, callback)
        for route, name, callback in iter_routes()
        if not parameters(route) and not name.startswith(("accounts:", "api:auth"))
    }


def test_every_object_route_has_a_case():
    routes = object_routes()
    missing = sorted(set(routes) - set(CASES) - set(PUBLIC))
    assert not missing, f"routes naming an object without an authorisation case: {missing}"
    assert not sorted(set(CASES) - set(routes)), "cases for routes that no longer exist"


def methods_of(name: str, callback: Any) -> list[str]:
    """The methods a route answers: a viewset's mapped actions, an API view's handlers; pages: GET, POST."""
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(set(actions) - {"head", "options"})
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None and name.startswith("api:"):
        return [m for m in ("get", "post", "patch", "put", "delete") if hasattr(view_class, m)]
    return ["get", "post"]


# Rows that a request may touch without anything being done: sessions, caches, the match index log.
VOLATILE_MODELS = {"sessions.session", "matching.indexchange", "matching.indexsnapshot"}
VOLATILE_FIELDS = {"last_login"}


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the platform's own tables (the world is small), for "nothing changed"."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE_MODELS or not model.__module__.startswith(
            ("techmarket.", "django.contrib.auth")
        ):
            continue
        rows = list(model._base_manager.order_by("pk").values())
        state[label] = [{k: v for k, v in row.items() if k not in VOLATILE_FIELDS} for row in rows]
    return state


def _pdf(text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<p>{text}</p>").write_pdf()


@pytest.fixture
def world(regions, reviewers, organisation, applicant):
    """Private objects of every kind, and people outside each one's audience."""
    county = regions["county"]
    other_org = OrganisationFactory(region=regions["other_county"], name="另一所大学")
    agency = OrganisationFactory(region=regions["city"], name="某技术转移中心", kind=OrganisationKind.AGENCY)
    secret_achievement = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=county,
        reviewers=reviewers,
        name=SECRET_ACHIEVEMENT,
        keywords="石墨烯散热膜，卷对卷",
        confidentiality="restricted",
    )
    draft_achievement = achievement_in_state(
        AchievementState.DRAFT,
        applicant=applicant,
        region=county,
        reviewers=reviewers,
        name=DRAFT_ACHIEVEMENT,
    )
    owner = enterprise_user(county, username="owner_enterprise")
    secret_demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=owner,
        region=county,
        reviewer=reviewers["county"],
        title=SECRET_DEMAND,
        confidentiality="restricted",
    )
    # A public demand, its enterprise granted the 受限 record, so that it may be suggested to it.
    grantee = enterprise_user(county, username="grantee_enterprise")
    from techmarket.achievements import services as achievement_services

    achievement_services.access_grant(actor=applicant, achievement=secret_achievement, user=grantee)
    public_demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=grantee,
        region=county,
        reviewer=reviewers["county"],
        title="公开需求",
    )
    secret_suggestion = Suggestion.objects.create(
        demand=public_demand, kind=TargetKind.ACHIEVEMENT, achievement=secret_achievement
    )
    expert = expert_with_login(regions["city"], name="专家甲")
    demand_suggestion = Suggestion.objects.create(demand=secret_demand, kind=TargetKind.EXPERT, expert=expert)
    confirmed(reviewers["county"], public_demand, TargetKind.EXPERT, expert.pk)
    docking_services.response_push(actor=reviewers["county"], demand=public_demand, message="请联系")
    push = PushRecipient.objects.get(user=expert.user)
    # The expert answers with a message: a thread with the public demand's enterprise, with an attachment.
    docking_services.answer(actor=expert.user, recipient_row=push, kind="message", message=SECRET_MESSAGE)
    thread = Thread.objects.get(subject_id=public_demand.pk)
    posted = conversation_services.message_post(
        actor=expert.user,
        thread=thread,
        body="",
        files=[SimpleUploadedFile(SECRET_FILE, b"%PDF-1.4 " + SECRET_MESSAGE.encode())],
    )
    notice = notifications.notify(expert.user, kind="test.private", title=SECRET_NOTICE, body=SECRET_NOTICE)
    job = ImportJob.objects.create(
        user=applicant, original_name=SECRET_UPLOAD, stored_name="x.xlsx", status=ImportStatus.CHECKED
    )
    pending_organisation = OrganisationFactory(
        name="待认证的县里单位",
        region=county,
        kind=OrganisationKind.ENTERPRISE,
        status=OrganisationStatus.PENDING,
    )
    member = user_with_role(Role.APPLICANT, organisation=organisation, username="member")
    # Trading: an open listing of the 受限 achievement with its confidential detail, NDA, a confidential
    # document, an auto-grant rule and a buyer's waiting request; and a draft listing.
    trading_admin = user_with_role(Role.PLATFORM_ADMIN, username="trading_admin")
    open_listing = listing_in_state(
        ListingState.OPEN,
        seller=applicant,
        achievement=secret_achievement,
        admin=trading_admin,
        confidential_detail=SECRET_DISCLOSED,
    )
    # Trading: listings of the 受限 record, an objection filed by a third enterprise, an authorisation.
    draft_listing = trading_services.listing_create(
        actor=applicant,
        achievement=secret_achievement,
        data=trading_listing_data(title=SECRET_LISTING, confidential_detail=SECRET_LISTING_DETAIL),
    )
    notice_listing = trading_services.listing_create(
        actor=applicant,
        achievement=secret_achievement,
        data=trading_listing_data(
            title=SECRET_LISTING, confidential_detail=SECRET_LISTING_DETAIL, public_fields=["summary"]
        ),
    )
    trading_services.listing_submit(actor=applicant, listing=notice_listing)
    notice_listing = trading_services.listing_approve(actor=trading_admin, listing=notice_listing)
    objection = trading_services.objection_file(
        actor=enterprise_user(county, username="objector"),
        listing=notice_listing,
        reason="权属争议",
        evidence=SECRET_OBJECTION,
    )
    authorisation = trading_services.authorisation_grant(
        actor=user_with_role(Role.ORG_ADMIN, organisation=organisation, username="owner_admin"),
        achievement=secret_achievement,
        agency=OrganisationFactory(name="受托的另一家机构", kind=OrganisationKind.AGENCY),
        scope="list",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    nda = trading_services.nda_set(actor=applicant, listing=open_listing, text="买方负有保密义务。")
    trading_services.nda_set(actor=applicant, listing=draft_listing, text="买方负有保密义务。")
    listing_document = trading_services.document_upload(
        actor=applicant,
        listing=open_listing,
        title=SECRET_LISTING_FILE,
        upload=SimpleUploadedFile("配方.pdf", _pdf(SECRET_DISCLOSED)),
        confidential=True,
    )
    auto_grant_rule = trading_services.auto_grant_rule_add(
        actor=applicant, listing=open_listing, region_code="", organisation_kind="finance", days=5
    )
    disclosure_request = trading_services.disclosure_request(
        actor=grantee, listing=open_listing, nda_id=nda.pk, accepted=True
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=applicant,
        achievement=secret_achievement,
        admin=user_with_role(Role.PLATFORM_ADMIN),
        mode="license",
        license_kind="ordinary",
        public_fields=[],
    )
    negotiation = deal_services.negotiation_open(actor=grantee, listing=listing)
    first = deal_services.offer_make(
        actor=grantee, negotiation=negotiation, amount="30", payment_terms=SECRET_TERMS
    )
    deal = deal_services.offer_accept(actor=applicant, offer=first)
    offer = deal_services.offer_make(
        actor=grantee, negotiation=negotiation, amount="31", payment_terms=SECRET_TERMS
    )
    # An auction on a public listing, with one pending registration (a bidder nobody else is).
    auctioned = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=county,
        reviewers=reviewers,
        name="拍卖的公开成果",
    )
    auction_listing = listing_in_state(
        ListingState.OPEN,
        seller=applicant,
        achievement=auctioned,
        admin=trading_admin,
        pricing=Pricing.AUCTION,
    )
    auction = auction_for(auction_listing, admin=trading_admin)
    registration = trading_services.registration_apply(actor=buyer_user(county), auction=auction)
    # Technology contracts of the owning organisation: a draft and a registered one (the first city's
    # registry), with a buyer organisation none of the outsiders belongs to.
    contract_buyer = OrganisationFactory(region=regions["other_county"], name="储能电池买方公司")
    contract_people = {
        "filer": applicant,
        "registrar": user_with_role(Role.REGISTRAR, region=regions["city"], username="registrar"),
        "buyer": contract_buyer,
    }
    contract_draft = contract_helpers.draft(contract_people, title=SECRET_CONTRACT)
    contract_registered = contract_helpers.in_state(
        contract_people, "registered", title=SECRET_CONTRACT, signed_on="2026-03-02"
    )
    # A registered contract of the university with a pending receipt (its payer is private) and amendment.
    receipt_contract = registered_contract(
        seller=organisation,
        filed_by=applicant,
        signed_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    receipt = receipt_services.receipt_record(
        actor=applicant,
        contract=receipt_contract,
        received_on=timezone.localdate().isoformat(),
        amount="1000.00",
        payer=SECRET_RECEIPT,
        bank_reference="OBJ-AUTH-1",
        evidence=SimpleUploadedFile("回单.pdf", b"%PDF-1.4 " + SECRET_RECEIPT.encode()),
    )
    amendment = receipt_services.amendment_file(
        actor=applicant,
        contract=receipt_contract,
        new_total_amount="600000.00",
        new_certified_amount="600000.00",
        reason=SECRET_RECEIPT,
    )
    return {
        "contract_draft": contract_draft,
        "contract_registered": contract_registered,
        "platform_admin": trading_admin,
        "other_registrar": user_with_role(
            Role.REGISTRAR, region=regions["other_city"], username="registrar2"
        ),
        "receipt_contract": receipt_contract,
        "receipt": receipt,
        "amendment": amendment,
        **_subsidy_world(regions, organisation),
        "open_listing": open_listing,
        "draft_listing": draft_listing,
        "listing_document": listing_document,
        "auto_grant_rule": auto_grant_rule,
        "disclosure_request": disclosure_request,
        "notice_listing": notice_listing,
        "objection": objection,
        "authorisation": authorisation,
        "calendar_day": CalendarDay.objects.order_by("pk").first(),
        "negotiation": negotiation,
        "offer": offer,
        "deal": deal,
        "auction": auction,
        "registration": registration,
        "secret_achievement": secret_achievement,
        "draft_achievement": draft_achievement,
        "secret_demand": secret_demand,
        "secret_suggestion": secret_suggestion,
        "demand_suggestion": demand_suggestion,
        "expert": expert,
        "push": push,
        "thread": thread,
        "attachment": posted.attachments.get(),
        "notice": notice,
        "token": accounts_services.token_issue(user=expert.user),
        "job": job,
        "pending_organisation": pending_organisation,
        "member_role": RoleAssignment.objects.get(user=member),
        # Outsiders.
        "broker": user_with_role(Role.BROKER, organisation=agency, username="broker"),
        "outsider_enterprise": enterprise_user(regions["other_county"], username="outsider_enterprise"),
        "other_applicant": user_with_role(Role.APPLICANT, organisation=other_org, username="other_applicant"),
        "org_admin_other": user_with_role(Role.ORG_ADMIN, organisation=other_org, username="org_admin_other"),
        "other_city_reviewer": reviewers["other_city"],
        "other_expert": expert_with_login(regions["city"], name="专家乙").user,
        "anonymous": None,
    }


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def attempt(client: Client, method: str, url: str, data: dict[str, Any], api: bool) -> Any:
    if method == "get":
        return client.get(url)
    if api:
        return getattr(client, method)(url, data, content_type="application/json")
    return getattr(client, method)(url, data)


REFUSED = {401, 403, 404, 405}


def is_envelope(response: Any) -> bool:
    try:
        return set(response.json()) == {"code", "message", "fields"}
    except ValueError:
        return False


def test_no_outsider_reaches_an_object_through_any_route(world):
    routes = object_routes()
    data = _post_data(world)
    before = database_state()
    failures: list[str] = []
    for name, cases in sorted(CASES.items()):
        _route, callback = routes[name]
        api = name.startswith("api:")
        for case in cases:
            url = reverse(name, kwargs={k: str(v) for k, v in case.kwargs(world).items()})
            for outsider in case.outsiders:
                client = client_of(world[outsider])
                for method in methods_of(name, callback):
                    if method == "get" and not case.get_is_private:
                        continue
                    response = attempt(client, method, url, data, api)
                    status = response.status_code
                    body = body_of(response)
                    leaked = [secret for secret in SECRETS if secret in body]
                    # A page may refuse by redirecting (to the login page, or back with a message);
                    # "nothing changed" below is what holds it to a refusal.
                    refused = status in REFUSED or (not api and status == 302)
                    if not refused or leaked:
                        failures.append(f"{method.upper()} {url} as {outsider}: {status} leaked={leaked}")
                    if api and status >= 400 and not is_envelope(response):
                        failures.append(
                            f"{method.upper()} {url} as {outsider}: {status} is not the JSON envelope"
                        )
    after = database_state()
    changed = sorted(label for label in before if before[label] != after[label])
    assert not failures, "\n".join(failures)
    assert not changed, f"rows changed by refused requests: {changed}"


def test_no_list_search_suggest_or_export_shows_an_outsider_a_private_object(world):
    failures = []
    for name, (_route, callback) in sorted(open_routes().items()):
        if "get" not in methods_of(name, callback):
            continue
        for outsider in ("broker", "outsider_enterprise", "other_expert", "anonymous"):
            client = client_of(world[outsider])
            for probe in ("", *PROBES):
                response = client.get(reverse(name), {"q": probe} if probe else {})
                body = body_of(response)
                if name.endswith("export") and response.status_code == 200:
                    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
                    body = str(sheet.get_sheet_by_index(0).to_python())
                leaked = [secret for secret in SECRETS if secret in body]
                if leaked or response.status_code >= 500:
                    failures.append(
                        f"GET {reverse(name)}?q={probe} as {outsider}: {response.status_code} {leaked}"
                    )
    assert not failures, "\n".join(failures)

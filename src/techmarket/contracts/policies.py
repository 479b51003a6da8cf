"""Who may see and do what with technology contracts — the only place this app's role logic lives.

A contract's detail is confidential to its **parties** (the users of the seller, buyer and agency
organisations) and to the **registry** (registrars of the seller's region or a region above it). Nobody
else sees it: not other organisations, not reviewers, not platform administrators, not the public; the
public only checks a certificate's verification code and sees aggregate statistics.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.core.policy_registry import policy


def seller_chain(contract: TechContract) -> list[str]:
    """The seller's region chain codes, nearest first (the registry is on it)."""
    return [
        code
        for code in (contract.seller_county_code, contract.seller_city_code, contract.seller_province_code)
        if code
    ]


def party_organisation_ids(contract: TechContract) -> set[int]:
    """The organisations on the contract: seller, buyer (when on the platform) and agency."""
    return {
        org_id
        for org_id in (
            contract.seller_organisation_id,
            contract.buyer_organisation_id,
            contract.agency_organisation_id,
        )
        if org_id is not None
    }


def is_party(principal: Principal, contract: TechContract) -> bool:
    """A user of the seller, the buyer or the agency organisation."""
    return principal.organisation_id is not None and principal.organisation_id in party_organisation_ids(
        contract
    )


def is_registry(principal: Principal, contract: TechContract) -> bool:
    """A registrar of the seller's region or a region above it."""
    return principal.registers(seller_chain(contract))


@policy
def can_view_contract(principal: Principal, contract: TechContract) -> bool:
    """The contract's page, its parts, receipts, certificate and history."""
    return principal.is_authenticated and (is_party(principal, contract) or is_registry(principal, contract))


def visible_q(principal: Principal) -> Q:
    """Contracts whose detail the principal may read, as one filter (the same rule as :func:`can_view_contract`)."""
    if not principal.is_authenticated:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if principal.organisation_id is not None:
        org = principal.organisation_id
        q |= Q(seller_organisation_id=org) | Q(buyer_organisation_id=org) | Q(agency_organisation_id=org)
    if principal.registry_codes:
        codes = list(principal.registry_codes)
        q |= (
            Q(seller_county_code__in=codes)
            | Q(seller_city_code__in=codes)
            | Q(seller_province_code__in=codes)
        )
    return q


# --- filing and review ----------------------------------------------------------------------------------
#
# Filed by the seller side: users of the seller organisation who file records (applicant, org_admin,
# enterprise), or users of the agency organisation named on the contract (broker, org_admin) — the deal's
# broker when the contract comes from a deal, or an agency the seller authorised on the trading floor
# (checked by the services when the agency names the seller). The buyer's users see the contract, they
# never file or change it. The registry reviews: registrars of the seller's region chain.

FILER_ROLES = frozenset({Role.APPLICANT, Role.ORG_ADMIN, Role.ENTERPRISE})
AGENT_ROLES = frozenset({Role.BROKER, Role.ORG_ADMIN})
EDITABLE_STATES = frozenset({ContractState.DRAFT, ContractState.RETURNED})
REGISTRY_TRANSITIONS = frozenset({"start_review", "return", "register", "refuse"})
FILER_TRANSITIONS = frozenset({"create", "submit", "withdraw"})


def is_seller_filer(principal: Principal, contract: TechContract) -> bool:
    """A filer (applicant, org_admin, enterprise) of the seller organisation."""
    return (
        principal.is_authenticated
        and principal.organisation_id is not None
        and principal.organisation_id == contract.seller_organisation_id
        and bool(FILER_ROLES & principal.roles)
    )


def is_agent(principal: Principal, contract: TechContract) -> bool:
    """A broker or administrator of the agency named on the contract."""
    return (
        principal.is_authenticated
        and contract.agency_organisation_id is not None
        and principal.organisation_id == contract.agency_organisation_id
        and bool(AGENT_ROLES & principal.roles)
    )


def may_file(principal: Principal, contract: TechContract) -> bool:
    """The seller's filers or the contract's agency."""
    return is_seller_filer(principal, contract) or is_agent(principal, contract)


def files_for_own_organisation(principal: Principal) -> bool:
    """May file contracts with the principal's own organisation as seller."""
    return (
        principal.is_authenticated
        and principal.organisation_id is not None
        and bool(FILER_ROLES & principal.roles)
    )


def files_as_agency(principal: Principal) -> bool:
    """May file contracts for sellers that authorise the principal's agency."""
    return (
        principal.is_authenticated
        and principal.organisation_id is not None
        and principal.organisation_kind == OrganisationKind.AGENCY
        and bool(AGENT_ROLES & principal.roles)
    )


def filer_q(principal: Principal) -> Q:
    """The contracts the principal files (the same rule as :func:`may_file`), as one filter."""
    q = Q(pk__in=[])
    org = principal.organisation_id
    if not principal.is_authenticated or org is None:
        return q
    if FILER_ROLES & principal.roles:
        q |= Q(seller_organisation_id=org)
    if AGENT_ROLES & principal.roles:
        q |= Q(agency_organisation_id=org)
    return q


@policy
def can_file_from_deal(principal: Principal, deal: Any) -> bool:
    """办理技术合同登记 from a deal: the deal's seller side — the seller's filers, or the broker organisation
    named on the deal (its brokers and administrators)."""
    org = principal.organisation_id
    if not principal.is_authenticated or org is None:
        return False
    if org == deal.seller_organisation_id and FILER_ROLES & principal.roles:
        return True
    return org == deal.broker_organisation_id and bool(AGENT_ROLES & principal.roles)


@policy
def can_list_contracts(principal: Principal) -> bool:
    """我的技术合同: everyone signed in with an organisation (it lists only contracts it is a party of)."""
    return principal.is_authenticated and principal.organisation_id is not None


@policy
def can_create_contract(principal: Principal) -> bool:
    """办理技术合同登记 (a new draft): a seller's filer, or an agency's broker or administrator."""
    return files_for_own_organisation(principal) or files_as_agency(principal)


@policy
def can_edit_contract(principal: Principal, contract: TechContract) -> bool:
    """The draft or returned contract's form: the seller's filers and the contract's agency."""
    return contract.state in EDITABLE_STATES and may_file(principal, contract)


@policy
def can_review_contracts(principal: Principal) -> bool:
    """技术合同登记审查 (the registry's queue): registrars."""
    return principal.is_authenticated and principal.is_registrar


@policy
def can_download_registration_certificate(principal: Principal, contract: TechContract) -> bool:
    """登记证明 (PDF): a registered contract's parties and registry."""
    return contract.state == ContractState.REGISTERED and can_view_contract(principal, contract)


def _principal(actor: Any) -> Principal:
    return actor if isinstance(actor, Principal) else principal_of(actor)


def can_transition_contract(actor: Any, name: str, contract: TechContract) -> bool:
    """CONTRACT_WORKFLOW's permission."""
    if actor is None:
        return False
    principal = _principal(actor)
    if name in FILER_TRANSITIONS:
        return may_file(principal, contract)
    if name in REGISTRY_TRANSITIONS:
        return is_registry(principal, contract)
    return False


# Receipts and amendments ------------------------------------------------------------------------------
#
# A receipt (实际到账) and an amendment (合同变更) are recorded and filed by the **seller side** (users of
# the seller organisation or of the agency that filed for it) on a registered contract, and confirmed or
# registered by the **registry** (registrars of the seller's region chain). Both are read, with the bank
# slips, by whoever may read the contract (:func:`can_view_contract`). The 技术性收入核定 of an organisation
# is for its own users and for the registrars of its region chain.


def is_seller_side(principal: Principal, contract: TechContract) -> bool:
    """A user of the seller organisation or of the agency organisation."""
    return principal.organisation_id is not None and principal.organisation_id in {
        contract.seller_organisation_id,
        contract.agency_organisation_id,
    }


def _is_registered(contract: TechContract) -> bool:
    return contract.state == ContractState.REGISTERED


@policy
def can_record_receipt(principal: Principal, contract: TechContract) -> bool:
    """登记到账: the seller side, on a registered contract."""
    return principal.is_authenticated and _is_registered(contract) and is_seller_side(principal, contract)


@policy
def can_file_amendment(principal: Principal, contract: TechContract) -> bool:
    """合同变更 (a new total and certified amount): the seller side, on a registered contract."""
    return can_record_receipt(principal, contract)


@policy
def can_decide_receipts(principal: Principal, contract: TechContract) -> bool:
    """Confirming or rejecting receipts and registering or refusing amendments: the registry."""
    return principal.is_authenticated and _is_registered(contract) and is_registry(principal, contract)


@policy
def can_view_receipts(principal: Principal, contract: TechContract) -> bool:
    """The contract's receipts, amendments, their evidence and its income summary: its readers."""
    return can_view_contract(principal, contract)


@policy
def can_view_income(principal: Principal, organisation_id: int, region_chain: list[str]) -> bool:
    """技术性收入核定表 of an organisation: its own users and the registrars of its region chain."""
    if not principal.is_authenticated:
        return False
    return principal.organisation_id == organisation_id or principal.registers(region_chain)


@policy
def can_list_income(principal: Principal) -> bool:
    """The 技术性收入核定 page: users of an organisation (their own) and registrars (their region's)."""
    return principal.is_authenticated and (principal.organisation_id is not None or principal.is_registrar)


def _actor_principal(actor: Any) -> Principal:
    return actor if isinstance(actor, Principal) else principal_of(actor)


def can_transition_receipt(actor: Any, name: str, receipt: Receipt) -> bool:
    """RECEIPT_WORKFLOW's permission: the seller side records, the registry confirms or rejects."""
    if actor is None:
        return False
    principal = _actor_principal(actor)
    contract = receipt.contract
    if name == "record":
        return can_record_receipt(principal, contract)
    if name in ("confirm", "reject"):
        return can_decide_receipts(principal, contract)
    return False


def can_transition_amendment(actor: Any, name: str, amendment: Amendment) -> bool:
    """AMENDMENT_WORKFLOW's permission: the seller side files, the registry registers or refuses."""
    if actor is None:
        return False
    principal = _actor_principal(actor)
    contract = amendment.contract
    if name == "file":
        return can_file_amendment(principal, contract)
    if name in ("register", "refuse"):
        return can_decide_receipts(principal, contract)
    return False

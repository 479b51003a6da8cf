"""Who may see and do what with technology contracts — the only place this app's role logic lives.

A contract's detail is confidential to its **parties** (the users of the seller, buyer and agency
organisations) and to the **registry** (registrars of the seller's region or a region above it). Nobody
else sees it: not other organisations, not reviewers, not platform administrators, not the public; the
public only checks a certificate's verification code and sees aggregate statistics.
"""

from __future__ import annotations

from django.db.models import Q

from techmarket.accounts.policies import Principal
from techmarket.contracts.models import TechContract
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

"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from techmarket.accounts.choices import OrganisationStatus
from techmarket.accounts.models import Organisation, RoleAssignment
from techmarket.accounts.policies import Principal


def organisations_pending(principal: Principal) -> QuerySet[Organisation]:
    """Organisations waiting for verification; only platform administrators see the queue."""
    if not principal.is_platform_admin:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(status=OrganisationStatus.PENDING)
        .select_related("region")
        .order_by("created_at")
    )


def organisation_members(principal: Principal, organisation: Organisation) -> QuerySet:
    if not (principal.is_platform_admin or principal.organisation_id == organisation.pk):
        return organisation.members.none()
    return organisation.members.prefetch_related("roles__region").order_by("username")


def role_assignments(principal: Principal) -> QuerySet[RoleAssignment]:
    """Every role held on the platform, for the platform administrator's role page."""
    if not principal.is_platform_admin:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.select_related("user", "region").order_by(
        "role", "region_id", "user__username"
    )

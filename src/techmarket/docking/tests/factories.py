"""Preconditions for docking tests: published demands, linked experts, confirmed matches and clocks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.models import Region
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.docking.models import ClockPolicy, ResponseClock
from techmarket.experts.models import ExpertProfile
from techmarket.experts.tests.factories import expert as expert_profile
from techmarket.matching import services as matching_services
from techmarket.matching.choices import TargetKind
from techmarket.matching.models import Suggestion


class ClockPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClockPolicy
        django_get_or_create = ("region",)

    hours = 24
    remind_before_hours = 4


class ResponseClockFactory(factory.django.DjangoModelFactory):
    """A clock with chosen times; replaces the one publication started (one clock per demand)."""

    class Meta:
        model = ResponseClock

    started_at = factory.LazyFunction(timezone.now)
    hours = 24
    deadline = factory.LazyAttribute(lambda clock: clock.started_at + timedelta(hours=clock.hours))
    remind_at = factory.LazyAttribute(lambda clock: clock.deadline - timedelta(hours=4))

    @classmethod
    def _create(cls, model_class: type[ResponseClock], *args: Any, **kwargs: Any) -> ResponseClock:
        demand = kwargs.pop("demand")
        clock, _created = model_class.objects.update_or_create(demand=demand, defaults=kwargs)
        return clock


def published_demand(
    region: Region,
    reviewer: User,
    *,
    enterprise: User | None = None,
    state: str = DemandState.PUBLISHED,
    **overrides: Any,
) -> Demand:
    """A demand published through the real services (which starts its clock)."""
    return demand_in_state(
        state,
        enterprise=enterprise or enterprise_user(region),
        region=region,
        reviewer=reviewer,
        **overrides,
    )


def expert_with_login(region: Region, **fields: Any) -> ExpertProfile:
    """An expert profile linked to an active login holding the expert role."""
    user = user_with_role(Role.EXPERT)
    return expert_profile(region, user=user, **fields)


def organisation_with_admin(region: Region, **fields: Any) -> tuple[Organisation, User]:
    organisation = OrganisationFactory(region=region, kind=OrganisationKind.INSTITUTE, **fields)
    return organisation, user_with_role(Role.ORG_ADMIN, organisation=organisation)


def confirmed(actor: User, demand: Demand, kind: str, target_id: int) -> Suggestion:
    """A match a responder added by hand (added matches are confirmed)."""
    return matching_services.suggestion_add(actor=actor, demand=demand, kind=kind, target_id=target_id)


def engine_suggestion(demand: Demand, kind: str, target: Any, **fields: Any) -> Suggestion:
    """A confirmed engine suggestion stored directly (the engine itself is matching's to test)."""
    field = {TargetKind.ACHIEVEMENT: "achievement", TargetKind.EXPERT: "expert"}.get(kind, "organisation")
    return Suggestion.objects.create(demand=demand, kind=kind, state="confirmed", **{field: target}, **fields)


def at(clock: ResponseClock, hours: float) -> datetime:
    """A moment ``hours`` after the clock started (negative: before)."""
    return clock.started_at + timedelta(hours=hours)

"""Reads of the expert pool: lists and details as a principal may see them, and the matching feed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from techmarket.accounts.policies import Principal
from techmarket.accounts.types import User
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.types import Achievement
from techmarket.core.errors import NotFound
from techmarket.core.masking import mask_email, mask_phone
from techmarket.experts import policies
from techmarket.experts.models import ExpertProfile

SEARCH_FIELDS = (
    "name",
    "research_keywords",
    "research_fields",
    "title",
    "organisation_name",
    "organisation__name",
)


def expert_list(
    principal: Principal, query: str = "", region: str = "", commissioner: bool | None = None
) -> QuerySet[ExpertProfile]:
    """Profiles the principal may see; every word of ``query`` must occur in a searched field."""
    queryset = ExpertProfile.objects.filter(policies.visible_q(principal)).select_related(
        "region", "organisation", "discipline", "industry"
    )
    for word in query.split()[:10]:
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    if region:
        queryset = queryset.filter(
            Q(region_id=region) | Q(region__parent_id=region) | Q(region__parent__parent_id=region)
        )
    if commissioner is not None:
        queryset = queryset.filter(is_commissioner=commissioner)
    return queryset


def expert_detail(principal: Principal, pk: Any) -> ExpertProfile:
    """One profile; NotFound when the principal may not see it (inactive, and not among its editors)."""
    try:
        expert = ExpertProfile.objects.select_related("region", "organisation", "discipline", "industry").get(
            pk=pk
        )
    except (ExpertProfile.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view(principal, expert):
        raise NotFound()
    return expert


def own_profile(user: Any) -> ExpertProfile | None:
    """The profile linked to the user's login, if any (None for anonymous visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return ExpertProfile.objects.filter(user_id=user.pk).first()


def _visible_published(principal: Principal) -> QuerySet[Achievement]:
    return achievement_selectors.achievement_catalogue(principal).order_by("-published_at", "-id")


def linked_achievements(
    principal: Principal, expert: ExpertProfile
) -> QuerySet[Achievement] | list[Achievement]:
    """The expert's published achievements that the principal may see (受限 ones only to their audience);
    read from :func:`with_linked_achievements`' prefetch when the expert came from it."""
    prefetched: list[Achievement] | None = getattr(expert, "visible_achievements", None)
    if prefetched is not None:
        return prefetched
    return _visible_published(principal).filter(experts=expert)


def with_linked_achievements(
    principal: Principal, queryset: QuerySet[ExpertProfile]
) -> QuerySet[ExpertProfile]:
    """Fetch every listed expert's visible linked achievements in one query (the API lists them)."""
    return queryset.prefetch_related(
        Prefetch("achievements", queryset=_visible_published(principal), to_attr="visible_achievements")
    )


def expert_contact(principal: Principal, expert: ExpertProfile) -> dict[str, str]:
    """Phone and e-mail, masked unless the principal may see them (policies.can_see_contact)."""
    if policies.can_see_contact(principal, expert):
        return {"phone": expert.phone, "email": expert.email}
    return {
        "phone": mask_phone(expert.phone) if expert.phone else "",
        "email": mask_email(expert.email) if expert.email else "",
    }


def match_documents(queryset: QuerySet[ExpertProfile] | None = None) -> Iterator[dict[str, Any]]:
    """Active experts as matching-engine records. Only 公开 published achievements lend their names."""
    queryset = ExpertProfile.objects.all() if queryset is None else queryset
    public = achievement_selectors.public_achievements().only("id", "name").order_by("id")
    experts = (
        queryset.filter(is_active=True)
        .select_related("industry", "discipline")
        .prefetch_related(Prefetch("achievements", queryset=public, to_attr="public_achievements"))
        .order_by("pk")
    )
    for expert in experts.iterator(chunk_size=500):
        names = " ".join(achievement.name for achievement in expert.public_achievements)
        yield {
            "id": f"expert:{expert.pk}",
            "title": f"{expert.name} {expert.research_fields}".strip(),
            "keywords": expert.keyword_list,
            "abstract": f"{expert.bio} {names}".strip(),
            "industry": expert.industry.code if expert.industry else "",
            "discipline": expert.discipline.code if expert.discipline else "",
            "region": expert.region_id,
        }


def recipients_of(expert: ExpertProfile) -> list[User]:
    """Who hears about the expert's matches: the linked login, if any and active."""
    user = expert.user if expert.user_id else None
    return [user] if user is not None and user.is_active else []

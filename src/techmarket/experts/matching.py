"""What the expert pool contributes to matching: active experts, described by their own words and the
names of their 公开 published achievements (never a 受限 one's)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from techmarket.accounts.policies import Principal
from techmarket.core import matchsources
from techmarket.core.matchsources import Entry, LinkWatch, Profile, Source, Watch
from techmarket.experts import selectors
from techmarket.experts.models import ExpertProfile


def expert_entry(document: dict[str, Any]) -> Entry:
    return Entry(
        document,
        Profile(
            industry=document.get("industry") or "",
            discipline=document.get("discipline") or "",
            region=document.get("region") or "",
        ),
    )


def experts(ids: list[str] | None) -> Iterator[Entry]:
    """Active experts."""
    queryset = ExpertProfile.objects.filter(is_active=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for document in selectors.match_documents(queryset):
        document = dict(document)
        document["id"] = document["id"].split(":", 1)[-1]
        yield expert_entry(document)


def labels(ids: Sequence[int], audiences: Sequence[Principal]) -> dict[int, str]:
    """Names of the active experts of ``ids`` (the pool's names are public)."""
    return dict(ExpertProfile.objects.filter(pk__in=list(ids), is_active=True).values_list("pk", "name"))


def target(pk: int, audiences: Sequence[Principal]) -> ExpertProfile | None:
    return ExpertProfile.objects.filter(pk=pk).first()


def expert_changed(instance: ExpertProfile, created: bool) -> list[tuple[str, Any]]:
    return [(matchsources.EXPERTS, instance.pk)]


def achievement_changed(instance: Any, created: bool) -> list[tuple[str, Any]]:
    """Experts are described by the names of their public linked achievements too."""
    if instance.pk is None or created:
        return []
    return [(matchsources.EXPERTS, pk) for pk in instance.experts.values_list("pk", flat=True)]


def links_changed(
    instance: Any, action: str, reverse: bool, pk_set: set[Any] | None
) -> list[tuple[str, Any]]:
    """An expert's linked achievements changed (from either side of the relation).

    A clear is logged before it happens: afterwards the relation no longer says whose links went.
    """
    if action not in ("post_add", "post_remove", "pre_clear"):
        return []
    if not reverse:
        return [(matchsources.EXPERTS, instance.pk)]
    if action == "pre_clear":
        return [(matchsources.EXPERTS, pk) for pk in instance.experts.values_list("pk", flat=True)]
    return [(matchsources.EXPERTS, pk) for pk in pk_set or ()]


def register() -> None:
    matchsources.register(
        Source(matchsources.EXPERTS, experts, kind="expert", labels=labels, target=target),
        Watch("experts.expertprofile", expert_changed),
        Watch("achievements.achievement", achievement_changed),
        LinkWatch(ExpertProfile.achievements.through._meta.label_lower, links_changed),
    )

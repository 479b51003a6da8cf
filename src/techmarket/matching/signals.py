"""Record every change of an indexed record in the change log, in the transaction that makes it.

Receivers (not calls in each service) because achievements, experts, organisations and demands change
through many services, the admin and imports: whatever saves a row, its next ranking sees the change.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from techmarket.accounts.models import Organisation
from techmarket.achievements.models import Achievement
from techmarket.demands.models import Demand
from techmarket.matching.choices import Corpus
from techmarket.matching.models import IndexChange


def _log(corpus: str, *doc_ids: Any) -> None:
    IndexChange.objects.bulk_create([IndexChange(corpus=corpus, doc_id=str(doc_id)) for doc_id in doc_ids])


def achievement_changed(sender: Any, instance: Achievement, **kwargs: Any) -> None:
    _log(Corpus.ACHIEVEMENTS, instance.pk)
    if instance.owner_organisation_id:
        _log(Corpus.ORGANISATIONS, instance.owner_organisation_id)
    # Experts are described by the names of their public linked achievements too.
    if instance.pk is not None and not kwargs.get("created"):
        _log(Corpus.EXPERTS, *instance.experts.values_list("pk", flat=True))


def demand_changed(sender: Any, instance: Demand, **kwargs: Any) -> None:
    _log(Corpus.DEMANDS, instance.pk)


def organisation_changed(sender: Any, instance: Organisation, **kwargs: Any) -> None:
    _log(Corpus.ORGANISATIONS, instance.pk)


def expert_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _log(Corpus.EXPERTS, instance.pk)


def expert_links_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    """An expert's linked achievements changed (from either side of the relation).

    A clear is logged before it happens: afterwards the relation no longer says whose links went.
    """
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        _log(Corpus.EXPERTS, instance.pk)
    elif action == "pre_clear":
        _log(Corpus.EXPERTS, *instance.experts.values_list("pk", flat=True))
    elif kwargs.get("pk_set"):
        _log(Corpus.EXPERTS, *kwargs["pk_set"])


def connect() -> None:
    from techmarket.experts.models import ExpertProfile

    for model, receiver in (
        (Achievement, achievement_changed),
        (Demand, demand_changed),
        (Organisation, organisation_changed),
        (ExpertProfile, expert_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"matching.{model.__name__}.save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"matching.{model.__name__}.delete")
    m2m_changed.connect(
        expert_links_changed, sender=ExpertProfile.achievements.through, dispatch_uid="matching.expert.links"
    )

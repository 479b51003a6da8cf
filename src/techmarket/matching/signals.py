"""Record every change of an indexed record in the change log, in the transaction that makes it.

Receivers (not calls in each service) because achievements, experts, organisations and demands change
through many services, the admin and imports: whatever saves a row, its next ranking sees the change.
Which rows change which documents is declared by the domain apps (``Watch`` and ``LinkWatch`` in
:mod:`techmarket.core.matchsources`); this module only writes the log, and imports no domain model.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from techmarket.core import matchsources
from techmarket.matching.models import IndexChange


def _log(changes: list[tuple[str, Any]]) -> None:
    if changes:
        IndexChange.objects.bulk_create(
            [IndexChange(corpus=corpus, doc_id=str(doc_id)) for corpus, doc_id in changes]
        )


def _label(sender: Any) -> str | None:
    meta = getattr(sender, "_meta", None)
    return meta.label_lower if meta is not None else None


def saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    label = _label(sender)
    if label is None:
        return
    for watch in matchsources.watches_of(label):
        _log(list(watch.changed(instance, created)))


def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    saved(sender, instance, created=False)


def links_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    label = _label(sender)
    if label is None:
        return
    for watch in matchsources.link_watches_of(label):
        _log(list(watch.changed(instance, action, reverse, kwargs.get("pk_set"))))


def connect() -> None:
    """Listen to every model's saves; the registry says which of them matter (a dict lookup)."""
    post_save.connect(saved, dispatch_uid="matching.index_changes.save")
    post_delete.connect(deleted, dispatch_uid="matching.index_changes.delete")
    m2m_changed.connect(links_changed, dispatch_uid="matching.index_changes.links")

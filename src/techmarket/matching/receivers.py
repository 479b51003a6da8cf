"""Match a demand as soon as its publication commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from techmarket.demands.models import Demand
from techmarket.demands.signals import demand_published


def on_published(sender: Any, demand: Demand, **kwargs: Any) -> None:
    from techmarket.matching.services import suggestions_refresh_quietly

    transaction.on_commit(lambda: suggestions_refresh_quietly(demand.pk))


def connect() -> None:
    demand_published.connect(on_published, sender=Demand, dispatch_uid="matching.on_published")

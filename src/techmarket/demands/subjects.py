"""What demands tell conversations about threads on a demand (``conversations.subjects``): the demand's
page, and who may join a thread as its broker. Registered by ``DemandsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.conversations import subjects
from techmarket.demands import policies
from techmarket.demands.models import Demand
from techmarket.demands.services import SUBJECT_KIND


def _url(subject_id: int) -> str:
    return reverse("demands:detail", args=[subject_id])


def _may_join(principal: Principal, subject_id: int) -> bool:
    demand = Demand.objects.select_related("region").filter(pk=subject_id).first()
    return demand is not None and policies.can_join_conversation(principal, demand)


def register() -> None:
    subjects.register(
        subjects.SubjectKind(key=SUBJECT_KIND, label=_("技术需求"), url=_url, may_join=_may_join)
    )

"""An expert profile is in the matching pool (active) or taken out of it by the platform, and back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import Transition, Workflow
from techmarket.experts import policies
from techmarket.experts.models import ExpertProfile

ACTIVATION_WORKFLOW: Workflow[ExpertProfile] = Workflow(
    model=ExpertProfile,
    event_prefix="experts.expertprofile",
    state_field="is_active",
    permission=policies.can_transition,
    state_names={True: "active", False: "inactive"},
    transitions=[
        Transition("deactivate", frozenset({True}), False, _("停用")),
        Transition("activate", frozenset({False}), True, _("启用")),
    ],
)

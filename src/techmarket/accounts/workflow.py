"""An organisation registers as pending; a platform administrator verifies it (then its users may
submit records) or refuses it with a reason; a refused organisation may be verified after correction,
and a verified one refused again."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.accounts import policies
from techmarket.accounts.choices import OrganisationStatus as S
from techmarket.accounts.models import Organisation
from techmarket.core.workflow import Transition, Workflow

ORGANISATION_WORKFLOW: Workflow[Organisation] = Workflow(
    model=Organisation,
    event_prefix="accounts.organisation",
    state_field="status",
    permission=policies.can_transition_organisation,
    transitions=[
        Transition("verify", frozenset({S.PENDING, S.REJECTED}), S.VERIFIED, _("认证通过")),
        Transition(
            "reject", frozenset({S.PENDING, S.VERIFIED}), S.REJECTED, _("不予认证"), requires_reason=True
        ),
    ],
)

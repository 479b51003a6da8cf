"""A suggestion's life: proposed by the engine (or added by hand) → confirmed or rejected by a
responder (a rejection carries a structured reason) → pushed to the enterprise with the response.
A decision may be reconsidered until the suggestion is pushed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Transition, Workflow
from techmarket.matching import policies
from techmarket.matching.choices import SuggestionState as S
from techmarket.matching.models import Suggestion

SUGGESTION_WORKFLOW: Workflow[Suggestion] = Workflow(
    model=Suggestion,
    event_prefix="matching.suggestion",
    state_field="state",
    permission=policies.can_transition,
    transitions=[
        Transition("add", frozenset({INITIAL}), S.CONFIRMED, _("人工添加")),
        Transition("confirm", frozenset({S.PROPOSED}), S.CONFIRMED, _("确认推荐")),
        Transition("reject", frozenset({S.PROPOSED}), S.REJECTED, _("驳回"), requires_reason=True),
        Transition("reconsider", frozenset({S.CONFIRMED, S.REJECTED}), S.PROPOSED, _("重新考虑")),
        Transition("push", frozenset({S.CONFIRMED}), S.PUSHED, _("推送")),
    ],
)

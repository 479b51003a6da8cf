"""Who may see and do what in the subsidies app — the only place its role logic lives.

- **The bureau of a policy's region** is the platform administrators and the reviewers (审核员) whose
  scope is the policy's region or a region above it (a provincial reviewer for a city's policy; a county
  reviewer does not cover its city's policy). The chain is read from the GB/T 2260 code itself
  (county ``420102`` → city ``420100`` → province ``420000``), so no query is needed.
- **Policies** (the documents and their history) are edited by platform administrators only; the bureau
  reads them when it computes.
- **Runs**: the bureau of the policy's region computes, recomputes, checks, returns a run for recompute
  (from computed or checked, and from published when it finds an error itself), cancels a run not yet
  approved, and answers objections. Platform administrators approve, publish and mark paid.
  Separation of duties: the checker is not the person who computed the current round; the approver is
  not the checker. Marking paid waits for the end of the objection period (公示期) and for every
  objection to be answered.
- **Awards**: the public list (公示, anyone, once published) shows organisation, rule and final award.
  The trail (contracts by registration number and their received amounts, sums, threshold, rate, cap,
  scaling) is the bureau's, and for its own award the awarded organisation's users' once the run is
  published. Contract content (titles, counterparties' detail, amounts of other contracts) never
  appears anywhere in this app.
- **Objections**: any signed-in user files one during the objection period of a published run (anonymous
  visitors cannot); it is read by its filer and the bureau, and answered by the bureau. An upheld
  objection returns the run for recompute.
- **Claims** (applications under rules not paid on contracts) are entered and withdrawn by the bureau of
  the policy's region.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from techmarket.accounts.policies import Principal, principal_of
from techmarket.core.policy_registry import policy
from techmarket.subsidies.choices import PUBLIC_STATES, ObjectionState, RunState
from techmarket.subsidies.models import Award, Objection, SubsidyRun


def region_chain(code: str) -> set[str]:
    """The region ``code`` and the regions above it, from the structure of the GB/T 2260 code."""
    if len(code) != 6 or not code.isdigit():
        return set()
    return {code, code[:4] + "00", code[:2] + "0000"}


def _principal(actor: Any) -> Principal:
    return actor if isinstance(actor, Principal) else principal_of(actor)


def is_bureau(principal: Principal, region_code: str) -> bool:
    """A platform administrator, or a reviewer of the region or a region above it."""
    if not principal.is_authenticated:
        return False
    return principal.is_platform_admin or bool(principal.all_review_codes() & region_chain(region_code))


@policy
def can_edit_policies(principal: Principal) -> bool:
    """政策管理: the list of policies, editing a document, its history: platform administrators."""
    return principal.is_authenticated and principal.is_platform_admin


@policy
def can_list_runs(principal: Principal) -> bool:
    """奖补测算 (the bureau's list of runs, the compute form): platform administrators and reviewers (a
    reviewer's list shows the runs of their regions only)."""
    return principal.is_authenticated and (principal.is_platform_admin or principal.is_reviewer)


def can_compute(principal: Principal, region_code: str) -> bool:
    """Computing a run of a policy of this region, entering claims for it."""
    return is_bureau(principal, region_code)


@policy
def can_manage_run(principal: Principal, run: SubsidyRun) -> bool:
    """The run's bureau page (every round, every award's trail, objections): the bureau of its region."""
    return is_bureau(principal, run.region_code)


def is_public(run: SubsidyRun) -> bool:
    """Whether the run is in the public list (published or paid)."""
    return run.state in PUBLIC_STATES


def can_view_public_run(principal: Principal, run: SubsidyRun) -> bool:
    """The public list of a run (公示): anyone, once published."""
    return is_public(run)


@policy
def can_view_trail(principal: Principal, award: Award, run: SubsidyRun | None = None) -> bool:
    """An award's trail: the bureau of the run's region; the awarded organisation's users once published."""
    run = run or award.run
    if is_bureau(principal, run.region_code):
        return True
    return (
        principal.is_authenticated
        and is_public(run)
        and award.organisation_id is not None
        and principal.organisation_id == award.organisation_id
    )


def objection_period_open(run: SubsidyRun, now: Any = None) -> bool:
    """Whether a published run still takes objections (before its deadline)."""
    now = now or timezone.now()
    return (
        run.state == RunState.PUBLISHED
        and run.objection_deadline is not None
        and now < run.objection_deadline
    )


@policy
def can_object(principal: Principal, run: SubsidyRun) -> bool:
    """提出异议: anyone signed in, during the objection period of a published run."""
    return principal.is_authenticated and objection_period_open(run)


def can_view_objection(principal: Principal, objection: Objection) -> bool:
    """An objection's text and answer: its filer and the bureau of the run's region."""
    if not principal.is_authenticated:
        return False
    return principal.user_id == objection.filed_by_id or is_bureau(principal, objection.run.region_code)


def can_transition_run(actor: Any, name: str, run: SubsidyRun) -> bool:
    """RUN_WORKFLOW's permission (see the module docstring)."""
    if actor is None:
        return False
    principal = _principal(actor)
    if not principal.is_authenticated:
        return False
    bureau = is_bureau(principal, run.region_code)
    if name in ("compute", "recompute", "return", "cancel", "reopen"):
        return bureau
    if name == "check":
        return bureau and principal.user_id != run.computed_by_id
    if name == "approve":
        return principal.is_platform_admin and principal.user_id != run.checked_by_id
    if name == "publish":
        return principal.is_platform_admin
    if name == "pay":
        return principal.is_platform_admin and payable(run)
    return False


def payable(run: SubsidyRun, now: Any = None) -> bool:
    """The objection period is over and no objection waits for an answer."""
    now = now or timezone.now()
    if run.objection_deadline is None or now < run.objection_deadline:
        return False
    return not run.objections.filter(state=ObjectionState.OPEN).exists()


def can_transition_objection(actor: Any, name: str, objection: Objection) -> bool:
    """OBJECTION_WORKFLOW's permission: anyone signed in files during the period; the bureau answers."""
    if actor is None:
        return False
    principal = _principal(actor)
    if name == "file":
        return can_object(principal, objection.run)
    if name in ("uphold", "dismiss"):
        return is_bureau(principal, objection.run.region_code)
    return False


def can_manage_claims(principal: Principal, region_code: str) -> bool:
    """Entering and withdrawing claims of a policy: the bureau of its region."""
    return is_bureau(principal, region_code)

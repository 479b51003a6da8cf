"""The role × transition matrix of every registered workflow (see core.testing.workflow_matrix)."""

from __future__ import annotations

import pytest

from techmarket.core import workflow as engine
from techmarket.core.models import AuditEvent
from techmarket.core.testing import workflow_matrix
from techmarket.core.testing.workflow_matrix import (
    cases_module,
    discover_workflows,
    find_case,
    find_cases,
    run_state,
)
from techmarket.core.workflow import Transition, Workflow

pytestmark = pytest.mark.django_db

WORKFLOWS = discover_workflows()


def _param(prefix: str, variant: str, state: object) -> object:
    name = f"{prefix}+{variant}" if variant else prefix
    return pytest.param(prefix, variant, state, id=f"{name}-{state}")


def _params() -> list[object]:
    params: list[object] = []
    for prefix in WORKFLOWS:
        cases = find_cases(prefix)
        if not cases:
            params.append(_param(prefix, "", "(no case)"))
        for case in cases:
            params += [_param(prefix, case.variant, state) for state in case.source_states()]
    return params


def _missing() -> list[str]:
    return [
        f"{prefix} (add it to {cases_module(wf)}.CASES)"
        for prefix, wf in discover_workflows().items()
        if not find_cases(prefix)
    ]


def test_every_registered_workflow_has_a_case() -> None:
    assert not _missing(), f"workflows without a matrix case: {_missing()}"


def test_a_new_workflow_without_a_case_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = dict(engine.REGISTRY)
    monkeypatch.setattr(engine, "REGISTRY", registry)
    monkeypatch.setattr(workflow_matrix, "REGISTRY", registry)
    Workflow(
        model=AuditEvent,
        event_prefix="core.auditevent",
        state_field="to_state",
        permission=lambda actor, name, obj: False,
        transitions=[Transition("close", frozenset({"open"}), "closed", "close")],
    )
    assert _missing() == ["core.auditevent (add it to techmarket.core.tests.workflow_cases.CASES)"]


def test_the_known_workflows_are_registered() -> None:
    assert {"achievements.achievement", "demands.demand", "matching.suggestion"} <= set(WORKFLOWS)


@pytest.mark.parametrize(("prefix", "variant", "state"), _params())
def test_role_transition_matrix(
    request: pytest.FixtureRequest, prefix: str, variant: str, state: object
) -> None:
    case = find_case(prefix, variant)
    if case is None:
        pytest.fail(f"{prefix} has no matrix case: add one to {cases_module(WORKFLOWS[prefix])}.CASES")
    result = run_state(case, request, state)
    assert result.attempts

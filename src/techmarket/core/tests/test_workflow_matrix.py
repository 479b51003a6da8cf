"""The role × transition matrix of every registered workflow (see core.testing.workflow_matrix)."""

from __future__ import annotations

import pytest

from techmarket.core.testing.workflow_matrix import cases_module, discover_workflows, find_case, run_state

pytestmark = pytest.mark.django_db

WORKFLOWS = discover_workflows()


def _params() -> list[tuple[str, object]]:
    params = []
    for prefix in WORKFLOWS:
        case = find_case(prefix)
        states = case.source_states() if case is not None else ["(no case)"]
        params += [(prefix, state) for state in states]
    return params


def test_every_registered_workflow_has_a_case() -> None:
    missing = [
        f"{prefix} (add it to {cases_module(wf)}.CASES)"
        for prefix, wf in WORKFLOWS.items()
        if find_case(prefix) is None
    ]
    assert not missing, f"workflows without a matrix case: {missing}"


def test_the_known_workflows_are_registered() -> None:
    assert {"achievements.achievement", "demands.demand", "matching.suggestion"} <= set(WORKFLOWS)


@pytest.mark.parametrize(("prefix", "state"), _params(), ids=lambda value: str(value))
def test_role_transition_matrix(request: pytest.FixtureRequest, prefix: str, state: object) -> None:
    case = find_case(prefix)
    if case is None:
        pytest.fail(f"{prefix} has no matrix case: add one to {cases_module(WORKFLOWS[prefix])}.CASES")
    result = run_state(case, request, state)
    assert result.attempts

"""No state field of a registered workflow is written outside the engine (``core/workflow.py``).

The scan reads every module of the package (tests and migrations aside) and reports assignments to a
state field's attribute, ``setattr`` with its name, and the field as a keyword of ``create``/``update``
style calls or of a workflow model's constructor. A row may be born in its field's default state without
a transition; any other state is reached through ``Workflow.fire`` or ``Workflow.start``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import techmarket
from techmarket.core import workflow

PACKAGE = Path(techmarket.__file__).parent
ENGINE = PACKAGE / "core" / "workflow.py"
WRITING_CALLS = {"update", "create", "get_or_create", "update_or_create", "bulk_update"}
# Lines that write a same-named attribute of something that is not a workflow's row, with the reason.
NOT_A_WORKFLOW_ROW = {
    "plan.state = S.DRAFT  # unverified organisations cannot submit": "a demo plan, not a model row",
    "user.is_active = True": "accounts.User opened by its e-mailed link (audited); experts' is_active is another model's",
}
# Same-named fields of models without a workflow.
OTHER_MODELS_FIELDS = {
    ("notifications", "status"): "Delivery.status: a delivery is written once, in its final state",
}


def _registered() -> tuple[set[str], set[str]]:
    workflow.autodiscover()
    fields = {flow.state_field for flow in workflow.REGISTRY.values()}
    models = {flow.model.__name__ for flow in workflow.REGISTRY.values() if flow.model is not None}
    return fields, models


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else ""


def _targets(node: ast.AST) -> Iterator[ast.expr]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
        else:
            yield target


def writes(source: str, fields: set[str], models: set[str]) -> Iterator[tuple[int, str]]:
    """(line, field) of every write of a state field in ``source``."""
    for node in ast.walk(ast.parse(source)):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and target.attr in fields:
                yield node.lineno, target.attr
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "setattr" and len(node.args) >= 2:
            field = node.args[1]
            if isinstance(field, ast.Constant) and field.value in fields:
                yield node.lineno, str(field.value)
        if name in WRITING_CALLS or name in models:
            for keyword in node.keywords:
                if keyword.arg in fields:
                    yield node.lineno, keyword.arg
                if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                    for key in keyword.value.keys:
                        if isinstance(key, ast.Constant) and key.value in fields:
                            yield node.lineno, str(key.value)


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or "testing" in parts or path == ENGINE:
            continue
        yield path


def test_every_workflow_has_a_model_and_a_state_field(db):
    fields, _models = _registered()
    assert {"state", "status", "answer", "is_active"} <= fields
    for flow in workflow.REGISTRY.values():
        assert flow.model is not None
        assert flow.model._meta.get_field(flow.state_field)


def test_no_state_field_is_written_outside_the_engine(db):
    fields, models = _registered()
    found = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        app = path.relative_to(PACKAGE).parts[0]
        for line, field in writes(source, fields, models):
            text = lines[line - 1].strip()
            if text in NOT_A_WORKFLOW_ROW or (app, field) in OTHER_MODELS_FIELDS:
                continue
            found.append(f"{path.relative_to(PACKAGE)}:{line}: {text}")
    assert found == [], "state fields written outside Workflow.fire/start:\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_write():
    source = """
row.state = "x"
a, row.status = 1, "y"
setattr(row, "answer", "z")
Model.objects.filter(pk=1).update(state="x")
Thing.objects.get_or_create(pk=1, defaults={"status": "y"})
Demand(state="x")
Q(state="x")
"""
    found = list(writes(source, {"state", "status", "answer"}, {"Demand"}))
    assert found == [(2, "state"), (3, "status"), (4, "answer"), (5, "state"), (6, "status"), (7, "state")]


def test_every_declared_hook_resolves(db):
    """A dotted path on a transition must name a real function (a typo would only fail at run time)."""
    workflow.autodiscover()
    for flow in workflow.REGISTRY.values():
        for transition in flow.transitions:
            for hook in (*transition.effects, *transition.after_commit):
                assert callable(workflow.resolve(hook)), (flow.event_prefix, transition.name, hook)

"""The role × transition matrix, generated from :data:`techmarket.core.workflow.REGISTRY`.

For every registered workflow, every transition, every source state and every role the matrix fires the
transition **through the app's service** (not ``Workflow.fire``) and checks the outcome:

- allowed (the workflow's own permission function, i.e. the app's policy, says yes and the state is a
  source): the service succeeds, the row reaches the state the event names, and exactly one audit event
  ``<prefix>.<transition>`` is written for that object (it runs in a savepoint that is then rolled back);
- refused: the service raises a :class:`~techmarket.core.errors.DomainError` and changes nothing — a
  snapshot of every table of every ``techmarket`` app (the row, the audit log, notifications, clocks,
  suggestions, …) and the queue of after-commit hooks taken *after* the call, outside any savepoint the
  test itself rolled back, equals the one taken before.

The expected allowed set comes from the policy (``workflow.is_allowed``), not a second copy of the rules;
the important rules are pinned by a case's :class:`Rule` list, which the matrix checks as well (e.g. "an
applicant never approves").

Adding a workflow
-----------------
Declaring a ``Workflow(model=...)`` registers it; ``core/tests/test_workflow_matrix.py`` then fails until
the app's ``tests/workflow_cases.py`` defines ``CASES = [WorkflowCase(...)]`` with an entry for it::

    CASES = [
        WorkflowCase(
            workflow=IMPORT_JOB_WORKFLOW,
            setup=lambda request: cast_around(request, ...),   # built once per source state
            make=lambda world, state: job_in_state(state, ...),   # a row in ``state``, via the services
            actors=lambda world: world.actors,                  # role name → user (or AnonymousUser)
            fire={"cancel": lambda actor, job, reason: imports.job_cancel(actor=actor, job=job)},
            rules=[Rule("only the owner cancels", roles={"other_applicant"}, transitions={"cancel"}, allowed=False)],
        )
    ]

More cases for the same workflow, each with its own ``variant`` name, exercise it under other conditions
(``demands`` adds a 受限 demand). A service that is documented to return quietly on a repeated call lists
the (transition, state) in ``quiet_noops``; every other refusal must raise.

``accounts.tests.cast.standard_cast`` gives every role the policies distinguish (anonymous, each
accounts role inside and outside the owning organisation, reviewers at each level inside and outside the
object's region chain, platform administrator, superuser) around an owner. Run one workflow's matrix with
``pytest src/techmarket/core/tests/test_workflow_matrix.py -k <prefix>``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent
from techmarket.core.workflow import INITIAL, REGISTRY, Workflow, autodiscover

REASON = "理由：材料不全，请补充"
# Reference data loaded by migrations (thousands of national codes): compared by count and by the rows
# flagged for province review instead of copied whole on every attempt.
REFERENCE = frozenset({"core.classification", "core.region"})

FireFunction = Callable[[Any, Any, str], Any]  # (actor, object, reason) → fresh object


@dataclass(frozen=True)
class Rule:
    """An explicit expectation the matrix must also meet, written from the rules (not the policy code)."""

    text: str
    roles: frozenset[str] | set[str]
    transitions: frozenset[str] | set[str]
    allowed: bool
    states: frozenset[Any] | set[Any] | None = None

    def applies(self, state: Any, name: str, role: str) -> bool:
        return (
            role in self.roles and name in self.transitions and (self.states is None or state in self.states)
        )


@dataclass
class WorkflowCase:
    """How to exercise one workflow: build actors and rows in a state, and call the service by name."""

    workflow: Workflow[Any]
    setup: Callable[[Any], Any]  # (pytest request) → a "world" shared by the attempts on one state
    make: Callable[[Any, Any], models.Model]  # (world, state) → a row in that state
    actors: Callable[[Any], Mapping[str, Any]]  # world → role name → user
    fire: Mapping[str, FireFunction]  # transition name → service call
    rules: Iterable[Rule] = ()
    # States to start from; default: every choice of the state field (or the sources the graph names).
    states: Collection[Any] | None = None
    # (transition, state) pairs where the service is documented to return quietly without changing
    # anything instead of raising (an idempotent call); the matrix still checks that nothing changed.
    quiet_noops: Collection[tuple[str, Any]] = ()
    reason: str = REASON
    # Several cases may exercise one workflow under different conditions (e.g. a 受限 demand); the
    # variant names them in test ids.
    variant: str = ""

    @property
    def prefix(self) -> str:
        return self.workflow.event_prefix

    def source_states(self) -> list[Any]:
        if self.states is not None:
            return list(self.states)
        model = self.workflow.model
        assert model is not None
        choices = model._meta.get_field(self.workflow.state_field).choices
        if choices:
            return [value for value, _label in choices]
        return sorted(self.workflow.states(), key=str)


@dataclass
class Attempt:
    state: Any
    transition: str
    role: str
    allowed: bool
    outcome: str  # "→<state>" or the error code


@dataclass
class MatrixResult:
    attempts: list[Attempt] = field(default_factory=list)

    def allowed(self, name: str) -> set[str]:
        return {a.role for a in self.attempts if a.transition == name and a.allowed}


def discover_workflows() -> dict[str, Workflow[Any]]:
    """Import every app's ``workflow`` (and ``<part>_workflow``) modules so REGISTRY holds every workflow."""
    autodiscover()
    return dict(sorted(REGISTRY.items()))


def cases_module(workflow: Workflow[Any]) -> str:
    assert workflow.model is not None
    return f"{workflow.model._meta.app_config.name}.tests.workflow_cases"


def cases_modules(workflow: Workflow[Any]) -> list[str]:
    """``<app>.tests.workflow_cases`` and, for an app with ``<part>_workflow`` modules, the
    ``<app>.tests.<part>_workflow_cases`` modules next to it."""
    assert workflow.model is not None
    app_config = workflow.model._meta.app_config
    parts = sorted(path.stem for path in (Path(app_config.path) / "tests").glob("*_workflow_cases.py"))
    return [cases_module(workflow), *(f"{app_config.name}.tests.{part}" for part in parts)]


def find_cases(prefix: str) -> list[WorkflowCase]:
    """The cases the workflow's own app registers in ``<app>.tests.workflow_cases.CASES`` (or in a
    ``<part>_workflow_cases`` module of its tests)."""
    workflow = discover_workflows()[prefix]
    cases: list[WorkflowCase] = []
    for name in cases_modules(workflow):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        cases += [case for case in getattr(module, "CASES", ()) if case.prefix == prefix]
    return cases


def find_case(prefix: str, variant: str = "") -> WorkflowCase | None:
    return next((case for case in find_cases(prefix) if case.variant == variant), None)


def watched_tables() -> list[tuple[str, str]]:
    """(label, table) of every concrete project model, auto-created many-to-many tables included."""
    return [
        (model._meta.label_lower, model._meta.db_table)
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith("techmarket.") or model._meta.db_table.startswith("accounts_")
    ]


def snapshot() -> dict[str, list[Any]]:
    """Every row of every project table, plus the after-commit hooks queued so far (plain SQL: the
    matrix takes one after every attempt)."""
    tables: dict[str, list[Any]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for label, table in watched_tables():
            if label in REFERENCE:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
                tables[label] = cursor.fetchall()
                if label == "core.region":
                    cursor.execute(
                        f"SELECT code FROM {quote(table)} WHERE requires_province_review ORDER BY code"
                    )
                    tables[label] += cursor.fetchall()
            else:
                cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")
                tables[label] = cursor.fetchall()
    tables["(on_commit)"] = [repr(entry[1]) for entry in connection.run_on_commit]
    return tables


def diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [table for table in before if before[table] != after.get(table)]


def _events(prefix: str, name: str, obj: models.Model, after_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            id__gt=after_id,
            action=f"{prefix}.{name}",
            target_type=obj._meta.label_lower,
            target_id=str(obj.pk),
        )
    )


def check_case_shape(case: WorkflowCase, roles: Collection[str]) -> None:
    """A case names a service for every transition and its rules name real roles and transitions."""
    names = set(case.workflow.names())
    creating = {t.name for t in case.workflow.transitions if t.sources == frozenset({INITIAL})}
    missing = names - creating - set(case.fire)
    assert not missing, f"{case.prefix}: no service for {sorted(missing)}"
    assert not set(case.fire) - names, f"{case.prefix}: services for unknown transitions"
    for rule in case.rules:
        assert rule.roles <= set(roles), f"{rule.text}: unknown roles {sorted(set(rule.roles) - set(roles))}"
        assert rule.transitions <= names, f"{rule.text}: unknown transitions"


def run_state(case: WorkflowCase, request: Any, state: Any) -> MatrixResult:
    """Every transition × every role on a row in ``state``; asserts as it goes (see module docstring)."""
    workflow = case.workflow
    world = case.setup(request)
    obj = case.make(world, state)
    model = type(obj)
    assert getattr(obj, workflow.state_field) == state, f"{case.prefix}: make() gave the wrong state"
    actors = dict(case.actors(world))
    check_case_shape(case, actors)
    rules = list(case.rules)
    result = MatrixResult()
    before = snapshot()
    for name, service in case.fire.items():
        transition = workflow.get(name)
        for role, actor in actors.items():
            fresh = model._default_manager.get(pk=obj.pk)
            allowed = workflow.is_allowed(fresh, name, actor)
            where = f"{case.prefix}.{name} from {state!r} by {role}"
            for rule in rules:
                if rule.applies(state, name, role) and (not rule.allowed or state in transition.sources):
                    assert allowed is rule.allowed, f"{where}: breaks the rule “{rule.text}”"
            if allowed:
                outcome = _allowed(case, service, actor, fresh, name, state, where)
            else:
                outcome = _refused(case, service, actor, fresh, name, state, where)
            assert diff(before, snapshot()) == [], f"{where}: left a change behind"
            result.attempts.append(Attempt(state, name, role, allowed, outcome))
    return result


def _allowed(
    case: WorkflowCase, service: FireFunction, actor: Any, obj: Any, name: str, state: Any, where: str
) -> str:
    obj = type(obj)._default_manager.get(pk=obj.pk)
    with transaction.atomic():
        latest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            service(actor, obj, case.reason)
        except DomainError as error:  # pragma: no cover - reported as a failure
            raise AssertionError(f"{where}: the policy allows it but the service refused: {error}") from error
        events = _events(case.prefix, name, obj, latest)
        assert len(events) == 1, f"{where}: {len(events)} audit events {case.prefix}.{name}"
        event = events[0]
        assert event.actor_id == getattr(actor, "pk", None), where
        assert event.from_state == case.workflow.state_text(state), where
        # The event names the transition's own target; the service may chain on (approve → publish).
        # A choice transition's target is one of its declared states.
        target = case.workflow.get(name).target
        targets = target if isinstance(target, frozenset) else {case.workflow.get(name).target_for(obj)}
        assert event.to_state in {case.workflow.state_text(t) for t in targets}, where
        transaction.set_rollback(True)
    return f"→{event.to_state}"


def _refused(
    case: WorkflowCase,
    service: FireFunction,
    actor: Any,
    obj: Any,
    name: str,
    state: Any,
    where: str,
) -> str:
    # No savepoint of the test's own here: a write the service made before refusing must stay visible
    # to the snapshot taken after the call (only the service's own transaction may undo it).
    try:
        service(actor, obj, case.reason)
    except DomainError as error:
        return error.code
    assert (name, state) in case.quiet_noops, f"{where}: refused by the policy but the service did not raise"
    return "no-op"

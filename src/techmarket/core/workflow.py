"""A small declarative state-machine engine: the one way any state field changes.

Each domain declares its whole graph in its own ``workflow.py`` as a :class:`Workflow`;
:meth:`Workflow.fire` (and :meth:`Workflow.start` for a row born in a state) is the only code that
writes a workflow field. In one transaction it locks the row, checks the source state, the actor's
permission and the reason, saves the new state, appends the audit event and runs the transition's
declared *effects*; its *after-commit hooks* run once the outermost transaction commits.

Hooks and effects are declared on the transition itself, by dotted path when they live in an app the
workflow's app may not import (``"techmarket.docking.hooks.demand_published"``), so the whole chain
of consequences of a transition is readable in one table and in the generated workflow document,
instead of hiding behind signals. Each receives one :class:`Fired` describing what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.utils.module_loading import autodiscover_modules, import_string
from django.utils.translation import gettext_lazy as _

from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted

M = TypeVar("M", bound=models.Model)
Target = Any  # a state value, a callable computing it from the locked row, or a frozenset to choose from
PermissionCheck = Callable[[Any, str, Any], bool]
Hook = str | Callable[["Fired[Any]"], None]
# The source of a transition that creates its row (:meth:`Workflow.start`).
INITIAL = "(new)"
# Every workflow declared with a model, by event prefix: generated docs, matrix tests, the scan for
# state fields written by hand.
REGISTRY: dict[str, Workflow[Any]] = {}


def autodiscover() -> dict[str, Workflow[Any]]:
    """Import every app's ``workflow`` module, and its ``<part>_workflow`` modules where an app keeps the
    workflows of separate parts apart (``contracts.receipt_workflow``), so REGISTRY holds every workflow."""
    autodiscover_modules("workflow")
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("techmarket."):
            for path in sorted(Path(app_config.path).glob("*_workflow.py")):
                import_module(f"{app_config.name}.{path.stem}")
    return dict(sorted(REGISTRY.items()))


@dataclass(frozen=True)
class Fired(Generic[M]):
    """What a transition did; the one argument of every effect and after-commit hook."""

    obj: M
    transition: str
    actor: Any
    from_state: Any
    to_state: Any
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    """One edge of the graph: its name, the states it leaves, the state it enters and its consequences.

    A ``target`` that is a frozenset is a choice: the caller names one of its states (``fire(..., to=)``),
    as when a person answers with one of several kinds. ``effects`` run inside the transaction, after the state and the audit event are written (a failure
    rolls the whole transition back); ``after_commit`` hooks run after the outermost commit (a failure
    there cannot undo the transition, so they must be safe to lose: notifications, index refreshes).
    """

    name: str
    sources: frozenset[Any]
    target: Target
    label: Any
    requires_reason: bool = False
    effects: tuple[Hook, ...] = ()
    after_commit: tuple[Hook, ...] = ()

    def target_for(self, obj: Any, to: Any = None) -> Any:
        if isinstance(self.target, frozenset):
            if to not in self.target:
                raise InvalidTransition(_("目标状态无效。"))
            return to
        if to is not None:  # a programming error, not a user's
            raise ValueError(f"{self.name} has a fixed target")
        return self.target(obj) if callable(self.target) else self.target


@cache
def _resolve(hook: str) -> Callable[[Fired[Any]], None]:
    function: Callable[[Fired[Any]], None] = import_string(hook)
    return function


def hook_name(hook: Hook) -> str:
    """The dotted path of a hook, as the workflow document names it."""
    return hook if isinstance(hook, str) else f"{hook.__module__}.{hook.__qualname__}"


def resolve(hook: Hook) -> Callable[[Fired[Any]], None]:
    return _resolve(hook) if isinstance(hook, str) else hook


@dataclass
class Workflow(Generic[M]):
    """The transitions of one model's state field and the policy deciding who may fire them."""

    event_prefix: str
    state_field: str
    transitions: Iterable[Transition]
    permission: PermissionCheck
    model: type[M] | None = None
    description: str = ""
    # How states without their own text are written in the audit log and docs (blank → "pending").
    state_names: dict[Any, str] = field(default_factory=dict)
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self._by_name = {t.name: t for t in self.transitions}
        if self.model is not None:
            REGISTRY[self.event_prefix] = self

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidTransition(_("未知的操作：%(name)s") % {"name": name}) from None

    def names(self) -> list[str]:
        return list(self._by_name)

    def states(self) -> set[Any]:
        """Every state the graph mentions as a source (computed targets are not enumerable)."""
        return {source for t in self.transitions for source in t.sources if source != INITIAL}

    def is_allowed(self, obj: Any, name: str, actor: Any) -> bool:
        transition = self._by_name.get(name)
        if transition is None or getattr(obj, self.state_field) not in transition.sources:
            return False
        return self.permission(actor, name, obj)

    def available(self, obj: Any, actor: Any) -> list[Transition]:
        """Transitions the actor may fire on the object now, in declaration order."""
        return [t for t in self.transitions if self.is_allowed(obj, t.name, actor)]

    def fire(
        self,
        obj: M,
        name: str,
        *,
        actor: Any,
        reason: str = "",
        changes: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        to: Any = None,
    ) -> M:
        """Move ``obj`` along transition ``name``; also write ``changes`` to the row. Returns the fresh row.

        ``to`` names the target of a choice transition (one whose target is a frozenset).
        """
        transition = self.get(name)
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
            current = getattr(locked, self.state_field)
            if current not in transition.sources:
                raise InvalidTransition(
                    _("当前状态“%(state)s”不允许执行“%(action)s”。")
                    % {"state": _state_label(locked, self.state_field), "action": transition.label}
                )
            self._check(locked, transition, actor)
            reason = self._reason(transition, reason)
            target = transition.target_for(locked, to)
            setattr(locked, self.state_field, target)
            for attribute, value in (changes or {}).items():
                setattr(locked, attribute, value)
            locked.save(update_fields=[self.state_field, *(changes or {}), *_auto_now_fields(locked)])
            self._record(locked, transition, actor, current, target, reason, data)
        return locked

    def start(
        self,
        obj: M,
        name: str,
        *,
        actor: Any,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> M:
        """Save the new ``obj`` in the target state of ``name``, a transition from :data:`INITIAL`."""
        transition = self.get(name)
        if INITIAL not in transition.sources:  # a programming error, not a user's
            raise ValueError(f"{self.event_prefix}.{name} does not create rows")
        with transaction.atomic():
            self._check(obj, transition, actor)
            reason = self._reason(transition, reason)
            target = transition.target_for(obj)
            setattr(obj, self.state_field, target)
            obj.save(force_insert=True)
            self._record(obj, transition, actor, INITIAL, target, reason, data)
        return obj

    def _check(self, obj: Any, transition: Transition, actor: Any) -> None:
        if not self.permission(actor, transition.name, obj):
            raise NotPermitted()

    @staticmethod
    def _reason(transition: Transition, reason: str | None) -> str:
        reason = (reason or "").strip()
        if transition.requires_reason and not reason:
            raise DomainError(
                "reason_required",
                _("“%(action)s”必须填写理由。") % {"action": transition.label},
                fields={"reason": [_("请填写理由。")]},
            )
        return reason

    def _record(
        self,
        obj: M,
        transition: Transition,
        actor: Any,
        current: Any,
        target: Any,
        reason: str,
        data: dict[str, Any] | None,
    ) -> None:
        record_event(
            actor=actor,
            action=f"{self.event_prefix}.{transition.name}",
            target=obj,
            from_state="" if current == INITIAL else self.state_text(current),
            to_state=self.state_text(target),
            reason=reason,
            data=data,
        )
        fired = Fired(obj, transition.name, actor, current, target, reason, dict(data or {}))
        for effect in transition.effects:
            resolve(effect)(fired)
        for hook in transition.after_commit:
            function = resolve(hook)
            transaction.on_commit(lambda function=function: function(fired))  # type: ignore[misc]

    def state_text(self, state: Any) -> str:
        """A state as the audit log and the docs write it."""
        return self.state_names.get(state, _state_text(state))

    def table(self) -> list[dict[str, Any]]:
        """The transition table, for docs and tests."""
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "sources": sorted(self.state_text(source) for source in t.sources),
                "target": self._target_text(t.target),
                "requires_reason": t.requires_reason,
            }
            for t in self.transitions
        ]

    def _target_text(self, target: Target) -> str:
        if isinstance(target, frozenset):
            return " / ".join(sorted(self.state_text(state) for state in target)) + " (chosen)"
        return "(depends on region)" if callable(target) else self.state_text(target)

    def hooks(self) -> list[tuple[str, str, str]]:
        """(transition, "effect" or "after commit", dotted path) for every declared consequence."""
        rows = []
        for t in self.transitions:
            rows += [(t.name, "effect", hook_name(hook)) for hook in t.effects]
            rows += [(t.name, "after commit", hook_name(hook)) for hook in t.after_commit]
        return rows


def _state_text(state: Any) -> str:
    """States are stored as text in the audit log; booleans as ``true``/``false``."""
    if isinstance(state, bool):
        return "true" if state else "false"
    return str(state)


def _state_label(obj: Any, field_name: str) -> str:
    display = getattr(obj, f"get_{field_name}_display", None)
    return str(display()) if display else _state_text(getattr(obj, field_name))


def _auto_now_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]


def markdown(workflow: Workflow[Any]) -> str:
    """The transition table and its hooks as Markdown (docs/domains/workflows.md is generated from it)."""
    lines = [f"## Workflow `{workflow.event_prefix}`", ""]
    if workflow.model is not None:
        lines += [f"Model `{workflow.model._meta.label}`, field `{workflow.state_field}`.", ""]
    if workflow.description:
        lines += [workflow.description, ""]
    lines += [
        "| Transition | Label | From | To | Reason required |",
        "|---|---|---|---|---|",
    ]
    for row in workflow.table():
        reason = "yes" if row["requires_reason"] else ""
        lines.append(
            f"| `{row['name']}` | {row['label']} | {', '.join(row['sources'])} | {row['target']} | {reason} |"
        )
    hooks = workflow.hooks()
    if hooks:
        lines += ["", "| Transition | Runs | Hook |", "|---|---|---|"]
        lines += [f"| `{name}` | {when} | `{path}` |" for name, when, path in hooks]
    return "\n".join(lines) + "\n"

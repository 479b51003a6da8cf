"""A small declarative state-machine engine.

Each domain declares its whole graph in its own ``workflow.py`` as a :class:`Workflow`;
:meth:`Workflow.fire` is the only code that changes a workflow field. In one transaction it locks the
row, checks the source state, the actor's permission and the reason, saves the new state and appends
the audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted

Target = str | Callable[[Any], str]
# Every declared workflow by event prefix, for generated documentation and matrix tests.
REGISTRY: dict[str, Workflow] = {}
PermissionCheck = Callable[[Any, str, Any], bool]


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: Target
    label: Any
    requires_reason: bool = False

    def target_for(self, obj: Any) -> str:
        return self.target(obj) if callable(self.target) else self.target


@dataclass
class Workflow:
    """The transitions of one model's state field and the policy deciding who may fire them."""

    event_prefix: str
    state_field: str
    transitions: Iterable[Transition]
    permission: PermissionCheck
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self._by_name = {t.name: t for t in self.transitions}
        REGISTRY[self.event_prefix] = self

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidTransition(_("未知的操作：%(name)s") % {"name": name}) from None

    def names(self) -> list[str]:
        return list(self._by_name)

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
        obj: models.Model,
        name: str,
        *,
        actor: Any,
        reason: str = "",
        changes: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> models.Model:
        """Move ``obj`` along transition ``name``; also write ``changes`` to the row. Returns the fresh row."""
        transition = self.get(name)
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            current = getattr(locked, self.state_field)
            if current not in transition.sources:
                raise InvalidTransition(
                    _("当前状态“%(state)s”不允许执行“%(action)s”。")
                    % {"state": _state_label(locked, self.state_field), "action": transition.label}
                )
            if not self.permission(actor, name, locked):
                raise NotPermitted()
            reason = (reason or "").strip()
            if transition.requires_reason and not reason:
                raise DomainError(
                    "reason_required",
                    _("“%(action)s”必须填写理由。") % {"action": transition.label},
                    fields={"reason": [_("请填写理由。")]},
                )
            target = transition.target_for(locked)
            setattr(locked, self.state_field, target)
            for attribute, value in (changes or {}).items():
                setattr(locked, attribute, value)
            locked.save(update_fields=[self.state_field, *(changes or {}), *_auto_now_fields(locked)])
            record_event(
                actor=actor,
                action=f"{self.event_prefix}.{name}",
                target=locked,
                from_state=current,
                to_state=target,
                reason=reason,
                data=data,
            )
        return locked

    def table(self) -> list[dict[str, Any]]:
        """The transition table, for docs and tests."""
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "sources": sorted(t.sources),
                "target": t.target if isinstance(t.target, str) else "(depends on region)",
                "requires_reason": t.requires_reason,
            }
            for t in self.transitions
        ]


def _state_label(obj: Any, field_name: str) -> str:
    display = getattr(obj, f"get_{field_name}_display", None)
    return str(display()) if display else str(getattr(obj, field_name))


def _auto_now_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]


def markdown(workflow: Workflow) -> str:
    """The transition table as Markdown (docs/domains/*.md are generated from it)."""
    lines = [
        f"## Workflow `{workflow.event_prefix}`",
        "",
        "| Transition | Label | From | To | Reason required |",
        "|---|---|---|---|---|",
    ]
    for row in workflow.table():
        reason = "yes" if row["requires_reason"] else ""
        lines.append(
            f"| `{row['name']}` | {row['label']} | {', '.join(row['sources'])} | {row['target']} | {reason} |"
        )
    return "\n".join(lines) + "\n"

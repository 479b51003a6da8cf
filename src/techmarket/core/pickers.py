"""Cascading pickers over the code trees: regions (province → city → county) and the classifications.

A picker is a row of server-rendered ``<select>`` elements that all carry the field's name, one per
level. Without JavaScript the visitor picks a level and submits to get the next one; with htmx each
select loads the next level from :func:`techmarket.core.views.code_children`. The field's value is the
deepest selected code that belongs under the one before it, so a county left over from another
province (a stale lower select) is dropped instead of contradicting the province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.models import Classification, Region

TREES = ("region", ClassificationScheme.DISCIPLINE.value, ClassificationScheme.INDUSTRY.value)
CODE = re.compile(r"^[0-9A-Za-z]{1,16}$")
FIELD_NAME = re.compile(r"^[a-z_]{1,32}$")
MAX_LEVELS = 5


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    parent: str  # the parent's code, "" for a root


def _region_nodes(queryset: Any) -> list[Node]:
    return [
        Node(code, name, parent or "")
        for code, name, parent in queryset.values_list("code", "name", "parent_id")
    ]


def _classification_nodes(queryset: Any) -> list[Node]:
    return [
        Node(code, name, parent or "")
        for code, name, parent in queryset.values_list("code", "name", "parent__code")
    ]


def node(tree: str, code: str) -> Node | None:
    """The node ``code`` of ``tree`` (None when unknown or malformed)."""
    if not CODE.match(code or ""):
        return None
    if tree == "region":
        found = _region_nodes(Region.objects.filter(code=code))
    else:
        found = _classification_nodes(Classification.objects.filter(scheme=tree, code=code))
    return found[0] if found else None


def children(tree: str, code: str) -> list[Node]:
    """The nodes directly under ``code`` ("" for the roots), in code order."""
    if tree == "region":
        regions = (
            Region.objects.filter(parent_id=code) if code else Region.objects.filter(parent__isnull=True)
        )
        return _region_nodes(regions.order_by("code"))
    classifications = Classification.objects.filter(scheme=tree)
    classifications = (
        classifications.filter(parent__code=code) if code else classifications.filter(parent__isnull=True)
    )
    return _classification_nodes(classifications.order_by("code"))


def chain(tree: str, code: str) -> list[Node]:
    """The nodes from the root down to ``code`` (empty when unknown)."""
    nodes: list[Node] = []
    current = node(tree, code)
    while current is not None and len(nodes) < MAX_LEVELS:
        nodes.insert(0, current)
        current = node(tree, current.parent) if current.parent else None
    return nodes


def tree_label(tree: str) -> str:
    """What the tree's codes are called (the picker's name when the page gives none)."""
    labels = {"region": _("地区"), "discipline": _("学科"), "industry": _("行业")}
    return str(labels.get(tree, tree))


def level_label(tree: str, depth: int) -> str:
    """What a level is called, for the select's accessible name."""
    if tree == "region":
        levels = [RegionLevel.PROVINCE.label, RegionLevel.CITY.label, RegionLevel.COUNTY.label]
        if depth < len(levels):
            return str(levels[depth])
    return str(_("第%(depth)s级") % {"depth": depth + 1})


def children_url(tree: str) -> str:
    if tree == "region":
        return reverse("core:region_children")
    return reverse("core:classification_children", args=[tree])


def level_context(
    tree: str,
    name: str,
    label: str,
    parent: str,
    selected: str,
    rest: list[Any],
    *,
    depth: int,
    options: list[Node] | None = None,
    choose: bool = False,
) -> dict[str, Any]:
    """One select of a picker: the children of ``parent`` (at ``depth``, 0 for the roots) with
    ``selected`` chosen, and the levels below. ``choose``: a form's picker (the empty option says
    请选择), not a filter's (不限)."""
    return {
        "choose": choose,
        "name": name,
        "tree": tree,
        "url": children_url(tree),
        "options": children(tree, parent) if options is None else options,
        "selected": selected,
        "base": label,
        "label": f"{label}：{level_label(tree, depth)}",
        "rest": rest,
    }


def picker_levels(
    tree: str, name: str, label: str, code: str, *, choose: bool = False
) -> dict[str, Any] | None:
    """The nested levels a picker shows for the selected ``code``: each chosen level, then its children."""
    path = chain(tree, code) if code else []
    parents = ["", *[item.code for item in path]]
    levels: dict[str, Any] | None = None
    for depth in range(len(parents) - 1, -1, -1):
        options = children(tree, parents[depth])
        if depth == len(path) and depth and not options:
            continue  # the chosen node is a leaf: no empty select after it
        selected = path[depth].code if depth < len(path) else ""
        levels = level_context(
            tree,
            name,
            label,
            parents[depth],
            selected,
            [levels] if levels else [],
            depth=depth,
            options=options,
            choose=choose,
        )
    return levels


def deepest(tree: str, values: list[str]) -> str:
    """The deepest of ``values`` (one per level) that lies under the ones before it ("" if the first is unknown)."""
    current = node(tree, values[0]) if values else None
    if current is None:
        return ""
    for item in values[1:]:
        deeper = node(tree, item)
        if deeper is None or deeper.parent != current.code:
            break  # left over from another branch: the level above was changed since
        current = deeper
    return current.code


class CodePicker(forms.Widget):
    """The picker's selects; reads every value of the field's name (one per level)."""

    def __init__(self, tree: str, attrs: dict[str, Any] | None = None, *, choose: bool = False) -> None:
        super().__init__(attrs)
        self.tree = tree
        self.choose = choose

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [str(value).strip() for value in values if value not in (None, "")]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if isinstance(value, list):  # the raw values of an invalid form: show what still holds together
            code = deepest(self.tree, [item for item in value if CODE.match(item)])
        else:  # a cleaned (or initial) code
            code = str(value or "")
        merged = {**self.attrs, **(attrs or {})}
        level = picker_levels(
            self.tree, name, str(merged.get("aria-label") or name), code, choose=self.choose
        )
        if level is not None and merged.get("id"):
            level["id"] = merged["id"]  # the field's <label for> names the first select
        context = {"level": level, "name": name}
        return mark_safe(render_to_string("core/_code_picker.html", context))  # noqa: S308 (a template's autoescaped output)


class _CleanedBoundField(forms.BoundField):
    """Renders the cleaned code once the form is valid, so the picker needs no second look-up."""

    def value(self) -> Any:
        cleaned = getattr(self.form, "cleaned_data", None)
        if cleaned is not None and self.name in cleaned and not self.errors:
            return cleaned[self.name]
        return super().value()


class CodePickerField(forms.Field):
    """A code chosen level by level; cleans to the deepest consistent code ("" when none)."""

    default_error_messages = {
        "malformed": _("“%(value)s”不是有效的代码：请从列表中选择。"),
        "unknown": _("没有代码为“%(value)s”的%(label)s。"),
    }

    def __init__(self, tree: str, *, code_label: Any = "", **kwargs: Any) -> None:
        self.tree = tree
        # What the API documents: it takes the code itself (e.g. 地区代码 420100), not a name.
        self.code_label = code_label
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", CodePicker(tree))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "aria-label": str(self.label or "")}

    def to_python(self, value: Any) -> str:
        values = value if isinstance(value, list) else ([value] if value else [])
        for item in values:
            if not CODE.match(str(item)):
                raise ValidationError(
                    self.error_messages["malformed"], code="malformed", params={"value": str(item)[:20]}
                )
        if not values:
            return ""
        first = node(self.tree, values[0])
        if first is None:
            raise ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"value": values[0], "label": self.label},
            )
        return deepest(self.tree, values)

    def prepare_value(self, value: Any) -> Any:
        return value

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        return _CleanedBoundField(form, self, field_name)


def subtree_codes(tree: str, code: str) -> list[str]:
    """``code`` and every code below it (one query per level): a classification's codes need not share
    a prefix with their parent's (GB/T 4754 sections are letters), so screening follows the tree."""
    codes, frontier = [code], [code]
    for _depth in range(MAX_LEVELS):
        if tree == "region":
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("code", flat=True))
        else:
            frontier = list(
                Classification.objects.filter(scheme=tree, parent__code__in=frontier).values_list(
                    "code", flat=True
                )
            )
        if not frontier:
            break
        codes += frontier
    return codes

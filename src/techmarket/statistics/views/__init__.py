"""Pages of the statistics app: the dashboard (drill-down, breakdowns, comparison, export) and KPIs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError
from techmarket.statistics import export, policies, selectors, services
from techmarket.statistics.models import Dimension, Level, Side

TEN_THOUSAND = Decimal(10000)


def query_of(request: HttpRequest) -> tuple[selectors.Node, selectors.Period, str]:
    """The node, period and side of a request's query parameters (DomainError / NotFound when bad)."""
    params = request.GET
    period = selectors.parse_period(params.get("year"), params.get("quarter"))
    side = selectors.parse_choice(params.get("side"), Side, Side.OUTPUT, "side")
    node = selectors.node_for(params.get("region", ""), params.get("org"))
    return node, period, side


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float((value / TEN_THOUSAND).quantize(Decimal("0.01")))


def chart_data(board: selectors.Dashboard) -> dict[str, Any]:
    """What the page's script draws (suppressed figures are null)."""
    children = [child for child in board.drill.children if child.level != Level.ORGANISATION][:30]
    return {
        "labels": {
            "output": _("输出（成交额，万元）"),
            "absorption": _("吸纳（成交额，万元）"),
            "amount": _("成交额（万元）"),
            "certified": _("核定技术交易额（万元）"),
            "receipts": _("到账额（万元）"),
            "contracts": _("合同数"),
        },
        "children": {
            "names": [child.name for child in children],
            "output": [_wan(child.output.public()["amount"]) for child in children],
            "absorption": [_wan(child.absorption.public()["amount"]) for child in children],
        },
        "breakdowns": {
            dimension: {
                "names": [row.label for row in rows],
                "amount": [_wan(row.figures.public()["amount"]) for row in rows],
            }
            for dimension, (rows, _hidden) in board.breakdowns.items()
        },
        "yearly": {
            "names": [str(period) for period, _figures in board.yearly],
            "amount": [_wan(figures.public()["amount"]) for _period, figures in board.yearly],
            "receipts": [_wan(figures.public()["receipts"]) for _period, figures in board.yearly],
        },
        "quarterly": {
            "names": [f"{period // 10}Q{period % 10}" for period, _figures in board.quarterly],
            "amount": [_wan(figures.public()["amount"]) for _period, figures in board.quarterly],
            "receipts": [_wan(figures.public()["receipts"]) for _period, figures in board.quarterly],
        },
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """统计监测: the drill-down from the nation to organisations, breakdowns, comparisons and series."""
    principal = principal_of(request.user)
    if not policies.can_view_dashboard(principal):
        raise PermissionDenied
    node, period, side = query_of(request)
    board = selectors.dashboard(principal, node, period, side)
    params: dict[str, str] = {
        key: str(value)
        for key, value in request.GET.items()
        if key in {"region", "org", "year", "quarter", "side"}
    }
    context = {
        "board": board,
        "node": node,
        "period": period,
        "side": side,
        "sides": Side.choices,
        "dimension_labels": dict(Dimension.choices),
        "chart": chart_data(board),
        "years": list(range(period.year + 1 - 6, period.year + 2))[::-1],
        "quarters": [1, 2, 3, 4],
        "export_url": reverse("statistics:export") + ("?" + urlencode(params) if params else ""),
        "min_contracts": policies.MIN_CONTRACTS,
        "query": params,
        "period_query": urlencode(
            {
                "year": str(period.year),
                **({"quarter": str(period.quarter)} if period.quarter else {}),
                "side": side,
            }
        ),
    }
    return render(request, "statistics/dashboard.html", context)


@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The dashboard as shown, as an Excel workbook."""
    principal = principal_of(request.user)
    if not policies.can_view_dashboard(principal):
        raise PermissionDenied
    node, period, side = query_of(request)
    board = selectors.dashboard(principal, node, period, side)
    content = export.workbook(board)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(board)}"'
    return response


@require_GET
def kpi(request: HttpRequest) -> HttpResponse:
    """指标监测: each target set's targets with actual, progress and forecast to the deadline."""
    principal = principal_of(request.user)
    if not policies.can_view_dashboard(principal):
        raise PermissionDenied
    context = {
        "sets": selectors.target_sets(principal),
        "can_enter": policies.can_enter_actuals(principal),
    }
    return render(request, "statistics/kpi.html", context)


@require_POST
def enter_actual(request: HttpRequest, pk: int) -> HttpResponse:
    """A platform administrator enters a manual target's actual (kept with its history)."""
    actor = acting_user(request)
    if not policies.can_enter_actuals(principal_of(actor)):
        raise PermissionDenied
    target = selectors.target_get(pk)
    try:
        services.enter_actual(
            actor,
            target,
            year=request.POST.get("year"),
            value=request.POST.get("value"),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        details = "；".join(str(message) for items in error.fields.values() for message in items)
        messages.error(request, f"{error.message} {details}".strip())
    else:
        messages.success(request, _("已记录“%(label)s”的实际值。") % {"label": target.label})
    return redirect(reverse("statistics:kpi") + f"#target-{target.pk}")

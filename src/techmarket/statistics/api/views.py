"""The statistics API under /api/v1/statistics/: the dashboard's aggregates with the pages' rules.

Anyone may read (the public sees suppressed aggregates); figures are those the same caller sees on the
page — a suppressed cell has ``suppressed: true``, ``contracts: null`` and no amounts; an amount one
contract dominates is null and named in ``hidden``. No endpoint returns a single contract.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techmarket.accounts.policies import principal_of
from techmarket.core.errors import NotPermitted
from techmarket.statistics import policies, selectors
from techmarket.statistics.models import Dimension, Side

# --- serializers --------------------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer[Any]):
    contracts = serializers.IntegerField(
        allow_null=True, min_value=0, help_text=gettext_lazy("合同数；隐去时为 null")
    )
    contracts_display = serializers.CharField(help_text=gettext_lazy("合同数的显示值（隐去时为“<3”）"))
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text=gettext_lazy("成交额（元）")
    )
    certified = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text=gettext_lazy("核定技术交易额（元）")
    )
    receipts = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text=gettext_lazy("到账额（元）")
    )
    suppressed = serializers.BooleanField(help_text=gettext_lazy("小单元不公开"))
    hidden = serializers.ListField(
        child=serializers.ChoiceField(choices=["amount", "certified", "receipts"]),
        help_text=gettext_lazy(
            "不公开的金额（单一合同占比过高，或付款合同少于3份）：amount、certified、receipts"
        ),
    )


class NodeSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(help_text=gettext_lazy("nation、province、city、county 或 org"))
    code = serializers.CharField(help_text=gettext_lazy("行政区划代码，或单位编号"))
    name = serializers.CharField()


class ChildSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    output = FiguresSerializer()
    absorption = FiguresSerializer()
    achievements_registered = serializers.IntegerField(allow_null=True, min_value=0)
    achievements_transferred = serializers.IntegerField(allow_null=True, min_value=0)
    demands_answered = serializers.IntegerField(allow_null=True, min_value=0)


class CountsSerializer(serializers.Serializer[Any]):
    achievements_registered = serializers.IntegerField(min_value=0)
    achievements_transferred = serializers.IntegerField(min_value=0)
    demands_answered = serializers.IntegerField(min_value=0)


class DrilldownSerializer(serializers.Serializer[Any]):
    node = NodeSerializer()
    period = serializers.CharField(help_text=gettext_lazy("期间，如 2026 或 2026Q2"))
    output = FiguresSerializer()
    absorption = FiguresSerializer()
    counts = CountsSerializer()
    children = ChildSerializer(many=True)


class BreakdownRowSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment] # a field named like Field.label
    figures = FiguresSerializer()


class BreakdownSerializer(serializers.Serializer[Any]):
    node = NodeSerializer()
    period = serializers.CharField()
    side = serializers.ChoiceField(choices=Side.choices)
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    total_hidden = serializers.BooleanField(help_text=gettext_lazy("为防反推而隐去合计"))
    rows = BreakdownRowSerializer(many=True)


class SeriesPointSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    figures = FiguresSerializer()


class SeriesSerializer(serializers.Serializer[Any]):
    node = NodeSerializer()
    side = serializers.ChoiceField(choices=Side.choices)
    yearly = SeriesPointSerializer(many=True)
    quarterly = SeriesPointSerializer(many=True)


class TargetProgressSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment] # a field named like Field.label
    label_en = serializers.CharField()
    metric = serializers.CharField()
    region = serializers.CharField()
    start_year = serializers.IntegerField(min_value=0)
    deadline = serializers.DateField()
    basis = serializers.CharField()
    value_min = serializers.DecimalField(max_digits=20, decimal_places=2)
    value_max = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    approximate = serializers.BooleanField()
    at_most = serializers.BooleanField()
    unit = serializers.CharField()
    actual = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    progress = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, help_text=gettext_lazy("实际 ÷ 目标")
    )
    forecast = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text=gettext_lazy("线性外推到期限年份")
    )
    on_track = serializers.BooleanField(allow_null=True)


class TargetSetSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    targets = TargetProgressSerializer(many=True)


# --- shaping ------------------------------------------------------------------------------------------


def node_data(node: selectors.Node) -> dict[str, Any]:
    return {"level": node.level, "code": node.code, "name": node.name}


def period_text(period: selectors.Period) -> str:
    return f"{period.year}Q{period.quarter}" if period.quarter else str(period.year)


NODE_PARAMETERS = [
    OpenApiParameter(
        "region", OpenApiTypes.STR, description=gettext_lazy("行政区划代码（省、市、县）；空为全国")
    ),
    OpenApiParameter(
        "org", OpenApiTypes.INT, description=gettext_lazy("单位编号（与其所在地区 region 一起）")
    ),
    OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("年份，默认今年")),
    OpenApiParameter("quarter", OpenApiTypes.INT, description=gettext_lazy("季度 1–4；空为全年")),
]
SIDE_PARAMETER = OpenApiParameter(
    "side",
    OpenApiTypes.STR,
    enum=list(Side.values),
    description=gettext_lazy("out 输出（卖方所在地）或 in 吸纳（买方所在地）"),
)


def _query(request: Request) -> tuple[selectors.Node, selectors.Period, str, Any]:
    principal = principal_of(request.user)
    if not policies.can_view_dashboard(principal):
        raise NotPermitted()
    params = request.query_params
    period = selectors.parse_period(params.get("year"), params.get("quarter"))
    side = selectors.parse_choice(params.get("side"), Side, Side.OUTPUT, "side")
    node = selectors.node_for(params.get("region", ""), params.get("org"))
    return node, period, side, principal


class DrilldownView(APIView):
    """A node's totals (output and absorption) and its children: next-level regions and organisations."""

    @extend_schema(parameters=NODE_PARAMETERS, responses={200: DrilldownSerializer})
    def get(self, request: Request) -> Response:
        node, period, _side, principal = _query(request)
        drill = selectors.drilldown(principal, node, period)
        data = {
            "node": node_data(node),
            "period": period_text(period),
            "output": drill.output.public(),
            "absorption": drill.absorption.public(),
            "counts": {name: drill.counts.get(name, 0) for name in selectors.COUNT_READERS},
            "children": [
                {
                    "level": child.level,
                    "code": child.code,
                    "name": child.name,
                    "output": child.output.public(),
                    "absorption": child.absorption.public(),
                    "achievements_registered": child.achievements_registered,
                    "achievements_transferred": child.achievements_transferred,
                    "demands_answered": child.demands_answered,
                }
                for child in drill.children
            ],
        }
        return Response(DrilldownSerializer(data).data)


class BreakdownView(APIView):
    """A node's figures per contract type, technology field, IP type or legal-entity type."""

    @extend_schema(
        parameters=[
            *NODE_PARAMETERS,
            SIDE_PARAMETER,
            OpenApiParameter(
                "dimension", OpenApiTypes.STR, enum=[d for d in Dimension.values if d != "total"]
            ),
        ],
        responses={200: BreakdownSerializer},
    )
    def get(self, request: Request) -> Response:
        node, period, side, principal = _query(request)
        dimension = selectors.parse_choice(
            request.query_params.get("dimension"), Dimension, Dimension.CONTRACT_TYPE, "dimension"
        )
        rows, hidden = selectors.breakdown(principal, node, period, side, dimension)
        data = {
            "node": node_data(node),
            "period": period_text(period),
            "side": side,
            "dimension": dimension,
            "total_hidden": hidden,
            "rows": [
                {"value": row.value, "label": row.label, "figures": row.figures.public()} for row in rows
            ],
        }
        return Response(BreakdownSerializer(data).data)


class SeriesView(APIView):
    """A node's yearly totals (five years to ``year``) and quarterly totals (``year`` and the one before)."""

    @extend_schema(parameters=[*NODE_PARAMETERS, SIDE_PARAMETER], responses={200: SeriesSerializer})
    def get(self, request: Request) -> Response:
        node, period, side, principal = _query(request)
        data = {
            "node": node_data(node),
            "side": side,
            "yearly": [
                {"period": str(key), "figures": figures.public()}
                for key, figures in selectors.yearly_series(principal, node, side, period.year)
            ],
            "quarterly": [
                {"period": f"{key // 10}Q{key % 10}", "figures": figures.public()}
                for key, figures in selectors.quarterly_series(principal, node, side, period.year)
            ],
        }
        return Response(SeriesSerializer(data).data)


class TargetSetsView(APIView):
    """KPI target sets with each target's actual, progress and forecast."""

    @extend_schema(responses={200: TargetSetSerializer(many=True)})
    def get(self, request: Request) -> Response:
        principal = principal_of(request.user)
        if not policies.can_view_dashboard(principal):
            raise NotPermitted()
        data = []
        for target_set, items in selectors.target_sets(principal):
            data.append(
                {
                    "id": target_set.key,
                    "name": target_set.name,
                    "name_en": target_set.name_en,
                    "region": target_set.region_code,
                    "region_name": target_set.region_name,
                    "targets": [
                        {
                            "id": item.target.key,
                            "label": item.target.label,
                            "label_en": item.target.label_en,
                            "metric": item.target.metric,
                            "region": item.target.region_code,
                            "start_year": item.target.start_year,
                            "deadline": item.target.deadline,
                            "basis": item.target.basis,
                            "value_min": item.target.value_min,
                            "value_max": item.target.value_max,
                            "approximate": item.target.approximate,
                            "at_most": item.target.at_most,
                            "unit": item.target.unit,
                            "actual": item.progress.actual,
                            "progress": item.progress.share,
                            "forecast": item.progress.forecast,
                            "on_track": item.progress.on_track,
                        }
                        for item in items
                    ],
                }
            )
        return Response(TargetSetSerializer(data, many=True).data)

"""The statistics API under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from techmarket.statistics.api.views import BreakdownView, DrilldownView, SeriesView, TargetSetsView

urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics/drilldown/", DrilldownView.as_view(), name="statistics-drilldown"),
    path("statistics/breakdown/", BreakdownView.as_view(), name="statistics-breakdown"),
    path("statistics/series/", SeriesView.as_view(), name="statistics-series"),
    path("statistics/targets/", TargetSetsView.as_view(), name="statistics-targets"),
]

"""Pages of the statistics app."""

from django.urls import URLPattern, URLResolver, path

from techmarket.statistics import views

app_name = "statistics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_view, name="export"),
    path("kpi/", views.kpi, name="kpi"),
    path("kpi/targets/<int:pk>/actuals/", views.enter_actual, name="enter_actual"),
]

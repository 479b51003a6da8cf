from django.urls import path

from techmarket.core import views

app_name = "core"

# The home page (portal.urls) joins these in the ``core`` namespace; see techmarket.urls.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("regions/children/", views.code_children, name="region_children"),
    path(
        "classifications/<slug:scheme>/children/",
        views.code_children,
        name="classification_children",
    ),
]

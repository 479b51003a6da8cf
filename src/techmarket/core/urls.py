from django.urls import path

from techmarket.core import views

app_name = "core"

# The home page (portal.urls) joins these in the ``core`` namespace; see techmarket.urls.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

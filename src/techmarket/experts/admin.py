from django.contrib import admin

from techmarket.core.admin import ReadOnlyAdmin
from techmarket.experts.models import ExpertProfile


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyAdmin):
    """Read-only: changes go through the expert pages, so each one is audited."""

    list_display = ["name", "organisation_display", "region", "is_commissioner", "is_active"]
    list_filter = ["is_commissioner", "is_active", "accepts_push"]
    search_fields = ["name", "research_keywords", "organisation_name"]
    exclude = ["achievements"]

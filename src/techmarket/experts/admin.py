from django.contrib import admin
from django.http import HttpRequest

from techmarket.experts.models import ExpertProfile


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    """Read-only: changes go through the expert pages, so each one is audited."""

    list_display = ["name", "organisation_display", "region", "is_commissioner", "is_active"]
    list_filter = ["is_commissioner", "is_active", "accepts_push"]
    search_fields = ["name", "research_keywords", "organisation_name"]
    exclude = ["achievements"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

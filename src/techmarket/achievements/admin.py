from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from techmarket.accounts.policies import principal_of
from techmarket.achievements import policies
from techmarket.achievements.models import Achievement


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    """Read-only view for superusers; it shows only what the administrator may see (no 受限 records of
    others) and changes go through the workflow pages, so the audit trail stays complete."""

    list_display = ["name", "state", "confidentiality", "owner_organisation", "registration_number"]
    list_filter = ["state", "confidentiality"]
    search_fields = ["name", "registration_number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Achievement]:
        return super().get_queryset(request).filter(policies.visible_q(principal_of(request.user)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

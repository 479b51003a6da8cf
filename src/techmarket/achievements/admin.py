from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from techmarket.accounts.policies import principal_of
from techmarket.achievements import policies
from techmarket.achievements.models import Achievement
from techmarket.core.admin import ReadOnlyAdmin


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    """Read-only view for superusers; it shows only what the administrator may see (no 受限 records of
    others) and changes go through the workflow pages, so the audit trail stays complete."""

    list_display = ["name", "state", "confidentiality", "owner_organisation", "registration_number"]
    list_filter = ["state", "confidentiality"]
    search_fields = ["name", "registration_number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Achievement]:
        return super().get_queryset(request).filter(policies.visible_q(principal_of(request.user)))

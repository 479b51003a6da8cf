from django.contrib import admin
from django.http import HttpRequest

from techmarket.core.models import AuditEvent, Classification, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "requires_province_review"]
    list_filter = ["level", "requires_province_review"]
    search_fields = ["code", "name"]


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ["scheme", "code", "name", "parent"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ["created_at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

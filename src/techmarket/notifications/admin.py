from django.contrib import admin
from django.http import HttpRequest

from techmarket.core.admin import ReadOnlyAdmin
from techmarket.notifications.models import Delivery, Notification, NotificationPreference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "detail", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: messages are written by notify() only, so the delivery record stays truthful."""

    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Each user sets their own channels (通知设置); the admin only lists them."""

    list_display = ["user", "group", "email", "sms", "updated_at"]
    list_filter = ["group", "email", "sms"]
    search_fields = ["user__username"]

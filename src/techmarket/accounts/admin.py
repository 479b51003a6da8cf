"""Admin views of accounts. Organisations, their status and users' roles change through the services
(registration, verification, member and role pages), which check the policies and write the audit
log; here they are read-only. Personal details and passwords stay editable, privileges do not."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.core.admin import ReadOnlyAdmin

# Granted only through role_grant/role_revoke (audited) or ``createsuperuser``.
PRIVILEGE_FIELDS = ["organisation", "is_staff", "is_superuser", "groups", "user_permissions"]


class RoleInline(admin.TabularInline):
    """The user's roles, for reading; the role page (accounts:role_admin) grants and revokes them."""

    model = RoleAssignment
    extra = 0
    fields = ["role", "region"]
    readonly_fields = ["role", "region"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("TechMarket", {"fields": ("display_name", "phone", "organisation")}),
    )
    list_display = ["username", "display_name", "organisation", "is_active"]
    readonly_fields = [*PRIVILEGE_FIELDS, "last_login", "date_joined"]
    inlines = [RoleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are opened by registration and the member page (audited)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the audit log keeps pointing at the user


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Registration and the verification queue (accounts:organisation_queue) change organisations."""

    list_display = ["name", "kind", "credit_code", "region", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "credit_code"]

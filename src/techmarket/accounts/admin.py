from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from techmarket.accounts.models import Organisation, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("TechMarket", {"fields": ("display_name", "phone", "organisation")}),
    )
    list_display = ["username", "display_name", "organisation", "is_active"]
    inlines = [RoleInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "region", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["status", "verified_at"]

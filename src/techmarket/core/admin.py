"""Admin views of core's tables. Regions and code tables are reference data loaded by commands; the
one setting edited here, a province's extra review step, is saved through core.services (audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from techmarket.core import policies, principals, services
from techmarket.core.choices import RegionLevel
from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent, CalendarDay, Classification, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only: the model changes through its app's services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RegionReviewForm(forms.ModelForm):
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False, widget=forms.Textarea)

    class Meta:
        model = Region
        fields = ["requires_province_review"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "requires_province_review" in self.changed_data and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写理由。"))
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Only ``requires_province_review`` is editable, and only through the service."""

    list_display = ["code", "name", "level", "parent", "requires_province_review"]
    list_filter = ["level", "requires_province_review"]
    search_fields = ["code", "name"]
    form = RegionReviewForm
    fields = ["code", "name", "level", "parent", "requires_province_review", "reason"]
    readonly_fields = ["code", "name", "level", "parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and obj.level != RegionLevel.PROVINCE:
            fields.append("requires_province_review")  # read from the province only
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return policies.can_set_province_review(principals.principal_of(request.user))

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        if "requires_province_review" not in form.changed_data:
            return
        try:
            services.region_set_province_review(
                actor=request.user,
                region=obj,
                required=form.cleaned_data["requires_province_review"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except DomainError as error:
            # The admin's own success message follows; this one says why nothing changed.
            messages.error(request, str(error.message))


@admin.register(Classification)
class ClassificationAdmin(ReadOnlyAdmin):
    """Code tables are loaded by ``techmarket codes``; read-only here."""

    list_display = ["scheme", "code", "name", "parent"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ["created_at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "reason"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and 调休 days: added, changed and removed through core.services (audited)."""

    list_display = ["date", "kind", "name", "region", "note", "updated_at"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]
    fields = ["date", "region", "kind", "name", "note"]
    autocomplete_fields = ["region"]

    def _may_edit(self, request: HttpRequest) -> bool:
        return policies.can_edit_calendar(principals.principal_of(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_edit(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_edit(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_edit(request)

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> list[str]:
        return ["date", "region"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        try:
            saved = services.calendar_day_set(
                actor=request.user,
                date=obj.date,
                kind=obj.kind,
                name=obj.name,
                note=obj.note,
                region=obj.region,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        try:
            services.calendar_day_clear(actor=request.user, day=obj)
        except DomainError as error:
            messages.error(request, str(error.message))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for day in queryset:
            self.delete_model(request, day)

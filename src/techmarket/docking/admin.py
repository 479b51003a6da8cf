"""Admin views: response hours are saved through the service (audited); clocks, responses and answers
are read-only records of what happened."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techmarket.accounts.http import acting_user
from techmarket.core.admin import ReadOnlyAdmin
from techmarket.docking import services
from techmarket.docking.models import ClockPolicy, PushRecipient, Response, ResponseClock


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    list_display = ["region", "hours", "remind_before_hours", "updated_by", "updated_at"]
    search_fields = ["region__code", "region__name"]
    autocomplete_fields = ["region"]
    fields = ["region", "hours", "remind_before_hours"]

    def save_model(self, request: HttpRequest, obj: ClockPolicy, form: Any, change: bool) -> None:
        saved = services.policy_set(
            actor=acting_user(request),
            region=obj.region,
            hours=obj.hours,
            remind_before_hours=obj.remind_before_hours,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: ClockPolicy) -> None:
        services.policy_clear(actor=acting_user(request), region=obj.region)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for policy in queryset.select_related("region"):
            services.policy_clear(actor=acting_user(request), region=policy.region)


@admin.register(ResponseClock)
class ResponseClockAdmin(ReadOnlyAdmin):
    list_display = [
        "demand",
        "started_at",
        "hours",
        "deadline",
        "reminded_at",
        "escalated_at",
        "responded_at",
    ]
    list_filter = ["hours"]
    search_fields = ["demand__title"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["demand", "sent_by", "sent_at"]
    search_fields = ["demand__title"]


@admin.register(PushRecipient)
class PushRecipientAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "user", "answer", "decline_reason", "answered_at"]
    list_filter = ["answer"]
    search_fields = ["user__username"]

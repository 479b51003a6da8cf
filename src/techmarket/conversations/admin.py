"""Admin views: threads and their participants, read-only. Message bodies and attachments are not shown:
they belong to the participants (the thread page is theirs alone)."""

from __future__ import annotations

from django.contrib import admin

from techmarket.conversations.models import Participant, Thread
from techmarket.core.admin import ReadOnlyAdmin


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "subject_kind", "subject_id", "party_key", "created_at", "last_message_at"]
    list_filter = ["subject_kind"]
    search_fields = ["title"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["thread", "user", "side", "organisation", "joined_at"]
    list_filter = ["side"]
    list_select_related = ["thread", "user", "organisation"]

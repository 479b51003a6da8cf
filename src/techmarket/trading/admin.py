"""Read-only admin views of the trading floor: every change goes through trading.services (audited)."""

from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import ReadOnlyAdmin
from techmarket.trading.models import (
    Auction,
    AutoGrantRule,
    BidderRegistration,
    BidLogEntry,
    DisclosureAccess,
    DisclosureRequest,
    Listing,
    ListingAuthorisation,
    ListingDocument,
    NdaTerms,
    Objection,
    TradingPolicy,
)


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "title",
        "owner_organisation",
        "mode",
        "pricing",
        "price",
        "state",
        "notice_ends_at",
    ]
    list_filter = ["state", "mode", "pricing"]
    search_fields = ["title"]


@admin.register(ListingAuthorisation)
class ListingAuthorisationAdmin(ReadOnlyAdmin):
    list_display = ["id", "achievement", "owner_organisation", "agency", "scope", "ends_on", "revoked_at"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "listing", "filed_by", "state", "created_at", "resolved_at"]
    list_filter = ["state"]


@admin.register(TradingPolicy)
class TradingPolicyAdmin(ReadOnlyAdmin):
    list_display = ["region", "notice_working_days", "updated_at"]


@admin.register(Auction)
class AuctionAdmin(ReadOnlyAdmin):
    list_display = ["id", "listing", "kind", "state", "current_price", "ends_at", "final_price", "closed_at"]
    list_filter = ["state", "kind"]


@admin.register(BidderRegistration)
class BidderRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["id", "auction", "number", "user", "organisation", "state", "deposit_received_at"]
    list_filter = ["state"]


@admin.register(BidLogEntry)
class BidLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["auction", "seq", "registration", "amount", "received_at", "outcome", "reason", "hash"]
    list_filter = ["outcome"]


# --- staged disclosure: read-only; documents are served only through the policy-checked views --------


@admin.register(NdaTerms)
class NdaTermsAdmin(ReadOnlyAdmin):
    list_display = ["listing", "version", "created_by", "created_at"]


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "listing", "user", "organisation", "nda", "state", "granted_until", "decided_at"]
    list_filter = ["state"]


@admin.register(AutoGrantRule)
class AutoGrantRuleAdmin(ReadOnlyAdmin):
    list_display = ["id", "listing", "region", "organisation_kind", "days", "created_by"]


@admin.register(ListingDocument)
class ListingDocumentAdmin(ReadOnlyAdmin):
    list_display = ["id", "listing", "title", "confidential", "original_name", "size", "uploaded_by"]
    exclude = ["file"]


@admin.register(DisclosureAccess)
class DisclosureAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "listing", "user", "organisation", "kind", "document", "channel"]
    list_filter = ["kind", "channel"]

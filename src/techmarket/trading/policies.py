"""Who may see and do what on the trading floor — the only place this app's role logic lives.

Roles (issue 10 §5):

- the **seller**: users of the achievement's owner organisation holding 成果填报人 or 单位管理员;
- the **authorised agency**: brokers (技术经纪人) and administrators of the transfer agency the owner
  authorised for the achievement, while that authorisation is neither revoked nor past its end date;
- **buyers**: signed-in users of a verified organisation other than the seller's and the agency's;
- **trading administrators**: the platform administrators (平台管理员; no separate role: review,
  objections, deposits and closing are theirs);
- the **system** (``actor`` None): the periodic jobs that open listings after the notice period, expire
  them and close auctions;
- the **public**: the summary of a listing in notice or later; for a 受限 achievement only the fields the
  seller marked public.

Staged disclosure (issue 10 §2): the confidential detail and the confidential documents are for the
parties (seller, agency, trading administrators) and for a **grantee**: the very user whose request was
granted (the grant is personal, never to the whole organisation: the NDA was accepted by that person),
while they are still a member of the organisation they requested for, that organisation is still
verified and is not a party, the grant is neither revoked nor past ``granted_until`` (the server's clock,
``core.clock.now``), and the listing is in a disclosable state (notice, open, negotiating, in auction).
Nobody else, in any channel.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.core import clock
from techmarket.core.policy_registry import policy
from techmarket.trading.choices import (
    AUCTION_PRICING,
    DISCLOSABLE_STATES,
    PUBLIC_LISTING_STATES,
    AuctionKind,
    AuctionState,
    DisclosureState,
    ListingState,
    ObjectionState,
    PublicField,
)
from techmarket.trading.models import (
    Auction,
    BidderRegistration,
    DisclosureRequest,
    Listing,
    ListingDocument,
    Objection,
)

SELLER_ROLES = frozenset({Role.APPLICANT, Role.ORG_ADMIN})
AGENT_ROLES = frozenset({Role.BROKER, Role.ORG_ADMIN})
ALL_FIELDS = frozenset(PublicField.values)


def is_trading_admin(principal: Principal) -> bool:
    """Platform administrators run the trading floor (review, objections, deposits, closing)."""
    return principal.is_platform_admin


def is_seller(principal: Principal, listing: Listing) -> bool:
    """A filer or administrator of the organisation that owns the listed achievement."""
    return (
        principal.is_authenticated
        and principal.organisation_id == listing.owner_organisation_id
        and bool(SELLER_ROLES & principal.roles)
    )


def authorisation_active(listing: Listing) -> bool:
    """Whether the listing was made under an agency authorisation that still runs."""
    authorisation = listing.authorisation
    return (
        authorisation is not None
        and authorisation.revoked_at is None
        and authorisation.ends_on >= timezone.localdate()
    )


def is_agent(principal: Principal, listing: Listing) -> bool:
    """A broker or administrator of the agency the owner authorised, while the authorisation runs."""
    return (
        principal.is_authenticated
        and listing.authorisation_id is not None
        and authorisation_active(listing)
        and principal.organisation_id == listing.authorisation.agency_id  # type: ignore[union-attr]
        and bool(AGENT_ROLES & principal.roles)
    )


def manages(principal: Principal, listing: Listing) -> bool:
    """The seller or its authorised agency."""
    return is_seller(principal, listing) or is_agent(principal, listing)


def is_party_organisation(principal: Principal, listing: Listing) -> bool:
    """Whether the principal's organisation is the seller or the listing's agency."""
    if principal.organisation_id is None:
        return False
    if principal.organisation_id == listing.owner_organisation_id:
        return True
    return listing.authorisation is not None and principal.organisation_id == listing.authorisation.agency_id


def is_buyer(principal: Principal, listing: Listing) -> bool:
    """A signed-in user of a verified organisation that is neither the seller nor its agency."""
    return (
        principal.is_authenticated
        and principal.organisation_id is not None
        and principal.organisation_verified
        and not is_party_organisation(principal, listing)
    )


def public_q() -> Q:
    """Listings in notice or later: what anyone may see (their public fields)."""
    return Q(state__in=PUBLIC_LISTING_STATES)


def visible_q(principal: Principal) -> Q:
    """The listings the principal may see at all: public ones, and its own organisation's (as seller or
    agency) in any state; everything for trading administrators."""
    if is_trading_admin(principal):
        return Q()
    q = public_q()
    if principal.organisation_id is not None:
        q |= Q(owner_organisation_id=principal.organisation_id)
        q |= Q(authorisation__agency_id=principal.organisation_id, authorisation__revoked_at__isnull=True)
    return q


def can_view(principal: Principal, listing: Listing) -> bool:
    """One listing's :func:`visible_q`."""
    if listing.state in PUBLIC_LISTING_STATES or is_trading_admin(principal):
        return True
    if principal.organisation_id is None:
        return False
    if principal.organisation_id == listing.owner_organisation_id:
        return True
    authorisation = listing.authorisation
    return (
        authorisation is not None
        and authorisation.revoked_at is None
        and principal.organisation_id == authorisation.agency_id
    )


def has_full_view(principal: Principal, listing: Listing) -> bool:
    """Seller, agency and trading administrators see every field and the confidential detail."""
    return manages(principal, listing) or is_trading_admin(principal)


def shown_fields(principal: Principal, listing: Listing) -> frozenset[str]:
    """The listing's fields the principal may read: all of them for a 公开 achievement and for the
    parties; for a 受限 achievement only those its seller marked public."""
    if has_full_view(principal, listing) or listing.achievement.confidentiality == Confidentiality.PUBLIC:
        return ALL_FIELDS
    if holds_grant(principal, listing):  # the restricted fields stay behind disclosure
        return ALL_FIELDS
    return frozenset(listing.public_fields) & ALL_FIELDS


def grant_q(principal: Principal) -> Q:
    """Disclosure requests that give the principal access now (see the module's docstring); none for a
    principal without a verified organisation. Combine with the listing's own checks (:func:`holds_grant`)."""
    if not (principal.is_authenticated and principal.organisation_id and principal.organisation_verified):
        return Q(pk__in=[])
    return Q(
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        state=DisclosureState.GRANTED,
        granted_until__gt=clock.now(),
    )


def holds_grant(principal: Principal, listing: Listing) -> bool:
    """A buyer with an unexpired, unrevoked personal grant on this listing, while it is disclosable."""
    if listing.state not in DISCLOSABLE_STATES or not is_buyer(principal, listing):
        return False
    return DisclosureRequest.objects.filter(grant_q(principal), listing_id=listing.pk).exists()


def full_view_q(principal: Principal) -> Q:
    """The listings whose every field the principal reads (:func:`has_full_view` as a query)."""
    if is_trading_admin(principal):
        return Q()
    q = Q(pk__in=[])
    if principal.organisation_id is None:
        return q
    if SELLER_ROLES & principal.roles:
        q |= Q(owner_organisation_id=principal.organisation_id)
    if AGENT_ROLES & principal.roles:
        q |= Q(
            authorisation__agency_id=principal.organisation_id,
            authorisation__revoked_at__isnull=True,
            authorisation__ends_on__gte=timezone.localdate(),
        )
    return q


def shown_q(principal: Principal, field_name: str) -> Q:
    """The listings whose field ``field_name`` (a :class:`PublicField`) the principal may read, as a query:
    a search or a filter on a field may only match where the field is shown (:func:`shown_fields`)."""
    if is_trading_admin(principal):  # an empty Q() would vanish from the OR below
        return Q()
    # JSON containment is not portable (SQLite); the stored list is compared as its JSON text.
    return (
        full_view_q(principal)
        | Q(achievement__confidentiality=Confidentiality.PUBLIC)
        | Q(public_fields__icontains=f'"{field_name}"')
    )


def can_see_confidential(principal: Principal, listing: Listing) -> bool:
    """The confidential detail and documents: the parties, and a grantee (:func:`holds_grant`)."""
    return has_full_view(principal, listing) or holds_grant(principal, listing)


@policy
def can_request_disclosure(principal: Principal, listing: Listing) -> bool:
    """Ask for the confidential detail: buyers (signed-in users of a verified organisation other than the
    parties) while the listing is disclosable."""
    return listing.state in DISCLOSABLE_STATES and is_buyer(principal, listing)


@policy
def can_manage_disclosure(principal: Principal, listing: Listing) -> bool:
    """See the requests and the access log, grant, refuse and revoke: the seller, its agency and trading
    administrators."""
    return manages(principal, listing) or is_trading_admin(principal)


@policy
def can_edit_disclosure(principal: Principal, listing: Listing) -> bool:
    """Write the NDA terms, the auto-grant rules and upload documents: the seller and its agency."""
    return manages(principal, listing)


def can_download(principal: Principal, document: ListingDocument) -> bool:
    """A public document: whoever may see the listing; a confidential one: :func:`can_see_confidential`."""
    listing = document.listing
    if not can_view(principal, listing):
        return False
    return not document.confidential or can_see_confidential(principal, listing)


def can_transition_disclosure(actor: Any, name: str, request: DisclosureRequest) -> bool:
    """DISCLOSURE_WORKFLOW's permission: the buyer requests for themself; an auto-grant rule is the
    system's; the seller, its agency and trading administrators decide."""
    if name == "auto_grant":
        return actor is None
    if actor is None:
        return False
    principal = _principal(actor)
    listing = request.listing
    if name == "request":
        return (
            principal.user_id == request.user_id
            and principal.organisation_id == request.organisation_id
            and can_request_disclosure(principal, listing)
        )
    if name in ("grant", "refuse", "revoke"):
        return can_manage_disclosure(principal, listing)
    return False


@policy
def can_list(principal: Principal) -> bool:
    """挂牌: sellers (filers and organisation administrators) and agency brokers."""
    return principal.organisation_id is not None and bool((SELLER_ROLES | AGENT_ROLES) & principal.roles)


@policy
def can_list_achievement(principal: Principal, achievement: Any) -> bool:
    """The achievement page's 挂牌交易 link: a seller of the owner organisation, the record published."""
    return (
        principal.organisation_id is not None
        and principal.organisation_id == achievement.owner_organisation_id
        and bool(SELLER_ROLES & principal.roles)
        and achievement.state == AchievementState.PUBLISHED
    )


@policy
def can_edit(principal: Principal, listing: Listing) -> bool:
    """Change a draft or returned listing: its seller or agency."""
    return listing.state in (ListingState.DRAFT, ListingState.RETURNED) and manages(principal, listing)


@policy
def can_authorise(principal: Principal, organisation_id: int) -> bool:
    """Authorise an agency to list an achievement: the owner organisation's administrators."""
    return principal.organisation_id == organisation_id and principal.has_role(Role.ORG_ADMIN)


@policy
def can_set_notice_period(principal: Principal) -> bool:
    """Set a region's notice period: trading administrators."""
    return is_trading_admin(principal)


@policy
def can_review_listings(principal: Principal) -> bool:
    """The review queue (审核挂牌), objections and the trading settings: trading administrators."""
    return is_trading_admin(principal)


@policy
def can_see_own_listings(principal: Principal) -> bool:
    """我的挂牌: sellers and agencies (the same people who may list)."""
    return can_list(principal)


@policy
def can_manage_authorisations(principal: Principal) -> bool:
    """The agency authorisation page: organisation administrators."""
    return principal.organisation_id is not None and principal.has_role(Role.ORG_ADMIN)


def can_see_objection(principal: Principal, objection: Objection) -> bool:
    """An objection is read by administrators, the seller (and its agency) and the person who filed it."""
    return (
        is_trading_admin(principal)
        or manages(principal, objection.listing)
        or (principal.user_id is not None and principal.user_id == objection.filed_by_id)
    )


def objections_q(principal: Principal, listing: Listing) -> Q:
    """The listing's objections the principal may read (:func:`can_see_objection` as a query)."""
    if is_trading_admin(principal) or manages(principal, listing):
        return Q()
    if principal.user_id is None:
        return Q(pk__in=[])
    return Q(filed_by_id=principal.user_id)


@policy
def can_file_objection(principal: Principal, listing: Listing) -> bool:
    """异议: any signed-in user, while the listing is in its notice period."""
    return principal.is_authenticated and listing.state == ListingState.NOTICE


def has_open_objection(listing: Listing) -> bool:
    """An unresolved objection blocks the deal and the auction."""
    return Objection.objects.filter(listing_id=listing.pk, state=ObjectionState.OPEN).exists()


def _principal(actor: Any) -> Principal:
    return actor if isinstance(actor, Principal) else principal_of(actor)


def can_transition(actor: Any, name: str, listing: Listing) -> bool:
    """LISTING_WORKFLOW's permission."""
    if name in ("open", "expire"):
        return actor is None  # the periodic job
    if name == "auction_end":  # follows the auction's close: the job, or the administrator who closed it
        return actor is None or is_trading_admin(_principal(actor))
    if actor is None:
        return False
    principal = _principal(actor)
    if name in ("submit", "withdraw"):
        return manages(principal, listing)
    if name in ("approve", "return", "suspend"):
        return is_trading_admin(principal)
    if name == "start_negotiation":
        return listing.pricing not in AUCTION_PRICING and (
            is_buyer(principal, listing) or is_trading_admin(principal)
        )
    if name == "resume":
        return manages(principal, listing) or is_trading_admin(principal)
    if name == "start_auction":
        return (
            listing.pricing in AUCTION_PRICING
            and is_trading_admin(principal)
            and not has_open_objection(listing)
        )
    if name == "deal":  # an administrator, or the side accepting an offer in a negotiation (deals app)
        party = is_trading_admin(principal) or manages(principal, listing) or is_buyer(principal, listing)
        return party and not has_open_objection(listing)
    return False


def can_transition_objection(actor: Any, name: str, objection: Objection) -> bool:
    """OBJECTION_WORKFLOW's permission: anyone signed in files during the notice; administrators resolve."""
    if actor is None:
        return False
    principal = _principal(actor)
    if name == "file":
        return can_file_objection(principal, objection.listing)
    if name in ("uphold", "dismiss"):
        return is_trading_admin(principal)
    return False


def can_transition_auction(actor: Any, name: str, auction: Auction) -> bool:
    """AUCTION_WORKFLOW's permission: administrators create and cancel; the closing job or an
    administrator closes."""
    if name == "close":
        return actor is None or is_trading_admin(_principal(actor))
    if actor is None:
        return False
    if name == "create":
        return is_trading_admin(_principal(actor)) and auction.listing.pricing in AUCTION_PRICING
    if name == "cancel":
        return is_trading_admin(_principal(actor))
    return False


def can_register(principal: Principal, auction: Auction) -> bool:
    """竞买登记: buyers, while the auction runs."""
    return auction.state == AuctionState.ACTIVE and is_buyer(principal, auction.listing)


def can_transition_registration(actor: Any, name: str, registration: BidderRegistration) -> bool:
    """REGISTRATION_WORKFLOW's permission: the buyer applies; administrators approve, reject and mark the
    deposit received while the auction runs; the close settles the deposits; after a sale they forfeit
    the winner's deposit (the winner walked away)."""
    if name == "settle":  # part of the auction's close or cancellation, never before it
        closed = registration.auction.state != AuctionState.ACTIVE
        return closed and (actor is None or is_trading_admin(_principal(actor)))
    if actor is None:
        return False
    principal = _principal(actor)
    if name == "apply":
        return can_register(principal, registration.auction) and principal.user_id == registration.user_id
    if name in ("approve", "reject", "receive_deposit"):
        return is_trading_admin(principal) and registration.auction.state == AuctionState.ACTIVE
    if name == "forfeit":
        return is_trading_admin(principal) and is_sold_to(registration)
    return False


def is_sold_to(registration: BidderRegistration) -> bool:
    """Whether the registration is the winner of a sold auction (whose deposit may be forfeited)."""
    auction = registration.auction
    return auction.state == AuctionState.SOLD and auction.winner_id == registration.pk


def can_see_forfeiture(principal: Principal, registration: BidderRegistration) -> bool:
    """A forfeited deposit is shown to the winner concerned and to the trading administrators (not to the
    other bidders or the public)."""
    if not principal.is_authenticated:
        return False
    return is_trading_admin(principal) or principal.user_id == registration.user_id


def can_bid(principal: Principal, registration: BidderRegistration) -> bool:
    """Only the registered user bids under their registration (the rules then check the deposit)."""
    return principal.user_id is not None and principal.user_id == registration.user_id


@policy
def can_manage_auctions(principal: Principal) -> bool:
    """Create, cancel and close auctions, approve bidders, mark deposits: trading administrators."""
    return is_trading_admin(principal)


# --- auctions: who sees what of an auction --------------------------------------------------------------


def can_view_auction(principal: Principal, auction: Auction) -> bool:
    """An auction is as visible as its listing (in auction, dealt or open again: public)."""
    return can_view(principal, auction.listing)


def can_see_reserve(principal: Principal, auction: Auction) -> bool:
    """The reserve price (保留价) stays hidden from everyone but the trading administrators."""
    return is_trading_admin(principal)


def sees_live_price(auction: Auction) -> bool:
    """Whether the current price may be shown: always for an English auction; for a sealed bid only
    after the close (until then each bidder sees only their own bid)."""
    return auction.kind != AuctionKind.SEALED or auction.state != AuctionState.ACTIVE


def is_auction_party(principal: Principal, auction: Auction) -> bool:
    """The auction's bidders, its seller and agency, and the trading administrators."""
    if not principal.is_authenticated:
        return False
    if is_trading_admin(principal) or manages(principal, auction.listing):
        return True
    return BidderRegistration.objects.filter(auction_id=auction.pk, user_id=principal.user_id or 0).exists()


def is_registered_bidder(principal: Principal, auction: Auction) -> bool:
    """Whether the principal registered for the auction (whatever the registration's state): only they
    may submit bids, which the rules then judge (deposit, increment, time)."""
    return (
        principal.is_authenticated
        and BidderRegistration.objects.filter(auction_id=auction.pk, user_id=principal.user_id or 0).exists()
    )


def can_see_result(principal: Principal, auction: Auction, *, published: bool) -> bool:
    """The result (winner's pseudonym and price, or 流拍): public while its notice period runs
    (``published``), to the auction's parties afterwards; nothing before the close."""
    if auction.state == AuctionState.ACTIVE:
        return False
    return published or is_auction_party(principal, auction)


@policy
def can_manage_auction_of(principal: Principal, listing: Listing) -> bool:
    """Whether an administrator may schedule an auction on this listing now (open, priced 拍卖/一次报价)."""
    return (
        is_trading_admin(principal)
        and listing.state == ListingState.OPEN
        and listing.pricing in AUCTION_PRICING
    )

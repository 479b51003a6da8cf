"""The trading workflows' cases for the generated role × transition matrix (core.testing).

The listing's seller is the cast's ``owner`` (a filer of the owning university) and its authorised
agency is the cast's ``broker`` (the agency's broker lists it); buyers are the other organisation's
users; the trading administrators are the platform administrators; the ``system`` actor (None) is the
periodic job and the auction's close.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation
from techmarket.accounts.tests.cast import CHAIN_REVIEWERS, FILER_ROLES, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.errors import DomainError
from techmarket.core.testing.workflow_matrix import FireFunction, Rule, WorkflowCase
from techmarket.trading import services
from techmarket.trading.choices import AuctionState as A
from techmarket.trading.choices import DisclosureState as D
from techmarket.trading.choices import ListingState as S
from techmarket.trading.choices import ObjectionState as O
from techmarket.trading.choices import Pricing
from techmarket.trading.choices import RegistrationState as R
from techmarket.trading.models import Auction, BidderRegistration, DisclosureRequest, Listing, Objection
from techmarket.trading.tests.factories import (
    auction_for,
    buyer_user,
    listing_in_state,
    published_achievement,
    qualified_bidder,
    terms,
)
from techmarket.trading.workflow import (
    AUCTION_WORKFLOW,
    DISCLOSURE_WORKFLOW,
    LISTING_WORKFLOW,
    OBJECTION_WORKFLOW,
    REGISTRATION_WORKFLOW,
)

ADMINS = {"platform_admin", "superuser"}
BUYERS = {"other_applicant", "other_org_admin", "other_enterprise"}
PEOPLE = FILER_ROLES | OUTSIDERS | CHAIN_REVIEWERS | ADMINS | {"broker", "expert", "no_role", "anonymous"}
SYSTEM_ONLY = {"open", "expire"}


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    university = OrganisationFactory(
        region=regions["county"], name="某大学", kind=OrganisationKind.UNIVERSITY
    )
    owner = user_with_role(Role.APPLICANT, organisation=university)
    cast = standard_cast(regions, university, owner)
    reviewers = {level: cast[f"{level}_reviewer"] for level in ("county", "city", "province")}
    achievement = published_achievement(applicant=owner, region=regions["county"], reviewers=reviewers)
    agency = Organisation.objects.get(pk=cast["broker"].organisation_id)
    authorisation = services.authorisation_grant(
        actor=cast["own_org_admin"],
        achievement=achievement,
        agency=agency,
        scope="list_and_trade",
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    return {
        "cast": {**cast, "system": None},
        "achievement": achievement,
        "authorisation": authorisation,
    }


def make_listing(world: dict[str, Any], state: str, pricing: str = Pricing.NEGOTIABLE) -> Listing:
    cast = world["cast"]
    return listing_in_state(
        state,
        seller=cast["broker"],
        achievement=world["achievement"],
        admin=cast["platform_admin"],
        buyer=cast["other_enterprise"],
        authorisation=world["authorisation"],
        pricing=Pricing.AUCTION if state == S.IN_AUCTION else pricing,
    )


def make_auction_listing(world: dict[str, Any], state: str) -> Listing:
    return make_listing(world, state, pricing=Pricing.AUCTION)


def _close_listing_auction(actor: Any, listing: Listing, reason: str) -> Any:
    auction = Auction.objects.filter(listing=listing, state=A.ACTIVE).first()
    if auction is None:
        raise DomainError("no_auction", "该挂牌项目没有进行中的竞价。")
    return services.close_auction(auction_id=auction.pk, actor=actor, now=auction.ends_at)


def _listing_fire(name: str) -> FireFunction:
    if name == "open":
        return lambda actor, listing, reason: services.listing_open(
            listing_id=listing.pk, actor=actor, now=listing.notice_ends_at or timezone.now()
        )
    if name == "expire":
        return lambda actor, listing, reason: services.listing_expire(
            listing_id=listing.pk, actor=actor, now=listing.open_until or timezone.now()
        )
    if name == "start_auction":
        return lambda actor, listing, reason: services.auction_create(
            actor=actor, listing=listing, terms=terms()
        )
    if name == "auction_end":
        return _close_listing_auction
    if name == "start_negotiation":  # the deals app's negotiation_open
        return lambda actor, listing, reason: services.listing_start_negotiation(actor=actor, listing=listing)
    if name == "deal":  # the deals app's offer_accept
        return lambda actor, listing, reason: services.listing_deal(
            actor=actor, listing=listing, reason=reason
        )

    def fire(actor: Any, listing: Listing, reason: str) -> Listing:
        return services.listing_transition(actor=actor, listing=listing, name=name, reason=reason)

    return fire


LISTING_RULES = [
    Rule("only trading administrators review", ADMINS, {"approve", "return", "suspend"}, True),
    Rule("nobody else reviews", PEOPLE - ADMINS | {"system"}, {"approve", "return", "suspend"}, False),
    # The deals app fires ``deal`` for the side accepting an offer; administrators may record one.
    Rule(
        "administrators and the negotiating sides record the deal",
        ADMINS | BUYERS | {"owner", "own_applicant", "own_org_admin", "broker"},
        {"deal"},
        True,
    ),
    Rule(
        "nobody outside records a deal", {"anonymous", "no_role", "own_enterprise", "system"}, {"deal"}, False
    ),
    Rule(
        "the seller and its agency submit and withdraw",
        {"owner", "own_applicant", "own_org_admin", "broker"},
        {"submit", "withdraw"},
        True,
    ),
    Rule(
        "buyers and outsiders never submit",
        OUTSIDERS | BUYERS | {"own_enterprise"},
        {"submit", "withdraw"},
        False,
    ),
    Rule("only the periodic job opens and expires", {"system"}, SYSTEM_ONLY, True),
    Rule("no person opens or expires", PEOPLE, SYSTEM_ONLY, False),
    Rule("buyers start a negotiation", BUYERS, {"start_negotiation"}, True),
    Rule("the seller never buys its own", FILER_ROLES | {"broker"}, {"start_negotiation"}, False),
    Rule(
        "chain reviewers are not trading administrators", CHAIN_REVIEWERS, {"approve", "start_auction"}, False
    ),
]

LISTING_QUIET = {
    *(("open", state) for state in S.values if state != S.NOTICE),
    *(("expire", state) for state in S.values if state not in (S.OPEN, S.NEGOTIATING)),
}


def make_objection(world: dict[str, Any], state: str) -> Objection:
    cast = world["cast"]
    listing = make_listing(world, S.NOTICE)
    objection = services.objection_file(
        actor=cast["other_enterprise"], listing=listing, reason="权属存在争议", evidence="合作协议第3条"
    )
    if state == O.UPHELD:
        return services.objection_uphold(actor=cast["platform_admin"], objection=objection, reason="属实")
    if state == O.DISMISSED:
        return services.objection_dismiss(actor=cast["platform_admin"], objection=objection, reason="不属实")
    return objection


def make_auction(world: dict[str, Any], state: str) -> Auction:
    cast = world["cast"]
    admin = cast["platform_admin"]
    listing = make_listing(world, S.OPEN, pricing=Pricing.AUCTION)
    auction = auction_for(listing, admin=admin)
    if state == A.SOLD:
        bidder = qualified_bidder(auction, admin=admin)
        services.place_bid(actor=bidder.user, auction=auction, amount="150", idempotency_key="matrix")
    if state in (A.SOLD, A.FAILED):
        auction.refresh_from_db()
        return services.close_auction(auction_id=auction.pk, now=auction.ends_at)
    if state == A.CANCELLED:
        return services.auction_cancel(actor=admin, auction=auction, reason="权属核查")
    return auction


def make_registration(world: dict[str, Any], state: str) -> BidderRegistration:
    cast = world["cast"]
    admin = cast["platform_admin"]
    listing = make_listing(world, S.OPEN, pricing=Pricing.AUCTION)
    auction = auction_for(listing, admin=admin)
    if state in (R.QUALIFIED, R.APPLIED, R.REFUND_DUE, R.FORFEITED):
        registration = qualified_bidder(auction, admin=admin)
        if state in (R.APPLIED, R.FORFEITED):
            services.place_bid(actor=registration.user, auction=auction, amount="150", idempotency_key="m")
        if state != R.QUALIFIED:
            auction.refresh_from_db()
            services.close_auction(auction_id=auction.pk, now=auction.ends_at)
        if state == R.FORFEITED:
            services.deposit_forfeit(actor=admin, registration=registration, reason="放弃成交")
        return BidderRegistration.objects.get(pk=registration.pk)
    registration = services.registration_apply(actor=buyer_user(), auction=auction)
    if state == R.APPROVED:
        return services.registration_approve(actor=admin, registration=registration)
    if state == R.REJECTED:
        return services.registration_reject(actor=admin, registration=registration, reason="资格不符")
    return registration


def make_disclosure(world: dict[str, Any], state: str) -> DisclosureRequest:
    """A request by the other organisation's enterprise user on an open listing, in ``state``."""
    cast = world["cast"]
    listing = make_listing(world, S.OPEN)
    nda = services.nda_set(actor=cast["owner"], listing=listing, text="买方负有保密义务。")
    request = services.disclosure_request(
        actor=cast["other_enterprise"], listing=listing, nda_id=nda.pk, accepted=True
    )
    # A rule added after the request matches it: the system may then grant it (``auto_grant``).
    services.auto_grant_rule_add(
        actor=cast["owner"], listing=listing, region_code="", organisation_kind="", days=10
    )
    if state == D.REQUESTED:
        return request
    if state == D.REFUSED:
        return services.disclosure_refuse(actor=cast["owner"], request=request, reason="暂不对外")
    request = services.disclosure_grant(actor=cast["owner"], request=request, days=30)
    if state == D.REVOKED:
        return services.disclosure_revoke(actor=cast["owner"], request=request, reason="意向终止")
    return request


DECIDERS = {"owner", "own_applicant", "own_org_admin", "broker"} | ADMINS
DECISIONS = {"grant", "refuse", "revoke"}


CASES = [
    WorkflowCase(
        workflow=DISCLOSURE_WORKFLOW,
        setup=setup,
        make=make_disclosure,
        actors=lambda world: world["cast"],
        fire={
            "grant": lambda actor, request, reason: services.disclosure_grant(
                actor=actor, request=request, days=30
            ),
            "refuse": lambda actor, request, reason: services.disclosure_refuse(
                actor=actor, request=request, reason=reason
            ),
            "revoke": lambda actor, request, reason: services.disclosure_revoke(
                actor=actor, request=request, reason=reason
            ),
            "auto_grant": lambda actor, request, reason: services.disclosure_auto_grant(
                actor=actor, request=request
            ),
        },
        rules=[
            Rule("the seller, its agency and trading administrators decide", DECIDERS, DECISIONS, True),
            Rule(
                "buyers, outsiders and the job never decide",
                OUTSIDERS | BUYERS | CHAIN_REVIEWERS | {"own_enterprise", "expert", "system"},
                DECISIONS,
                False,
            ),
            Rule("only the system applies an auto-grant rule", {"system"}, {"auto_grant"}, True),
            Rule("no person does", PEOPLE, {"auto_grant"}, False),
        ],
    ),
    WorkflowCase(
        workflow=LISTING_WORKFLOW,
        setup=setup,
        make=make_listing,
        actors=lambda world: world["cast"],
        fire={name: _listing_fire(name) for name in LISTING_WORKFLOW.names()},
        quiet_noops=LISTING_QUIET,
        rules=LISTING_RULES,
    ),
    # A listing priced by auction: administrators start an auction, nobody negotiates it.
    WorkflowCase(
        workflow=LISTING_WORKFLOW,
        variant="auction",
        setup=setup,
        make=make_auction_listing,
        actors=lambda world: world["cast"],
        fire={name: _listing_fire(name) for name in LISTING_WORKFLOW.names()},
        quiet_noops=LISTING_QUIET,
        states=[S.OPEN, S.IN_AUCTION],
        rules=[
            Rule("administrators start the auction", ADMINS, {"start_auction"}, True, {S.OPEN}),
            Rule("nobody negotiates an auction listing", PEOPLE | {"system"}, {"start_negotiation"}, False),
            Rule("the close ends the listing's auction", ADMINS | {"system"}, {"auction_end"}, True),
            Rule("nobody else ends it", PEOPLE - ADMINS, {"auction_end"}, False),
        ],
    ),
    WorkflowCase(
        workflow=OBJECTION_WORKFLOW,
        setup=setup,
        make=make_objection,
        actors=lambda world: world["cast"],
        fire={
            "uphold": lambda actor, objection, reason: services.objection_uphold(
                actor=actor, objection=objection, reason=reason
            ),
            "dismiss": lambda actor, objection, reason: services.objection_dismiss(
                actor=actor, objection=objection, reason=reason
            ),
        },
        rules=[
            Rule("trading administrators resolve objections", ADMINS, {"uphold", "dismiss"}, True),
            Rule("nobody else does", PEOPLE - ADMINS | {"system"}, {"uphold", "dismiss"}, False),
        ],
    ),
    WorkflowCase(
        workflow=AUCTION_WORKFLOW,
        setup=setup,
        make=make_auction,
        actors=lambda world: world["cast"],
        fire={
            "close": lambda actor, auction, reason: services.close_auction(
                auction_id=auction.pk, actor=actor, now=auction.ends_at
            ),
            "cancel": lambda actor, auction, reason: services.auction_cancel(
                actor=actor, auction=auction, reason=reason
            ),
        },
        # Closing is exactly once: a closed auction is returned as it is, whoever asks again.
        quiet_noops={("close", state) for state in (A.SOLD, A.FAILED, A.CANCELLED)},
        rules=[
            Rule("the job and administrators close", ADMINS | {"system"}, {"close"}, True),
            Rule("administrators cancel", ADMINS, {"cancel"}, True),
            Rule("nobody else closes or cancels", PEOPLE - ADMINS, {"close", "cancel"}, False),
            Rule("the job never cancels", {"system"}, {"cancel"}, False),
        ],
    ),
    WorkflowCase(
        workflow=REGISTRATION_WORKFLOW,
        setup=setup,
        make=make_registration,
        actors=lambda world: world["cast"],
        fire={
            "approve": lambda actor, registration, reason: services.registration_approve(
                actor=actor, registration=registration
            ),
            "reject": lambda actor, registration, reason: services.registration_reject(
                actor=actor, registration=registration, reason=reason
            ),
            "receive_deposit": lambda actor, registration, reason: services.deposit_receive(
                actor=actor, registration=registration
            ),
            "settle": lambda actor, registration, reason: services.deposit_settle(
                actor=actor, registration=registration, applied=False
            ),
            "forfeit": lambda actor, registration, reason: services.deposit_forfeit(
                actor=actor, registration=registration, reason=reason
            ),
        },
        rules=[
            Rule(
                "administrators admit bidders and mark deposits",
                ADMINS,
                {"approve", "reject", "receive_deposit"},
                True,
            ),
            Rule(
                "nobody else does",
                PEOPLE - ADMINS | {"system"},
                {"approve", "reject", "receive_deposit"},
                False,
            ),
            Rule("no deposit is settled while the auction runs", PEOPLE | {"system"}, {"settle"}, False),
            Rule(
                "administrators forfeit the deposit of a sold auction's winner",
                ADMINS,
                {"forfeit"},
                True,
                states={R.APPLIED},
            ),
            Rule("nobody else forfeits a deposit", PEOPLE - ADMINS | {"system"}, {"forfeit"}, False),
            Rule(
                "only the applied deposit of the winner is forfeited",
                PEOPLE | {"system"},
                {"forfeit"},
                False,
                states=set(R) - {R.APPLIED},
            ),
        ],
    ),
]


# --- The same matrices through the API (issue 10 §5: the same permission rules as the pages) -------------


def _api_post(actor: Any, url: str, reason: str) -> None:
    """POST as ``actor`` (anonymous for the system); a refusal (4xx) is raised as the envelope's code."""
    from rest_framework.test import APIClient

    client = APIClient()
    if actor is not None:
        client.force_authenticate(actor)
    response = client.post(url, {"reason": reason}, format="json")
    if response.status_code >= 400:
        payload = response.json()
        raise DomainError(payload.get("code", "refused"), payload.get("message", ""))


def _listing_api_fire(name: str) -> FireFunction:
    # Not offered by the transitions endpoint: the system's, the auction's and the deals app's.
    if name in ("open", "expire", "start_auction", "auction_end", "start_negotiation", "deal"):
        return _listing_fire(name)
    return lambda actor, listing, reason: _api_post(
        actor, f"/api/v1/listings/{listing.pk}/transitions/{name}/", reason
    )


CASES += [
    WorkflowCase(
        workflow=LISTING_WORKFLOW,
        variant="api",
        setup=setup,
        make=make_listing,
        actors=lambda world: world["cast"],
        fire={name: _listing_api_fire(name) for name in LISTING_WORKFLOW.names()},
        quiet_noops=LISTING_QUIET,
        rules=LISTING_RULES,
    ),
    WorkflowCase(
        workflow=OBJECTION_WORKFLOW,
        variant="api",
        setup=setup,
        make=make_objection,
        actors=lambda world: world["cast"],
        fire={
            name: (
                lambda actor, objection, reason, name=name: _api_post(
                    actor, f"/api/v1/listing-objections/{objection.pk}/transitions/{name}/", reason
                )
            )
            for name in ("uphold", "dismiss")
        },
        rules=[
            Rule("trading administrators resolve objections", ADMINS, {"uphold", "dismiss"}, True),
            Rule("nobody else does", PEOPLE - ADMINS | {"system"}, {"uphold", "dismiss"}, False),
        ],
    ),
]


def _registration_api_fire(name: str) -> FireFunction:
    # ``settle`` is part of the auction's close, not an endpoint of its own.
    if name == "settle":
        return lambda actor, registration, reason: services.deposit_settle(
            actor=actor, registration=registration, applied=False
        )
    return lambda actor, registration, reason: _api_post(
        actor,
        f"/api/v1/auctions/{registration.auction_id}/registrations/{registration.pk}/{name}/",
        reason,
    )


CASES += [
    WorkflowCase(
        workflow=REGISTRATION_WORKFLOW,
        variant="api",
        setup=setup,
        make=make_registration,
        actors=lambda world: world["cast"],
        fire={
            name: _registration_api_fire(name)
            for name in ("approve", "reject", "receive_deposit", "settle", "forfeit")
        },
        rules=[
            Rule(
                "administrators forfeit the winner's deposit", ADMINS, {"forfeit"}, True, states={R.APPLIED}
            ),
            Rule("nobody else forfeits a deposit", PEOPLE - ADMINS | {"system"}, {"forfeit"}, False),
        ],
    ),
]

"""The demo's matching looks right to a person: a demand written for a demo topic finds a record of that
topic first (the demo's texts are specific per topic, core.demo_topics)."""

import pytest

from techmarket.achievements.models import Achievement
from techmarket.core.demo_topics import TOPICS
from techmarket.demands import demo as demands_demo
from techmarket.demands.models import Demand
from techmarket.matching.choices import TargetKind
from techmarket.matching.models import Suggestion
from techmarket.portal import demo

CHECKED_TOPICS = ("sodium-ion", "phosphogypsum", "rice-shrimp", "sic-power", "mrna-lnp", "bridge-monitoring")


def of_topic(name: str, key: str) -> bool:
    topic = next(topic for topic in TOPICS if topic.key == key)
    return name.startswith(topic.titles) or name.startswith(f"{topic.keywords[0]}的")


@pytest.mark.django_db
def test_demo_demands_find_their_topic_first(settings, tmp_path):
    from techmarket.core.codes import HUBEI_REGIONS, import_regions, load_classifications

    settings.VAR_DIR = tmp_path
    load_classifications()
    import_regions(HUBEI_REGIONS)
    summary = demo.create_demo(achievements_count=200, organisations_count=16)
    _demo_has_conversations(summary)
    _demo_has_trading(summary)
    checked = 0
    for demand in Demand.objects.order_by("pk"):
        topic = demands_demo.topic_of(demand)
        if topic is None or topic.key not in CHECKED_TOPICS:
            continue
        first = (
            Suggestion.objects.filter(demand=demand, kind=TargetKind.ACHIEVEMENT, rank=1)
            .select_related("achievement")
            .first()
        )
        if first is None:  # not matched (not published)
            continue
        # A demand is never matched with its own organisation's records: the topic must have a published
        # record of someone else to be found first.
        others = Achievement.objects.filter(state="published").exclude(
            owner_organisation_id=demand.owner_organisation_id
        )
        if not any(of_topic(name, topic.key) for name in others.values_list("name", flat=True)):
            continue
        assert of_topic(first.achievement.name, topic.key), (demand.title, first.achievement.name)
        checked += 1
    assert checked >= len(CHECKED_TOPICS)


def _demo_has_conversations(summary: demo.DemoSummary) -> None:
    """(Checked on the same demo, to build it once.) The demo enterprise has threads on records and on
    its demands, with replies, some unread."""
    from techmarket.accounts.models import User
    from techmarket.accounts.policies import principal_of
    from techmarket.conversations import selectors as conversation_selectors

    assert summary.conversations["threads"] >= 2
    assert summary.conversations["messages"] >= summary.conversations["threads"]
    enterprise = principal_of(User.objects.get(username="demo-enterprise"))
    kinds = {thread.subject_kind for thread in conversation_selectors.threads_of(enterprise)}
    assert "achievements.achievement" in kinds
    applicant = principal_of(User.objects.get(username="demo-applicant"))
    assert conversation_selectors.threads_of(applicant).exists()


def _demo_has_trading(summary: demo.DemoSummary) -> None:
    """(Same demo.) Listings in every state, made through the services: the bid logs verify, one auction
    sold and one 流拍, and one running that the periodic job closes at its end."""
    import datetime

    from django.utils import timezone

    from techmarket.trading import auction_rules, services
    from techmarket.trading.choices import AuctionState, ListingState, ObjectionState
    from techmarket.trading.ledger import entry_content
    from techmarket.trading.models import Auction, BidderRegistration, BidLogEntry, Listing, Objection

    made = summary.trading
    assert made is not None
    assert set(made.states) == set(ListingState.values), made.states
    assert {row["state"] for row in Listing.objects.values("state")} == set(ListingState.values)
    assert set(Objection.objects.values_list("state", flat=True)) == set(ObjectionState.values)
    assert Auction.objects.get(pk=made.closed_auctions["sold"]).state == AuctionState.SOLD
    assert Auction.objects.get(pk=made.closed_auctions["failed"]).state == AuctionState.FAILED
    for auction in Auction.objects.all():
        previous = "0" * 64
        for entry in BidLogEntry.objects.filter(auction=auction).order_by("seq"):
            assert entry.prev_hash == previous
            assert entry.hash == auction_rules.chain_hash(previous, entry_content(entry))
            previous = entry.hash
        assert auction.last_hash == previous
    running = Auction.objects.get(pk=made.running_auction)
    assert running.state == AuctionState.ACTIVE
    assert running.accepted_bids >= 2
    assert running.ends_at - timezone.now() > datetime.timedelta(minutes=8)
    buyers = BidderRegistration.objects.filter(auction=running, user__username__startswith="demo-buyer")
    assert buyers.count() == 2
    assert all(r.state == "qualified" for r in buyers)
    services.trading_tick(running.ends_at)
    running.refresh_from_db()
    assert running.state in (AuctionState.SOLD, AuctionState.FAILED)

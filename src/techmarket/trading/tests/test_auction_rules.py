"""Property-based tests of the plain-Python auction rules (hypothesis): whatever the bids and their
times, the price rises by at least the increment, the reserve decides 流拍, a late bid extends the end,
a sealed bid's ties go to the earlier bid, the close happens once, and replay equals the incremental run."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from techmarket.trading import auction_rules as rules

T0 = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)
END = T0 + datetime.timedelta(minutes=60)

amounts = st.decimals(min_value=Decimal("1"), max_value=Decimal("500"), places=2)
offsets = st.integers(min_value=-60, max_value=4000)  # seconds after T0, before start to after the end


@st.composite
def params(draw: st.DrawFn, kind: str | None = None) -> rules.Params:
    return rules.Params(
        kind=kind or draw(st.sampled_from([rules.ENGLISH, rules.SEALED])),
        start_price=draw(st.decimals(min_value=Decimal("1"), max_value=Decimal("200"), places=2)),
        increment=draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2)),
        reserve=draw(st.none() | st.decimals(min_value=Decimal("1"), max_value=Decimal("400"), places=2)),
        starts_at=T0,
        ends_at=END,
        extension=datetime.timedelta(minutes=draw(st.integers(min_value=0, max_value=10))),
    )


@st.composite
def attempts(draw: st.DrawFn) -> list[rules.Attempt]:
    """Attempts in the server's order: times never go backwards (the log is written under a lock)."""
    raw = draw(
        st.lists(
            st.tuples(st.integers(min_value=1, max_value=6), amounts, offsets, st.booleans() | st.just(True)),
            max_size=40,
        )
    )
    times = sorted(offset for _bidder, _amount, offset, _eligible in raw)
    return [
        rules.Attempt(bidder, amount, T0 + datetime.timedelta(seconds=at), eligible)
        for (bidder, amount, _offset, eligible), at in zip(raw, times, strict=True)
    ]


@settings(max_examples=300)
@given(params(rules.ENGLISH), attempts())
def test_english_prices_rise_by_at_least_the_increment(p: rules.Params, log: list[rules.Attempt]) -> None:
    decisions, book = rules.replay(p, log)
    accepted = [(attempt, d) for attempt, d in zip(log, decisions, strict=True) if d.accepted]
    prices = [attempt.amount for attempt, _d in accepted]
    if prices:
        assert prices[0] >= p.start_price
    for previous, current in itertools.pairwise(prices):
        assert current >= previous + p.increment
    # Consecutive accepted bids come from different bidders (the leader never outbids themself).
    bidders = [attempt.bidder for attempt, _d in accepted]
    assert all(a != b for a, b in itertools.pairwise(bidders))
    assert book.price == (prices[-1] if prices else None)
    assert book.accepted == len(prices)
    # Nothing ineligible, early or late is ever accepted; the end only moves later.
    ends = p.ends_at
    for attempt, decision in zip(log, decisions, strict=True):
        if decision.accepted:
            assert attempt.eligible
            assert p.starts_at <= attempt.at < ends
            assert decision.book.ends_at >= ends
        ends = decision.book.ends_at


@settings(max_examples=300)
@given(params(rules.ENGLISH), attempts())
def test_anti_sniping_leaves_at_least_the_window_after_every_accepted_bid(
    p: rules.Params, log: list[rules.Attempt]
) -> None:
    book = rules.opening(p)
    for attempt in log:
        decision = rules.decide(p, book, attempt)
        if decision.accepted:
            assert decision.book.ends_at >= attempt.at + p.extension
            assert decision.book.ends_at == max(book.ends_at, attempt.at + p.extension)
        else:
            assert decision.book == book  # a rejected attempt changes nothing
        book = decision.book


@settings(max_examples=300)
@given(params(), attempts())
def test_the_outcome_respects_the_reserve(p: rules.Params, log: list[rules.Attempt]) -> None:
    _decisions, book = rules.replay(p, log)
    result = rules.outcome(p, book)
    if book.leader is None:
        assert not result.sold
        assert result.reason == rules.NO_BIDS
    elif p.reserve is not None and book.price is not None and book.price < p.reserve:
        assert not result.sold
        assert result.reason == rules.RESERVE_NOT_MET
    else:
        assert result.sold
        assert result.winner == book.leader
        assert result.price == book.price
        assert p.reserve is None or (result.price is not None and result.price >= p.reserve)


@settings(max_examples=300)
@given(params(rules.SEALED), attempts())
def test_sealed_bids_once_each_highest_wins_ties_to_the_earlier(
    p: rules.Params, log: list[rules.Attempt]
) -> None:
    decisions, book = rules.replay(p, log)
    accepted = [attempt for attempt, d in zip(log, decisions, strict=True) if d.accepted]
    bidders = [attempt.bidder for attempt in accepted]
    assert len(bidders) == len(set(bidders))  # one bid per bidder
    assert book.ends_at == p.ends_at  # no extension for sealed bids
    if accepted:
        best = max(attempt.amount for attempt in accepted)
        first_best = next(attempt for attempt in accepted if attempt.amount == best)
        assert (book.price, book.leader) == (best, first_best.bidder)
    else:
        assert book.leader is None


@settings(max_examples=200)
@given(params(), attempts(), st.integers(min_value=0, max_value=40))
def test_replay_equals_the_incremental_run_from_any_point(
    p: rules.Params, log: list[rules.Attempt], cut: int
) -> None:
    """The service decides one attempt at a time from the stored book; replaying the log from the
    start (or resuming from a stored book half way) gives the same decisions and the same final book."""
    decisions, book = rules.replay(p, log)
    stored = rules.opening(p)
    for index, attempt in enumerate(log):
        if index == cut:  # the row as stored, rebuilt from its fields, as the service does
            stored = rules.Book(stored.ends_at, stored.price, stored.leader, stored.accepted, stored.bidders)
        decision = rules.decide(p, stored, attempt)
        assert decision == decisions[index]
        stored = decision.book
    assert stored == book


@settings(max_examples=200)
@given(params(), attempts(), st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=10))
def test_closing_happens_exactly_once(p: rules.Params, log: list[rules.Attempt], calls: list[int]) -> None:
    """However many closers call, at whatever times: only the first call at or after the end closes,
    every later call finds it closed, and all see the same outcome."""
    _decisions, book = rules.replay(p, log)
    closed: rules.Outcome | None = None
    closes = 0
    for offset in sorted(calls):
        now = T0 + datetime.timedelta(seconds=offset)
        if closed is None and rules.is_due(book, now):
            closed = rules.outcome(p, book)
            closes += 1
        elif closed is not None:
            assert rules.outcome(p, book) == closed
    due = any(rules.is_due(book, T0 + datetime.timedelta(seconds=offset)) for offset in calls)
    assert closes == (1 if due else 0)
    # No accepted bid is ever at or after the final end: what the closer sees is final.
    decisions, _ = rules.replay(p, log)
    assert all(a.at < book.ends_at for a, d in zip(log, decisions, strict=True) if d.accepted)


@given(st.text(max_size=20), st.text(max_size=20))
def test_the_chain_hash_depends_on_the_previous_hash_and_the_content(a: str, b: str) -> None:
    first = rules.chain_hash(rules.GENESIS, {"x": a})
    assert rules.chain_hash(rules.GENESIS, {"x": a}) == first
    if a != b:
        assert rules.chain_hash(rules.GENESIS, {"x": b}) != first
        assert rules.chain_hash(first, {"x": a}) != rules.chain_hash(
            rules.chain_hash(rules.GENESIS, {"x": b}), {"x": a}
        )

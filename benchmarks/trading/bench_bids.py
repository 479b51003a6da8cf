# ruff: noqa: S101, S608 (a pytest module: its checks are asserts; the report line names the SQL it measured)
"""``make bench-trading``: bids on one hot auction through ``services.place_bid`` on PostgreSQL, against
the same machine's plain single-row ``UPDATE … SET price = price + 1`` rate measured in the same run.

Run by pytest (for its throw-away PostgreSQL database and the project's factories), never collected by
``make test`` (the file name does not start with ``test_``). Set ``TEST_DATABASE_URL`` (the Makefile gives
a database of its own); ``BENCH_SECONDS`` (default 10) sets each phase's length, ``BENCH_BIDDERS``
(default 50) the concurrency.

1. **Baseline**: 50 threads, each with its own psycopg connection in autocommit, run
   ``UPDATE bench_counter SET price = price + 1 WHERE id = 1`` on one row for the phase's length.
2. **Service**: 50 qualified bidders, each in its own thread with its own Django connection, bid on one
   English auction for the phase's length. How a bidder chooses its amount (``BENCH_BIDDING``):

   - ``believed`` (default): it offers what it believes is the next valid price — the current price it
     last saw plus the increment. It sees the price in every answer (the log entry's ``price_after``,
     the price when its bid was decided, accepted or not), as a page or API client would; its first bid
     reads the auction. Bidders who saw the same price offer the same amount: the first decided wins,
     the others are rejected (below the increment) and logged, as on a real floor.
   - ``ticker``: each bid offers the next step of a shared ticker (start price + increment × n, the
     ticker taken just before the call). The bidders thus coordinate through memory no real bidder
     shares, and every bid is valid if bids reach the lock in ticket order: an upper bound for the
     accepted rate, kept to compare with earlier runs.

   Every call is timed (p50/p99), accepted or not; the log is verified at the end.

The floor (issue 10): accepted bids per second ≥ 50 % of the baseline's updates per second.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.trading import ledger, services
from techmarket.trading.choices import BidOutcome, ListingState, Pricing
from techmarket.trading.models import Auction, BidLogEntry
from techmarket.trading.tests.factories import (
    admin_user,
    auction_for,
    listing_in_state,
    published_achievement,
    qualified_bidder,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
SWITCH_INTERVAL = float(os.environ.get("BENCH_SWITCH_INTERVAL", "0") or 0)
BIDDERS = int(os.environ.get("BENCH_BIDDERS", "50"))
BIDDING = os.environ.get("BENCH_BIDDING", "believed")
FLOOR = 0.5
RESULTS = Path(os.environ.get("BENCH_RESULTS", "var/bench-trading.txt"))


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        host=db.get("HOST") or "",
        port=str(db.get("PORT") or ""),
        user=db.get("USER") or "",
        password=db.get("PASSWORD") or "",
        dbname=connection.settings_dict["NAME"],
    )


def _run_threads(count: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(count + 1)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = work(index, barrier)
        except BaseException as error:
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()  # everyone connected and ready: the clock starts now
    for thread in threads:
        thread.join(timeout=SECONDS * 10 + 120)
    assert not errors, errors[:3]
    return results


WORKERS = os.environ.get("BENCH_WORKERS", "threads")


def _run_processes(count: int, work: Any) -> list[Any]:
    """Like :func:`_run_threads`, each worker a forked process with its own connection (no shared GIL)."""
    import multiprocessing

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count + 1)
    queue = context.Queue()

    def run(index: int) -> None:
        try:
            queue.put((index, work(index, barrier), None))
        except BaseException as error:
            queue.put((index, None, repr(error)))
        finally:
            connections.close_all()

    processes = [context.Process(target=run, args=(i,)) for i in range(count)]
    for process in processes:
        process.start()
    barrier.wait()
    results: list[Any] = [None] * count
    errors = []
    for _ in range(count):
        index, result, error = queue.get(timeout=SECONDS * 10 + 120)
        results[index] = result
        if error:
            errors.append(error)
    for process in processes:
        process.join(timeout=60)
    assert not errors, errors[:3]
    return results


def _run(count: int, work: Any) -> list[Any]:
    return _run_processes(count, work) if WORKERS == "processes" else _run_threads(count, work)


def plain_update_rate() -> float:
    """Updates per second of one row by ``BIDDERS`` autocommit connections for ``SECONDS``."""
    dsn = _dsn()
    with psycopg.connect(dsn, autocommit=True) as setup:
        setup.execute("DROP TABLE IF EXISTS bench_counter")
        setup.execute("CREATE TABLE bench_counter (id integer PRIMARY KEY, price bigint NOT NULL)")
        setup.execute("INSERT INTO bench_counter VALUES (1, 0)")

    def work(_index: int, barrier: threading.Barrier) -> int:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT 1")
            barrier.wait()
            done, deadline = 0, time.perf_counter() + SECONDS
            while time.perf_counter() < deadline:
                conn.execute("UPDATE bench_counter SET price = price + 1 WHERE id = 1")
                done += 1
            return done

    started = time.perf_counter()
    counts = _run(BIDDERS, work)
    elapsed = time.perf_counter() - started
    with psycopg.connect(dsn, autocommit=True) as check:
        row = check.execute("SELECT price FROM bench_counter WHERE id = 1").fetchone()
        assert row is not None
        assert row[0] == sum(counts)
        check.execute("DROP TABLE bench_counter")
    return sum(counts) / elapsed


def world() -> tuple[Auction, list[Any]]:
    from techmarket.core.tests.factories import region_tree

    regions = region_tree()
    reviewers = {
        "county": user_with_role(Role.REVIEWER, region=regions["county"], username="county_reviewer"),
        "city": user_with_role(Role.REVIEWER, region=regions["city"], username="city_reviewer"),
        "province": user_with_role(Role.REVIEWER, region=regions["province"], username="province_reviewer"),
    }
    university = OrganisationFactory(region=regions["county"], kind=OrganisationKind.UNIVERSITY)
    seller = user_with_role(Role.APPLICANT, organisation=university)
    achievement = published_achievement(applicant=seller, region=regions["county"], reviewers=reviewers)
    admin = admin_user()
    listing = listing_in_state(
        ListingState.OPEN, seller=seller, achievement=achievement, admin=admin, pricing=Pricing.AUCTION
    )
    start = timezone.now() - datetime.timedelta(minutes=1)
    auction = auction_for(
        listing, admin=admin, start=start, minutes=24 * 60, increment=Decimal("1.00"), extension_minutes=0
    )
    return auction, [qualified_bidder(auction, admin=admin) for _ in range(BIDDERS)]


def service_bid_rate(auction: Auction, registrations: list[Any]) -> dict[str, Any]:
    import multiprocessing

    ticker = multiprocessing.get_context("fork").Value("q", 0)  # shared by threads and forked processes
    start = auction.start_price
    step = auction.increment

    def work(index: int, barrier: threading.Barrier) -> dict[str, Any]:
        user = registrations[index].user
        # Connect before the clock starts; the price as the bidder last saw it (``believed``).
        seen = Auction.objects.get(pk=auction.pk).current_price
        barrier.wait()
        latencies: list[float] = []
        accepted = rejected = 0
        deadline = time.perf_counter() + SECONDS
        n = 0
        while time.perf_counter() < deadline:
            if BIDDING == "ticker":
                with ticker.get_lock():
                    ticker.value += 1
                    amount = start + step * ticker.value
            else:
                amount = start if seen is None else seen + step
            n += 1
            began = time.perf_counter()
            try:
                entry = services.place_bid(
                    actor=user, auction=auction, amount=amount, idempotency_key=f"{index}-{n}"
                )
                accepted += 1
            except services.BidRejected as refused:
                entry = refused.entry
                rejected += 1
            seen = entry.price_after
            latencies.append(time.perf_counter() - began)
        return {"latencies": latencies, "accepted": accepted, "rejected": rejected}

    batches: list[int] = []  # sizes of the group-commit batches (threads only: a fork keeps its own)
    real_batch = services._bid_batch

    def counting(requests: list[Any]) -> Any:
        batches.append(len(requests))
        return real_batch(requests)

    services._bid_batch = counting  # type: ignore[assignment]
    close_old_connections()
    started = time.perf_counter()
    try:
        results = _run(len(registrations), work)
    finally:
        services._bid_batch = real_batch  # type: ignore[assignment]
    elapsed = time.perf_counter() - started
    latencies = sorted(x for result in results for x in result["latencies"])
    accepted = sum(result["accepted"] for result in results)
    attempts = len(latencies)
    return {
        "elapsed": elapsed,
        "attempts": attempts,
        "accepted": accepted,
        "accepted_rate": accepted / elapsed,
        "attempt_rate": attempts / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(attempts - 1, int(attempts * 0.99))] * 1000,
        "batches": len(batches),
        "batch_mean": statistics.mean(batches) if batches else 0.0,
    }


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {version} (synchronous_commit={sync}), on the same host"
    )


def test_bench_hot_auction() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trading benchmark runs on PostgreSQL (TEST_DATABASE_URL)")
    auction, registrations = world()
    if SWITCH_INTERVAL:
        sys.setswitchinterval(SWITCH_INTERVAL)
    baseline = plain_update_rate()
    service = service_bid_rate(auction, registrations)
    auction.refresh_from_db()
    verification = ledger.verify(auction)
    assert verification.ok, verification.problems
    logged = BidLogEntry.objects.filter(auction=auction).count()
    assert logged == service["attempts"]  # every call logged once
    assert (
        BidLogEntry.objects.filter(auction=auction, outcome=BidOutcome.ACCEPTED).count()
        == service["accepted"]
    )
    ratio = service["accepted_rate"] / baseline
    verdict = "PASS" if ratio >= FLOOR else "FAIL"
    lines = [
        f"machine: {machine()}",
        f"bidders/connections: {BIDDERS}, phase length: {SECONDS:.0f} s, bidding: {BIDDING}",
        f"baseline  plain UPDATE … SET price = price + 1 (one row, autocommit): {baseline:,.0f} updates/s",
        f"service   place_bid: {service['accepted_rate']:,.0f} accepted bids/s "
        f"({service['attempt_rate']:,.0f} bids/s logged, {service['accepted']:,} of {service['attempts']:,} accepted)",
        f"latency   place_bid p50 {service['p50_ms']:.1f} ms, p99 {service['p99_ms']:.1f} ms",
        f"batches   {service['batches']:,} group commits, {service['batch_mean']:.1f} bids each on average"
        + (" (counted in this process only)" if WORKERS == "processes" else ""),
        f"floor     accepted bids/s ≥ 50 % of the baseline: {ratio:.0%} → {verdict}",
        f"verify    hash chain and replay of {logged:,} log entries: {'OK' if verification.ok else 'MISMATCH'}",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + "\n")

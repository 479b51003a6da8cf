"""The bid combiner (:mod:`techmarket.trading.bid_batches`) alone, without a database: requests queued
while a batch runs go into the next batch in order, every caller gets its own answer, a leader that
raises answers its whole batch with the error and passes the leadership on (no follower hangs), a
follower that times out leaves the queue or learns that its batch is undecided, and leaders hand over."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from techmarket.trading import bid_batches
from techmarket.trading.bid_batches import Answer


def _threads(count: int, work: Any) -> tuple[list[Any], list[BaseException | None]]:
    results: list[Any] = [None] * count
    errors: list[BaseException | None] = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as error:
            errors[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)  # enqueue in index order
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()  # nobody hangs
    return results, errors


class GatedExecutor:
    """Holds its first batch until ``release``; records every batch; answers ``payload * 10``."""

    def __init__(self, fail_first: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.fail_first = fail_first

    def __call__(self, payloads: list[int]) -> list[Answer]:
        self.batches.append(list(payloads))
        if len(self.batches) == 1:
            self.started.set()
            assert self.release.wait(5)
            if self.fail_first:
                raise RuntimeError("the leader's transaction failed")
        return [Answer(value=p * 10) if p >= 0 else Answer(error=ValueError(p)) for p in payloads]


def test_requests_queued_during_a_batch_are_decided_together_in_order() -> None:
    execute = GatedExecutor()

    def work(index: int) -> Any:
        if index == 0:
            return bid_batches.submit("a", 0, execute)
        execute.started.wait(5)
        if index == 5:  # the last one to arrive releases the first batch
            threading.Timer(0.1, execute.release.set).start()
        return bid_batches.submit("a", index if index != 3 else -3, execute)

    results, errors = _threads(6, work)
    assert execute.batches == [[0], [1, 2, -3, 4, 5]]
    assert results == [0, 10, 20, None, 40, 50]
    assert isinstance(errors[3], ValueError)  # its own error, to its own caller only
    assert [e for i, e in enumerate(errors) if i != 3] == [None] * 5
    assert not bid_batches._groups  # leadership given up, nothing left queued


def test_a_leader_that_raises_answers_its_batch_and_hands_over() -> None:
    execute = GatedExecutor(fail_first=True)

    def work(index: int) -> Any:
        if index == 0:
            return bid_batches.submit("b", 0, execute)
        execute.started.wait(5)
        if index == 3:
            threading.Timer(0.1, execute.release.set).start()
        return bid_batches.submit("b", index, execute)

    results, errors = _threads(4, work)
    assert isinstance(errors[0], RuntimeError)  # the leader's batch got the leader's error
    assert results[1:] == [10, 20, 30]  # the next batch ran under a new leader: nobody hung
    assert execute.batches == [[0], [1, 2, 3]]
    assert bid_batches.submit("b", 7, execute) == 70  # and the group leads again afterwards


def test_a_follower_that_times_out_leaves_the_queue_or_is_told_undecided() -> None:
    execute = GatedExecutor()
    leader = threading.Thread(target=bid_batches.submit, args=("c", 0, execute))
    leader.start()
    assert execute.started.wait(5)
    with pytest.raises(bid_batches.FallBack):  # still queued: nothing was written for it
        bid_batches.submit("c", 1, execute, timeout=0.05)
    execute.release.set()
    leader.join(5)
    assert execute.batches == [[0]]  # the timed-out request never reached a batch

    slow = threading.Event()

    def stuck(payloads: list[int]) -> list[Answer]:
        slow.wait(5)
        return [Answer(value=p) for p in payloads]

    follower_error: list[BaseException] = []

    def follower() -> None:
        try:
            bid_batches.submit("d", 2, stuck, timeout=0.05)
        except BaseException as error:
            follower_error.append(error)

    first = threading.Thread(target=bid_batches.submit, args=("d", 1, stuck))
    first.start()
    time.sleep(0.05)
    second = threading.Thread(target=follower)
    second.start()
    time.sleep(0.02)
    # the leader's own batch ([1]) is stuck; the follower is queued → FallBack after its timeout
    second.join(5)
    assert isinstance(follower_error[0], bid_batches.FallBack)
    slow.set()
    first.join(5)


def test_a_follower_in_a_running_batch_is_undecided_after_its_timeout(monkeypatch: Any) -> None:
    monkeypatch.setattr(bid_batches, "LEAD_ROUNDS", 0)
    gate = threading.Event()
    batches: list[list[int]] = []

    def execute(payloads: list[int]) -> list[Answer]:
        batches.append(list(payloads))
        if len(batches) == 2:
            gate.wait(5)  # the second batch (the follower's) hangs
        return [Answer(value=p) for p in payloads]

    first_gate = threading.Event()

    def first_execute(payloads: list[int]) -> list[Answer]:
        if not batches:
            batches.append(list(payloads))
            first_gate.wait(5)
            return [Answer(value=p) for p in payloads]
        return execute(payloads)

    leader = threading.Thread(target=bid_batches.submit, args=("e", 0, first_execute))
    leader.start()
    time.sleep(0.05)
    other = threading.Thread(target=bid_batches.submit, args=("e", 1, first_execute))
    other.start()  # queued behind the first batch; becomes the next batch's leader
    time.sleep(0.05)
    outcome: list[BaseException] = []

    def follower() -> None:
        try:
            bid_batches.submit("e", 2, first_execute, timeout=0.3)
        except BaseException as error:
            outcome.append(error)

    third = threading.Thread(target=follower)
    third.start()
    time.sleep(0.05)
    first_gate.set()  # batch [0] answers; the leader hands over to 1, which takes [1, 2] and hangs
    third.join(5)
    assert batches[:2] == [[0], [1, 2]]
    assert isinstance(outcome[0], bid_batches.Undecided)
    gate.set()
    leader.join(5)
    other.join(5)


def test_a_leader_hands_over_after_its_rounds(monkeypatch: Any) -> None:
    monkeypatch.setattr(bid_batches, "LEAD_ROUNDS", 0)
    leaders: list[str] = []
    gate = threading.Event()

    def execute(payloads: list[int]) -> list[Answer]:
        leaders.append(threading.current_thread().name)
        if len(leaders) == 1:
            gate.wait(5)
        return [Answer(value=p) for p in payloads]

    def work(index: int) -> Any:
        if index == 1:
            threading.Timer(0.1, gate.set).start()
        return bid_batches.submit("f", index, execute)

    results, errors = _threads(3, work)
    assert results == [0, 1, 2]
    assert errors == [None, None, None]
    assert len(leaders) == 2
    assert leaders[0] != leaders[1]  # the first leader answered itself and handed over

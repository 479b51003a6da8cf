"""Race tests' harness: run the same work in several threads released together, each with its own
database connection (PostgreSQL; SQLite serialises writers and cannot race)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def released_together(count: int, work: Callable[[int], Any], *, timeout: float = 120) -> list[Any]:
    """``work(i)`` for i in 0..count-1, started at one barrier; each result, or the exception it raised, in
    its thread's place (the test checks the outcomes). Connections are closed as each thread ends."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # the outcome is checked by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results

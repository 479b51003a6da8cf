"""Query-count baselines, checked in as JSON beside the tests that record them.

A test measures a callable (a page, an API call, a service) with :class:`QueryBaseline`; the count is
compared with the committed baseline and a higher count fails (a lower one passes and says so, so the
baseline can be tightened). ``UPDATE_QUERY_COUNTS=1 .venv/bin/pytest ...`` rewrites the baselines that
the run measured instead (see docs/development/testing.md). List endpoints are measured with N and 2N
rows and must not grow with the rows: an N+1 fails whatever the baseline says.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def updating() -> bool:
    return os.environ.get("UPDATE_QUERY_COUNTS", "") not in {"", "0"}


def count_queries(function: Callable[[], Any]) -> tuple[int, Any, list[str]]:
    """Run ``function``; return how many queries it ran, its result and the SQL (for messages)."""
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured), result, [query["sql"] for query in captured.captured_queries]


class QueryBaseline:
    """The baselines of one JSON file: ``{"<key>": count}``, keys sorted so diffs stay readable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, int]:
        if not self.path.exists():
            return {}
        loaded: dict[str, int] = json.loads(self.path.read_text(encoding="utf-8"))
        return loaded

    def _store(self, key: str, count: int) -> None:
        # Each xdist worker rewrites only its own keys, re-reading the file under an exclusive lock.
        lock_path = Path(tempfile.gettempdir()) / f"techmarket-query-counts-{abs(hash(str(self.path)))}.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            baselines = self.load()
            baselines[key] = count
            text = json.dumps(dict(sorted(baselines.items())), indent=2, ensure_ascii=False) + "\n"
            self.path.write_text(text, encoding="utf-8")

    def check(self, key: str, count: int, sql: list[str] | None = None) -> None:
        """Fail when ``count`` exceeds the baseline of ``key`` (or when there is none yet).

        Baselines are recorded on SQLite; another database uses ``"<key> @<vendor>"`` where one was
        recorded because its count differs, the SQLite one otherwise."""
        vendor_key = f"{key} @{connection.vendor}"
        if updating():
            if connection.vendor == "sqlite" or self.load().get(key) not in (None, count):
                self._store(key if connection.vendor == "sqlite" else vendor_key, count)
            elif self.load().get(key) is None:
                self._store(key, count)
            return
        baselines = self.load()
        expected = baselines.get(vendor_key, baselines.get(key))
        hint = "run with UPDATE_QUERY_COUNTS=1 to record it (docs/development/testing.md)"
        assert expected is not None, f"no query-count baseline for {key!r}: {hint}"
        detail = "\n".join(sql or [])
        assert count <= expected, f"{key}: {count} queries, baseline {expected}; {hint} if intended\n{detail}"


def assert_flat(key: str, small: int, large: int, sql: list[str] | None = None) -> None:
    """The count with 2N rows must equal the count with N rows: anything else is one query per row."""
    detail = "\n".join(sql or [])
    assert large == small, f"{key}: {small} queries for N rows but {large} for 2N (N+1)\n{detail}"

"""Catalogue search latency through the catalogue page's own code path, and the bare engine beside it.

Each query is what the page and the API run: ``achievement_for_list(achievement_filter(
achievement_catalogue(principal), Filters(...)))`` through Django's Paginator, which counts the matches
and materialises page 1 (20 rows). The baseline runs the same words straight against the full-text
engine (no Django, no visibility, no filters, no count) over the same data in the same run.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bulkdata import SEED, corpus_records

PAGE_SIZE = 20
QUERY_COUNT = 300
PASSES = 5
SORTS = ("newest", "trl", "price_low", "price_high", "oldest")


def query_set(record_count: int, *, regions: list[str], disciplines: list[str]) -> list[dict[str, Any]]:
    """A fixed mix of queries: keywords, title words and title fragments, some with filters or sorts."""
    from techmarket.search import segment

    rng = random.Random(SEED + 1)  # noqa: S311 (seeded: reproducible data, not a secret)
    records = corpus_records(record_count)
    with_keywords = [record for record in records if record.keywords]
    queries: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(queries) < QUERY_COUNT:
        slot = len(queries) % 10
        record = rng.choice(records)
        words = [token for token in segment.tokens(record.title) if len(token) >= 2]
        if slot in (0, 1, 2) and with_keywords:
            q, kind = rng.choice(rng.choice(with_keywords).keywords), "keyword"
        elif slot in (3, 4) and len(words) >= 2:
            start = rng.randrange(len(words) - 1)
            q, kind = " ".join(words[start : start + rng.randint(2, 3)]), "title words"
        elif slot == 5 and len(record.title) >= 6:
            start = rng.randrange(len(record.title) - 4)
            q, kind = record.title[start : start + rng.randint(4, 8)], "title fragment"
        elif words:
            q, kind = rng.choice(words), "title word"
        else:
            continue
        filters: dict[str, Any] = {"q": q}
        if slot == 6:
            kind += " + region"
            filters["region"] = rng.choice(regions)
        elif slot == 7:
            kind += " + TRL range"
            filters["trl_min"] = rng.randint(3, 7)
            filters["trl_max"] = 9
        elif slot == 8:
            kind += " + discipline"
            filters["discipline"] = rng.choice(disciplines)
        elif slot == 9:
            filters["sort"] = rng.choice(SORTS)
            kind += f" + sort {filters['sort']}"
        key = repr(sorted(filters.items()))
        if key not in seen:
            seen.add(key)
            queries.append({"kind": kind, "filters": filters})
    return queries


def new_request() -> None:
    """What Django does between requests: connections older than CONN_MAX_AGE are closed, so SQLite
    (CONN_MAX_AGE 0) opens a fresh connection per page, inside the timing, as a real request would."""
    from django.db import close_old_connections

    close_old_connections()


def catalogue_page(principal: Any, filters: dict[str, Any]) -> int:
    """The catalogue page's query: count plus the first page of rows, as the paginator runs them."""
    from django.core.paginator import Paginator

    from techmarket.achievements import selectors

    queryset = selectors.achievement_for_list(
        selectors.achievement_filter(selectors.achievement_catalogue(principal), selectors.Filters(**filters))
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(1)
    list(page.object_list)
    return page.paginator.count


def bare_engine() -> Callable[[str], int]:
    """The engine alone: match and rank the words, top 20 ids, on the raw DB-API connection."""
    from django.db import connection

    from techmarket.search.backends import query_tokens

    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        sql = (
            "SELECT rowid FROM achievements_achievement_fts WHERE achievements_achievement_fts MATCH ? "
            "ORDER BY rank LIMIT 20"
        )

        def run(q: str) -> int:
            words = query_tokens(q)
            cursor = raw.cursor()
            rows = cursor.execute(sql, [" ".join(f'"{word}"' for word in words)]).fetchall()
            cursor.close()
            return len(rows)

        return run
    sql = (
        "SELECT id FROM achievements_achievement WHERE search_vector @@ to_tsquery('simple', %s) "
        "ORDER BY ts_rank(search_vector, to_tsquery('simple', %s)) DESC LIMIT 20"
    )

    def run_postgres(q: str) -> int:
        expression = " & ".join(query_tokens(q))
        with raw.cursor() as cursor:
            cursor.execute(sql, [expression, expression])
            return len(cursor.fetchall())

    return run_postgres


def summary(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "max": round(max(samples), 2),
        "mean": round(statistics.fmean(samples), 2),
    }


def median_of_passes(
    run_one: Callable[[dict[str, Any]], int], queries: list[dict[str, Any]]
) -> tuple[list[float], list[int]]:
    """One warm-up pass, then PASSES timed passes over the whole set; each query's median time.

    Whole passes rather than back-to-back repeats, so a query never runs on caches it warmed itself a
    moment before; the median damps interference from other processes on a shared machine.
    """
    hits = [run_one(query) for query in queries]
    runs: list[list[float]] = [[] for _ in queries]
    for _ in range(PASSES):
        for index, query in enumerate(queries):
            started = time.perf_counter()
            run_one(query)
            runs[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(times) for times in runs], hits


def describe(filters: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in filters.items())


def run(record_count: int, reviewed_city: str) -> dict[str, Any]:
    """Warm every query once, then time it; per principal, plus the bare-engine baseline."""
    from django.db import connection

    from techmarket.accounts.models import User
    from techmarket.accounts.policies import ANONYMOUS, principal_of
    from techmarket.core.choices import ClassificationScheme, RegionLevel
    from techmarket.core.models import Classification, Region

    regions = list(
        Region.objects.filter(code=reviewed_city).values_list("code", flat=True)
        or Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True)[:1]
    )
    regions += list(
        Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
        .exclude(code=reviewed_city)
        .order_by("code")
        .values_list("code", flat=True)[:30]
    )
    disciplines = list(
        Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE, parent__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    queries = query_set(record_count, regions=regions, disciplines=disciplines)
    principals = {
        "anonymous": ANONYMOUS,
        "reviewer": principal_of(User.objects.get(username="bench_reviewer")),
    }
    results: dict[str, Any] = {"queries": len(queries), "passes": PASSES, "principals": {}}
    for name, principal in principals.items():

        def page(query: dict[str, Any], principal: Any = principal) -> int:
            new_request()
            return catalogue_page(principal, query["filters"])

        elapsed, hits = median_of_passes(page, queries)
        by_kind: dict[str, list[float]] = {}
        for query, ms in zip(queries, elapsed, strict=True):
            kind = query["kind"].split(" + ")[-1] if " + " in query["kind"] else "q only"
            by_kind.setdefault(kind, []).append(ms)
        slowest = sorted(zip(elapsed, queries, hits, strict=True), key=lambda item: -item[0])[:5]
        results["principals"][name] = {
            **summary(elapsed),
            "median_hits": statistics.median(hits),
            "max_hits": max(hits),
            "zero_hit_queries": sum(1 for count in hits if count == 0),
            "slowest": [
                {"ms": round(ms, 1), "query": describe(query["filters"]), "hits": count}
                for ms, query, count in slowest
            ],
            "by_kind": {kind: summary(values) for kind, values in sorted(by_kind.items()) if len(values) > 1},
            "each": [
                {"ms": round(ms, 1), "query": describe(query["filters"]), "hits": count}
                for ms, query, count in zip(elapsed, queries, hits, strict=True)
            ],
        }
    new_request()
    engine = bare_engine()
    results["baseline"] = summary(median_of_passes(lambda query: engine(query["filters"]["q"]), queries)[0])
    results["vendor"] = connection.vendor
    return results

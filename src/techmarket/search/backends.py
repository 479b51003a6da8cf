"""Full-text search over pre-segmented columns, inside the database that holds the records.

The port is :func:`rank`: it narrows a queryset (already filtered for visibility and facets) to the
records matching a query and orders them by relevance. Keeping the index in the same database means a
change is searchable the moment its transaction commits, in every worker process, and visibility
filters apply in the same SQL statement as the match, so a hidden record can never surface as a hit.

- SQLite: an FTS5 table over ``search_title``/``search_body`` kept in sync by triggers; BM25 ranking.
- PostgreSQL: a ``tsvector`` column (title weight A, body weight B) kept by a trigger, stored in the
  row and GIN-indexed (once for all rows, once for the rows the catalogue searches); ``ts_rank`` ranking.

What keeps a search at 100,000 records under 100 ms (measured by benchmarks/run.py, explained in
docs/benchmarks.md): the index always drives the query (SQLite), each match is ranked without a second
page read (PostgreSQL), and a query made only of words found in half the registry or more — words BM25
gives no weight — lists its matches newest first instead of scoring every one of them.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, TypeVar

from django.apps.registry import Apps
from django.db import connection, migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from techmarket.search import segment

M = TypeVar("M", bound=models.Model)

TITLE_WEIGHT = 4.0
BODY_WEIGHT = 1.0
# A word found in at least half of all records carries no information: BM25 gives it an IDF of zero
# (FTS5 clamps it to 1e-6). When every query word is like that and the registry is big enough for
# ranking every match to cost real time, matches are listed newest first instead.
BROAD_SHARE = 0.5
BROAD_MIN_MATCHES = 10_000
# The partial fallback (no record matches every word), see partial_groups. Beyond eight terms or words
# the combinations grow too fast.
PARTIAL_MIN_WORDS = 3
PARTIAL_SHARE = 0.6
PARTIAL_MAX_WORDS = 8


def query_tokens(query: str) -> list[str]:
    """Distinct query words in order of appearance."""
    seen: dict[str, None] = {}
    for token in segment.tokens(segment.join_lone_characters(query)):
        seen.setdefault(token, None)
    return list(seen)[:32]


def _sqlite_is_broad(table: str, words: list[str]) -> bool:
    """Exact document frequencies from the FTS5 index (a count over a doclist, no row is read)."""
    fts = f"{table}_fts"
    total: int | None = None
    with connection.cursor() as cursor:
        for word in words:
            cursor.execute(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH %s", [f'"{word}"'])  # noqa: S608 (table names from code)
            matches = cursor.fetchone()[0]
            if matches < BROAD_MIN_MATCHES:
                return False
            if total is None:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (table names from code)
                total = cursor.fetchone()[0]
            if matches < total * BROAD_SHARE:
                return False
    return True


def _sqlite_rank(
    queryset: models.QuerySet[M], groups: list[list[str]], *, broad: bool, partial: bool = False
) -> models.QuerySet[M]:
    table = queryset.model._meta.db_table
    fts = f"{table}_fts"
    expression = " OR ".join("(" + " AND ".join(f'"{word}"' for word in group) + ")" for group in groups)
    # "+" keeps the FTS table the outer loop: without statistics SQLite would otherwise walk the
    # visibility index and run the whole MATCH again for every row it finds there.
    matching = queryset.extra(  # noqa: S610 (FTS; values bound)
        tables=[fts], where=[f"+{fts}.rowid = {table}.id", f"{fts} MATCH %s"], params=[expression]
    )
    if partial:
        matching = matching.extra(select={"search_partial": "1"})
    if broad:
        # FTS5 hands out its matches newest (highest rowid) first without sorting them, so the page
        # stops after the first twenty visible rows instead of scoring every match.
        return matching.extra(select={"search_rank": "0", "search_rowid": f"{fts}.rowid"}).order_by(  # noqa: S610 (FTS; values bound)
            "-search_rowid"
        )
    return matching.extra(select={"search_rank": f"-bm25({fts}, {TITLE_WEIGHT}, {BODY_WEIGHT})"}).order_by(  # noqa: S610 (FTS; values bound)
        "-search_rank", "-id"
    )


def _postgres_is_broad(table: str, words: list[str]) -> bool:
    """Document frequencies from PostgreSQL's own statistics of the tsvector column (kept by ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT common.word, common.share, class.reltuples FROM pg_stats stats "
            "JOIN pg_class class ON class.oid = stats.tablename::regclass, "
            "unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs) AS common(word, share) "
            "WHERE stats.schemaname = current_schema() AND stats.tablename = %s "
            "AND stats.attname = 'search_vector' AND common.word = ANY(%s)",
            [table, words],
        )
        found = {word: (share, share * rows) for word, share, rows in cursor.fetchall()}
    return all(
        word in found and found[word][0] >= BROAD_SHARE and found[word][1] >= BROAD_MIN_MATCHES
        for word in words
    )


def _postgres_rank(
    queryset: models.QuerySet[M], groups: list[list[str]], *, broad: bool, partial: bool = False
) -> models.QuerySet[M]:
    table = queryset.model._meta.db_table
    expression = " | ".join("(" + " & ".join(group) + ")" for group in groups)
    if partial:
        queryset = queryset.extra(select={"search_partial": "1"})
    if broad:
        return queryset.extra(  # noqa: S610 (FTS; values bound)
            where=[f"{table}.search_vector @@ to_tsquery('simple', %s)"],
            params=[expression],
            select={"search_rank": "0"},
        ).order_by("-id")
    return queryset.extra(  # noqa: S610 (FTS; values bound)
        where=[f"{table}.search_vector @@ to_tsquery('simple', %s)"],
        params=[expression],
        select={"search_rank": f"ts_rank({table}.search_vector, to_tsquery('simple', %s))"},
        select_params=[expression],
    ).order_by("-search_rank", "-id")


def informative(words: list[str]) -> list[str]:
    """The query words a partial match may be judged on: no single characters, no words that say nothing."""
    return [word for word in words if len(word) >= 2 and word not in segment.VAGUE_WORDS]


def partial_groups(query: str) -> list[list[str]]:
    """Word sets of which a partial match must contain one, or none when no part of the query says enough.

    Terms the visitor typed apart ("石墨烯 火箭") are concepts of their own: a partial match holds every
    word of half of them (those with an informative word). One term is one concept: "量子计算" (量子 +
    计算) or "不存在的东西" has no meaningful part, so a record with only 计算 is no answer; only a
    long sentence of three informative words or more is judged by a quorum of 60 % of them.
    """
    terms = [query_tokens(term) for term in segment.join_lone_characters(query).split()]
    terms = [words for words in terms if informative(words)][:PARTIAL_MAX_WORDS]
    if len(terms) >= 2:
        quorum = math.ceil(len(terms) / 2)
        return [
            list(dict.fromkeys(word for words in group for word in words))
            for group in itertools.combinations(terms, quorum)
        ]
    useful = informative(terms[0])[:PARTIAL_MAX_WORDS] if terms else []
    if len(useful) < PARTIAL_MIN_WORDS:
        return []
    quorum = max(2, math.ceil(len(useful) * PARTIAL_SHARE))
    return [list(group) for group in itertools.combinations(useful, quorum)]


def rank(queryset: models.QuerySet[M], query: str, *, any_word: bool = False) -> models.QuerySet[M]:
    """Records matching every query word, best first; if none do, those sharing most of its informative words.

    The result is ordered (best first, then newest) and carries ``search_rank``; rows of the partial
    fallback also carry ``search_partial`` (pages say the match is partial, see :func:`is_partial`).
    ``any_word`` matches any word instead (duplicate detection: a record matching every word in its
    body must not hide a near-identical title that lacks one word).
    """
    words = query_tokens(query)
    if not words:
        # Still ranked (empty), so callers may order by search_rank whatever the query was.
        return queryset.extra(select={"search_rank": "0"}).none()
    postgres = connection.vendor == "postgresql"
    ranker = _postgres_rank if postgres else _sqlite_rank
    if any_word:
        # Any-word (OR) queries always rank: one informative word is enough to rank by.
        return ranker(queryset, [[word] for word in words], broad=False)
    is_broad = _postgres_is_broad if postgres else _sqlite_is_broad
    broad = is_broad(queryset.model._meta.db_table, words)
    matching_all = ranker(queryset, [words], broad=broad)
    if len(words) == 1:
        return matching_all
    groups = partial_groups(query)
    if not groups or matching_all.exists():
        return matching_all
    return ranker(queryset, groups, broad=False, partial=True)


def is_partial(rows: Any) -> bool:
    """Whether ranked rows (a page of :func:`rank`'s result) came from the partial fallback."""
    return any(getattr(row, "search_partial", None) for row in rows)


def create_index_sql(vendor: str, table: str, *, catalogue: str = "") -> list[str]:
    """DDL creating the full-text index of ``table`` (which has search_title and search_body columns).

    ``catalogue`` is the SQL condition of the rows the catalogue searches. On PostgreSQL they get a
    partial GIN index of their own: the condition then comes with the index instead of being ANDed
    in from a second, barely selective bitmap, which a visibility predicate built of ORs invites.
    """
    if vendor == "sqlite":
        fts = f"{table}_fts"
        columns = "search_title, search_body"
        return [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{table}', content_rowid='id')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608 (table names from code)
            f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, new.search_title, new.search_body); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608 (table names from code)
            f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, old.search_title, old.search_body);"
            " END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {columns} ON {table} BEGIN "  # noqa: S608 (table names from code)
            f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, old.search_title, old.search_body);"
            f" INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, new.search_title, new.search_body); END",
        ]
    if vendor == "postgresql":
        return [
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector",
            f"CREATE FUNCTION {table}_search_vector() RETURNS trigger AS $$ BEGIN "
            "NEW.search_vector := setweight(to_tsvector('simple', coalesce(NEW.search_title, '')), 'A') || "
            "setweight(to_tsvector('simple', coalesce(NEW.search_body, '')), 'B'); RETURN NEW; END $$ "
            "LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_search_vector_update BEFORE INSERT OR UPDATE OF search_title, search_body "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()",
            # Kept in the row (not moved to TOAST) so ranking a match reads no second page.
            f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE MAIN",
            f"CREATE INDEX {table}_search_vector_gin ON {table} USING gin (search_vector)",
        ] + (
            [
                f"CREATE INDEX {table}_search_vector_catalogue_gin ON {table} "
                f"USING gin (search_vector) WHERE {catalogue}"
            ]
            if catalogue
            else []
        )
    return []


def drop_index_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {table}_fts"] + [
            f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}" for suffix in ("ai", "ad", "au")
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_search_vector_update ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_search_vector()",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
        ]
    return []


def index_operations(table: str, *, catalogue: str = "") -> list[migrations.RunPython]:
    """Migration operations that create (and on reversal drop) the full-text index of ``table``."""

    def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in create_index_sql(schema_editor.connection.vendor, table, catalogue=catalogue):
            schema_editor.execute(statement)

    def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in drop_index_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)

    return [migrations.RunPython(forwards, backwards)]


def rebuild(table: str) -> None:
    """Rebuild the index of ``table`` from its columns (after bulk loads that bypassed triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")  # noqa: S608 (table names from code)
        elif connection.vendor == "postgresql":
            cursor.execute(f"UPDATE {table} SET search_title = search_title")  # noqa: S608 (table names from code)

# ruff: noqa: S311, S608, B023 (a benchmark: seeded pseudo-random data, fixed SQL, timed lambdas run at once)
"""``make bench-statistics``: the statistics dashboard's drill-down reads at N registered contracts.

    .venv/bin/python benchmarks/statistics/bench_drilldown.py [--database-url URL] [--contracts 1000000]
                                                              [--organisations 20000] [--repeat 200]

1. A fresh database (a SQLite file under var/bench/statistics/ with the production settings — WAL,
   mmap — or the PostgreSQL database named by ``--database-url``, dropped and created) is migrated.
2. Seeded data (``--seed``, default 20261203): 31 provinces × 10 cities × 6 counties, ``--organisations``
   organisations spread over the counties, and ``--contracts`` registered contracts between random
   organisations over 2024–2026 with random types, fields, IP types and entity types, bulk-inserted
   (``bulk_create``, 5,000 a statement); 20 % of them get one confirmed receipt.
3. The cells are made by one ``INSERT … SELECT … GROUP BY … ON CONFLICT`` per side, breakdown, period
   kind, level and measure (``--rebuild``: by the recovery path, ``services.rebuild()``) — the same cells
   the signals keep incrementally (``--check`` compares them with ``services.rebuild()``'s).
4. Each read the dashboard makes is timed ``--repeat`` times on random nodes, as the public sees it
   (suppression included): ``drilldown`` per level (nation, province, city, county — the county's
   children are its organisations), ``breakdown`` per level and dimension, the year and quarter
   series, an organisation's node, and the whole ``dashboard()`` (everything one page shows) per level.
   Baselines measured in the same run: a primary-key lookup of one cell, and ``COUNT(*)`` of the
   provinces' cells of a period (an index range of ~31 rows).

Prints a Markdown table (p50/p95 in ms) and writes it to var/bench/statistics/<vendor>.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
VAR = ROOT / "var" / "bench" / "statistics"
TYPES = {
    "development": "dev_commissioned",
    "transfer": "transfer_patent",
    "license": "license_patent",
    "consulting": "consulting",
    "service": "service",
}


def fresh_database(database_url: str | None) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        path = VAR / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    server, name = database_url.rsplit("/", 1)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return database_url


def setup_django(database_url: str) -> None:
    os.environ.pop("DEBUG", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="techmarket.settings",
        DATABASE_URL=database_url,
        TECHMARKET_VAR_DIR=str(VAR / "var"),
        TECHMARKET_TASK_BACKEND="immediate",
    )
    shutil.rmtree(VAR / "var", ignore_errors=True)
    import django

    django.setup()


def generate(contracts: int, organisations: int, seed: int) -> dict[str, Any]:
    from django.db import transaction

    from techmarket.accounts.models import Organisation, User
    from techmarket.contracts import codes
    from techmarket.contracts.models import Receipt, TechContract
    from techmarket.core.models import Region

    rng = random.Random(seed)
    regions: list[Region] = []
    counties: list[tuple[str, str, str]] = []
    for p in range(31):
        province = f"{11 + p:02d}0000"
        regions.append(Region(code=province, name=f"省{p + 1}", level="province"))
        for c in range(10):
            city = f"{11 + p:02d}{c + 1:02d}00"
            regions.append(Region(code=city, name=f"省{p + 1}市{c + 1}", level="city", parent_id=province))
            for k in range(6):
                county = f"{11 + p:02d}{c + 1:02d}{k + 1:02d}"
                regions.append(
                    Region(code=county, name=f"省{p + 1}市{c + 1}县{k + 1}", level="county", parent_id=city)
                )
                counties.append((province, city, county))
    Region.objects.bulk_create(regions, batch_size=2000, ignore_conflicts=True)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"单位{index:05d}",
                credit_code=f"BENCH{index:013d}",
                kind=rng.choice(["university", "institute", "enterprise"]),
                region_id=rng.choice(counties)[2],
                status="verified",
            )
            for index in range(organisations)
        ],
        batch_size=2000,
    )
    by_county = {chain[2]: chain for chain in counties}
    chain_of = {org.pk: by_county[org.region_id] for org in orgs}
    filer = User.objects.create(username="bench_filer")
    fields = list(codes.codes("technology_fields"))
    ips = list(codes.codes("ip_types"))
    entities = list(codes.codes("entity_types"))
    started = time.perf_counter()
    insert_contracts(rng, contracts, orgs, chain_of, filer.pk, fields, ips, entities)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    ids = list(TechContract.objects.values_list("pk", flat=True))
    receipts = [
        Receipt(
            contract_id=pk,
            state="confirmed",
            received_on=datetime.date(2026, rng.randint(1, 12), 10),
            amount=Decimal(rng.randint(1_000, 10_000)),
            payer="bench",
            bank_reference=f"R{pk}",
            recorded_by_id=filer.pk,
        )
        for pk in rng.sample(ids, len(ids) // 5)
    ]
    with transaction.atomic():
        Receipt.objects.bulk_create(receipts, batch_size=5000)
    receipts_time = time.perf_counter() - started
    return {
        "counties": counties,
        "organisations": [(org.pk, chain_of[org.pk][2]) for org in orgs],
        "insert_seconds": inserted,
        "receipt_seconds": receipts_time,
        "receipts": len(receipts),
    }


def insert_contracts(
    rng: random.Random,
    count: int,
    orgs: list[Any],
    chain_of: dict[int, tuple[str, str, str]],
    filer_id: int,
    fields: list[str],
    ips: list[str],
    entities: list[str],
) -> None:
    """Registered contracts by raw batched inserts (SQLite) or COPY (PostgreSQL): the constant columns are
    prepared once from a template contract, the varying ones written per row."""
    from django.db import connection, transaction
    from django.utils import timezone

    from techmarket.contracts.models import TechContract

    now = timezone.now()
    template = TechContract(
        state="registered",
        title="bench",
        seller_name="",
        seller_entity_type="",
        seller_region_id="110101",
        buyer_name="",
        buyer_entity_type="",
        filed_by_id=filer_id,
        signed_on=datetime.date(2024, 1, 1),
        total_amount=Decimal(0),
        technology_field="",
        ip_type="",
        plan_source="5",
        created_at=now,
        updated_at=now,
    )
    columns = [field for field in TechContract._meta.concrete_fields if not field.primary_key]
    base = [field.get_db_prep_save(getattr(template, field.attname), connection) for field in columns]
    index = {field.attname: position for position, field in enumerate(columns)}
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    sqlite = connection.vendor == "sqlite"
    organisations = [(org.pk, org.name) for org in orgs]
    kinds = list(TYPES)

    def rows() -> Any:
        for serial in range(1, count + 1):
            (seller_id, seller_name), (buyer_id, buyer_name) = rng.sample(organisations, 2)
            s_chain, b_chain = chain_of[seller_id], chain_of[buyer_id]
            kind = rng.choice(kinds)
            total = Decimal(rng.randint(10_000, 5_000_000))
            year = rng.choice((2024, 2025, 2026))
            moment = datetime.datetime(year, rng.randint(1, 12), rng.randint(1, 28), 3, tzinfo=datetime.UTC)
            row = list(base)
            for name, value in (
                ("contract_type", kind),
                ("subtype", TYPES[kind]),
                ("seller_organisation_id", seller_id),
                ("seller_name", seller_name),
                ("seller_entity_type", rng.choice(entities)),
                ("seller_region_id", s_chain[2]),
                ("seller_province_code", s_chain[0]),
                ("seller_city_code", s_chain[1]),
                ("seller_county_code", s_chain[2]),
                ("buyer_organisation_id", buyer_id),
                ("buyer_name", buyer_name),
                ("buyer_entity_type", rng.choice(entities)),
                ("buyer_region_code", b_chain[2]),
                ("buyer_province_code", b_chain[0]),
                ("buyer_city_code", b_chain[1]),
                ("buyer_county_code", b_chain[2]),
                ("signed_on", datetime.date(year, 1, 1) if not sqlite else f"{year}-01-01"),
                ("total_amount", total if not sqlite else str(total)),
                ("certified_amount", total if not sqlite else str(total)),
                ("technology_field", rng.choice(fields)),
                ("ip_type", rng.choice(ips)),
                ("registration_number", f"{serial:016d}"),
                ("verification_code", f"B{serial:015d}"),
                ("registered_at", moment if not sqlite else moment.strftime("%Y-%m-%d %H:%M:%S")),
            ):
                row[index[name]] = value
            yield row

    with transaction.atomic():
        if sqlite:
            sql = f"INSERT INTO contracts_techcontract ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[list[Any]] = []
            with connection.cursor() as cursor:
                for row in rows():
                    batch.append(row)
                    if len(batch) >= 20_000:
                        cursor.executemany(sql, batch)
                        batch.clear()
                if batch:
                    cursor.executemany(sql, batch)
        else:
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY contracts_techcontract ({names}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(
                            [value.adapted if hasattr(value, "adapted") else value for value in row]
                        )


def bulk_cells() -> int:
    """The cells straight from the database (the benchmark's bulk path): ``INSERT … SELECT … GROUP BY``
    per side, breakdown, period kind and level, added like the service's upserts. The generated contracts
    are registered at 03:00 UTC, so their UTC and Beijing dates agree and the period can be read in SQL
    without a time-zone conversion; ``--check`` compares the result with ``services.rebuild()``."""
    from django.db import connection, transaction

    from techmarket.statistics import cells
    from techmarket.statistics.services import KEY_COLUMNS, MEASURE_COLUMNS, TABLE, measure_updates

    sqlite = connection.vendor == "sqlite"

    def year_of(column: str) -> str:
        return (
            f"CAST(strftime('%Y', {column}) AS INTEGER)"
            if sqlite
            else f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
        )

    def month_of(column: str) -> str:
        return (
            f"CAST(strftime('%m', {column}) AS INTEGER)"
            if sqlite
            else f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
        )

    def fen_of(column: str) -> str:
        return f"CAST(ROUND({column} * 100) AS INTEGER)" if sqlite else f"CAST({column} * 100 AS BIGINT)"

    text = "TEXT" if sqlite else "VARCHAR"
    updates = measure_updates()
    statements = 0
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -4000000")  # keep the new table's pages in memory
    with transaction.atomic():
        for side, (p_field, c_field, k_field, o_field) in cells.SIDE_FIELDS.items():
            levels = [
                ("province", p_field, "''"),
                ("city", c_field, p_field),
                ("county", k_field, c_field),
                ("org", f"CAST({o_field} AS {text})", k_field),
            ]
            for dimension, field in cells.DIMENSION_FIELDS.items():
                value = field or "''"
                for quarters in (False, True):
                    for level, code, parent in levels:
                        if level == "org" and dimension not in cells.ORGANISATION_DIMENSIONS:
                            continue
                        for measure in ("contracts", "receipts"):
                            date = "c.registered_at" if measure == "contracts" else "r.received_on"
                            period = year_of(date)
                            if quarters:
                                period = f"({period} * 10 + ({month_of(date)} + 2) / 3)"
                            if measure == "contracts":
                                source = "contracts_techcontract c"
                                amount, certified = fen_of("c.total_amount"), fen_of("c.certified_amount")
                                measures = (
                                    f"COUNT(*), SUM({amount}), SUM({certified}), 0, 0, "
                                    f"MAX({amount}), MAX({certified}), 0"
                                )
                                where = "c.state = 'registered'"
                            else:
                                # Each contract's receipts in the period first: the cell counts the
                                # contracts paid and keeps the largest one's receipts.
                                source = (
                                    f"(SELECT r.contract_id, {period} AS period, SUM({fen_of('r.amount')}) AS paid "
                                    "FROM contracts_receipt r WHERE r.state = 'confirmed' GROUP BY 1, 2) x "
                                    "JOIN contracts_techcontract c ON c.id = x.contract_id"
                                )
                                period = "x.period"
                                measures = "0, 0, 0, SUM(x.paid), COUNT(*), 0, 0, MAX(x.paid)"
                                where = "c.state = 'registered'"
                            parent_sql = "''" if parent == "''" else f"c.{parent}"
                            code_sql = (
                                code.replace(o_field, f"c.{o_field}") if level == "org" else f"c.{code}"
                            )
                            value_sql = "''" if value == "''" else f"c.{value}"
                            sql = (
                                f"INSERT INTO {TABLE} ({', '.join((*KEY_COLUMNS, *MEASURE_COLUMNS))}) "
                                f"SELECT '{'Q' if quarters else 'Y'}', {period}, '{side}', '{dimension}', "
                                f"{parent_sql}, '{level}', {code_sql}, {value_sql}, {measures} "
                                f"FROM {source} WHERE {where} AND c.{p_field} <> ''"
                                + (f" AND c.{o_field} IS NOT NULL" if level == "org" else "")
                                + (f" AND c.{code} <> ''" if level in ("city", "county") else "")
                                + f" GROUP BY 1, 2, 5, 7, 8 "
                                f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}"
                            )
                            with connection.cursor() as cursor:
                                cursor.execute(sql)
                            statements += 1
    from techmarket.statistics.models import StatCell

    return StatCell.objects.count()


def snapshot() -> dict[tuple[Any, ...], tuple[int, ...]]:
    from techmarket.statistics.cells import MEASURES
    from techmarket.statistics.models import StatCell

    return {
        row[:8]: row[8:]
        for row in StatCell.objects.values_list(
            "period_kind",
            "period",
            "side",
            "dimension",
            "parent",
            "level",
            "code",
            "value",
            *MEASURES,
        )
    }


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95


def measure(world: dict[str, Any], repeat: int, seed: int) -> list[tuple[str, float, float]]:
    from django.db import connection

    from techmarket.accounts.policies import ANONYMOUS
    from techmarket.statistics import selectors
    from techmarket.statistics.models import StatCell

    rng = random.Random(seed + 1)
    period = selectors.Period("Y", 2026)
    quarter = selectors.Period("Q", 2026, 2)
    counties = world["counties"]
    orgs = world["organisations"]
    nodes = {
        "nation": lambda: selectors.node_for(""),
        "province": lambda: selectors.node_for(rng.choice(counties)[0]),
        "city": lambda: selectors.node_for(rng.choice(counties)[1]),
        "county": lambda: selectors.node_for(rng.choice(counties)[2]),
        "organisation": lambda: (lambda org: selectors.node_for(org[1], org[0]))(rng.choice(orgs)),
    }
    max_pk = StatCell.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    results: list[tuple[str, float, float]] = []

    def pk_lookup() -> None:
        StatCell.objects.filter(pk=rng.randint(1, max_pk)).values_list("contracts", flat=True).first()

    def count_range() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM statistics_statcell WHERE period_kind = %s AND period = %s AND side = %s "
                "AND dimension = %s AND parent = %s",
                ["Y", 2026, "out", "total", ""],
            )
            cursor.fetchone()

    results.append(("baseline: primary-key lookup of one cell", *timed(pk_lookup, repeat)))
    results.append(("baseline: COUNT(*) of the provinces' cells of a year", *timed(count_range, repeat)))
    for level, pick in nodes.items():
        prepared = [pick() for _ in range(repeat)]
        iterator = iter(prepared)
        results.append(
            (
                f"drilldown {level} (year)",
                *timed(lambda: selectors.drilldown(ANONYMOUS, next(iterator), period), repeat),
            )
        )
        iterator = iter(prepared)
        results.append(
            (
                f"drilldown {level} (quarter)",
                *timed(lambda: selectors.drilldown(ANONYMOUS, next(iterator), quarter), repeat),
            )
        )
        for dimension in selectors.BREAKDOWNS:
            iterator = iter(prepared)
            results.append(
                (
                    f"breakdown {level} {dimension}",
                    *timed(
                        lambda: selectors.breakdown(ANONYMOUS, next(iterator), period, "out", dimension),
                        repeat,
                    ),
                )
            )
        iterator = iter(prepared)
        results.append(
            (
                f"series {level} (5 years)",
                *timed(lambda: selectors.yearly_series(ANONYMOUS, next(iterator), "out", 2026), repeat),
            )
        )
        iterator = iter(prepared)
        results.append(
            (
                f"series {level} (8 quarters)",
                *timed(lambda: selectors.quarterly_series(ANONYMOUS, next(iterator), "out", 2026), repeat),
            )
        )
        iterator = iter(prepared)
        results.append(
            (
                f"whole dashboard page data, {level}",
                *timed(lambda: selectors.dashboard(ANONYMOUS, next(iterator), period, "out"), repeat),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument(
        "--rebuild", action="store_true", help="make the cells with services.rebuild() (slow)"
    )
    parser.add_argument(
        "--check", action="store_true", help="check the bulk cells equal services.rebuild()'s"
    )
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from techmarket.contracts import selectors as contract_selectors
    from techmarket.statistics import services
    from techmarket.statistics.models import StatCell

    call_command("migrate", verbosity=0)
    world = generate(args.contracts, args.organisations, args.seed)
    started = time.perf_counter()
    cells = services.rebuild() if args.rebuild else bulk_cells()
    rebuild_seconds = time.perf_counter() - started
    if args.check and not args.rebuild:
        bulk = snapshot()
        services.rebuild()
        assert snapshot() == bulk, "the bulk path's cells differ from services.rebuild()'s"  # noqa: S101
        print("check: the bulk cells equal services.rebuild()'s")
    method = "services.rebuild()" if args.rebuild else "the bulk SQL path"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    registered = contract_selectors.registered_count()
    results = measure(world, args.repeat, args.seed)
    vendor = connection.vendor
    version = (
        connection.connection.info.server_version
        if vendor == "postgresql"
        else __import__("sqlite3").sqlite_version
    )
    lines = [
        f"**{vendor}** ({version}) — {registered:,} registered contracts, {world['receipts']:,} confirmed receipts, "
        f"{args.organisations:,} organisations, {len(world['counties']):,} counties; {cells:,} cells "
        f"({StatCell.objects.filter(level='org').count():,} at organisation level). Contracts inserted in "
        f"{world['insert_seconds']:.0f} s, receipts in {world['receipt_seconds']:.0f} s, cells made by {method} in "
        f"{rebuild_seconds:.0f} s. Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {args.repeat} runs per read, random nodes (seed {args.seed}).",
        "",
        "| read | p50 ms | p95 ms |",
        "|---|---:|---:|",
        *[f"| {name} | {p50:.2f} | {p95:.2f} |" for name, p50, p95 in results],
    ]
    worst = max(p95 for name, _p50, p95 in results if not name.startswith("baseline"))
    lines += [
        "",
        f"Slowest p95 of a dashboard read: {worst:.1f} ms (limit 200 ms): {'PASS' if worst <= 200 else 'FAIL'}.",
    ]
    text = "\n".join(lines)
    print(text)
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / f"{vendor}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

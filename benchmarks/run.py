"""Catalogue search, import and platform-path matching benchmarks (``make bench``); writes docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py [--records 100000] [--only search|import|matching]
                                       [--databases sqlite,postgres] [--rebuild]

Each database is measured in its own worker process (Django settings are per process). The bulk
database is built once per record count and cached: the SQLite file under var/bench/, the PostgreSQL
database ``tm_bench`` (its comment holds the cache key). Runs work on copies, so the cache stays clean.

docs/benchmarks.md is rewritten in parts: the catalogue part when search or import ran, the platform
matching block when matching ran; ``make bench-match``'s section is always kept as it is.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO / "var" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = "tm_bench"
POSTGRES_SCRATCH_DB = "tm_bench_run"
TASKS = ("search", "import", "matching")
# Set on the benchmark database only (the server is shared), as a production server for this kind of
# workload is configured: the planner's page cost for SSDs and data in memory (not 4, a spinning-disk
# figure), and no JIT compilation (it adds 15–20 ms to every count of a broad word and never pays back
# on queries this short). docs/benchmarks.md explains both.
POSTGRES_SETTINGS = {"random_page_cost": "1.1", "jit": "off"}


def cache_key(records: int) -> str:
    """Changes whenever the schema, the search code or the data recipe changes: the cache is rebuilt."""
    digest = hashlib.sha256(str(records).encode())
    sources = [
        *sorted((REPO / "src" / "techmarket").glob("*/migrations/*.py")),
        *sorted((REPO / "src" / "techmarket" / "search").glob("*.py")),
        REPO / "benchmarks" / "bulkdata.py",
    ]
    for path in sources:
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{records}-{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- worker side


def setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "techmarket.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["TECHMARKET_VAR_DIR"] = var_dir
    os.environ["TECHMARKET_TASK_BACKEND"] = "immediate"
    os.environ.pop("DEBUG", None)
    import django

    django.setup()


def postgres_admin() -> Any:
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True)


def postgres_cached_info(key: str) -> dict[str, Any] | None:
    with postgres_admin() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [POSTGRES_DB]
        ).fetchone()
    if not row or not row[0]:
        return None
    info = json.loads(row[0])
    return info if info.get("key") == key else None


def build(records: int, key: str) -> dict[str, Any]:
    """Migrate an empty database and load the bulk records into it; returns the build facts."""
    from django.core.management import call_command

    import bulkdata

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    info = bulkdata.load(records)
    info.update(
        key=key,
        migrate_seconds=round(migrate_seconds, 1),
        built_at=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        per_second=round(records / info["load_seconds"]),
    )
    return info


def worker_build(database: str, records: int, rebuild: bool, var_dir: str) -> dict[str, Any]:
    key = cache_key(records)
    if database == "sqlite":
        target = CACHE_DIR / f"catalogue-{key}.sqlite3"
        meta = target.with_suffix(".json")
        if target.exists() and meta.exists() and not rebuild:
            return {**json.loads(meta.read_text()), "cached": True}
        work = Path(var_dir) / "build.sqlite3"
        setup_django(f"sqlite:///{work}", var_dir)
        info = build(records, key)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stale in CACHE_DIR.glob(f"catalogue-{records}-*"):
            stale.unlink()
        shutil.copyfile(work, target.with_suffix(".part"))
        target.with_suffix(".part").rename(target)
        meta.write_text(json.dumps(info))
        return {**info, "cached": False}
    cached = None if rebuild else postgres_cached_info(key)
    if cached:
        return {**cached, "cached": True}
    with postgres_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {POSTGRES_DB}")
    setup_django(f"{POSTGRES_SERVER}/{POSTGRES_DB}", var_dir)
    info = build(records, key)
    from django.db import connection

    connection.close()
    from psycopg import sql

    with postgres_admin() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(POSTGRES_DB), sql.Literal(json.dumps(info))
            )
        )
    return {**info, "cached": False}


def scratch_copy(database: str, key: str, var_dir: str) -> str:
    """A throw-away copy of the cached bulk database for one benchmark; returns its URL."""
    if database == "sqlite":
        target = Path(var_dir) / "bench.sqlite3"
        shutil.copyfile(CACHE_DIR / f"catalogue-{key}.sqlite3", target)
        return f"sqlite:///{target}"
    with postgres_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_SCRATCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {POSTGRES_SCRATCH_DB} TEMPLATE {POSTGRES_DB}")
        for name, value in POSTGRES_SETTINGS.items():
            admin.execute(f"ALTER DATABASE {POSTGRES_SCRATCH_DB} SET {name} = {value}")
    return f"{POSTGRES_SERVER}/{POSTGRES_SCRATCH_DB}"


def drop_scratch(database: str) -> None:
    if database == "postgres":
        with postgres_admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_SCRATCH_DB} WITH (FORCE)")


def engine_version() -> str:
    """The engine and, for PostgreSQL, the server settings the planner's choices depend on."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
        settings = []
        for name in (
            "shared_buffers",
            "work_mem",
            "random_page_cost",
            "jit",
            "max_parallel_workers_per_gather",
        ):
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name} {cursor.fetchone()[0]}")
        return f"PostgreSQL {version} ({', '.join(settings)})"


def worker(task: str, database: str, records: int, build: dict[str, Any], var_dir: str) -> dict[str, Any]:
    """Run one benchmark on a copy of the bulk database the orchestrator has just built or found."""
    try:
        setup_django(scratch_copy(database, build["key"], var_dir), var_dir)
        if task == "search":
            import searchbench

            result = searchbench.run(records, build["reviewed_city"])
        elif task == "matching":
            import matchbench

            result = matchbench.run()
        else:
            import importbench

            result = importbench.run(records)
        result["engine"] = engine_version()
        from django.db import connection

        connection.close()
        return result
    finally:
        drop_scratch(database)


# --------------------------------------------------------------------------- orchestrator side


def run_worker(task: str, database: str, records: int, *, rebuild: bool = False, build: Any = None) -> Any:
    """One worker process; ``build`` (the build step's answer) tells a task which copy to use."""
    with tempfile.TemporaryDirectory(prefix="techmarket-bench-") as directory:
        output = Path(directory) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", task, "--databases", database]
        command += ["--records", str(records), "--output", str(output)]
        command += ["--rebuild"] if rebuild else []
        command += ["--build", json.dumps(build)] if build else []
        subprocess.run(command, check=True, cwd=REPO)  # noqa: S603 (fixed argv of our own tools, no shell)
        return json.loads(output.read_text())


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kb / 1024 / 1024:.0f} GiB",
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--only", choices=TASKS)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached bulk databases")
    parser.add_argument("--worker", choices=["build", *TASKS], help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--build", type=json.loads, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        with tempfile.TemporaryDirectory(prefix="techmarket-bench-") as var_dir:
            if args.worker == "build":
                result = worker_build(args.databases, args.records, args.rebuild, var_dir)
            else:
                result = worker(args.worker, args.databases, args.records, args.build, var_dir)
        Path(args.output).write_text(json.dumps(result, ensure_ascii=False))
        return
    import report

    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}: choose from sqlite, postgres")
    tasks = [args.only] if args.only else list(TASKS)
    results: dict[str, dict[str, Any]] = {}
    for database in databases:
        print(f"== {database}: bulk data ({args.records:,} records)", flush=True)
        build = run_worker("build", database, args.records, rebuild=args.rebuild)
        results[database] = {"build": build}
        for task in tasks:
            print(f"== {database}: {task}", flush=True)
            results[database][task] = run_worker(task, database, args.records, build=build)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    (CACHE_DIR / "last-run.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    command = ".venv/bin/python benchmarks/run.py " + " ".join(sys.argv[1:])
    command = "make bench" if not sys.argv[1:] else command.strip()
    facts = machine()
    facts["load_before"] = load_before
    facts["load_after"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    catalogue = None
    if {"search", "import"} & set(tasks):
        catalogue = report.render(
            command=command, records=args.records, machine=facts, results=results, tasks=tasks
        )
    matching = None
    if "matching" in tasks:
        matching = report.matching_block(
            command=command, records=args.records, machine=facts, results=results
        )
    previous = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    print(report.table(results, tasks))
    DOC.write_text(report.merge(previous, catalogue=catalogue, matching=matching), encoding="utf-8")
    print(f"wrote {DOC.relative_to(REPO)}")


if __name__ == "__main__":
    main()

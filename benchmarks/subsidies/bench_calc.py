# ruff: noqa: S311, S603 (a benchmark: seeded pseudo-random data; it runs the project's own programs)
"""``make bench-subsidies``: ``techmarket subsidy-calc`` on 1,000,000 generated contracts, against reading
the same CSV file alone with the ``csv`` module, in the same run.

1. Generates ``BENCH_ROWS`` (default 1,000,000) seeded contract rows (``BENCH_SEED``, default 2017) into a
   CSV in a temporary directory: 20,000 sellers and 50,000 buyers, 70 % of them in Yueyang (430600 and
   its districts/counties), the rest elsewhere in Hunan, in Beijing or abroad; the five contract types;
   amounts log-normal around 100,000 yuan (1,000 to 5,000,000) with 2 decimals; 95 % in the computed year (2018), 5 % in 2017.
2. Runs each measured program in its own child process, each wrapped by a small Python process that
   reports the wall time and the child's peak resident memory (``ru_maxrss`` of ``RUSAGE_CHILDREN``):

   - **baseline**: ``csv.reader`` over every row of the file (nothing else);
   - **start-up**: ``techmarket subsidy-calc`` on a file with the header only (Django's start-up and the
     policy load, no rows);
   - **subsidy-calc**: ``techmarket subsidy-calc --policy yueyang-2017 --year 2018 --budget 20000000
     --contracts FILE --out awards.csv``.

   Each is run ``BENCH_REPEAT`` times (default 3); the table gives the best and the median. Then the
   calculator runs once more with ``--trail`` (every award's trail kept and written as JSON).
3. Rewrites its block of ``docs/benchmarks.md`` (between the ``subsidy-calc`` markers) and prints it.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- subsidy-calc:start -->", "<!-- subsidy-calc:end -->"
COLUMNS = [
    "contract_id",
    "seller_id",
    "seller_name",
    "seller_region",
    "buyer_id",
    "buyer_name",
    "buyer_region",
    "type",
    "received",
    "year",
]
YUEYANG = ["430600", "430602", "430603", "430611", "430621", "430623", "430624", "430626", "430681", "430682"]
ELSEWHERE = ["430102", "430202", "430104", "110105", "440305", "US", "DE"]
TYPES = ["development", "transfer", "license", "consulting", "service"]

# The wrapper: runs argv[1:], then prints the wall time and the child's peak RSS (KiB on Linux) as JSON.
WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
    "seconds = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'seconds': seconds, 'peak_kib': peak, 'rc': done.returncode,"
    " 'stdout': done.stdout[-4000:], 'stderr': done.stderr[-4000:]}))\n"
)
BASELINE = (
    "import csv, sys\n"
    "rows = 0\n"
    "with open(sys.argv[1], encoding='utf-8', newline='') as handle:\n"
    "    for row in csv.reader(handle):\n"
    "        rows += 1\n"
    "print(rows)\n"
)


def organisations(rng: random.Random, prefix: str, count: int) -> list[tuple[str, str, str]]:
    result = []
    for number in range(count):
        region = rng.choice(YUEYANG) if rng.random() < 0.7 else rng.choice(ELSEWHERE)
        result.append((f"{prefix}{number:06d}", f"{prefix}机构{number}", region))
    return result


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    sellers = organisations(rng, "S", 20_000)
    buyers = organisations(rng, "B", 50_000)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(rows):
            seller = (
                sellers[int(rng.paretovariate(1.2)) % len(sellers)] if number % 2 else rng.choice(sellers)
            )
            buyer = rng.choice(buyers)
            # amounts log-normal around 100,000 yuan (1,000 to 5,000,000), to the fen
            fen = int(min(max(rng.lognormvariate(11.5, 1.2), 1_000), 5_000_000) * 100)
            writer.writerow(
                [
                    f"C{number:08d}",
                    *seller,
                    *buyer,
                    rng.choice(TYPES),
                    f"{fen // 100}.{fen % 100:02d}",
                    2018 if rng.random() < 0.95 else 2017,
                ]
            )


def measure(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{argv[:4]} failed ({result['rc']}):\n{result['stderr']}")
    return result


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    seconds = [run["seconds"] for run in runs]
    peaks = [run["peak_kib"] / 1024 for run in runs]
    return {
        "best_s": min(seconds),
        "median_s": statistics.median(seconds),
        "peak_mib": max(peaks),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}; {platform.platform()}"


def main() -> None:
    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    seed = int(os.environ.get("BENCH_SEED", "2017"))
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "techmarket.settings",
        # the calculator must not need a database: point it at one that does not exist
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/no_such_database",
    }
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-subsidies-") as tmp:
        contracts = Path(tmp) / "contracts.csv"
        empty = Path(tmp) / "empty.csv"
        empty.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
        print(f"generating {rows:,} rows (seed {seed}) …", flush=True)
        generate(contracts, rows, seed)
        size_mib = contracts.stat().st_size / 1024 / 1024
        calc = [sys.executable, "-m", "techmarket", "subsidy-calc", "--policy", "yueyang-2017",
                "--year", "2018", "--budget", "20000000", "--out", str(Path(tmp) / "awards.csv")]  # fmt: skip
        programs = {
            "baseline": [sys.executable, "-c", BASELINE, str(contracts)],
            "startup": [*calc, "--contracts", str(empty)],
            "calc": [*calc, "--contracts", str(contracts)],
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in programs}
        for round_number in range(repeat):
            for name, argv in programs.items():
                runs[name].append(measure(argv, env))
                print(f"round {round_number + 1} {name}: {runs[name][-1]['seconds']:.2f} s", flush=True)
        # once: the same with the full trail kept and written as JSON (--trail)
        trail_file = Path(tmp) / "trail.json"
        runs["calc_trail"] = [measure([*programs["calc"], "--trail", str(trail_file)], env)]
        trail_mib = trail_file.stat().st_size / 1024 / 1024
        print(f"with --trail: {runs['calc_trail'][0]['seconds']:.2f} s", flush=True)
        output = runs["calc"][-1]["stdout"]
        with (Path(tmp) / "awards.csv").open(encoding="utf-8", newline="") as handle:
            awards = sum(1 for _ in handle) - 1
    load_after = os.getloadavg()
    figures = {name: summary(items) for name, items in runs.items()}
    block = report(
        rows, seed, size_mib, repeat, figures, output, awards, started, load_before, load_after, trail_mib
    )
    print(block)
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Subsidy what-if calculator (issue 11)\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def report(
    rows: int,
    seed: int,
    size_mib: float,
    repeat: int,
    figures: dict[str, dict[str, float]],
    output: str,
    awards: int,
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    trail_mib: float,
) -> str:
    base, startup, calc = figures["baseline"], figures["startup"], figures["calc"]
    with_trail = figures["calc_trail"]
    total = next((line for line in output.splitlines() if "合计" in line and "获补助" in line), "")
    factor = next((line for line in output.splitlines() if "缩放系数" in line), "")
    lines = [
        BEGIN,
        "",
        "- Command: `make bench-subsidies` (`benchmarks/subsidies/bench_calc.py`; `BENCH_ROWS`, default",
        "  1,000,000; `BENCH_SEED`, default 2017; `BENCH_REPEAT`, default 3). Each program runs in its own",
        "  process; time is wall time, memory the process's peak resident set (`ru_maxrss`). The calculator",
        "  runs with `DATABASE_URL` pointing to a server that does not exist.",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC. Machine: {machine()}. Load average before / after:"
        f" {' '.join(f'{x:.2f}' for x in load_before)} / {' '.join(f'{x:.2f}' for x in load_after)}.",
        f"- Data: {rows:,} generated rows (seed {seed}), {size_mib:.0f} MiB of CSV; 20,000 sellers, 50,000"
        " buyers, 70 % in Yueyang; 95 % of rows in 2018. Policy `yueyang-2017`, year 2018, budget",
        f"  20,000,000 (pool 2,000,000). Result: {awards:,} award rows; {total.strip()} {factor.strip()}",
        "",
        f"| program | best of {repeat} | median | peak memory | vs baseline |",
        "|---|---|---|---|---|",
        f"| baseline: `csv.reader` over every row, nothing else | {base['best_s']:.2f} s |"
        f" {base['median_s']:.2f} s | {base['peak_mib']:.0f} MiB | 1.0× |",
        f"| `subsidy-calc` start-up only (header-only file) | {startup['best_s']:.2f} s |"
        f" {startup['median_s']:.2f} s | {startup['peak_mib']:.0f} MiB | — |",
        f"| **`subsidy-calc`, {rows:,} rows** | **{calc['best_s']:.2f} s** | {calc['median_s']:.2f} s |"
        f" **{calc['peak_mib']:.0f} MiB** | {calc['best_s'] / base['best_s']:.1f}× time,"
        f" {calc['peak_mib'] / base['peak_mib']:.1f}× memory |",
        f"| `subsidy-calc … --trail` (full trail kept and written: {trail_mib:.0f} MiB of JSON), once |"
        f" {with_trail['best_s']:.2f} s | — | {with_trail['peak_mib']:.0f} MiB |"
        f" {with_trail['best_s'] / base['best_s']:.1f}× time |",
        "",
        f"- Per row: baseline {base['best_s'] / rows * 1e6:.2f} µs; calculator"
        f" {(calc['best_s'] - startup['best_s']) / rows * 1e6:.2f} µs after start-up"
        f" ({(calc['best_s'] - startup['best_s']) / rows * 1e6 / (base['best_s'] / rows * 1e6):.1f}× the bare parse).",
        "",
        END,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

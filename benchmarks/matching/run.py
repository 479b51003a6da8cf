"""Matching benchmark (issue 3): the engine against same-run BM25 baselines; writes results.md here.

    .venv/bin/python benchmarks/matching/run.py [--shared ../shared/benchmarks] [--out var/bench/matching]
                                                [--scales 110k,1m] [--no-ablations]

1. Quality on the 21k corpus: the engine ranks B3 and B4; ``evaluate.py baseline`` produces the
   bigram and jieba BM25 baselines in the same run; ``evaluate.py score`` scores all of them. The run
   files (evaluate.py's format, with reasons) are left in ``--out``.
2. The same on the 110k corpus (corpus.jsonl + corpus_extra.jsonl).
3. Ablations on 21k: each part of the engine switched off in turn, and a diagnostic with the clause
   cue words (针对, 问题, 解决 …) deleted from the queries, to show what the gain does not come from.
4. Scale, each in a fresh process: build rate, memory and latency of one demand (top 10 with
   reasons) at 110k records and at 1,000,000 records made by deterministic replication of the 110k
   corpus (copy r of record X has id ``X~r<r>``); then a second fresh process loads the saved index
   with mmap, as a web worker would, and is timed again.

The data is read in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

import numpy as np  # noqa: E402

from techmarket.matching.engine import MatchIndex, analysis, weighting  # noqa: E402
from techmarket.matching.engine.runs import demand_text, read_jsonl, run_record, write_jsonl  # noqa: E402

RESULTS = Path(__file__).with_name("results.md")
SETS = ("b3", "b4")
FLOOR_GAIN = 0.03
FLOOR_P95_MS = {"110k": 50.0, "1m": 200.0}
FLOOR_BUILD_PER_S = 1000.0
SCALES = {"110k": None, "1m": 1_000_000}
# Diagnostic only — the engine never sees this list. Deleting the clause cues the queries were cut
# around shows how much of a gain survives in text without them (the held-out demands have none).
CLAUSE_CUES = (
    "针对",
    "问题",
    "解决",
    "缺陷",
    "不足",
    "难题",
    "需求",
    "现状",
    "克服",
    "现有技术",
    "现有",
    "存在",
)
ABLATIONS: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
    "without residual IDF (every term weight × 1)": lambda: mock.patch.object(
        weighting, "specificity", lambda df, cf, n: np.ones(len(df))
    ),
    "without word features (bigrams only)": lambda: mock.patch.object(analysis, "words", return_value=[]),
    "without bigram features (words only)": lambda: mock.patch.object(
        analysis, "bigram_spans", return_value=[]
    ),
    "without field weights (title, keywords × 1)": lambda: mock.patch.object(
        analysis, "FIELD_WEIGHTS", (("title", 1), ("keywords", 1), ("abstract", 1), ("content", 1))
    ),
}


# --------------------------------------------------------------------------- helpers


def rss_mb() -> dict[str, float]:
    """Resident memory from /proc (MB): now, at its peak, private (anon) and file-backed (mmap, shared)."""
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    names = {"rss": "VmRSS", "peak": "VmHWM", "private": "RssAnon", "mapped": "RssFile"}
    return {key: int(status[name].split()[0]) / 1024 for key, name in names.items()}


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    pick = lambda share: 1000 * ordered[min(int(len(ordered) * share), len(ordered) - 1)]  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "max": 1000 * ordered[-1]}


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": f"{cpu} × {os.cpu_count()}",
        "memory": f"{int(memory) / 1024 / 1024:.1f} GB",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "os": platform.platform(),
    }


def corpus_paths(data: Path, scale: str) -> list[Path]:
    return [data / "corpus.jsonl"] + ([data / "corpus_extra.jsonl"] if scale != "21k" else [])


def replicated(paths: list[Path], records: int | None) -> Iterator[dict[str, Any]]:
    """The corpus, then copies of it with ids ``X~r1``, ``X~r2`` … until ``records`` (None: once)."""
    base = [record for path in paths for record in read_jsonl(path)]
    total = len(base) if records is None else records
    for i in range(total):
        copy, position = divmod(i, len(base))
        record = base[position]
        yield record if copy == 0 else {**record, "id": f"{record['id']}~r{copy}"}


def rank(
    index: MatchIndex, queries: list[dict[str, Any]], k: int
) -> tuple[list[dict[str, Any]], list[float]]:
    run, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        matches = index.match(demand_text(query), k=k)
        seconds.append(time.perf_counter() - started)
        run.append(run_record(query["id"], matches))
    return run, seconds


class Evaluate:
    """The shared evaluate.py, run as a program so that its scorer and baselines are used unchanged."""

    def __init__(self, shared: Path) -> None:
        self.script = shared / "evaluate.py"
        self.data = shared / "matching"

    def _call(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, str(self.script), *args], check=True, capture_output=True, text=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def score(self, name: str, run: Path) -> dict[str, Any]:
        return self._call("score", "--qrels", str(self.data / f"{name}_qrels.tsv"), "--run", str(run))

    def baseline(self, tokenizer: str, corpus: list[Path], queries: Path, out: Path) -> dict[str, Any]:
        corpus_args = [arg for path in corpus for arg in ("--corpus", str(path))]
        return self._call(
            "baseline", "--tokenizer", tokenizer, *corpus_args, "--queries", str(queries), "--out", str(out)
        )


# --------------------------------------------------------------------------- quality


def quality(evaluate: Evaluate, out: Path, scale: str) -> dict[str, Any]:
    corpus = corpus_paths(evaluate.data, scale)
    started = time.perf_counter()
    index = MatchIndex.build(replicated(corpus, None))
    build_s = time.perf_counter() - started
    result: dict[str, Any] = {"records": len(index), "build_s": build_s, "sets": {}}
    for name in SETS:
        queries = list(read_jsonl(evaluate.data / f"{name}_queries.jsonl"))
        run, seconds = rank(index, queries, k=100)
        run_path = out / f"engine_{name}_{scale}.jsonl"
        write_jsonl(run_path, run)
        rows = {"engine": {**evaluate.score(name, run_path), **percentiles(seconds)}}
        for tokenizer in ("bigram", "jieba"):
            base_path = out / f"{tokenizer}_{name}_{scale}.jsonl"
            stats = evaluate.baseline(tokenizer, corpus, evaluate.data / f"{name}_queries.jsonl", base_path)
            rows[tokenizer] = {**evaluate.score(name, base_path), "p95": stats["p95_ms"], "build": stats}
        result["sets"][name] = rows
        print(
            f"  {scale} {name}: " + ", ".join(f"{k} {v['mrr@10']:.4f}" for k, v in rows.items()), flush=True
        )
    return result


def ablations(evaluate: Evaluate, out: Path) -> dict[str, dict[str, float]]:
    corpus = corpus_paths(evaluate.data, "21k")
    queries = {name: list(read_jsonl(evaluate.data / f"{name}_queries.jsonl")) for name in SETS}
    rows: dict[str, dict[str, float]] = {}
    for label, patch in ABLATIONS.items():
        with patch():
            index = MatchIndex.build(replicated(corpus, None))
            for name in SETS:
                run, _ = rank(index, queries[name], k=100)
                path = out / f"ablation_{name}.jsonl"
                write_jsonl(path, run)
                rows.setdefault(label, {})[name] = evaluate.score(name, path)["mrr@10"]
        print(f"  {label}: {rows[label]}", flush=True)

    index = MatchIndex.build(replicated(corpus, None))
    label = "cue words deleted from the queries: engine"
    base_label = "cue words deleted from the queries: bigram BM25 baseline"
    for name in SETS:
        stripped = [{**q, "content": strip_cues(q.get("content") or "")} for q in queries[name]]
        stripped_path = out / f"{name}_queries_without_cues.jsonl"
        write_jsonl(stripped_path, stripped)
        run, _ = rank(index, stripped, k=100)
        write_jsonl(out / f"ablation_{name}.jsonl", run)
        rows.setdefault(label, {})[name] = evaluate.score(name, out / f"ablation_{name}.jsonl")["mrr@10"]
        evaluate.baseline("bigram", corpus, stripped_path, out / f"ablation_bigram_{name}.jsonl")
        rows.setdefault(base_label, {})[name] = evaluate.score(name, out / f"ablation_bigram_{name}.jsonl")[
            "mrr@10"
        ]
    print(f"  {label}: {rows[label]}; baseline {rows[base_label]}", flush=True)
    return rows


def strip_cues(text: str) -> str:
    for cue in sorted(CLAUSE_CUES, key=len, reverse=True):
        text = text.replace(cue, " ")
    return text


# --------------------------------------------------------------------------- scale (own processes)


def all_queries(data: Path) -> list[dict[str, Any]]:
    return [q for name in SETS for q in read_jsonl(data / f"{name}_queries.jsonl")]


def scale_build(data: Path, scale: str, directory: Path) -> dict[str, Any]:
    """Fresh process: build, rank every B3+B4 demand (top 10 with reasons), save."""
    before = rss_mb()["rss"]
    started = time.perf_counter()
    index = MatchIndex.build(replicated(corpus_paths(data, scale), SCALES[scale]))
    build_s = time.perf_counter() - started
    memory = rss_mb()
    queries = all_queries(data)
    rank(index, queries[:50], k=10)  # warm-up
    _, seconds = rank(index, queries, k=10)
    shutil.rmtree(directory, ignore_errors=True)
    started = time.perf_counter()
    index.save(directory)
    save_s = time.perf_counter() - started
    fresh = [
        {"id": f"fresh-{i}", "title": q["content"][:30], "abstract": q["content"], "keywords": []}
        for i, q in enumerate(queries[:200])
    ]
    started = time.perf_counter()
    for record in fresh:
        index.add(record)
    add_ms = 1000 * (time.perf_counter() - started) / len(fresh)
    found = sum(index.match(r["abstract"], k=1)[0].doc_id == r["id"] for r in fresh)
    return {
        "records": len(index) - len(fresh),
        "build_s": build_s,
        "per_s": (len(index) - len(fresh)) / build_s,
        "rss_before_mb": before,
        "rss_after_build_mb": memory["rss"],
        "peak_rss_mb": rss_mb()["peak"],
        "latency": percentiles(seconds),
        "save_s": save_s,
        "disk_mb": sum(f.stat().st_size for f in directory.iterdir()) / 2**20,
        "add_ms": add_ms,
        "fresh_found_first": f"{found}/{len(fresh)}",
        "rusage_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def scale_serve(data: Path, directory: Path) -> dict[str, Any]:
    """Fresh process, as a web worker: load the saved index with mmap and rank every demand."""
    queries = all_queries(data)
    before = rss_mb()["rss"]
    started = time.perf_counter()
    index = MatchIndex.load(directory)
    load_s = time.perf_counter() - started
    rank(index, queries[:50], k=10)
    _, seconds = rank(index, queries, k=10)
    return {
        "load_s": load_s,
        "rss_before_mb": before,
        **{f"{key}_mb": value for key, value in rss_mb().items() if key != "peak"},
        "latency": percentiles(seconds),
    }


def in_subprocess(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def gain(engine: float, baseline: float) -> str:
    return f"{100 * (engine - baseline) / baseline:+.1f} %"


def quality_table(result: dict[str, Any], scale: str) -> list[str]:
    lines = [
        "| set | corpus | system | MRR@10 | nDCG@10 | R@10 | R@100 | p95 ms | vs better baseline |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in result["sets"].items():
        best = max(rows["bigram"]["mrr@10"], rows["jieba"]["mrr@10"])
        for system, label in (("engine", "**engine**"), ("bigram", "bigram BM25"), ("jieba", "jieba BM25")):
            row = rows[system]
            versus = gain(row["mrr@10"], best) if system == "engine" else ""
            lines.append(
                f"| {name.upper()} | {scale} | {label} | {row['mrr@10']:.4f} | {row['ndcg@10']:.4f} | "
                f"{row['recall@10']:.4f} | {row['recall@100']:.4f} | {row['p95']:.1f} | {versus} |"
            )
    return lines


def write_report(facts: dict[str, Any]) -> str:
    q21, sets21 = facts["quality"]["21k"], facts["quality"]["21k"]["sets"]
    floors = []
    for name in SETS:
        rows = sets21[name]
        best = max(rows["bigram"]["mrr@10"], rows["jieba"]["mrr@10"])
        ok = rows["engine"]["mrr@10"] >= best * (1 + FLOOR_GAIN)
        floors.append(
            f"| MRR@10 {name.upper()} 21k ≥ better baseline + 3 % | ≥ {best * (1 + FLOOR_GAIN):.4f} | "
            f"{rows['engine']['mrr@10']:.4f} ({gain(rows['engine']['mrr@10'], best)}) | {'✓' if ok else '✗'} |"
        )
    for scale, figures in facts["scale"].items():
        p95 = figures["serve"]["latency"]["p95"]
        floors.append(
            f"| p95 of one demand at {figures['build']['records']:,} records (loaded worker) | "
            f"≤ {FLOOR_P95_MS[scale]:.0f} ms | {p95:.1f} ms | {'✓' if p95 <= FLOOR_P95_MS[scale] else '✗'} |"
        )
        rate = figures["build"]["per_s"]
        floors.append(
            f"| index build at {figures['build']['records']:,} records | ≥ {FLOOR_BUILD_PER_S:,.0f} records/s | "
            f"{rate:,.0f} records/s | {'✓' if rate >= FLOOR_BUILD_PER_S else '✗'} |"
        )

    lines = [
        "# Matching engine benchmark (demand → achievement)",
        "",
        f"Run on {facts['date']} with `{facts['command']}`; load average {facts['load_before']} before,",
        f"{facts['load_after']} after (2 cores shared with other work: latencies are noisy, rates approximate).",
        "",
        "Machine: " + "; ".join(f"{key} {value}" for key, value in facts["machine"].items()) + ".",
        "",
        "Data: `../shared/benchmarks/matching/` read in place. The baselines are `evaluate.py baseline`",
        "(BM25 k1=1.2 b=0.75 over CJK bigrams or jieba words), run in the same run; every run is scored",
        "by `evaluate.py score`. Engine run files (evaluate.py's format, with reasons) are in `"
        + facts["out"]
        + "`.",
        "",
        "## Floors (issue 3)",
        "",
        "| floor | needed | measured | |",
        "|---|---|---|---|",
        *floors,
        "",
        "## Quality",
        "",
        "The engine returns 100 matches per demand for R@100; p95 here includes writing reasons for all",
        "100. The 110k rows use the same queries and qrels (the extra records are distractors).",
        "",
        *quality_table(q21, "21k"),
        *quality_table(facts["quality"]["110k"], "110k")[2:],
        "",
    ]
    if facts.get("ablations"):
        lines += [
            "## Where the gain comes from (21k, MRR@10)",
            "",
            "Each row switches one part of the engine off (patched in this script only). The last two",
            "rows delete the clause cue words (" + "、".join(CLAUSE_CUES) + ") from the queries, engine",
            "and baseline alike: a diagnostic of how much of the gain survives in text without them.",
            "",
            "| variant | B3 | B4 |",
            "|---|---|---|",
            f"| full engine | {sets21['b3']['engine']['mrr@10']:.4f} | {sets21['b4']['engine']['mrr@10']:.4f} |",
            *(
                f"| {label} | {row['b3']:.4f} | {row['b4']:.4f} |"
                for label, row in facts["ablations"].items()
            ),
            "",
        ]
    lines += [
        "## Scale (top 10 with reasons per demand; B3 + B4 demands, 1,423 timed)",
        "",
        "The 1,000,000-record corpus is the 110k corpus (109,533 records) replicated deterministically:",
        "the originals, then copies with ids `X~r1` … `X~r9` (the ninth partial), so vocabulary and",
        "statistics are the 110k ones. The build and the first timing run in one fresh process, which",
        "also holds the source records it reads; a second fresh process loads the saved index with",
        "mmap, as a web worker would, and is timed again. A worker's resident memory is private (the",
        "interpreter with rjieba's dictionary and numpy, about 70 MB before the index is opened, plus",
        "scratch space) and file-backed: the mapped index files, one copy in the page cache for all workers.",
        "",
        "| records | build s | records/s | RSS after build MB | peak RSS MB | on disk MB "
        "| p50 / p95 / p99 / max ms (built) | worker load ms | worker RSS MB (private + mapped) "
        "| p50 / p95 / p99 / max ms (worker) | `add` ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for figures in facts["scale"].values():
        b, s = figures["build"], figures["serve"]
        lat_b = " / ".join(f"{b['latency'][key]:.1f}" for key in ("p50", "p95", "p99", "max"))
        lat_s = " / ".join(f"{s['latency'][key]:.1f}" for key in ("p50", "p95", "p99", "max"))
        lines.append(
            f"| {b['records']:,} | {b['build_s']:.1f} | {b['per_s']:,.0f} | {b['rss_after_build_mb']:,.0f} | "
            f"{b['peak_rss_mb']:,.0f} | {b['disk_mb']:,.0f} | {lat_b} | {1000 * s['load_s']:.1f} | "
            f"{s['rss_mb']:,.0f} ({s['private_mb']:,.0f} + {s['mapped_mb']:,.0f}) | {lat_s} | {b['add_ms']:.2f} |"
        )
    lines += [
        "",
        "`add` is the mean time to add one of 200 fresh records to the built index; each was then the",
        "top match for its own text in "
        + ", ".join(f"{f['build']['fresh_found_first']} cases at {k}" for k, f in facts["scale"].items())
        + ".",
        "",
    ]
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    text = "\n".join(lines)
    RESULTS.write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "benchmarks")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "matching")
    parser.add_argument("--scales", default="110k,1m")
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite results.md from the last run's facts"
    )
    parser.add_argument("--worker", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.shared / "matching"
    if args.worker == "build":
        print(json.dumps(scale_build(data, args.scale, args.out / f"index_{args.scale}")))
        return 0
    if args.worker == "serve":
        print(json.dumps(scale_serve(data, args.out / f"index_{args.scale}")))
        return 0

    if args.report_only:
        print(write_report(json.loads((args.out / "facts.json").read_text(encoding="utf-8"))))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    evaluate = Evaluate(args.shared)
    shown_out = os.path.relpath(args.out, REPO)
    facts: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "command": " ".join(
            ["python benchmarks/matching/run.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": machine(),
        "load_before": load_average(),
        "out": shown_out,
        "quality": {},
        "scale": {},
    }
    for scale in ("21k", "110k"):
        print(f"quality at {scale} …", flush=True)
        facts["quality"][scale] = quality(evaluate, args.out, scale)
    if not args.no_ablations:
        print("ablations at 21k …", flush=True)
        facts["ablations"] = ablations(evaluate, args.out)
    for scale in [s for s in args.scales.split(",") if s]:
        print(f"scale {scale} …", flush=True)
        common = ["--shared", str(args.shared), "--out", str(args.out), "--scale", scale]
        build = in_subprocess("--worker", "build", *common)
        serve = in_subprocess("--worker", "serve", *common)
        facts["scale"][scale] = {"build": build, "serve": serve}
        print(f"  {json.dumps(facts['scale'][scale])}", flush=True)
    facts["load_after"] = load_average()
    (args.out / "facts.json").write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")
    print(write_report(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run files: the JSON-lines exchange format of ``match-batch`` and ``../shared/benchmarks/evaluate.py``.

One line per demand, best match first::

    {"demand_id": "D-1", "matches": [{"id": "A-7", "score": 12.3, "reasons": [{"kind": "term", ...}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from techmarket.matching.engine.explain import Match

DEMAND_FIELDS = ("title", "content")


def demand_text(demand: Mapping[str, Any]) -> str:
    """The text a demand is matched on: its title and content."""
    return " ".join(str(demand.get(field) or "") for field in DEMAND_FIELDS).strip()


def run_record(demand_id: str, matches: Iterable[Match]) -> dict[str, Any]:
    return {"demand_id": demand_id, "matches": [match.as_dict() for match in matches]}


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: str | Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Write records as JSON lines (UTF-8, Chinese unescaped); returns how many were written."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written

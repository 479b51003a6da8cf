"""Draw the records the development set's demands were written from (see README.md).

    python benchmarks/matching/devset/sample.py --corpus PATH/TO/corpus.jsonl [--show] [--count 220]

Prints, for each drawn record in order, its id (and with ``--show`` its title, keywords and the start
of its abstract, for the writer to read). The corpus is read in place; nothing of it is written here.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

SEED = 9031  # issue 9, section 3
# Disciplines no enterprise brings a technical demand to: left out of the draw.
_NOT_TECHNICAL = (
    "哲学 历史学 民族学 法学 政治学 新闻传播学 艺术学 中国语言文学 心理学 社会学 军事学 教育学 天文学 "
    "体育学 理论经济学 图书馆、情报与档案管理 公共管理 数学"
)
NOT_TECHNICAL = frozenset(_NOT_TECHNICAL.split())
PATENTS, PAPERS = 70, 150  # drawn; the writer keeps the first ones a practitioner could ask for
PER_DISCIPLINE = 4  # at most this many papers of one named discipline


def draw(corpus: Path) -> list[dict]:
    records = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    patents = [r for r in records if r["kind"] == "patent"]
    papers = [r for r in records if r["kind"] == "paper" and r["discipline"] not in NOT_TECHNICAL]
    rng.shuffle(patents)
    rng.shuffle(papers)
    taken: Counter[str] = Counter()
    chosen_papers = []
    for record in papers:
        discipline = record["discipline"]
        if discipline and taken[discipline] >= PER_DISCIPLINE:
            continue
        taken[discipline] += 1
        chosen_papers.append(record)
        if len(chosen_papers) == PAPERS:
            break
    # Interleave two papers, one patent, so any prefix of the draw has both kinds.
    drawn, patents = [], patents[:PATENTS]
    for i, paper in enumerate(chosen_papers):
        drawn.append(paper)
        if i % 2 == 1 and patents:
            drawn.append(patents.pop(0))
    return drawn + patents


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=220)
    args = parser.parse_args()
    for n, record in enumerate(draw(args.corpus)[args.start : args.start + args.count], args.start):
        if args.show:
            print(f"#{n} {record['id']} [{record['kind']}/{record['discipline']}] {record['title']}")
            print("   kw:", "、".join(record.get("keywords") or []))
            print("   ", (record.get("abstract") or "")[:220])
        else:
            print(record["id"])


if __name__ == "__main__":
    main()

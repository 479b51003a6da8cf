import json

from techmarket.matching.engine import Match, MatchIndex, Reason
from techmarket.matching.engine.runs import demand_text, read_jsonl, run_record, write_jsonl


def test_a_demand_is_matched_on_its_title_and_content():
    assert demand_text({"id": "D1", "title": "散热", "content": "需要导热膜"}) == "散热 需要导热膜"
    assert demand_text({"id": "D2", "title": None, "content": "需要导热膜"}) == "需要导热膜"


def test_a_run_line_has_the_evaluate_format_with_reasons(tmp_path):
    reason = Reason("term", "导热膜", 3.5, "bigram+word")
    path = tmp_path / "run.jsonl"
    assert write_jsonl(path, [run_record("D1", [Match("A7", 3.5, (reason,))])]) == 1
    line = json.loads(path.read_text(encoding="utf-8"))
    assert line == {
        "demand_id": "D1",
        "matches": [
            {
                "id": "A7",
                "score": 3.5,
                "reasons": [{"kind": "term", "value": "导热膜", "weight": 3.5, "source": "bigram+word"}],
            }
        ],
    }
    assert "导热膜" in path.read_text(encoding="utf-8")  # readable Chinese, not \\u escapes


def test_records_read_back_and_index_directly(tmp_path):
    path = tmp_path / "records.jsonl"
    write_jsonl(path, [{"id": "A1", "title": "石墨烯导热膜", "abstract": "", "keywords": []}])
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # blank lines are skipped
    index = MatchIndex.build(read_jsonl(path))
    assert index.match("导热膜")[0].doc_id == "A1"

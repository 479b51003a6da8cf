import pytest

from techmarket.matching.engine import tables
from techmarket.matching.engine.tables import StringTable

WORDS = ["c导热", "w石墨烯", "pat-0001", "", "cti-6al-4v"]


def test_strings_are_found_by_position_and_by_text():
    table = StringTable.build(WORDS)
    assert len(table) == len(WORDS)
    assert [table[i] for i in range(len(table))] == WORDS
    assert table.find_many(["w石墨烯", "absent", "c导热", ""]) == [1, None, 0, 3]
    assert table.find("absent") is None


def test_strings_sharing_a_hash_are_told_apart(monkeypatch):
    monkeypatch.setattr(tables, "key", lambda text: 7)
    table = StringTable.build(WORDS)
    assert table.find_many(WORDS) == list(range(len(WORDS)))
    assert table.find("absent") is None


@pytest.mark.parametrize("mmap", [True, False])
def test_a_saved_table_loads_the_same(tmp_path, mmap):
    StringTable.build(WORDS).save(tmp_path, "words")
    loaded = StringTable.load(tmp_path, "words", mmap)
    assert [loaded[i] for i in range(len(loaded))] == WORDS
    assert loaded.find("pat-0001") == 2


def test_an_empty_table_finds_nothing():
    assert StringTable.build([]).find_many(["a"]) == [None]

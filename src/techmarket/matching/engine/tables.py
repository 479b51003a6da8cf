"""A compact string table that can be memory-mapped: record ids and the feature list.

Held as Python objects, a million ids and half a million features cost about 230 MB per worker
process (list, dict and the id → position dict). Stored as one UTF-8 blob with offsets, plus a sorted
array of 64-bit hashes pointing at their slots, they live in the page cache, shared by every worker,
and a lookup is a binary search followed by a comparison with the stored text — exact, even if two
strings ever share a hash.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

_PARTS = ("blob", "offsets", "keys", "slots")


def key(data: bytes) -> int:
    """A stable 64-bit hash, cheap to compute: Python's own ``hash`` changes between processes.

    Two checksums side by side; a clash is harmless (lookups compare the stored text), only slower.
    """
    return zlib.crc32(data) | (zlib.adler32(data) << 32)


class StringTable:
    """Strings by position, and the position of a string."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, keys: np.ndarray, slots: np.ndarray) -> None:
        self._blob = blob
        self._offsets = offsets
        self._keys = keys
        self._slots = slots

    @classmethod
    def build(cls, strings: Iterable[str]) -> StringTable:
        encoded = [text.encode("utf-8") for text in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(item) for item in encoded], out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        keys = np.fromiter((key(item) for item in encoded), dtype=np.uint64, count=len(encoded))
        slots = np.argsort(keys, kind="stable")
        return cls(blob, offsets, keys[slots], slots.astype(np.int64))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, position: int) -> str:
        start, end = int(self._offsets[position]), int(self._offsets[position + 1])
        return bytes(self._blob[start:end]).decode("utf-8")

    def find(self, text: str) -> int | None:
        """The position of ``text``, or None."""
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[int | None]:
        """Positions of many strings (None where absent), with one vectorised binary search."""
        wanted = [key(text.encode("utf-8")) for text in texts]
        found = np.searchsorted(self._keys, np.array(wanted, dtype=np.uint64)).tolist()
        return [self._verified(*args) for args in zip(texts, wanted, found, strict=True)]

    def _verified(self, text: str, wanted: int, start: int) -> int | None:
        """Walk the entries with this hash (almost always one) and compare the stored text."""
        for index in range(start, len(self._keys)):
            if int(self._keys[index]) != wanted:
                return None
            slot = int(self._slots[index])
            if self[slot] == text:
                return slot
        return None

    def save(self, directory: Path, name: str) -> None:
        for part in _PARTS:
            np.save(directory / f"{name}.{part}.npy", getattr(self, f"_{part}"))

    @classmethod
    def load(cls, directory: Path, name: str, mmap: bool) -> StringTable:
        mode: Literal["r"] | None = "r" if mmap else None
        return cls(*(np.load(directory / f"{name}.{part}.npy", mmap_mode=mode) for part in _PARTS))

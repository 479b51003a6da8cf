"""Writing cells of an Excel workbook (xlsxwriter) so that no text can become a live formula.

xlsxwriter's ``write`` turns a string beginning with ``=`` into a formula (and ``http://…`` into a link):
a record named ``=HYPERLINK("http://…")`` or ``+cmd|' /C calc'!A0`` would run in the reader's Excel.
Every workbook the platform writes (exports, quarterly catalogues, import templates, match-batch output)
writes its cells through :class:`CellWriter`: strings always as text, and those an editor might turn into
a formula on re-entry (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a line break) with Excel's
quote prefix, shown as the text and kept as text when the cell is edited. Plain Python: no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

# What Excel (and LibreOffice) read as the start of a formula when a cell is typed or re-entered.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would take this text, typed into a cell, for a formula."""
    return text.startswith(FORMULA_STARTS)


class CellWriter:
    """Writes values into the worksheets of one xlsxwriter workbook, text always as text."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._properties: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int, Any] = {}

    def add_format(self, properties: dict[str, Any]) -> Any:
        """A cell format of the workbook, remembered so that a quoted twin can be made of it."""
        cell_format = self.workbook.add_format(properties)
        self._properties[id(cell_format)] = dict(properties)
        return cell_format

    def _quoted_format(self, cell_format: Any) -> Any:
        """``cell_format`` with Excel's quote prefix (made once per format)."""
        key = id(cell_format)
        if key not in self._quoted:
            properties = self._properties.get(key, {}) if cell_format is not None else {}
            self._quoted[key] = self.workbook.add_format({**properties, "quote_prefix": True})
        return self._quoted[key]

    def write(self, sheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
        """One cell: numbers as numbers, dates as dates, None as blank, anything else as text."""
        if value is None or value == "":
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, (datetime.date, datetime.datetime)):
            sheet.write_datetime(row, col, value, cell_format)
        else:
            text = str(value)
            if looks_like_formula(text):
                cell_format = self._quoted_format(cell_format)
            sheet.write_string(row, col, text, cell_format)

    def write_row(
        self, sheet: Any, row: int, col: int, values: Iterable[Any], cell_format: Any = None
    ) -> None:
        """A row of cells from ``col`` on, each written by :meth:`write`."""
        for offset, value in enumerate(values):
            self.write(sheet, row, col + offset, value, cell_format)

"""Spreadsheet cells that stay data: text that looks like a formula is never run.

Names, notes and case keys come from users (a trainee types their name into a results
file), and a spreadsheet program runs text beginning with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab or carriage return first) as a formula. Every export writer sends
its cells through here on the way out; the values themselves are kept as typed.

- CSV: OWASP's rule, a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheet
  programs show as text (https://owasp.org/www-community/attacks/CSV_Injection).
- xlsx: the cell is written as a string (``data_type`` ``s``, never ``f``) with Excel's
  quote prefix, so it stays text even when someone edits it.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if formula_like(value) else value


def text_cells(worksheet: Any) -> None:
    """Make every formula-like text cell of an openpyxl ``worksheet`` a plain string."""
    for row in worksheet.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True

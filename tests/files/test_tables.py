"""The one table reader shared by the IICS-UNA spreadsheet and case manifests."""

from __future__ import annotations

import pytest

from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.files import tables


def test_doubled_quotes_and_separators_inside_a_quoted_cell() -> None:
    data = b'a,b,c\n1,"say ""hi"", then; go",3\n2,x,4\n'
    assert tables.csv_rows(data, "t.csv") == [
        ("a", "b", "c"), ("1", 'say "hi", then; go', "3"), ("2", "x", "4"),
    ]


def test_semicolon_dialect_is_chosen_over_the_whole_text() -> None:
    data = "a;b;c\n1;2,5;3\n4;5,5;6\n".encode("cp1252")
    assert tables.csv_rows(data, "t.csv")[1] == ("1", "2,5", "3")


def test_a_byte_order_mark_is_not_part_of_the_first_header() -> None:
    assert tables.csv_rows(b"\xef\xbb\xbfcase,label\n1,x\n", "t.csv")[0][0] == "case"


def test_not_an_xlsx_is_a_clear_message() -> None:
    with pytest.raises(DatasetError, match=r"not an Excel \.xlsx"):
        tables.xlsx_rows(b"case,label\n", "book.xlsx")

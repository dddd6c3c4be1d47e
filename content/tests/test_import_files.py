"""The import's file reader on its own (content.imports.files): where problems are, and what is read."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from content import importers
from content.imports import files
from content.imports.files import FileProblems, read_table


def read(data: bytes, name: str = "posts.csv", sheet: str | None = None):
    return read_table(
        data, name=name, sheet=sheet, columns=importers.COLUMNS, required=importers.REQUIRED, max_rows=5
    )


def problems(data: bytes, name: str = "posts.csv", sheet: str | None = None) -> list[dict]:
    with pytest.raises(FileProblems) as caught:
        read(data, name, sheet)
    return caught.value.problems


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_comma_outside_quotes_is_a_problem_not_a_lost_half_of_the_text():
    # given: "Hello, world" without quotes: three cells under a two-column header
    table = read(b"accounts,text\ntea_cn,Hello, world\n")
    # then
    [row] = table.rows
    assert row.values == {"accounts": "tea_cn", "text": "Hello"}
    assert [(p["row"], p["column"]) for p in row.problems] == [(2, "C")]
    assert "quotes" in row.problems[0]["message"]


def test_a_closing_quote_followed_by_text_is_a_problem_at_its_cell():
    found = problems(b'accounts,text,title\ntea_cn,ok,fine\ntea_cn,"Say "hi" twice",x\n')
    assert [(p["row"], p["column"]) for p in found] == [(3, "text")]
    assert '""' in found[0]["message"]


def test_rows_keep_their_numbers_across_blank_lines_and_multi_line_cells():
    # given: a cell over two lines (a row of its own in a spreadsheet), then a blank line
    table = read(b'\r\naccounts,text\r\ntea_cn,"two\r\nlines"\r\n\r\ntea_cn,last\r\n')
    # then
    assert [(r.number, r.values["text"]) for r in table.rows] == [(3, "two\r\nlines"), (5, "last")]


def test_a_stray_byte_in_utf16_is_a_problem_at_its_row():
    data = "accounts\ttext\ntea_cn\tfine\n".encode("utf-16") + b"\x00"  # an odd byte at the end
    found = problems(data)
    assert found[0]["row"] == 3 and "UTF-16" in found[0]["message"]


def test_a_column_named_twice_is_a_header_problem():
    found = problems(b"accounts,text,Text\ntea_cn,a,b\n")
    assert [(p["row"], p["column"]) for p in found] == [(1, "text")]
    assert "B" in found[0]["message"] and "C" in found[0]["message"]


def test_too_many_rows_are_refused():
    data = b"accounts,text\n" + b"tea_cn,x\n" * 6
    assert "at most 5 rows" in problems(data)[0]["message"]


def test_every_sheets_header_problems_are_reported_together():
    data = workbook(("Posts", [["accounts", "text"], ["tea_cn", "ok"]]), ("A", [["note"]]), ("B", [["body"]]))
    found = problems(data, "p.xlsx")
    assert {(p["sheet"], p["column"]) for p in found} >= {("A", "note"), ("B", "body"), ("A", "text")}


def test_a_sheet_asked_for_that_does_not_exist_names_the_sheets():
    data = workbook(("Posts", [["accounts", "text"], ["tea_cn", "ok"]]))
    found = problems(data, "p.xlsx", sheet="Plan")
    assert found[0]["column"] == "sheet" and "Posts" in found[0]["message"]


def test_a_cell_showing_an_excel_error_is_a_problem():
    data = workbook(("Posts", [["accounts", "text"], ["tea_cn", "#REF!"]]))
    [row] = read(data, "p.xlsx").rows
    assert [(p["sheet"], p["row"], p["column"]) for p in row.problems] == [("Posts", 2, "text")]
    assert "#REF!" in row.problems[0]["message"]


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    # given: a limit smaller than this small workbook unpacks to (a zip bomb, scaled down)
    monkeypatch.setattr(files, "MAX_XLSX_UNPACKED", 1000)
    data = workbook(("Posts", [["accounts", "text"], ["tea_cn", "ok"]]))
    # then
    assert "unpacks to more than" in problems(data, "p.xlsx")[0]["message"]


def test_dates_numbers_and_texts_of_a_workbook_as_the_import_reads_them():
    from datetime import date, datetime

    data = workbook(
        ("Posts", [["accounts", "text", "scheduled_at", "title"], [12, "春季 🍵", date(2031, 5, 1), 3.0]])
    )
    [row] = read(data, "p.xlsx").rows
    assert row.values == {
        "accounts": "12",
        "text": "春季 🍵",
        "scheduled_at": datetime(2031, 5, 1),
        "title": "3",
    }

"""Reading an uploaded table strictly: what a correct parser reads, or problems that name the row and column.

CSV (any file that is not a ZIP):
- Encoding. A UTF-8 BOM means UTF-8 and a UTF-16 BOM UTF-16 (what Excel's "Unicode Text" saves). Without
  a BOM the file is UTF-8 when the whole file is valid UTF-8. It is GB18030 (what Excel saves as "CSV" on a
  Chinese system) only when the whole file is valid GB18030, is not valid UTF-8, and does not read as UTF-8
  with a few bad bytes: in such a file most non-ASCII bytes form valid UTF-8 sequences, and the stray byte
  is a problem at its row and column, never a reason to read every other cell as GB18030 mojibake.
- Separator: comma, tab or semicolon, whichever splits the header row into the most known column names.
- Python's csv module in strict mode reads the rows. A quote that never closes, or a closing quote followed
  by something other than a separator, is a problem where that cell starts (never three rows merged into
  one cell); so is a cell longer than MAX_CELL_CHARS (the csv module's own limit).
XLSX: every worksheet, or the one asked for, each with its own header row; sheets without rows are listed,
never silently skipped. Formula cells are read from the value Excel saved with them (openpyxl's
`data_only`); a formula saved without a value, or one showing an error (#REF! ...), is a problem at its cell.

In both, a cell holding a NUL character or longer than MAX_CELL_CHARS, and a value in a column without a
name in the header row (a comma outside quotes, say), is a problem at its cell. The header is the first
row that is not blank; blank rows are not rows but keep their numbers, so `row` is the number a
spreadsheet program shows (the header is usually row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

MAX_CELL_CHARS = 131_072  # the csv module's field limit, for XLSX cells too
MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # a 20 MB workbook of text unpacks to far less; more is a zip bomb
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}
# (what the file starts with, Python codec, the name stored and shown)
BOMS = (
    (b"\xff\xfe\x00\x00", None, "UTF-32"),
    (b"\x00\x00\xfe\xff", None, "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
)
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16-le": "UTF-16 LE (BOM)",
    "utf-16-be": "UTF-16 BE (BOM)",
    "gb18030": "GB18030",
}


def accepted_formats() -> str:
    return _(
        "Accepted: CSV or text files in UTF-8, UTF-16 with a BOM or GB18030, with columns separated by "
        "commas, tabs or semicolons; or an XLSX workbook."
    )


def problem(row: int, column: str, message, sheet: str | None = None) -> dict:
    """One problem as the import reports it (`row` 0 is about the whole file)."""
    return {"sheet": sheet, "row": row, "column": column, "message": str(message)}


class FileProblems(Exception):
    """The file cannot be read as a table (or its header is wrong): nothing below it is a row."""

    def __init__(self, problems: list[dict]):
        super().__init__(problems[0]["message"])
        self.problems = problems


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV file is one sheet without a name)."""

    name: str | None
    rows: int = 0  # rows read under its header
    read: bool = True
    note: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "rows": self.rows, "read": self.read, "note": self.note}


@dataclass
class SourceRow:
    """One row under a header: {column: value} (value a string, or a datetime from an XLSX date cell),
    with the problems found in its cells."""

    number: int
    values: dict
    sheet: str | None = None
    problems: list[dict] = field(default_factory=list)


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    rows: list[SourceRow]
    sheets: list[Sheet]
    encoding: str = ""  # a key of ENCODING_LABELS (CSV only)
    delimiter: str = ""  # a key of DELIMITERS (CSV only)


def column_letter(index: int) -> str:
    """A 1-based column index as a spreadsheet program names it (1 is A, 28 is AB)."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_table(
    data: bytes,
    *,
    name: str = "",
    sheet: str | None = None,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int,
) -> Table:
    """The rows of an upload, or FileProblems. `columns` are the names a header may use (lower case),
    `required` the ones it must; more than `max_rows` rows is refused."""
    reader = _Reader(columns=columns, required=required, max_rows=max_rows)
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return reader.xlsx(data, sheet)
    return reader.csv(data)


# --- cells and headers (both kinds) -----------------------------------------------------------------


def cell_value(value) -> str | datetime:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Reader:
    def __init__(self, *, columns: Sequence[str], required: Sequence[str], max_rows: int):
        self.columns, self.required, self.max_rows = tuple(columns), tuple(required), max_rows
        self.count = 0  # rows read so far, every sheet

    def header(self, cells: Sequence, sheet: str | None, number: int) -> list[str]:
        names = [str(cell_value(c)).strip().lstrip("\ufeff").lower() for c in cells]
        problems = []
        where = {}
        for index, column in enumerate(names, start=1):
            if not column:
                continue
            if column not in self.columns:
                problems.append(
                    problem(
                        number,
                        column,
                        _("Unknown column %(index)s “%(column)s”; the columns are: %(columns)s.")
                        % {"index": index, "column": column, "columns": ", ".join(self.columns)},
                        sheet,
                    )
                )
            elif column in where:
                problems.append(
                    problem(
                        number,
                        column,
                        _("The column “%(column)s” is named twice (columns %(first)s and %(second)s).")
                        % {
                            "column": column,
                            "first": column_letter(where[column]),
                            "second": column_letter(index),
                        },
                        sheet,
                    )
                )
            else:
                where[column] = index
        for column in self.required:
            if column not in where:
                message = _("The column is missing: the first row must name the columns (%(columns)s).") % {
                    "columns": ", ".join(self.columns)
                }
                problems.append(problem(number, column, message + " " + accepted_formats(), sheet))
        if problems:
            raise FileProblems(problems)
        return names

    def rows(self, numbered: Iterable[tuple[int, list, dict]], sheet: Sheet) -> list[SourceRow]:
        """Rows under the first non-blank one (the header). `numbered`: (row number, cell values, {cell
        index: a problem message found while reading it})."""
        header = None
        out = []
        for number, cells, cell_problems in numbered:
            if header is None:
                if any(cell_value(c) != "" for c in cells) or cell_problems:
                    header = self.header(cells, sheet.name, number)
                continue
            if all(cell_value(c) == "" for c in cells) and not cell_problems:
                continue  # blank lines are not rows
            self.count += 1
            if self.count > self.max_rows:
                raise FileProblems(
                    [
                        problem(
                            0,
                            "file",
                            _("Import at most %(max)s rows at once.") % {"max": self.max_rows},
                            sheet.name,
                        )
                    ]
                )
            out.append(self.row(number, cells, cell_problems, header, sheet.name))
        if header is None:
            sheet.read, sheet.note = False, "empty"
        sheet.rows = len(out)
        return out

    def row(
        self, number: int, cells: list, cell_problems: dict, header: list[str], sheet: str | None
    ) -> SourceRow:
        row = SourceRow(number=number, values=dict.fromkeys(filter(None, header), ""), sheet=sheet)
        for index, raw in enumerate(cells):
            column = header[index] if index < len(header) and header[index] else None
            label = column or column_letter(index + 1)
            if index in cell_problems:
                row.problems.append(problem(number, label, cell_problems[index], sheet))
                value = ""
            else:
                value = cell_value(raw)
                message = _cell_problem(value)
                if message:
                    row.problems.append(problem(number, label, message, sheet))
                    value = ""
            if column is None:
                if value != "":
                    message = _(
                        "A value in a column without a name in the header row (%(cells)s cells in this row, "
                        "%(names)s names in the header); a comma, tab or semicolon in a text must be in "
                        "quotes."
                    ) % {"cells": len(cells), "names": len([h for h in header if h])}
                    row.problems.append(problem(number, label, message, sheet))
                continue
            row.values[column] = value
        return row

    # --- CSV ---------------------------------------------------------------------------------------

    def csv(self, data: bytes) -> Table:
        text, encoding = _decode(data)
        delimiter = _sniff(text, self.columns)
        sheet = Sheet(name=None)
        records: list[list[str]] = []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
                records.append(record)
        except csv.Error:
            header = next(
                ((n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r)), (0, [])
            )
            raise FileProblems([_structure_problem(text, delimiter, header, len(records) + 1)]) from None
        rows = self.rows(((number, cells, {}) for number, cells in enumerate(records, start=1)), sheet)
        if not sheet.read:
            raise FileProblems([problem(1, "file", _("The file is empty.") + " " + accepted_formats())])
        if not rows:
            raise FileProblems([problem(2, "file", _("The file has no rows under its header."))])
        return Table(kind="csv", rows=rows, sheets=[sheet], encoding=encoding, delimiter=delimiter)

    # --- XLSX --------------------------------------------------------------------------------------

    def xlsx(self, data: bytes, chosen: str | None) -> Table:
        from openpyxl import load_workbook

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(item.file_size for item in archive.infolist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            unpacked = 0  # openpyxl says what is wrong below
        if unpacked > MAX_XLSX_UNPACKED:
            message = _("The workbook unpacks to more than %(max)s MB; split it into smaller files.") % {
                "max": MAX_XLSX_UNPACKED // 1024 // 1024
            }
            raise FileProblems([problem(0, "file", message)])
        try:
            # Two readings of the same XML: the values Excel saved, and which cells are formulas.
            values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # noqa: BLE001 - whatever openpyxl raises, the file is not a workbook we can read
            raise FileProblems(
                [
                    problem(
                        0, "file", _("The file is not a readable XLSX workbook.") + " " + accepted_formats()
                    )
                ]
            ) from None
        try:
            names = values.sheetnames
            if chosen and chosen not in names:
                raise FileProblems(
                    [
                        problem(
                            0,
                            "sheet",
                            _("The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s.")
                            % {"sheet": chosen, "sheets": ", ".join(names)},
                        )
                    ]
                )
            sheets, rows, header_problems = [], [], []
            for name in names:
                sheet = Sheet(name=name)
                sheets.append(sheet)
                if chosen and name != chosen:
                    sheet.read, sheet.note = False, "not_chosen"
                    continue
                if name not in values or not hasattr(values[name], "iter_rows"):
                    sheet.read, sheet.note = False, "not_a_worksheet"
                    continue
                try:
                    rows += self.rows(_sheet_cells(values[name], formulas[name]), sheet)
                except FileProblems as problems:
                    if any(p["row"] == 0 for p in problems.problems):
                        raise  # about the whole file (too many rows): no use reading on
                    header_problems += problems.problems  # and the other sheets' headers too
            if header_problems:
                raise FileProblems(header_problems)
        except FileProblems:
            raise
        except Exception:  # noqa: BLE001 - a broken part of the workbook, found while reading it
            raise FileProblems(
                [
                    problem(
                        0, "file", _("The file is not a readable XLSX workbook.") + " " + accepted_formats()
                    )
                ]
            ) from None
        finally:
            values.close()
            formulas.close()
        if not rows:
            raise FileProblems([problem(0, "file", _("The workbook has no rows under a header."))])
        return Table(kind="xlsx", rows=rows, sheets=sheets)


def _cell_problem(value) -> str:
    if isinstance(value, str):
        if "\x00" in value:
            return _(
                "The cell holds a NUL character (U+0000). If the file is UTF-16, save it with a BOM "
                "(Excel's “Unicode Text” does)."
            )
        if len(value) > MAX_CELL_CHARS:
            return _("The cell has %(count)s characters; at most %(max)s.") % {
                "count": f"{len(value):,}",
                "max": f"{MAX_CELL_CHARS:,}",
            }
    return ""


def _sheet_cells(values_sheet, formulas_sheet) -> Iterator[tuple[int, list, dict]]:
    # Sheets from some programs declare a wrong size; without it every cell of every row is read.
    values_sheet.reset_dimensions()
    formulas_sheet.reset_dimensions()
    for number, (cells, formula_cells) in enumerate(
        zip(values_sheet.iter_rows(), formulas_sheet.iter_rows(), strict=True), start=1
    ):
        row, problems = [], {}
        for index, (cell, formula) in enumerate(zip(cells, formula_cells, strict=True)):
            value = cell.value
            if getattr(cell, "data_type", None) == "e":
                problems[index] = _("The cell shows the error %(error)s.") % {"error": value}
                value = None
            elif value is None and getattr(formula, "data_type", None) == "f":
                problems[index] = _(
                    "Formula without a value: the file was saved without the formula's result. Open it in "
                    "Excel or WPS and save it again, or paste the values instead of the formula."
                )
            row.append(value)
        yield number, row, problems


# --- CSV: encodings, separators, structure --------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) or FileProblems naming the first byte that does not decode."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            if codec is None:
                message = _("The file is %(encoding)s text.") % {"encoding": name}
                raise FileProblems([problem(0, "file", message + " " + accepted_formats())])
            body = data[len(bom) :]
            try:
                return body.decode(codec), name
            except UnicodeDecodeError as error:
                raise FileProblems([_byte_problem(body, codec, error, ENCODING_LABELS[name])]) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        first = error
    stray = _mostly_utf8(data)
    if not stray:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    raise FileProblems([_byte_problem(data, "utf-8", first, "UTF-8", stray=stray)])


def _mostly_utf8(data: bytes) -> bool:
    """Whether most non-ASCII bytes form valid UTF-8 sequences (at least four in five): a UTF-8 file with
    a few bad bytes, not text in another encoding (in GB18030 text of a few rows, well under half do)."""
    text = data.decode("utf-8", "surrogateescape")
    valid = invalid = 0
    for char in text:
        if "\udc80" <= char <= "\udcff":
            invalid += 1
        elif char > "\x7f":
            valid += len(char.encode("utf-8"))
    return valid > 0 and valid >= 4 * invalid


def _byte_problem(data: bytes, codec: str, error: UnicodeDecodeError, label: str, stray: bool = True) -> dict:
    """The first byte that does not decode, at the row and column of the text before it."""
    before = data[: error.start].decode(codec, "replace")
    delimiter = _sniff(before, ())
    walk = _walk(before, delimiter, check=False)
    byte = data[error.start] if error.start < len(data) else 0
    if stray:
        message = _(
            "Byte 0x%(byte)02X is not %(encoding)s (the rest of the file is): save the file as %(encoding)s "
            "again or fix this cell."
        ) % {"byte": byte, "encoding": label}
    else:
        message = (
            _("The file is not text in an accepted encoding (byte 0x%(byte)02X here is not UTF-8).")
            % {"byte": byte}
            + " "
            + accepted_formats()
        )
    return problem(walk.row, _label(_first_record(before, delimiter), walk.row, walk.index), message)


def _sniff(text: str, columns: Sequence[str]) -> str:
    """The separator that splits the first row into the most known column names; with none known (or a
    tie), the one that splits it into the most cells; comma first."""
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    scores = {}
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        known = sum(1 for cell in cells if cell.strip().lstrip("\ufeff").lower() in columns)
        scores[delimiter] = (known, len(cells))
    return max(DELIMITERS, key=lambda d: scores[d])  # max() keeps the first of equals: comma, tab, semicolon


def _first_record(text: str, delimiter: str) -> tuple[int, list[str]]:
    """(row number, cells) of the first non-blank row of `text` (the header), read leniently."""
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if any(cell.strip() for cell in record):
                return number, record
    except csv.Error:
        pass
    return 0, []


def _label(header: tuple[int, list[str]], row: int, index: int) -> str:
    """A cell's column as the import names it: the header's name below the header, else its letter."""
    header_row, cells = header
    names = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    if header_row and row > header_row and index < len(names) and names[index]:
        return names[index]
    return column_letter(index + 1)


@dataclass
class _Walk:
    """Where a walk through CSV text stopped: the row, the 0-based cell index, and why."""

    row: int = 1
    index: int = 0
    quoted: bool = False  # inside a quoted cell at the end
    opened: tuple[int, int] = (1, 0)  # where the last quoted cell opened
    stop: str = ""  # "after_quote" or "too_long" when it stopped at a problem


def _walk(text: str, delimiter: str, *, check: bool = True) -> _Walk:
    """The csv module's grammar (excel dialect, strict) walked by hand, only to say where things are: a
    quote is special at the start of a cell; inside a quoted cell a doubled quote is a quote; after the
    closing quote comes the separator or the end of the row."""
    walk = _Walk()
    after_quote, previous, length = False, "", 0
    for char in text:
        if walk.quoted:
            if char == '"':
                walk.quoted, after_quote = False, True
            else:
                length += 1
        elif after_quote and char == '"':
            walk.quoted, after_quote, length = True, False, length + 1
        elif char == delimiter:
            walk.index, after_quote, length = walk.index + 1, False, 0
        elif char in "\r\n":
            if not (char == "\n" and previous == "\r"):
                walk.row, walk.index = walk.row + 1, 0
            after_quote, length = False, 0
        elif after_quote:
            if check:
                walk.stop = "after_quote"
                return walk
            after_quote, length = False, length + 1
        elif char == '"' and previous in ("", delimiter, "\r", "\n") and length == 0:
            walk.quoted, walk.opened = True, (walk.row, walk.index)
        else:
            length += 1
        if check and length > MAX_CELL_CHARS:
            walk.stop = "too_long"
            return walk
        previous = char
    return walk


def _structure_problem(text: str, delimiter: str, header: tuple[int, list[str]], failing_row: int) -> dict:
    """What made the csv module stop, at the row and column where it happened."""
    walk = _walk(text, delimiter)
    if walk.stop == "after_quote":
        message = _(
            'A quoted cell goes on after its closing quote; inside quotes, write a quote as two quotes ("").'
        )
        return problem(walk.row, _label(header, walk.row, walk.index), message)
    if walk.stop == "too_long":
        message = _("The cell has more than %(max)s characters.") % {"max": f"{MAX_CELL_CHARS:,}"}
        return problem(walk.row, _label(header, walk.row, walk.index), message)
    if walk.quoted:
        row, index = walk.opened
        message = _(
            "A quote opens this cell and never closes, so the rest of the file would be read as this one "
            'cell; close the quote, or write a quote inside a quoted cell as two quotes ("").'
        )
        return problem(row, _label(header, row, index), message)
    return problem(failing_row, "file", _("The file is not valid CSV from this row on."))

"""Fuzzing the importer: random bytes, truncated and damaged files, mixed encodings, huge cells, many sheets.

Whatever the bytes, the reader returns rows or FileProblems (never another exception), and rows are
exactly what a correct parser reads: the file decoded with the encoding the reader reports (which must
follow the rule: BOM, else UTF-8 when the file is UTF-8, GB18030 only when it is not), then Python's csv
module in strict mode with the separator the reader reports, or openpyxl for a workbook. A cell the reader
refuses (NUL, too long, a value in a column without a name, a formula without a value) is one the parser
reads that way. Through the API, nothing answers 5xx and the posts stored are the parser's rows.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import importers
from content.imports.files import MAX_CELL_CHARS, FileProblems, Table, column_letter, read_table
from content.models import Post

BOMS = {
    "utf-8": b"",
    "utf-8-sig": b"\xef\xbb\xbf",
    "utf-16-le": b"\xff\xfe",
    "utf-16-be": b"\xfe\xff",
    "gb18030": b"",
}
CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}
PIECES = ["a", "Z", "9", " ", ",", ";", "\t", '"', "\n", "\r\n", "é", "x" * 40]
PIECES += ["中文", "春", "🍵", "👩‍👩‍👧", "，", "；"]  # CJK, emoji (a ZWJ sequence), full-width punctuation
OPTIONAL = ["title", "first_comment", "campaign", "scheduled_at"]


def read(data: bytes, name: str = "posts.csv", sheet: str | None = None) -> Table | FileProblems:
    try:
        return read_table(
            data,
            name=name,
            sheet=sheet,
            columns=importers.COLUMNS,
            required=importers.REQUIRED,
            max_rows=importers.MAX_ROWS,
        )
    except FileProblems as problems:
        return problems


def assert_problems_are_well_formed(problems: FileProblems) -> None:
    assert problems.problems
    for item in problems.problems:
        assert set(item) == {"sheet", "row", "column", "message"}
        assert isinstance(item["row"], int) and item["row"] >= 0
        assert isinstance(item["column"], str) and item["column"]
        assert isinstance(item["message"], str) and item["message"]


# --- the oracle for CSV ----------------------------------------------------------------------------


def parser_text(data: bytes, encoding: str) -> str:
    """The file as text in the encoding the reader reported, checking that the rule allowed it."""
    bom = BOMS[encoding]
    assert data.startswith(bom)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # GB18030 only for a file that is not UTF-8
        return data.decode("gb18030")
    if encoding == "utf-8":
        assert not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    return data[len(bom) :].decode(CODECS[encoding])


def parser_records(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))


def refused(value: str, named: bool) -> bool:
    return "\x00" in value or len(value) > MAX_CELL_CHARS or (not named and value != "")


def assert_rows_are_the_parsers(table: Table, records: list[list], sheet: str | None = None) -> None:
    """`records`: the parser's rows (lists of cell values as the reader shows them)."""
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(c != "" for c in r)]
    header_number, header = numbered[0]
    names = [str(c).strip().lstrip("\ufeff").lower() for c in header]
    expected = numbered[1:]
    ours = [row for row in table.rows if row.sheet == sheet]
    assert [row.number for row in ours] == [n for n, _ in expected]
    for row, (_number, record) in zip(ours, expected, strict=True):
        flagged = {p["column"] for p in row.problems}
        for index, value in enumerate(record):
            named = index < len(names) and bool(names[index])
            label = names[index] if named else column_letter(index + 1)
            if refused(value, named) if isinstance(value, str) else False:
                assert label in flagged, (row.number, label)
            elif named:
                assert row.values[label] == value, (row.number, label)
                assert label not in flagged or value == "", (row.number, label, row.problems)


def assert_faithful_csv(data: bytes, result) -> None:
    if isinstance(result, FileProblems):
        assert_problems_are_well_formed(result)
        return
    assert result.kind == "csv"
    records = parser_records(parser_text(data, result.encoding), result.delimiter)
    assert_rows_are_the_parsers(result, records)


# --- generated files --------------------------------------------------------------------------------


def cell(rnd: random.Random, *, clean: bool = False) -> str:
    """A cell of random pieces; unless `clean`, sometimes one that must be refused (NUL, too long)."""
    if clean:
        return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 6)))
    roll = rnd.random()
    if roll < 0.004:
        return "长" * (MAX_CELL_CHARS + 1)
    if roll < 0.03:
        return "bad\x00byte"
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 6)))


def generated_csv(
    rnd: random.Random, *, accounts=("tea_cn", "tea_global"), clean: bool = False
) -> tuple[bytes, dict]:
    """A CSV as a spreadsheet program writes it, in a random encoding and separator, maybe damaged
    (never when `clean`: then every cell is one a valid post may hold)."""
    columns = ["accounts", "text", *rnd.sample(OPTIONAL[:2], rnd.randint(0, 2))]
    rnd.shuffle(columns)
    if rnd.random() < 0.1 and not clean:
        columns.append("")  # a column without a name (its values must not be dropped silently)
    rows = [
        [rnd.choice(accounts) if c == "accounts" else cell(rnd, clean=clean) for c in columns]
        for _ in range(rnd.randint(0, 6))
    ]
    delimiter = rnd.choice([",", "\t", ";"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=rnd.choice(["\n", "\r\n"]))
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    encoding = rnd.choice(["utf-8", "utf-8-sig", "utf-16", "gb18030"])
    data = text.encode(encoding, errors="replace") if encoding == "gb18030" else text.encode(encoding)
    info = {"encoding": encoding, "delimiter": delimiter, "columns": columns, "rows": rows, "damage": None}
    roll = 1.0 if clean else rnd.random()
    if roll < 0.15 and len(data) > 2:
        data, info["damage"] = data[: rnd.randrange(1, len(data))], "truncated"
    elif roll < 0.3 and data:
        at = rnd.randrange(len(data))
        data, info["damage"] = data[:at] + bytes([rnd.randrange(256)]) + data[at:], "stray byte"
    elif roll < 0.4:
        extra = "\n" + delimiter.join(rnd.choice(accounts) if c == "accounts" else "春季" for c in columns)
        data, info["damage"] = data + extra.encode("gb18030"), "mixed encodings"
    return data, info


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([b"", b"accounts,text\n", b"\xef\xbb\xbfaccounts;text\r\n"]))
def test_random_bytes_are_rows_the_parser_reads_or_problems(data, prefix):
    # when
    result = read(prefix + data)
    # then
    assert_faithful_csv(prefix + data, result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_generated_and_damaged_csv_files_are_read_as_the_parser_reads_them(rnd):
    # given
    data, info = generated_csv(rnd)
    # when
    result = read(data)
    # then
    assert_faithful_csv(data, result)
    if info["damage"] is None and info["encoding"] != "gb18030":
        # an undamaged file in an encoding the rule reads as such: read whole, unless a cell is over-long
        too_long = any(len(c) > MAX_CELL_CHARS for row in info["rows"] for c in row)
        if too_long:
            assert isinstance(result, FileProblems)
            assert "131,072" in result.problems[0]["message"]
        elif info["rows"]:
            assert isinstance(result, Table), result.problems
            assert result.delimiter == info["delimiter"]
            assert (
                result.encoding
                == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16-le"}[info["encoding"]]
            )


# --- workbooks --------------------------------------------------------------------------------------


def xlsx_cell(rnd: random.Random):
    roll = rnd.random()
    if roll < 0.1:
        return None
    if roll < 0.2:
        return rnd.randint(-5, 10**6)
    if roll < 0.25:
        return rnd.random() * 100
    if roll < 0.3:
        return datetime(2031, rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23), 30)
    if roll < 0.35:
        return "=1+1"  # saved by openpyxl without a value
    text = "".join(rnd.choice([p for p in PIECES if p not in ("\r\n",)]) for _ in range(rnd.randint(1, 5)))
    return text.lstrip("=")


def generated_workbook(rnd: random.Random) -> tuple[bytes, list[tuple[str, list[list]]]]:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = []
    for number in range(rnd.randint(1, 5)):
        title = f"Sheet {number} 表"
        sheet = workbook.create_sheet(title)
        rows = []
        if rnd.random() > 0.15:  # some sheets stay empty
            rows.append(["accounts", "text", *rnd.sample(OPTIONAL[:2], rnd.randint(0, 2))])
            for _ in range(rnd.randint(0, 5)):
                rows.append(["tea_cn", *(xlsx_cell(rnd) for _ in rows[0][1:])])
            if rnd.random() < 0.2:
                rows.append([None] * len(rows[0]))  # a blank row keeps its number
                rows.append(["tea_global", "after a blank row"])
        for row in rows:
            sheet.append(row)
        sheets.append((title, rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), sheets


def shown(value):
    from content.imports.files import cell_value

    return cell_value(value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_workbooks_with_many_sheets_are_read_as_openpyxl_reads_them(rnd):
    # given
    data, sheets = generated_workbook(rnd)
    # when
    result = read(data, "posts.xlsx")
    # then: every sheet is listed; rows are openpyxl's (formulas without a value are problems)
    if isinstance(result, FileProblems):
        assert_problems_are_well_formed(result)
        assert not any(any(c is not None for c in row) for _title, rows in sheets for row in rows[1:])
        return
    assert [s.name for s in result.sheets] == [title for title, _rows in sheets]
    parsed = load_workbook(io.BytesIO(data), data_only=True)
    for title, rows in sheets:
        records = [[shown(c) for c in row] for row in parsed[title].iter_rows(values_only=True)]
        if not any(any(c != "" for c in r) for r in records):
            assert not [s for s in result.sheets if s.name == title][0].read
            continue
        assert_rows_are_the_parsers(result, records, sheet=title)
        for row in (r for r in result.rows if r.sheet == title):
            written = rows[row.number - 1]
            formulas = {rows[0][i] for i, v in enumerate(written) if isinstance(v, str) and v.startswith("=")}
            assert formulas == {p["column"] for p in row.problems if "Formula" in p["message"]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.data())
def test_damaged_workbooks_are_problems_never_crashes(rnd, data):
    # given
    workbook, _sheets = generated_workbook(rnd)
    damaged = bytearray(workbook)
    # Positions as fractions: a saved workbook's length changes with the time saved in it.
    where = st.floats(0, 1, exclude_max=True)
    for _ in range(data.draw(st.integers(0, 6))):
        damaged[int(data.draw(where) * len(damaged))] = data.draw(st.integers(0, 255))
    damaged = bytes(damaged[: max(4, int(data.draw(where) * len(damaged)) + 1)])
    # when
    result = read(damaged, "posts.xlsx")
    # then
    if isinstance(result, FileProblems):
        assert_problems_are_well_formed(result)
    else:
        assert result.kind == "xlsx"


# --- through the API --------------------------------------------------------------------------------


def expected_posts(data: bytes) -> list[tuple[str, str]] | None:
    """The (title, text) of each post a correct reading of this file makes, or None when it must be
    refused (the parser fails, a cell it reads is refused, a row is not a valid post)."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    try:
        text = data.decode("utf-16") if utf16 else data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # UTF-8 with bad bytes, GB18030 or mixed: checked against what we stored instead
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=lambda d: len(header.split(d)))
    try:
        records = parser_records(text, delimiter)
    except csv.Error:
        return None
    records = [r for r in records if any(c != "" for c in r)]
    names = [c.strip().lower() for c in records[0]]
    posts = []
    for record in records[1:]:
        if any(refused(v, i < len(names) and bool(names[i])) for i, v in enumerate(record)):
            return None
        values = dict(zip(names, record, strict=False))
        if not values.get("text", "").strip() or len(values.get("title", "")) > 200:
            return None
        if values.get("accounts") not in ("tea_cn", "tea_global"):
            return None  # a damaged name
        posts.append((values.get("title", ""), values.get("text", "")))
    return posts or None


@pytest.mark.django_db
def test_imports_through_the_api_never_fail_and_store_what_the_parser_reads(
    client_for, django_capture_on_commit_callbacks
):
    # given
    workspace = WorkspaceFactory()
    # X takes a first comment, so every generated column can hold a value
    SocialAccountFactory(workspace=workspace, platform="x", handle="tea_cn")
    SocialAccountFactory(workspace=workspace, platform="x", handle="tea_global")
    api = client_for(WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user)
    url = f"/api/v1/workspaces/{workspace.pk}/imports/"
    rnd = random.Random(10)
    committed = 0
    for attempt in range(24):
        data, info = generated_csv(rnd, clean=attempt % 2 == 0)
        Post.objects.all().delete()
        # when
        with django_capture_on_commit_callbacks(execute=True):
            uploaded = api.post(url, {"file": SimpleUploadedFile("f.csv", data)}, format="multipart")
        assert uploaded.status_code == 202, (attempt, uploaded.content)
        job = api.get(f"{url}{uploaded.json()['id']}/").json()
        if job["status"] == "ready":
            with django_capture_on_commit_callbacks(execute=True):
                assert api.post(f"{url}{job['id']}/commit/", {}, format="json").status_code == 202
            job = api.get(f"{url}{job['id']}/").json()
        # then
        assert job["status"] in ("ready", "invalid", "committed"), (attempt, job)
        stored = [(p.title, p.targets.first().text) for p in Post.objects.order_by("id")]
        if job["status"] == "committed":
            committed += 1
            records = parser_records(parser_text(data, job["encoding"]), job["delimiter"])
            records = [r for r in records if any(c != "" for c in r)]
            names = [c.strip().lstrip("\ufeff").lower() for c in records[0]]
            rows = [dict(zip(names, r, strict=False)) for r in records[1:]]
            assert stored == [(r.get("title", ""), r["text"]) for r in rows], (attempt, info)
        else:
            assert stored == []
        expected = expected_posts(data)
        if expected is not None:
            assert job["status"] == "committed", (attempt, info, job["errors"][:3])
    assert committed >= 8  # the fuzz also covers files that import

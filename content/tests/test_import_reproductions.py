"""Issue 10's import reproductions, each against the importer's all-or-nothing service
(content.importers.posts_import, which the import job's commit runs): the files people really upload."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import importers
from content.models import Post, PostTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    SocialAccountFactory(workspace=workspace, platform="weibo", handle="tea_cn")
    SocialAccountFactory(workspace=workspace, platform="x", handle="tea_global")
    return workspace


@pytest.fixture
def editor(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user


def upload(data: bytes, name: str = "posts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def run(editor, ws, data: bytes, name: str = "posts.csv"):
    return importers.posts_import(actor=editor, workspace=ws, file=upload(data, name))


def rejected(editor, ws, data: bytes, name: str = "posts.csv") -> list[dict]:
    with pytest.raises(importers.ImportRejected) as caught:
        run(editor, ws, data, name)
    assert Post.objects.count() == 0
    return caught.value.rows


def xlsx(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_unclosed_quote_is_a_row_and_column_error_not_three_rows_merged(editor, ws):
    # given: row 2's text opens a quote that never closes; rows 3 and 4 would be swallowed into it
    data = b'accounts,text\ntea_cn,"Spring is here\ntea_cn,Second post\ntea_global,Third post\n'
    # when
    problems = rejected(editor, ws, data)
    # then
    assert [(p["row"], p["column"]) for p in problems] == [(2, "text")]
    assert "quote" in problems[0]["message"]


def test_a_stray_byte_in_a_utf8_file_is_an_error_not_gb18030_mojibake(editor, ws):
    # given: a UTF-8 file whose third row holds one byte that is not UTF-8 (the whole file happens to be
    # valid GB18030, which is how it used to be read)
    data = "accounts,text\ntea_cn,春季新品上市\n".encode() + b"tea_cn,\xa0" + "中文好\n".encode()
    assert data.decode("gb18030")  # the old fallback read it without complaint
    # when
    problems = rejected(editor, ws, data)
    # then
    assert [(p["row"], p["column"]) for p in problems] == [(3, "text")]
    assert "UTF-8" in problems[0]["message"] and "0xA0" in problems[0]["message"]


def test_a_131073_character_cell_is_a_row_and_column_error(editor, ws):
    # given
    data = ("accounts,text\ntea_cn,ok\ntea_cn," + "长" * 131_073 + "\n").encode()
    # when
    problems = rejected(editor, ws, data)
    # then
    assert [(p["row"], p["column"]) for p in problems] == [(3, "text")]
    assert "131,072" in problems[0]["message"] or "131072" in problems[0]["message"]


def test_a_nul_byte_is_a_row_and_column_error(editor, ws):
    # given
    data = b"accounts,text,title\ntea_cn,Hello,ok\ntea_cn,Bad\x00text,ok\n"
    # when
    problems = rejected(editor, ws, data)
    # then
    assert [(p["row"], p["column"]) for p in problems] == [(3, "text")]
    assert "NUL" in problems[0]["message"]


def test_every_sheet_of_a_workbook_is_read(editor, ws):
    # given: posts on two sheets
    data = xlsx(
        ("March", [["accounts", "text"], ["tea_cn", "From March"]]),
        ("April", [["accounts", "text"], ["tea_global", "From April"], ["tea_cn", "Also April"]]),
    )
    # when
    posts = run(editor, ws, data, "posts.xlsx")
    # then
    assert len(posts) == 3
    assert set(PostTarget.objects.values_list("text", flat=True)) == {
        "From March",
        "From April",
        "Also April",
    }


def test_a_formula_without_a_cached_value_is_reported_as_such(editor, ws):
    # given: openpyxl (like several generators) saves formulas without their computed value
    data = xlsx(("Posts", [["accounts", "text"], ["tea_cn", '="Spring "&"sale"']]))
    # when
    problems = rejected(editor, ws, data, "posts.xlsx")
    # then
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("Posts", 2, "text")]
    assert "formula" in problems[0]["message"]
    assert "empty" not in problems[0]["message"]


def test_utf16_with_bom_and_tabs_as_excel_saves_unicode_text(editor, ws):
    # given
    data = "accounts\ttext\ntea_cn\t春季新品\ntea_global\tSpring, new\n".encode("utf-16")
    # when
    posts = run(editor, ws, data, "posts.txt")
    # then
    assert len(posts) == 2
    assert set(PostTarget.objects.values_list("text", flat=True)) == {"春季新品", "Spring, new"}


def test_semicolon_separated_as_excel_saves_in_european_locales(editor, ws):
    # given
    data = b'accounts;text;title\n"tea_cn;tea_global";Bonjour, le printemps;Avril\n'
    # when
    posts = run(editor, ws, data)
    # then
    assert len(posts) == 1
    assert PostTarget.objects.count() == 2
    assert set(PostTarget.objects.values_list("text", flat=True)) == {"Bonjour, le printemps"}


def test_a_file_that_is_not_read_says_what_is_accepted(editor, ws):
    # given: UTF-32, which no spreadsheet program in the list saves
    data = "accounts,text\ntea_cn,hello\n".encode("utf-32")
    # when
    problems = rejected(editor, ws, data)
    # then
    message = problems[0]["message"]
    for accepted in ("UTF-8", "UTF-16", "GB18030", "XLSX", "tab", "semicolon"):
        assert accepted in message, (accepted, message)

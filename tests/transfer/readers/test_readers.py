"""Tests of guanxi.transfer.readers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guanxi.transfer.readers import MAX_REPORTED, ReadError, Table, list_sheets, open_table

DATA = Path(__file__).resolve().parents[1] / "data"


def read_all(table: Table) -> list[tuple[int, list[str]]]:
    return list(table.rows())


# ---------------------------------------------------------------------------------------
# CSV: encodings, delimiters, structure
# ---------------------------------------------------------------------------------------


def test_utf8_vendor_csv() -> None:
    with open_table(DATA / "salesforce_contacts.csv") as t:
        assert t.format == "csv"
        assert t.encoding == "utf-8"
        assert t.delimiter == ","
        assert t.sheet is None and t.sheet_names == []
        assert t.headers[:6] == ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation"]
        rows = read_all(t)
    assert len(rows) == 15
    number, first = rows[0]
    assert number == 1
    assert first[:7] == ["0035g00000000000AAQ", "false", "0015g00000000000AAQ", "张", "伟", "", "张伟"]
    assert all(len(values) == len(t.headers) for _, values in rows)


def test_gbk_csv_with_chinese_headers_is_detected() -> None:
    raw = (DATA / "gbk_contacts.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with open_table(DATA / "gbk_contacts.csv") as t:
        assert t.encoding == "gb18030"
        assert t.headers == [
            "姓名",
            "手机号码",
            "电子邮件",
            "公司名称",
            "职务",
            "微信",
            "省份",
            "城市",
            "地址",
            "负责人",
            "备注",
        ]
        rows = read_all(t)
    assert rows[0] == (
        1,
        [
            "张伟",
            "13812345678",
            "zhang.wei@bytedance.com",
            "北京字节跳动科技有限公司",
            "销售总监",
            "zhangwei_bd",
            "北京",
            "北京市",
            "海淀区知春路甲48号",
            "li.na@guanxi-demo.cn",
            "来自 Excel 导出",
        ],
    )
    assert len(rows) == 14
    assert [r[1][0] for r in rows][-3:] == ["司马光", "Maria Garcia", "黄思远"]


def test_utf16_tab_delimited_unicode_text() -> None:
    assert (DATA / "utf16_contacts.txt").read_bytes()[:2] == b"\xff\xfe"
    with open_table(DATA / "utf16_contacts.txt") as t:
        assert t.encoding == "utf-16"
        assert t.delimiter == "\t"
        assert t.headers[0] == "姓名"  # no BOM left in the first header
        rows = read_all(t)
    assert len(rows) == 8
    assert rows[7][1][0] == "Jonas Müller"
    assert rows[7][1][8] == "Friedrichstraße 68"


def test_utf16_without_bom() -> None:
    data = "姓名\t手机\n张三\t13812345678\n".encode("utf-16-be")
    with open_table(data) as t:
        assert t.encoding == "utf-16-be"
        assert t.delimiter == "\t"
        assert read_all(t) == [(1, ["张三", "13812345678"])]


def test_semicolon_delimited_with_utf8_bom() -> None:
    with open_table(DATA / "semicolon_deals.csv") as t:
        assert t.encoding == "utf-8-sig"
        assert t.delimiter == ";"
        assert t.headers == ["Deal Name", "Amount", "Currency", "Stage", "Close Date", "Company"]
        rows = read_all(t)
    assert rows[0][1][:2] == ["字节跳动 2025 年度 CRM 订阅", "1280000,00"]
    assert rows[3][1][1] == "245000,50"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    lines = [["name", "email", "note"], ["张三", "a@b.cn", "x, y; z | w"], ["李四", "c@d.cn", ""]]
    text = "\n".join(
        delimiter.join(f'"{c}"' if any(d in c for d in ",;\t|") else c for c in row) for row in lines
    )
    with open_table(text.encode()) as t:
        assert t.delimiter == delimiter
        assert t.headers == ["name", "email", "note"]
        assert read_all(t) == [(1, ["张三", "a@b.cn", "x, y; z | w"]), (2, ["李四", "c@d.cn", ""])]


def test_excel_sep_line_is_honoured() -> None:
    with open_table(b"sep=;\r\na;b\r\n1,5;2\r\n") as t:
        assert t.delimiter == ";"
        assert t.headers == ["a", "b"]
        assert read_all(t) == [(1, ["1,5", "2"])]


def test_explicit_delimiter_and_encoding_override_detection() -> None:
    data = "a|b,c\n1|2,3\n".encode("gbk")
    with open_table(data, delimiter=",", encoding="gbk") as t:
        assert t.delimiter == ","
        assert t.encoding == "gbk"
        assert t.headers == ["a|b", "c"]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(newline: str) -> None:
    data = newline.join(["name,city", "张三,北京", '"李\n四",上海', ""]).encode()
    with open_table(data) as t:
        assert read_all(t) == [(1, ["张三", "北京"]), (2, ["李\n四", "上海"])]


def test_ascii_start_with_gbk_far_into_the_file() -> None:
    """The encoding is decided by the first non-ASCII bytes, even megabytes into the file."""
    head = "name,email\n" + "".join(f"user{i},user{i}@example.com\n" for i in range(150_000))
    data = head.encode() + "张三,zhangsan@example.com\n".encode("gbk")
    assert len(data) > 2 * 1024 * 1024
    with open_table(data) as t:
        assert t.encoding == "gb18030"
        rows = read_all(t)
    assert rows[-1] == (150_001, ["张三", "zhangsan@example.com"])


def test_western_windows_csv_is_not_taken_for_gbk() -> None:
    text = "Name,City,Note\nJosé Müller,Köln,Café crème\nFrançois Lévêque,Genève,Très bien\n" * 20
    with open_table(text.encode("cp1252")) as t:
        assert t.encoding == "cp1252"
        rows = read_all(t)
    assert rows[0][1] == ["José Müller", "Köln", "Café crème"]


def test_messy_file() -> None:
    with open_table(DATA / "messy_contacts.csv") as t:
        # BOM removed, headers stripped, a blank header named by position, duplicates numbered.
        assert t.headers == ["姓名", "手机", "邮箱", "公司", "备注", "column_6", "备注 (2)"]
        rows = dict(read_all(t))
        assert t.extra_cells == [(10, ["多余1", "多余2"])]
        assert t.extra_cells_count == 1
    # A quoted field with a line break and a comma.
    assert rows[1][4] == "第一行\n第二行, 含逗号"
    # The blank rows 6 and 7 are skipped but keep their numbers.
    assert sorted(rows) == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    # Values are not changed: case, full width, spaces and formulas stay as written.
    assert rows[2][:3] == ["张伟", "138-1234-5678", "zhang.wei@bytedance.com"]
    assert rows[4][1:3] == ["１３９１２３４５６７８", "wangfang＠tencent．com"]
    assert rows[8][:3] == ["公式", '=HYPERLINK("http://evil.example","点我")', "=1+1@x.com"]
    assert rows[8][3] == "=CMD|' /C calc'!A0"
    assert rows[9][:3] == ["  李娜  ", "  010-58341234 转 8001 ", "LI.NA@Example.CN "]
    assert rows[3][0] == ""  # missing name: kept, the importer reports it
    # A short row is padded; a row with extra cells is cut to the header.
    assert rows[11] == ["短行", "13600003333", "", "", "", "", ""]
    assert rows[10] == ["多余列", "13500002222", "extra@example.com", "多余公司", "有多余的单元格", "", ""]
    assert rows[12][0] == '引号"内"的名字'
    assert rows[12][3] == "公司, 带逗号"


def test_extra_cells_are_reported_up_to_a_limit() -> None:
    body = "".join(f"r{i},x,EXTRA\n" for i in range(MAX_REPORTED + 5))
    with open_table(("a,b\n" + body + "last,y,,  \n").encode()) as t:
        rows = read_all(t)
        assert len(rows) == MAX_REPORTED + 6
        assert t.extra_cells_count == MAX_REPORTED + 5  # the blank extra cells of the last row are ignored
        assert len(t.extra_cells) == MAX_REPORTED
        assert t.extra_cells[0] == (1, ["EXTRA"])


def test_blank_and_duplicate_headers() -> None:
    with open_table(b" Email ,,email,Email, Email \n1,2,3,4,5\n") as t:
        assert t.headers == ["Email", "column_2", "email", "Email (2)", "Email (3)"]


def test_header_after_blank_lines_and_whitespace_rows() -> None:
    with open_table(b"\n , \nname,phone\n\n  ,\t\nA,1\n") as t:
        assert t.headers == ["name", "phone"]
        assert read_all(t) == [(3, ["A", "1"])]


def test_header_line_breaks_are_collapsed() -> None:
    with open_table(b'"E-mail\naddress",name\nx,y\n') as t:
        assert t.headers == ["E-mail address", "name"]


def test_rows_can_be_read_again() -> None:
    with open_table(DATA / "hubspot_deals.csv") as t:
        first = read_all(t)
        second = read_all(t)
    assert first == second
    assert len(first) == 10


def test_rows_can_be_read_again_after_a_partial_read() -> None:
    with open_table(DATA / "zoho_contacts.csv") as t:
        it = t.rows()
        assert next(it)[0] == 1
        assert [n for n, _ in read_all(t)] == list(range(1, 16))


def test_iterating_the_table_is_rows() -> None:
    with open_table(b"a\n1\n2\n") as t:
        assert list(t) == [(1, ["1"]), (2, ["2"])]


# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------


def test_binary_file_object_is_left_open() -> None:
    fh = open(DATA / "pipedrive_persons.csv", "rb")  # noqa: SIM115
    try:
        with open_table(fh) as t:
            assert len(read_all(t)) == 15
        assert not fh.closed
        fh.seek(0)
        assert fh.read(11) == b"Person - ID"
    finally:
        fh.close()


def test_bytesio_with_offset() -> None:
    buf = io.BytesIO(b"GARBAGE" + "name,city\n张三,北京\n".encode())
    buf.seek(7)
    with open_table(buf) as t:
        assert read_all(t) == [(1, ["张三", "北京"])]
        assert read_all(t) == [(1, ["张三", "北京"])]


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like an upload or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(b), 1000))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_non_seekable_stream_is_spooled() -> None:
    data = (DATA / "gbk_contacts.csv").read_bytes()
    with open_table(io.BufferedReader(_Pipe(data))) as t:
        assert t.encoding == "gb18030"
        rows = read_all(t)
        assert len(rows) == 14
        assert read_all(t) == rows


def test_text_mode_file_is_refused() -> None:
    with (
        open(DATA / "salesforce_contacts.csv", encoding="utf-8") as fh,
        pytest.raises(ReadError, match="binary mode"),
    ):
        open_table(fh)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Spreadsheets
# ---------------------------------------------------------------------------------------


def test_xlsx_first_sheet_typed_values() -> None:
    with open_table(DATA / "workbook_two_sheets.xlsx") as t:
        assert t.format == "xlsx"
        assert t.encoding is None and t.delimiter is None
        assert t.sheet_names == ["联系人", "Companies"]
        assert t.sheet == "联系人"
        assert t.headers == ["姓名", "手机", "邮箱", "公司", "生日", "VIP", "积分", "column_8", "姓名 (2)"]
        rows = dict(read_all(t))
    # Integral numbers without ".0", ISO dates, booleans, other numbers in shortest form.
    assert rows[1] == [
        "张伟",
        "13812345678",
        "zhang.wei@bytedance.com",
        "北京字节跳动科技有限公司",
        "2024-01-01",
        "true",
        "1000",
        "",
        "别名0",
    ]
    assert rows[2][4:7] == ["2024-02-02", "false", "1250.5"]
    # The blank row after the third data row is skipped but counted.
    assert sorted(rows) == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    # A formula gives its cached value; an error cell is empty.
    assert rows[12][0] == "链接客户"
    assert rows[12][6] == ""


def test_xlsx_named_sheet_and_datetimes() -> None:
    with open_table(DATA / "workbook_two_sheets.xlsx", sheet="Companies") as t:
        assert t.sheet == "Companies"
        assert t.headers == ["Company", "Domain", "Employees", "Updated"]
        rows = read_all(t)
    assert rows[0] == (1, ["北京字节跳动科技有限公司", "bytedance.com", "110000", "2024-05-06T13:04:05"])
    assert len(rows) == 6


def test_xlsx_sheet_by_index() -> None:
    with open_table(DATA / "workbook_two_sheets.xlsx", sheet=1) as t:
        assert t.sheet == "Companies"


def test_unknown_sheet() -> None:
    with pytest.raises(ReadError) as err:
        open_table(DATA / "workbook_two_sheets.xlsx", sheet="Deals")
    assert str(err.value) == "unknown sheet 'Deals' (sheets: 联系人, Companies)"
    with pytest.raises(ReadError, match=r"unknown sheet 5 \(the workbook has 2 sheets\)"):
        open_table(DATA / "workbook_two_sheets.xlsx", sheet=5)


def test_list_sheets() -> None:
    assert list_sheets(DATA / "workbook_two_sheets.xlsx") == ["联系人", "Companies"]
    assert list_sheets(DATA / "fxiaoke_contacts.xlsx") == ["联系人"]
    assert list_sheets(DATA / "salesforce_contacts.csv") == []


def test_xlsx_from_file_object() -> None:
    with open(DATA / "fxiaoke_opportunities.xlsx", "rb") as fh, open_table(fh) as t:
        assert t.format == "xlsx"
        rows = read_all(t)
    assert rows[0][1][:5] == [
        "65f0d1b2c3d4e5f6a7b8c000",
        "字节跳动 2025 年度 CRM 订阅",
        "北京字节跳动科技有限公司",
        "1280000",
        "2025-03-31",
    ]


def test_broken_xlsx() -> None:
    with pytest.raises(ReadError, match="not a readable XLSX workbook"):
        open_table(b"PK\x03\x04" + b"\x00" * 100)


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def test_json_list() -> None:
    with open_table(DATA / "contacts.json") as t:
        assert t.format == "json"
        assert t.encoding == "utf-8"
        # The union of keys in order of first appearance: "wechat" appears only in the last object.
        assert t.headers == ["name", "email", "mobile", "company", "score", "vip", "tags", "note", "wechat"]
        rows = read_all(t)
    assert rows[0] == (
        1,
        [
            "张伟",
            "zhang.wei@bytedance.com",
            "13812345678",
            '{"name":"北京字节跳动科技有限公司","domain":"bytedance.com"}',
            "0",
            "true",
            "[]",
            "",
            "",
        ],
    )
    assert rows[1][1][4] == "1.5"
    assert rows[1][1][6] == '["客户","2024"]'
    assert rows[9][1][8] == "late_key_wx"


def test_json_lines() -> None:
    with open_table(DATA / "contacts.jsonl") as t:
        assert t.format == "json"
        rows = read_all(t)
    assert [r[1][0] for r in rows] == ["张伟", "王芳", "欧阳娜娜", "刘洋", "John Smith"]


def test_json_numbers_keep_their_text_and_blank_objects_are_skipped() -> None:
    data = (
        b'[{"amount": 19.90, "n": 7, "big": 12345678901234567890, "e": 1e3}, {}, {"amount": null}, {"n": 1}]'
    )
    with open_table(data) as t:
        assert t.headers == ["amount", "n", "big", "e"]
        assert read_all(t) == [(1, ["19.90", "7", "12345678901234567890", "1E+3"]), (4, ["", "1", "", ""])]


def test_json_is_streamed_across_buffer_boundaries() -> None:
    objs = [{"id": i, "name": f"客户{i}", "note": "x" * (i % 700)} for i in range(3000)]
    data = json.dumps(objs, ensure_ascii=False, indent=1).encode()
    assert len(data) > 1024 * 1024
    with open_table(io.BytesIO(data), format="json") as t:
        rows = read_all(t)
    assert len(rows) == 3000
    assert rows[2999] == (3000, ["2999", "客户2999", "x" * (2999 % 700)])


def test_invalid_json_reports_the_line() -> None:
    data = b'[\n {"a": 1},\n {"a": 2,},\n {"a": 3}\n]'
    with pytest.raises(ReadError, match=r"^invalid JSON at line 3: "):
        open_table(data)


def test_unclosed_json_list() -> None:
    with pytest.raises(ReadError, match=r"invalid JSON at line 2: the list is not closed"):
        open_table(b'[{"a": 1},\n{"a": 2}')


def test_json_that_is_not_a_list_of_objects() -> None:
    with pytest.raises(ReadError, match=r"^not a table: JSON item 1 at line 1 is a list, not an object$"):
        open_table(b"[[1, 2], [3, 4]]")
    with pytest.raises(ReadError, match="not a table"):
        open_table(b'"just a string"', format="json")


def test_empty_json_list() -> None:
    with pytest.raises(ReadError, match="empty file: the JSON list has no objects"):
        open_table(b"  [ ]  ")


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(ReadError) as err:
        open_table(missing)
    assert str(err.value) == f"file not found: {missing}"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="is a directory"):
        open_table(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReadError) as err:
        open_table(empty)
    assert str(err.value) == "empty file"
    with pytest.raises(ReadError, match=r"^empty file: no header row$"):
        open_table(b"\r\n ,  ,\r\n\r\n")


def test_not_a_table() -> None:
    with pytest.raises(ReadError, match=r"^not a table: the file is a PDF document$"):
        open_table(b"%PDF-1.7\n...")
    with pytest.raises(ReadError, match=r"^not a table: the file contains binary data$"):
        open_table(b"abc\x00\x01\x02\x03" * 4)


def test_undecodable_bytes_later_in_the_file() -> None:
    data = "name\n张三\n".encode() + b"row\n" * 30_000 + b"\xff\xfe\xfd broken\n"
    message = r"^undecodable bytes near row \d+: the file is not valid utf-8$"
    with pytest.raises(ReadError, match=message) as err, open_table(data, encoding="utf-8") as t:
        read_all(t)
    # Decoding runs a buffer ahead of parsing, so the row is approximate (the bad row is 30,002).
    near = int(str(err.value).split("row ")[1].split(":")[0])
    assert 27_000 < near <= 30_002  # within one 8 KiB decoding chunk
    with pytest.raises(ReadError, match=r"^undecodable bytes: the start of the file is not valid utf-8$"):
        open_table(b"name\n\xff\xfe\xfd\n", encoding="utf-8")


def test_unknown_encoding_and_format() -> None:
    with pytest.raises(ReadError, match="unknown encoding 'klingon'"):
        open_table(b"a\n1\n", encoding="klingon")
    with pytest.raises(ReadError, match="unknown format 'pdf'"):
        open_table(b"a\n1\n", format="pdf")


def test_closed_table() -> None:
    t = open_table(b"a\n1\n")
    t.close()
    t.close()  # twice is fine
    with pytest.raises(ReadError, match="closed"):
        read_all(t)


def test_readerror_is_one_line() -> None:
    for bad in [b"", b"%PDF", b"[1", b"PK\x03\x04junk"]:
        with pytest.raises(ReadError) as err:
            open_table(bad)
        assert "\n" not in str(err.value)


def test_json_error_line_far_into_a_streamed_file() -> None:
    lines = [json.dumps({"id": i, "note": "y" * 500}) for i in range(2999)] + ["[1, 2]"]
    data = ("[\n" + ",\n".join(lines) + "\n]\n").encode()
    assert len(data) > 1024 * 1024
    with pytest.raises(
        ReadError, match=r"^not a table: JSON item 3000 at line 3001 is a list, not an object$"
    ):
        open_table(data)


def test_xls_is_recognised_by_its_magic_bytes() -> None:
    with pytest.raises(ReadError, match=r"^not a readable XLS workbook: "):
        open_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_xls_workbook_first_sheet_and_named_sheet() -> None:
    """An Excel 97-2003 file (as older CRMs and Chinese office suites still write): typed numbers and
    dates come out as the text a person sees."""
    path = DATA / "legacy_contacts.xls"
    with open_table(path) as t:
        assert t.format == "xls" and t.sheet == "联系人"
        assert t.headers == ["姓名", "手机", "邮箱", "公司", "职务", "生日"]
        rows = read_all(t)
    first = [
        "陈静",
        "13512345678",
        "Chen.Jing@Example.cn",
        "成都金石医疗器械有限责任公司",
        "采购经理",
        "1988-03-14",
    ]
    assert rows[0] == (1, first)
    assert rows[2][1][1] == "13900139000"  # a number cell, without ".0"
    assert [n for n, _cells in rows] == [1, 2, 3, 4]
    assert list_sheets(path) == ["联系人", "说明"]
    with open_table(path, sheet="说明") as t:
        assert t.headers == ["备注"] and read_all(t) == [(1, ["导出自旧系统"])]

"""Streaming readers for import files: CSV, XLSX/XLS (and ODS) and JSON.

``open_table(source)`` looks at the bytes, picks the format, the encoding and the delimiter,
reads the header row and returns a :class:`Table` whose :meth:`Table.rows` yields one row at
a time, so a million-row file never becomes a million Python objects at once.

Behaviour, in one place (each point is tested in ``tests/transfer/readers``):

* **Formats.** ZIP bytes are a workbook (XLSX, or ODS when the archive says so), OLE2 bytes
  are XLS; text is JSON when it starts with ``[`` or ``{`` (or the file is named ``.json``,
  ``.jsonl``, ``.ndjson``) and CSV otherwise. ``format=`` overrides the guess.
* **Encodings (CSV and JSON).** A byte-order mark wins (UTF-8, UTF-16 LE/BE, UTF-32).
  Otherwise UTF-16 without a BOM is recognised by its zero bytes; then the first non-ASCII
  stretch of the file (the whole file is scanned until one is found) decides: valid UTF-8 is
  UTF-8; text that decodes as GB18030 into mostly GB2312 characters is read as ``gb18030``
  (the superset of GBK, which is what Excel on a Chinese Windows writes); anything else is
  left to charset-normalizer, except that text in a Western single-byte code page is read
  as ``cp1252`` (Excel on a Western Windows) when it decodes as such. Decoding is strict and
  streaming (``io.TextIOWrapper``); a bad byte later in the file stops the read with a
  :class:`ReadError` naming the row (approximately: decoding runs up to 8 KiB ahead).
* **Delimiter (CSV).** Comma, semicolon, tab or pipe, sniffed from the first 64 KiB by
  parsing it with each candidate and keeping the one that gives the most consistent and
  widest rows; Excel's ``sep=;`` first line is honoured and skipped.
* **Header.** The first non-blank row. Header names are stripped, lose any BOM and have
  inner whitespace (line breaks) collapsed to one space; a blank header is named after its
  1-based position (``column_7``); a repeated header gets a suffix (``Email (2)``).
* **Rows.** ``rows()`` yields ``(row_number, values)``: ``row_number`` is 1 for the first
  record after the header and counts every record after it, blank ones included, so it
  never shifts when blank rows are skipped (for a spreadsheet without blank rows above the
  header, the sheet row is ``row_number + 1``; for CSV it counts records, not physical
  lines, since a quoted field may span lines). A fully blank row (every cell empty or
  whitespace) is skipped. Values are strings, not stripped (the normalisers strip);
  missing cells are padded with ``""``; cells beyond the header are cut off: blank ones
  silently, non-blank ones are reported in ``Table.extra_cells`` (the first
  ``MAX_REPORTED`` rows, as ``(row_number, cells)``) and counted in
  ``Table.extra_cells_count``.
* **Spreadsheet values.** Integral numbers without ``.0`` (``13812345678``), other numbers
  in Python's shortest form (``1.5``), booleans as ``true``/``false``, dates as
  ``YYYY-MM-DD``, date-times as ``YYYY-MM-DDTHH:MM:SS``, times as ``HH:MM:SS``, durations as
  ``H:MM:SS``; a formula gives its cached value; error cells (``#DIV/0!``) are empty.
  Calamine holds the chosen sheet in native memory (not as Python objects).
* **JSON.** A list of objects, or JSON Lines (one object per line). Parsed incrementally
  (``json.JSONDecoder.raw_decode`` over a sliding buffer), in two passes: the first collects
  the header as the union of all keys in order of first appearance, the second yields rows;
  so no key is lost, at twice the parsing cost. ``null`` is ``""``, booleans
  ``true``/``false``, numbers keep their JSON text (``19.90`` stays ``19.90``), nested
  objects and lists are rendered as compact JSON text.
* **Re-reading.** ``rows()`` may be called again to read from the start again (sources
  that are not seekable are first spooled to a temporary file).
* **Errors.** Everything that goes wrong with the input is one :class:`ReadError` whose
  message is a one-line reason.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from types import TracebackType
from typing import IO, Any, Final, Literal, Self

__all__ = [
    "FORMATS",
    "MAX_REPORTED",
    "ReadError",
    "Table",
    "list_sheets",
    "open_table",
]

Format = Literal["csv", "xlsx", "xls", "ods", "json"]
FORMATS: Final = ("csv", "xlsx", "xls", "ods", "json")
MAX_REPORTED: Final = 1000
"""How many rows with extra cells a Table keeps for the import report."""

_SAMPLE = 64 * 1024
_SCAN_CHUNK = 1024 * 1024
_JSON_CHUNK = 256 * 1024
_SPOOL_MAX = 32 * 1024 * 1024

# Long notes fields: allow up to 64 MiB in one CSV field instead of csv's 128 KiB default.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


class ReadError(Exception):
    """The input cannot be read as a table; ``str(error)`` is a one-line reason."""


# ---------------------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------------------


class Table:
    """A table opened by :func:`open_table`. Use as a context manager or call :meth:`close`."""

    format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    sheet: str | None
    sheet_names: list[str]
    extra_cells: list[tuple[int, list[str]]]
    extra_cells_count: int

    def __init__(self, *, format: str, headers: list[str]) -> None:
        self.format = format
        self.encoding = None
        self.delimiter = None
        self.headers = headers
        self.sheet = None
        self.sheet_names = []
        self.extra_cells = []
        self.extra_cells_count = 0
        self._closed = False

    # -- to be provided by the concrete readers ------------------------------------------
    def _records(self) -> Iterator[list[str]]:  # pragma: no cover - abstract
        """Records after the header row, each a list of strings of any length."""
        raise NotImplementedError

    def _release(self) -> None:  # pragma: no cover - abstract
        pass

    # -- public API ------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(row_number, values)`` for each non-blank row (see the module docstring)."""
        if self._closed:
            raise ReadError("the table is closed")
        width = len(self.headers)
        self.extra_cells = []
        self.extra_cells_count = 0
        number = 0
        for row in self._records():
            number += 1
            k = len(row)
            if k != width:
                if k < width:
                    if k == 0:
                        continue
                    row.extend([""] * (width - k))
                else:
                    tail = row[width:]
                    del row[width:]
                    if any(c and not c.isspace() for c in tail):
                        self.extra_cells_count += 1
                        if len(self.extra_cells) < MAX_REPORTED:
                            while tail and (not tail[-1] or tail[-1].isspace()):
                                tail.pop()
                            self.extra_cells.append((number, tail))
            first = row[0]
            if (not first or first.isspace()) and not any(c and not c.isspace() for c in row):
                continue
            yield number, row

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self.rows()

    def close(self) -> None:
        """Release the file (a stream passed in by the caller is left open)."""
        if not self._closed:
            self._closed = True
            self._release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<Table {self.format} encoding={self.encoding!r} delimiter={self.delimiter!r} "
            f"sheet={self.sheet!r} columns={len(self.headers)}>"
        )


# ---------------------------------------------------------------------------------------
# Helpers shared by the readers
# ---------------------------------------------------------------------------------------


def _clean_headers(raw: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(raw, 1):
        name = " ".join(h.replace("\ufeff", "").split())
        if not name:
            name = f"column_{i}"
        if name in seen:
            k = 2
            while f"{name} ({k})" in seen:
                k += 1
            name = f"{name} ({k})"
        seen.add(name)
        out.append(name)
    return out


def _is_blank(row: list[str]) -> bool:
    return not any(c and not c.isspace() for c in row)


class _Source:
    """The binary stream of a source, with where it starts and whether we must close it."""

    def __init__(self, source: object) -> None:
        self.name: str | None = None
        self.owned = False
        self.path: str | None = None
        stream: IO[bytes]
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            try:
                stream = open(path, "rb")  # noqa: SIM115 - closed by Table.close()
            except FileNotFoundError:
                raise ReadError(f"file not found: {path}") from None
            except IsADirectoryError:
                raise ReadError(f"not a file: {path} is a directory") from None
            except PermissionError:
                raise ReadError(f"cannot read {path}: permission denied") from None
            except OSError as exc:
                raise ReadError(f"cannot read {path}: {exc.strerror or exc}") from None
            self.name = path
            self.path = path
            self.owned = True
        elif isinstance(source, (bytes, bytearray, memoryview)):
            stream = io.BytesIO(bytes(source))
            self.owned = True
        elif isinstance(source, io.TextIOBase):
            raise ReadError("the file was opened in text mode; open it in binary mode ('rb')")
        elif hasattr(source, "read"):
            stream = source  # type: ignore[assignment]
            self.name = (
                getattr(source, "name", None) if isinstance(getattr(source, "name", None), str) else None
            )
            seekable = False
            try:
                seekable = bool(stream.seekable())
            except (AttributeError, OSError, ValueError):
                seekable = False
            if not seekable:
                spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)  # noqa: SIM115
                while chunk := stream.read(_SCAN_CHUNK):
                    if not isinstance(chunk, bytes):
                        raise ReadError("the file was opened in text mode; open it in binary mode ('rb')")
                    spool.write(chunk)
                spool.seek(0)
                stream = spool
                self.owned = True
        else:
            raise ReadError(f"cannot read a {type(source).__name__}: pass a path or a binary file")
        self.stream = stream
        try:
            self.base = stream.tell()
        except (OSError, ValueError):
            self.base = 0
        probe = stream.read(0)
        if not isinstance(probe, bytes):
            raise ReadError("the file was opened in text mode; open it in binary mode ('rb')")

    def rewind(self) -> None:
        self.stream.seek(self.base)

    def head(self, n: int) -> bytes:
        self.rewind()
        data = self.stream.read(n)
        self.rewind()
        return data

    def close(self) -> None:
        if self.owned:
            self.stream.close()


def _text_layer(src: _Source, encoding: str, newline: str | None = None) -> io.TextIOWrapper:
    """A strict decoding text layer over the source; detach it (never close it) when done."""
    raw: IO[bytes] = src.stream
    if not isinstance(raw, (io.BufferedReader, io.BytesIO)):
        raw = io.BufferedReader(_NoCloseBuffer(raw), buffer_size=_SCAN_CHUNK)
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline=newline)


def _detach(text: io.TextIOWrapper) -> None:
    with contextlib.suppress(ValueError, OSError):
        text.detach()


class _NoCloseBuffer(io.RawIOBase):
    """Lets a TextIOWrapper read a caller's stream without closing it when collected."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._s = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._s.read(len(b))
        n = len(data)
        b[:n] = data
        return n

    def close(self) -> None:  # the caller owns the stream
        super().close()


_MAGIC_NOT_TABLE = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)


def _sniff_format(src: _Source) -> Format:
    head = src.head(_SAMPLE)
    if not head:
        raise ReadError("empty file")
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head[:200]:
            return "ods"
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    for magic, what in _MAGIC_NOT_TABLE:
        if head.startswith(magic):
            raise ReadError(f"not a table: the file is {what}")
    ext = os.path.splitext(src.name or "")[1].lower()
    if ext in (".json", ".jsonl", ".ndjson"):
        return "json"
    if ext in (".csv", ".tsv", ".txt", ".tab"):
        return "csv"
    # Text: look at the first non-blank character in whatever encoding.
    for bom in (
        codecs.BOM_UTF8,
        codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE,
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF16_BE,
    ):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    first = head.replace(b"\x00", b"").lstrip()[:1]
    return "json" if first in (b"[", b"{") else "csv"


# ---------------------------------------------------------------------------------------
# Encoding detection
# ---------------------------------------------------------------------------------------

_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CHINESE_ENCODINGS = frozenset({"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "hz_gb_2312"})
# Single-byte Latin code pages that charset detection confuses with each other on short
# samples; text valid in cp1252 is read as cp1252.
_WESTERN_SINGLE_BYTE = frozenset(
    {"cp1250", "cp1252", "cp1257", "latin-1", "iso8859-1", "iso8859-2", "iso8859-15", "iso8859-4",
     "iso8859-9", "iso8859-13", "cp1254", "mac-roman", "mac-latin2", "cp850", "cp437"}
)  # fmt: skip


def _codec_name(enc: str) -> str:
    try:
        return codecs.lookup(enc).name
    except LookupError:
        raise ReadError(f"unknown encoding {enc!r}") from None


def _looks_gb(sample: bytes, final: bool) -> bool:
    """True when ``sample`` decodes as GB18030 into mostly GB2312 (common Chinese) text."""
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final)
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.9 * len(wide)


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _detect_encoding(src: _Source) -> str:
    head = src.head(_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    if b"\x00" in head:
        raise ReadError("not a table: the file contains binary data")
    # Find the first stretch with non-ASCII bytes (it may be far into the file).
    src.rewind()
    sample = b""
    final = False
    while True:
        chunk = src.stream.read(_SCAN_CHUNK)
        if not chunk:
            final = True
            break
        if not chunk.isascii():
            found = _HIGH_BYTE.search(chunk)
            i = found.start() if found else 0
            sample = chunk[i : i + _SAMPLE]
            if len(sample) < _SAMPLE:
                more = src.stream.read(_SAMPLE - len(sample))
                sample += more
                final = len(sample) < _SAMPLE
            break
    src.rewind()
    if not sample:
        return "utf-8"  # pure ASCII
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_gb(sample, final):
        return "gb18030"
    import charset_normalizer  # only needed for the unusual files

    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        name = _codec_name(best.encoding)
        if name in _CHINESE_ENCODINGS:
            return "gb18030"
        if name in _WESTERN_SINGLE_BYTE:
            try:
                sample.decode("cp1252")
                return "cp1252"  # what Excel writes on a Western Windows
            except UnicodeDecodeError:
                pass
        return name
    raise ReadError("undecodable bytes: the file is not UTF-8, UTF-16 or GB18030 text; choose its encoding")


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")


def _sniff_delimiter(sample: str, final: bool) -> str:
    if not final:
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        if cut > 0:
            sample = sample[:cut]
    best = ","
    best_key: tuple[float, int] = (-1.0, 0)
    for d in _DELIMITERS:
        if d not in sample:
            continue
        try:
            parsed = list(itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=d), 100))
        except csv.Error:
            continue
        records = [r for r in parsed if not _is_blank(r)]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        consistency = sum(1 for r in records if len(r) == width) / len(records)
        key = (round(consistency, 1), width)
        if key > best_key:
            best, best_key = d, key
    return best


class _CsvTable(Table):
    def __init__(self, src: _Source, *, encoding: str | None, delimiter: str | None) -> None:
        super().__init__(format="csv", headers=[])
        self._src = src
        enc = _codec_name(encoding) if encoding else _detect_encoding(src)
        if enc == "utf-8" and src.head(3) == codecs.BOM_UTF8:
            enc = "utf-8-sig"
        self.encoding = enc
        self._skip = 0  # records before the data: preamble, blank lines, header
        head = src.head(_SAMPLE)
        final = len(head) < _SAMPLE
        try:
            sample = codecs.getincrementaldecoder(enc)(errors="strict").decode(head, final)
        except UnicodeDecodeError:
            raise ReadError(f"undecodable bytes: the start of the file is not valid {enc}") from None
        sep_line = False
        if sample.startswith("sep=") and len(sample) >= 5 and sample[5:6] in ("\r", "\n", ""):
            delimiter = delimiter or sample[4]
            sep_line = True
        if delimiter is None:
            delimiter = _sniff_delimiter(sample, final)
        if len(delimiter) != 1:
            raise ReadError(f"the delimiter must be one character, not {delimiter!r}")
        self.delimiter = delimiter
        self._text: io.TextIOWrapper | None = None
        self._reader = self._new_reader()
        self._fresh = True
        header: list[str] | None = None
        try:
            if sep_line:
                next(self._reader, None)
                self._skip += 1
            for rec in self._reader:
                self._skip += 1
                if not _is_blank(rec):
                    header = rec
                    break
        except UnicodeDecodeError:
            raise ReadError(f"undecodable bytes in the header: the file is not valid {enc}") from None
        except csv.Error as exc:
            raise ReadError(f"malformed CSV in the header: {exc}") from None
        if header is None:
            raise ReadError("empty file: no header row")
        self.headers = _clean_headers(header)

    def _new_reader(self) -> Iterator[list[str]]:
        """A csv reader from the start of the file (detaching the previous text layer)."""
        self._detach_text()
        self._src.rewind()
        self._text = _text_layer(self._src, self.encoding or "utf-8", newline="")
        return csv.reader(self._text, delimiter=self.delimiter or ",")

    def _records(self) -> Iterator[list[str]]:
        if self._fresh:
            self._fresh = False
            reader = self._reader
        else:
            reader = self._new_reader()
            for _ in itertools.islice(reader, self._skip):
                pass
        number = 0
        try:
            for rec in reader:
                number += 1
                yield rec
        except UnicodeDecodeError:
            raise ReadError(
                f"undecodable bytes near row {number + 1}: the file is not valid {self.encoding}"
            ) from None
        except csv.Error as exc:
            raise ReadError(f"malformed CSV at row {number + 1}: {exc}") from None

    def _detach_text(self) -> None:
        if self._text is not None:
            _detach(self._text)
            self._text = None

    def _release(self) -> None:
        self._detach_text()
        self._src.close()


# ---------------------------------------------------------------------------------------
# Spreadsheets (python-calamine)
# ---------------------------------------------------------------------------------------


def _cell_str(v: object) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if t is float:
        f: float = v  # type: ignore[assignment]
        if f.is_integer() and abs(f) < 1e16:
            return str(int(f))
        return repr(f)
    if t is int:
        return str(v)
    if t is bool:
        return "true" if v else "false"
    if t is dt.datetime:
        d: dt.datetime = v  # type: ignore[assignment]
        return d.replace(microsecond=0, tzinfo=None).isoformat()
    if t is dt.date:
        return v.isoformat()  # type: ignore[attr-defined]
    if t is dt.time:
        return v.replace(microsecond=0).isoformat()  # type: ignore[attr-defined]
    if t is dt.timedelta:
        secs = int(v.total_seconds())  # type: ignore[attr-defined]
        sign = "-" if secs < 0 else ""
        secs = abs(secs)
        return f"{sign}{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    if v is None:
        return ""
    return str(v)


class _SheetTable(Table):
    def __init__(self, src: _Source, fmt: str, sheet: str | int | None) -> None:
        super().__init__(format=fmt, headers=[])
        self._src = src
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            if src.path is not None:
                wb = CalamineWorkbook.from_path(src.path)
            else:
                src.rewind()
                wb = CalamineWorkbook.from_filelike(src.stream)
        except CalamineError as exc:
            raise ReadError(f"not a readable {fmt.upper()} workbook: {_one_line(exc)}") from None
        except Exception as exc:  # noqa: BLE001 - calamine raises plain errors for broken zips
            raise ReadError(f"not a readable {fmt.upper()} workbook: {_one_line(exc)}") from None
        self._wb = wb
        self.sheet_names = list(wb.sheet_names)
        if not self.sheet_names:
            raise ReadError("the workbook has no sheets")
        if sheet is None:
            name = self.sheet_names[0]
            for meta in wb.sheets_metadata:
                if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                    name = meta.name
                    break
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(self.sheet_names):
                raise ReadError(f"unknown sheet {sheet} (the workbook has {len(self.sheet_names)} sheets)")
            name = self.sheet_names[sheet]
        else:
            if sheet not in self.sheet_names:
                raise ReadError(f"unknown sheet {sheet!r} (sheets: {', '.join(self.sheet_names)})")
            name = sheet
        self.sheet = name
        try:
            self._ws = wb.get_sheet_by_name(name)
        except CalamineError as exc:
            raise ReadError(f"cannot read sheet {name!r}: {_one_line(exc)}") from None
        self._skip = 0
        header: list[str] | None = None
        for rec in self._raw():
            self._skip += 1
            if not _is_blank(rec):
                header = rec
                break
        if header is None:
            raise ReadError(f"empty sheet {name!r}: no header row")
        self.headers = _clean_headers(header)

    def _raw(self) -> Iterator[list[str]]:
        conv = _cell_str
        for r in self._ws.iter_rows():
            yield [v if type(v) is str else conv(v) for v in r]

    def _records(self) -> Iterator[list[str]]:
        it = self._raw()
        for _ in itertools.islice(it, self._skip):
            pass
        yield from it

    def _release(self) -> None:
        with contextlib.suppress(Exception):  # already closed
            self._wb.close()
        self._src.close()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------

_WS = " \t\r\n"


def _json_default(o: object) -> object:
    if isinstance(o, Decimal):
        return float(o) if o != o.to_integral_value() else int(o)
    return str(o)


def _json_str(v: object) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is Decimal:
        return str(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=_json_default)


class _JsonItems:
    """Incremental reader of the objects of a JSON list or of JSON Lines."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._dec = json.JSONDecoder(parse_float=Decimal)
        self._buf = ""
        self._pos = 0
        self._offset = 0  # position in the text of self._buf[0]
        self._newlines_before = 0  # line breaks in the text before self._buf[0]
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        if self._pos > _JSON_CHUNK and self._pos > len(self._buf) // 2:
            self._newlines_before += self._buf.count("\n", 0, self._pos)
            self._offset += self._pos
            self._buf = self._buf[self._pos :]
            self._pos = 0
        want = max(_JSON_CHUNK, len(self._buf) - self._pos)
        try:
            chunk = self._text.read(want)
        except UnicodeDecodeError:
            raise ReadError(f"undecodable bytes near line {self._line()}") from None
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def _line(self, pos: int | None = None) -> int:
        """Line number of a position in the buffer (for error messages only: it counts)."""
        p = self._pos if pos is None else pos
        return 1 + self._newlines_before + self._buf.count("\n", 0, max(p, 0))

    def line_at(self, position: int) -> int:
        """Line number of a position in the text yielded by iteration (approximate once
        the buffer has moved past it)."""
        return self._line(position - self._offset)

    def _skip_ws(self) -> str:
        """Skip whitespace; return the next character ('' at end of input)."""
        while True:
            buf = self._buf
            n = len(buf)
            p = self._pos
            while p < n and buf[p] in _WS:
                p += 1
            self._pos = p
            if p < n:
                return buf[p]
            if not self._more():
                return ""

    def _value(self) -> Any:
        while True:
            try:
                obj, end = self._dec.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise ReadError(f"invalid JSON at line {self._line(exc.pos)}: {exc.msg}") from None
            # A number or literal ending exactly at the buffer end may continue in the next chunk.
            if end == len(self._buf) and not isinstance(obj, (dict, list, str)) and self._more():
                continue
            self._pos = end
            return obj

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        """Yield ``(position in the text, value)`` for each item."""
        c = self._skip_ws()
        if c == "":
            raise ReadError("empty file")
        if c == "[":
            self._pos += 1
            c = self._skip_ws()
            if c == "]":
                return
            while True:
                start = self._offset + self._pos
                yield start, self._value()
                c = self._skip_ws()
                if c == ",":
                    self._pos += 1
                    c = self._skip_ws()
                    continue
                if c == "]":
                    self._pos += 1
                    if self._skip_ws() != "":
                        raise ReadError(f"invalid JSON at line {self._line()}: extra data after the list")
                    return
                if c == "":
                    raise ReadError(f"invalid JSON at line {self._line()}: the list is not closed")
                raise ReadError(f"invalid JSON at line {self._line()}: expected ',' or ']'")
        if c == "{":
            while c:
                start = self._offset + self._pos
                yield start, self._value()
                c = self._skip_ws()
                if c == ",":  # tolerate "},{" between JSON Lines objects
                    self._pos += 1
                    c = self._skip_ws()
            return
        raise ReadError(f"not a table: the JSON at line {self._line()} is not a list of objects")


class _JsonTable(Table):
    def __init__(self, src: _Source, *, encoding: str | None) -> None:
        super().__init__(format="json", headers=[])
        self._src = src
        enc = _codec_name(encoding) if encoding else _detect_encoding(src)
        if enc == "utf-8" and src.head(3) == codecs.BOM_UTF8:
            enc = "utf-8-sig"
        self.encoding = enc
        self._text: io.TextIOWrapper | None = None
        keys: dict[str, None] = {}
        count = 0
        for obj in self._objects():
            count += 1
            for k in obj:
                if k not in keys:
                    keys[k] = None
        if count == 0:
            raise ReadError("empty file: the JSON list has no objects")
        self.headers = _clean_headers(list(keys))
        self._keys = list(keys)

    def _objects(self) -> Iterator[dict[str, Any]]:
        self._detach_text()
        self._src.rewind()
        self._text = _text_layer(self._src, self.encoding or "utf-8")
        items = _JsonItems(self._text)
        for n, (start, obj) in enumerate(items, 1):
            if type(obj) is not dict:
                kind = "list" if isinstance(obj, list) else type(obj).__name__
                line = items.line_at(start)
                raise ReadError(f"not a table: JSON item {n} at line {line} is a {kind}, not an object")
            yield obj

    def _records(self) -> Iterator[list[str]]:
        keys = self._keys
        conv = _json_str
        for obj in self._objects():
            get = obj.get
            yield [conv(get(k)) for k in keys]

    def _detach_text(self) -> None:
        if self._text is not None:
            _detach(self._text)
            self._text = None

    def _release(self) -> None:
        self._detach_text()
        self._src.close()


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def open_table(
    source: str | os.PathLike[str] | IO[bytes] | bytes,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    format: str | None = None,
) -> Table:
    """Open ``source`` (a path, a binary file object or bytes) as a :class:`Table`.

    ``sheet`` picks a worksheet by name or 0-based index (default: the first visible one);
    ``encoding``, ``delimiter`` and ``format`` override detection. Raises :class:`ReadError`.
    """
    if format is not None and format not in FORMATS:
        raise ReadError(f"unknown format {format!r} (one of: {', '.join(FORMATS)})")
    src = _Source(source)
    try:
        fmt = format or _sniff_format(src)
        if format is not None and not src.head(1):
            raise ReadError("empty file")
        table: Table
        if fmt == "csv":
            table = _CsvTable(src, encoding=encoding, delimiter=delimiter)
        elif fmt == "json":
            table = _JsonTable(src, encoding=encoding)
        else:
            table = _SheetTable(src, fmt, sheet)
    except BaseException:
        src.close()
        raise
    return table


def list_sheets(source: str | os.PathLike[str] | IO[bytes] | bytes) -> list[str]:
    """Sheet names of a workbook in workbook order (``[]`` for CSV and JSON files).

    Reads only the workbook's directory, not the sheets.
    """
    src = _Source(source)
    try:
        if _sniff_format(src) not in ("xlsx", "xls", "ods"):
            return []
        from python_calamine import CalamineWorkbook

        try:
            if src.path is not None:
                wb = CalamineWorkbook.from_path(src.path)
            else:
                src.rewind()
                wb = CalamineWorkbook.from_filelike(src.stream)
        except Exception as exc:  # noqa: BLE001 - calamine raises several error types
            raise ReadError(f"not a readable workbook: {_one_line(exc)}") from None
        names = list(wb.sheet_names)
        with contextlib.suppress(Exception):
            wb.close()
        return names
    finally:
        src.close()

"""Raw records from news inputs: text, HTML, CSV/TSV, JSONL, WARC and RSS/Atom files, folders, stdin.

:func:`iter_records` turns paths into a stream of raw :class:`~warta.article.Article` records for
the cleaning stage, or :class:`~warta.errors.Rejected` items for input that cannot become one.
Multi-record files are read record by record, so memory stays bounded whatever the input size, and
one bad row, line or record is rejected alone while the rest of the batch still comes out.

Every record keeps where it came from: ``source`` is the article's URL when the input gives one,
otherwise a ``file:`` URI naming the file (plus ``#row=N``, ``#line=N`` or ``#record=N`` inside
multi-record files), and ``meta["location"]`` always points at the file and record.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_text("judul,isi_berita,url\\nHalo,Isi berita.,https://x.id/1\\n")
>>> _ = (folder / "b.txt").write_text("Judul\\n\\nIsi.\\n")
>>> mapping = parse_mapping("title=judul,text=isi_berita")
>>> for item in iter_records([str(folder)], settings=load_settings(), mapping=mapping):
...     print(item.meta["format"], item.title or "-", repr(item.raw_text), item.source.rsplit("/", 1)[-1])
csv Halo 'Isi berita.' 1
text - 'Judul\\n\\nIsi.\\n' b.txt
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .article import Article
from .errors import ConfigError, Errors, Rejected
from .settings import Settings, load_settings

__all__ = [
    "FIELDS",
    "FORMATS",
    "PRESETS",
    "SourceStats",
    "detect_format",
    "format_mapping",
    "iter_records",
    "parse_mapping",
    "total_bytes",
]

#: Formats a caller may force with ``fmt`` (``tsv`` is CSV with tabs; its records say ``csv``).
FORMATS = ("text", "html", "csv", "tsv", "jsonl", "warc", "rss")

#: Fields a column mapping may name. ``html`` is a column holding a page's HTML instead of text.
FIELDS = ("title", "text", "html", "url", "published", "updated", "outlet", "author")

#: Built-in mappings, chosen with ``--map NAME`` or detected from a CSV header.
PRESETS: dict[str, dict[str, str]] = {
    "indonews": {
        "outlet": "sumber",
        "url": "url",
        "title": "judul",
        "author": "author",
        "published": "tanggal_publikasi",
        "text": "isi_berita",
    },
}

# Column or key names tried, in order, for each field when no mapping names it (compared lower-case).
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "judul"),
    "text": ("text", "body", "content", "article", "article_text", "maintext", "isi", "isi_berita", "berita"),
    "html": ("html", "raw_html", "page_html"),
    "url": ("url", "link", "href", "canonical_url", "article_url"),
    "published": ("published", "published_at", "publish_date", "pubdate", "date_publish", "date",
                  "datetime", "timestamp", "tanggal", "tanggal_publikasi"),
    "updated": ("updated", "updated_at", "modified", "date_modified", "diperbarui"),
    "outlet": ("outlet", "source", "publisher", "site", "site_name", "media", "sumber"),
    "author": ("author", "authors", "byline", "writer", "penulis"),
}

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".rss": "rss",
    ".atom": "rss",
}

_SINGLE_ITEM = ("text", "html", "rss")
_FEED_KEYS = {"title": "title", "url": "link", "published": "published", "updated": "updated", "author": "author"}
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF", b"\x1f\x8b")
_FEED_START = re.compile(r"<(?:rss|feed|rdf:rdf)[\s>]")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1|title|meta)[\s>/]")
_HEADER_NAME = re.compile(r'^"?[A-Za-z_][\w.\-]{0,63}"?$')
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class SourceStats:
    """Counts kept while reading, for progress bars and the ingest summary.

    ``skipped`` counts what was passed over on purpose (hidden files, WARC records that are not
    HTML pages...); ``bytes_done`` grows as input is consumed, to compare with :func:`total_bytes`.
    """

    files: int = 0
    articles: int = 0
    rejected: int = 0
    bytes_done: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


# ---------------------------------------------------------------------------------------------
# Column mappings


def parse_mapping(text: str) -> dict[str, str]:
    """Parse ``FIELD=COLUMN,...`` (the CLI's ``--map``) or a preset name into a mapping.

    >>> parse_mapping("title=judul, text=isi_berita")
    {'title': 'judul', 'text': 'isi_berita'}
    >>> parse_mapping("indonews")["text"]
    'isi_berita'
    >>> parse_mapping("body=x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    warta.errors.ConfigError: unknown field 'body' in mapping; fields: title, text, html, url, ...
    """
    stripped = text.strip()
    if stripped in PRESETS:
        return dict(PRESETS[stripped])
    mapping: dict[str, str] = {}
    for part in stripped.split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise ConfigError(f"bad mapping item {part.strip()!r}: expected FIELD=COLUMN or a preset "
                              f"({', '.join(PRESETS)})")
        if name not in FIELDS:
            raise ConfigError(f"unknown field {name!r} in mapping; fields: {', '.join(FIELDS)}")
        if name in mapping:
            raise ConfigError(f"field {name!r} mapped twice")
        mapping[name] = column
    if not mapping:
        raise ConfigError("empty column mapping")
    return mapping


def format_mapping(mapping: Mapping[str, str]) -> str:
    """The ``--map`` string for ``mapping`` (the inverse of :func:`parse_mapping`).

    >>> format_mapping({"title": "judul", "text": "isi_berita"})
    'title=judul,text=isi_berita'
    """
    for name, column in mapping.items():
        if name not in FIELDS:
            raise ConfigError(f"unknown field {name!r} in mapping; fields: {', '.join(FIELDS)}")
        if not column or column != column.strip() or "," in column:
            raise ConfigError(f"column {column!r} cannot be written in a --map string")
    return ",".join(f"{name}={column}" for name, column in mapping.items())


def _check_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    if mapping is None:
        return {}
    unknown = [name for name in mapping if name not in FIELDS]
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(map(repr, unknown))} in mapping; fields: {', '.join(FIELDS)}")
    return dict(mapping)


def _columns_for(header: list[str], mapping: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index for a CSV header, and the mapped columns missing from it.

    An explicit mapping wins; a header holding every column of a preset uses the preset; any field
    still unmapped takes the first known column name present.
    """
    exact = {name: i for i, name in reversed(list(enumerate(header)))}
    lower = {name.lower(): i for i, name in reversed(list(enumerate(header)))}
    columns: dict[str, int] = {}
    missing = []
    for name, column in mapping.items():
        index = exact.get(column, lower.get(column.lower()))
        if index is None:
            missing.append(column)
        else:
            columns[name] = index
    for preset in PRESETS.values():
        if all(column.lower() in lower for column in preset.values()):
            for name, column in preset.items():
                columns.setdefault(name, lower[column.lower()])
            break
    for name, candidates in _CANDIDATES.items():
        if name not in columns and name not in mapping:
            for candidate in candidates:
                if candidate in lower:
                    columns[name] = lower[candidate]
                    break
    return columns, missing


_MISSING = object()


def _lookup(obj: Mapping[str, Any], key: str) -> Any:
    """``obj[key]``, or a dotted path into nested objects (``content.body``); ``_MISSING`` if absent."""
    if key in obj:
        return obj[key]
    value: Any = obj
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
        return ", ".join(p for p in parts if p)
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("text") or value.get("value"))
    return str(value)


# ---------------------------------------------------------------------------------------------
# Format and encoding detection


def detect_format(name: str, head: bytes, *, fallback: str | None = None) -> str | None:
    """The format of an input from its file name, else from its first bytes (``fallback`` if unsure).

    >>> detect_format("x.CSV", b"")
    'csv'
    >>> detect_format("dump.dat", b'{"title": "A", "text": "B"}\\n')
    'jsonl'
    >>> detect_format("page", b"<!DOCTYPE html><html><body><p>Hi</p>")
    'html'
    >>> detect_format("notes.md", b"# hello") is None
    True
    >>> detect_format("labels.json", b'{\\n  "a": 1\\n}') is None  # a JSON document, not JSON Lines
    True
    """
    lowered = name.lower()
    for ext, fmt in _EXTENSIONS.items():
        if lowered.endswith(ext):
            return fmt
    return _sniff(head) or fallback


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"\x1f\x8b"):
        try:
            start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:65536], 16)
        except zlib.error:
            return None
        return "warc" if start.startswith(b"WARC/") else None
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8")
    text = head[:8192].decode(encoding, "ignore").lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        lowered = text[:4096].lower()
        if _FEED_START.search(lowered):
            return "rss"
        return "html" if _HTML_START.search(lowered) else None
    if text.startswith("{"):
        return "jsonl" if _is_json_lines(head) else None
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(first_line)
    names = first_line.split(delimiter)
    if len(names) >= 2 and all(_HEADER_NAME.match(n.strip()) for n in names):
        return "tsv" if delimiter == "\t" else "csv"
    return None


def _is_json_lines(head: bytes) -> bool:
    """Whether the first line of ``head`` is a whole JSON object (JSON Lines, not one JSON document)."""
    end = head.find(b"\n")
    if end < 0:
        return True  # one line, or a first line longer than the head: cannot tell, try it as JSONL
    try:
        return isinstance(json.loads(head[:end]), dict)
    except ValueError:
        return False


def _delimiter(header_line: str) -> str:
    """The most frequent of ``, ; TAB |`` in a CSV header line (comma on ties)."""
    return max(",\t;|", key=header_line.count)


def _legacy_encoding(data: bytes, max_chaos: float) -> str | None:
    """A confident single-byte/legacy encoding for non-UTF-8 ``data``, or None.

    charset-normalizer groups code pages that decode the bytes identically; among near-equal
    guesses, cp1252 is preferred, the usual legacy encoding of Indonesian and English text.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:262144])
    best = matches.best()
    if best is None or best.chaos > max_chaos:
        return None
    for match in matches:
        if match.chaos <= best.chaos + 0.1 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best.encoding


def _undecodable(data: bytes, encoding: str, location: str) -> Rejected:
    """E202 for bytes that look binary, E201 for text in an encoding that cannot be identified."""
    if any(data.startswith(magic) for magic in _BINARY_MAGIC):
        return Rejected(Errors.E202, "binary file (known file signature)", location=location)
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\x0b\x1b")
    if controls > len(sample) * 0.05:
        return Rejected(Errors.E202, "binary content (control bytes, no text encoding fits)", location=location)
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        reason = f"invalid {encoding} byte 0x{data[exc.start]:02x} at offset {exc.start}"
    else:
        reason = "no confident text encoding"
    return Rejected(Errors.E201, f"{reason}; save the file as UTF-8", location=location)


def _stream_encoding(head: bytes, complete: bool, max_chaos: float, location: str) -> str:
    """The encoding of a line-oriented file from its first bytes; raises :class:`Rejected`."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding.startswith("utf-8"):
                return "utf-8"
            raise Rejected(Errors.E201, f"{encoding.upper()} text is not read line by line; "
                           "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)", location=location)
    nul = head.find(b"\x00")
    if nul >= 0:
        raise Rejected(Errors.E202, f"NUL byte at offset {nul}", location=location)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if _mixes_utf8(head):
        return "utf-8"
    guess = _legacy_encoding(head, max_chaos)
    if guess is None:
        raise _undecodable(head, "utf-8", location)
    return guess


def _mixes_utf8(data: bytes) -> bool:
    """Whether undecodable ``data`` still holds valid multi-byte UTF-8 (a mixed-up file)."""
    decoded = data.decode("utf-8", "replace")
    return any(ord(ch) > 127 and ch != "\ufffd" for ch in decoded)


def _decode_document(
    data: bytes, *, declared: str | bytes | None, max_chaos: float, location: str
) -> tuple[str, str]:
    """``(text, encoding)`` of a whole document; raises :class:`Rejected` (E201, E202).

    A BOM wins, then a declared charset that decodes cleanly, then UTF-8, then a confident guess.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError as exc:
                raise Rejected(Errors.E201, f"invalid {encoding} at offset {exc.start}", location=location) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise Rejected(Errors.E202, f"NUL byte at offset {nul}", location=location)
    for candidate in (_codec(declared), "utf-8"):
        if candidate:
            try:
                return data.decode(candidate), candidate
            except UnicodeDecodeError:
                continue
    guess = None if _mixes_utf8(data) else _legacy_encoding(data, max_chaos)
    if guess is None:
        raise _undecodable(data, "utf-8", location)
    try:
        return data.decode(guess), guess
    except UnicodeDecodeError:
        raise _undecodable(data, guess, location) from None


def _codec(name: str | bytes | None) -> str | None:
    """The Python codec name for a declared charset, or None if unknown."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _html_charset(data: bytes) -> bytes | None:
    found = _META_CHARSET.search(data[:4096])
    return found.group(1) if found else None


# ---------------------------------------------------------------------------------------------
# Byte streams


class _Prefixed(io.RawIOBase):
    """A raw stream that replays bytes already read (the sniffed head), then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO, stats: SourceStats) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest
        self._stats = stats

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            n = self._rest.readinto(buffer)  # type: ignore[attr-defined]
        self._stats.bytes_done += n or 0
        return n


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = stream.read(min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


#: One physical line: ``(number, text, error, reason)``; ``error`` is None for a good line, and then
#: ``reason`` names the legacy encoding the line was decoded from ("" when it is the stream's own).
_Line = tuple[int, str, "Errors | None", str]


def _lines(stream: BinaryIO, encoding: str, limit: int, max_chaos: float = 1.0) -> Iterator[_Line]:
    """Decoded lines of ``stream``; an undecodable or over-long line comes with its error.

    Lines are decoded one by one, so one bad line costs one record, and a line longer than
    ``limit`` bytes is skipped without being held in memory. The encoding of a stream is guessed
    from its first bytes; when those were plain ASCII (read as UTF-8) and a later line is not UTF-8,
    that line is decoded from a confident legacy guess (cp1252, ...) rather than lost, unless the
    stream has already shown real UTF-8 (then the line is broken, E201). The first guess serves the
    later lines it decodes (a stream has one encoding; guessing costs about a millisecond a line).
    """
    number = 0
    readline = stream.readline
    seen_utf8 = False
    legacy_guess: str | None = None  # a stream has one encoding: the first legacy guess serves the rest
    while True:
        raw = readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = readline(1 << 20)
                size += len(raw)
            yield number, "", Errors.E203, f"line {number} is {size:,} bytes, above the {limit:,}-byte item limit"
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            legacy = None
            if encoding == "utf-8" and not seen_utf8 and not _mixes_utf8(raw):
                if legacy_guess is not None and (again := _decoded(raw, legacy_guess)) is not None:
                    yield number, again, None, legacy_guess
                    continue
                legacy = _legacy_encoding(raw, max_chaos)
                legacy_guess = legacy_guess or legacy
            if legacy is not None:
                yield number, raw.decode(legacy, "replace"), None, legacy
            else:
                yield (number, raw.decode(encoding, "replace"), Errors.E201,
                       f"invalid {encoding} byte 0x{raw[exc.start]:02x} on line {number}")
            continue
        seen_utf8 = seen_utf8 or (encoding == "utf-8" and not raw.isascii())
        yield number, text, None, ""


def _decoded(raw: bytes, encoding: str) -> str | None:
    """``raw`` decoded strictly from ``encoding``, or None where it does not fit."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


class _LineFeed:
    """Lines for :func:`csv.reader` that remembers the lines of the record being parsed.

    When broken quoting swallows the following lines into one record, those lines are pushed
    back with :meth:`replay` and parsed again, so only the broken row is lost.
    """

    def __init__(self, lines: Iterator[_Line]) -> None:
        self._lines = lines
        self._pending: deque[_Line] = deque()
        self.record: list[_Line] = []

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        line = self._pending.popleft() if self._pending else next(self._lines)
        self.record.append(line)
        if line[2] is Errors.E203:
            raise _LineTooLong(line[3])
        return line[1]

    def start_record(self) -> None:
        self.record = []

    def replay(self, lines: list[_Line]) -> None:
        self._pending.extendleft(reversed(lines))


def _has_row_of_width(lines: Iterable[str], width: int, delimiter: str) -> bool:
    """Whether ``lines`` parse into at least one row of ``width`` fields before any error."""
    try:
        return any(len(row) == width for row in csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return False


class _LineTooLong(Exception):
    """Raised through csv.reader when a physical line is above the item limit."""


# ---------------------------------------------------------------------------------------------
# Readers


def _file_uri(path: Path) -> str:
    """``file:`` URI of the absolute path with ``..`` folded (links kept, so the name stays the one given)."""
    return Path(os.path.normpath(path.absolute())).as_uri()


def total_bytes(paths: Iterable[str]) -> int:
    """Total size of the files under ``paths`` (0 for stdin): the denominator of a progress bar.

    A gzip-compressed input (other than WARC, which is read compressed) counts its uncompressed size,
    as its reading does.
    """
    total = 0
    for path in paths:
        if path == "-":
            continue
        for item in _walk(Path(path), SourceStats()):
            if isinstance(item, Path):
                try:
                    total += _input_size(item)
                except OSError:
                    continue
    return total


def _input_size(path: Path) -> int:
    """Bytes that reading ``path`` goes through: for ``.gz`` (not WARC) the size gzip records in its
    trailer (modulo 4 GiB, so never below the compressed size)."""
    size = path.stat().st_size
    if not path.name.lower().endswith(".gz") or detect_format(path.name[:-3], b"") in (None, "warc") or size < 18:
        return size
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return max(size, int.from_bytes(f.read(4), "little"))


def _walk(path: Path, stats: SourceStats) -> Iterator[Path | Rejected]:
    """Files under ``path`` in sorted order, skipping hidden names; unreadable folders as E204.

    A path given explicitly is always returned, whatever it is, so that reading it can say why not.
    """
    if not path.is_dir():
        yield path
        return
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        yield Rejected(Errors.E204, f"cannot list folder: {exc.strerror or exc}", location=_file_uri(path))
        return
    for entry in entries:
        if entry.name.startswith("."):
            stats.skipped["hidden file"] += 1
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), stats)
        elif entry.is_file():
            yield Path(entry.path)
        else:
            # Linked folders could loop; pipes and devices could block.
            stats.skipped["link to a folder" if entry.is_dir() else "not a regular file"] += 1


def iter_records(
    paths: Iterable[str],
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    stats: SourceStats | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Article | Rejected]:
    """Raw articles (or rejects) from files, folders (recursively) and ``-`` (stdin), in order.

    ``mapping`` names the CSV columns / JSON keys of each field (:data:`FIELDS`); unmapped fields
    are found by preset or common names. ``fmt`` forces one of :data:`FORMATS` for every input.
    ``stats`` (optional) is updated as reading goes. Bad input never raises: it comes out as a
    :class:`Rejected` with a code and a location. A bad ``mapping`` or ``fmt`` raises ConfigError.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    reader = _Reader(settings or load_settings(), _check_mapping(mapping), fmt, stats or SourceStats())
    return reader.read(paths, stdin)


class _Reader:
    """Reading state shared by every input of one :func:`iter_records` call."""

    def __init__(self, settings: Settings, mapping: dict[str, str], fmt: str | None, stats: SourceStats) -> None:
        self.mapping = mapping
        self.fmt = fmt
        self.stats = stats
        self.max_item = int(settings.ingest.max_item_bytes)
        self.sniff_bytes = int(settings.sources.sniff_bytes)
        self.max_chaos = float(settings.sources.max_chaos)

    def read(self, paths: Iterable[str], stdin: BinaryIO | None) -> Iterator[Article | Rejected]:
        for path in paths:
            if path == "-":
                stream = stdin if stdin is not None else sys.stdin.buffer
                items = self._input(stream, name="", base="stdin:", size=None, fallback="text")
            else:
                items = self._path(Path(path))
            for item in items:
                if isinstance(item, Rejected):
                    self.stats.rejected += 1
                else:
                    self.stats.articles += 1
                yield item

    def _path(self, path: Path) -> Iterator[Article | Rejected]:
        for item in _walk(path, self.stats):
            if isinstance(item, Rejected):
                yield item
                continue
            uri = _file_uri(item)
            try:
                raw = open(item, "rb", buffering=0)  # noqa: SIM115 - closed below, streamed lazily
            except OSError as exc:
                yield Rejected(Errors.E204, exc.strerror or str(exc), location=uri)
                continue
            with raw:
                name = item.name
                stream: BinaryIO = raw
                size: int | None = os.fstat(raw.fileno()).st_size
                if name.lower().endswith(".gz") and detect_format(name[:-3], b"") not in (None, "warc"):
                    name, stream, size = name[:-3], gzip.GzipFile(fileobj=raw), None  # type: ignore[assignment]
                try:
                    yield from self._input(stream, name=name, base=uri, size=size, fallback=None)
                except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                    yield Rejected(Errors.E304, f"corrupt compressed file: {exc}", location=uri)
                except OSError as exc:
                    yield Rejected(Errors.E204, f"read failed: {exc.strerror or exc}", location=uri)

    def _input(
        self, raw: BinaryIO, *, name: str, base: str, size: int | None, fallback: str | None
    ) -> Iterator[Article | Rejected]:
        self.stats.files += 1
        head = _read_up_to(raw, self.sniff_bytes)
        if not head.strip() and len(head) < self.sniff_bytes:
            self.stats.bytes_done += len(head)
            yield Rejected(Errors.W101, "empty file" if not head else "file holds only whitespace", location=base)
            return
        fmt = self.fmt or detect_format(name, head, fallback=fallback)
        if fmt is None:
            self.stats.bytes_done += size or len(head)
            suffix = Path(name).suffix
            kind = f"unknown extension {suffix!r}" if suffix else "no extension"
            yield Rejected(Errors.E205, f"{kind}, and the content is not HTML, CSV, JSONL, WARC or RSS/Atom; "
                           "use --format text to read it as plain text", location=base)
            return
        if fmt in _SINGLE_ITEM:
            yield from self._single(fmt, raw, head, size, base)
            return
        stream: BinaryIO = io.BufferedReader(_Prefixed(head, raw, self.stats), buffer_size=1 << 16)  # type: ignore[arg-type]
        if fmt == "warc":
            yield from self._warc(stream, base)
            return
        try:
            encoding = _stream_encoding(head, len(head) < self.sniff_bytes, self.max_chaos, base)
        except Rejected as rej:
            self.stats.bytes_done += size or len(head)
            yield rej
            return
        lines = _lines(stream, encoding, self.max_item, self.max_chaos)
        if fmt == "jsonl":
            yield from self._jsonl(lines, base, encoding)
        else:
            yield from self._csv(lines, base, encoding, "\t" if fmt == "tsv" else None)

    # -- one item per input ----------------------------------------------------------------

    def _single(
        self, fmt: str, raw: BinaryIO, head: bytes, size: int | None, base: str
    ) -> Iterator[Article | Rejected]:
        if size is not None and size > self.max_item:
            self.stats.bytes_done += size
            yield Rejected(Errors.E203, f"{size:,} bytes, above the {self.max_item:,}-byte item limit", location=base)
            return
        data = head + _read_up_to(raw, self.max_item + 1 - len(head))
        self.stats.bytes_done += len(data)
        if len(data) > self.max_item:
            yield Rejected(Errors.E203, f"more than the {self.max_item:,}-byte item limit", location=base)
            return
        if fmt == "rss":
            yield from self._feed(data, base)
            return
        declared = _html_charset(data) if fmt == "html" else None
        try:
            text, encoding = _decode_document(data, declared=declared, max_chaos=self.max_chaos, location=base)
        except Rejected as rej:
            yield rej
            return
        if not text.strip():
            yield Rejected(Errors.W101, "file holds only whitespace", location=base)
            return
        meta: dict[str, Any] = {"location": base, "format": fmt}
        if encoding not in ("utf-8", "ascii"):
            meta["encoding"] = encoding
        if fmt == "html":
            meta["html"] = text
            yield Article(source=base, raw_text=None, meta=meta)
        else:
            yield Article(source=base, raw_text=text, meta=meta)

    def _feed(self, data: bytes, base: str) -> Iterator[Article | Rejected]:
        import feedparser

        try:
            parsed = feedparser.parse(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - feedparser fails on damaged input in many ways
            yield Rejected(Errors.E304, f"not a readable RSS/Atom feed: {type(exc).__name__}: {exc}", location=base)
            return
        if not parsed.entries:
            if parsed.bozo:
                yield Rejected(Errors.E304, f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}",
                               location=base)
            else:
                yield Rejected(Errors.W101, "feed has no items", location=base)
            return
        for number, entry in enumerate(parsed.entries, 1):
            location = f"{base}#record={number}"
            body, kind = "", "text/html"
            if entry.get("content"):
                body, kind = entry.content[0].get("value", ""), entry.content[0].get("type", kind)
            elif entry.get("summary"):
                body, kind = entry.summary, entry.get("summary_detail", {}).get("type", kind)
            # dict.get: FeedParserDict.get("updated") would fall back to the published date.
            values = {name: dict.get(entry, key) for name, key in _FEED_KEYS.items()}
            values["html" if "html" in kind else "text"] = body
            yield self._article(values, location, "rss", None)

    # -- many records per input --------------------------------------------------------------

    def _warc(self, stream: BinaryIO, base: str) -> Iterator[Article | Rejected]:
        from warcio.archiveiterator import ArchiveIterator

        number = 0
        records = ArchiveIterator(stream)
        # warcio writes a warning to stderr for a record with a wrong Content-Length (it would break
        # a progress bar); silence it here and count those records from its err_count instead.
        records.INC_RECORD = ""
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - warcio fails on damaged input in many ways
                yield Rejected(Errors.E304, f"unreadable WARC record: {exc}", location=f"{base}#record={number + 1}")
                break
            number += 1
            item = self._warc_record(record, f"{base}#record={number}")
            if item is not None:
                yield item
        if records.err_count:
            self.stats.skipped["WARC record with a wrong Content-Length"] += records.err_count

    def _warc_record(self, record: Any, location: str) -> Article | Rejected | None:
        """An article for an HTML response record; None (counted as skipped) for any other record."""
        if record.rec_type not in ("response", "resource"):
            self.stats.skipped[f"WARC {record.rec_type} record"] += 1
            return None
        headers = record.http_headers
        if headers is not None and not (headers.get_statuscode() or "").startswith("2"):
            self.stats.skipped["WARC non-2xx response"] += 1
            return None
        content_type = (headers.get_header("Content-Type") if headers is not None else None) or (
            record.rec_headers.get_header("Content-Type") or "")
        if "html" not in content_type.lower():
            self.stats.skipped["WARC non-HTML record"] += 1
            return None
        declared_length = (record.rec_headers.get_header("Content-Length") or "0").strip()
        if not declared_length.isdigit():
            return Rejected(Errors.E304, f"bad Content-Length {declared_length!r}", location=location)
        length = int(declared_length)
        if length > self.max_item:
            return Rejected(Errors.E203, f"record of {length:,} bytes, above the {self.max_item:,}-byte "
                            "item limit", location=location)
        try:
            data = _read_up_to(record.content_stream(), self.max_item + 1)
        except Exception as exc:  # noqa: BLE001 - damaged chunked/gzip payloads fail in many ways
            return Rejected(Errors.E304, f"unreadable WARC payload: {exc}", location=location)
        if len(data) > self.max_item:
            return Rejected(Errors.E203, f"payload above the {self.max_item:,}-byte item limit", location=location)
        http_charset = _HTTP_CHARSET.search(content_type)
        declared = http_charset.group(1) if http_charset else _html_charset(data)
        try:
            html, encoding = _decode_document(data, declared=declared, max_chaos=self.max_chaos, location=location)
        except Rejected as rej:
            return rej
        url = record.rec_headers.get_header("WARC-Target-URI")
        values = {"url": url, "html": html}
        article = self._article(values, location, "warc", encoding)
        if isinstance(article, Article) and record.rec_headers.get_header("WARC-Date"):
            article.meta["fetched_raw"] = record.rec_headers.get_header("WARC-Date")
        return article

    def _jsonl(self, lines: Iterator[_Line], base: str, encoding: str) -> Iterator[Article | Rejected]:
        keys = {name: self.mapping.get(name) for name in FIELDS}
        for number, text, error, reason in lines:
            location = f"{base}#line={number}"
            if error is not None:
                yield Rejected(error, reason, location=location)
                continue
            line_encoding = reason or encoding
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                yield Rejected(Errors.E304, f"invalid JSON: {exc}", location=location)
                continue
            if not isinstance(obj, dict):
                yield Rejected(Errors.E304, f"expected a JSON object, got {type(obj).__name__}", location=location)
                continue
            values: dict[str, str | None] = {}
            has_body = False
            for name, key in keys.items():
                if key is None:  # a known key name, unless it holds an object (not text)
                    key = next((k for k in _CANDIDATES[name] if k in obj and not isinstance(obj[k], dict)), None)
                value = _MISSING if key is None else _lookup(obj, key)
                values[name] = None if value is _MISSING else _as_text(value)
                has_body |= value is not _MISSING and name in ("text", "html")
            if not has_body:
                wanted = keys["text"] or "|".join(_CANDIDATES["text"])
                yield Rejected(Errors.E302, f"no text key ({wanted}) in this record; map one with "
                               "--map text=KEY", location=location)
                continue
            yield self._article(values, location, "jsonl", line_encoding)

    def _csv(
        self, lines: Iterator[_Line], base: str, encoding: str, delimiter: str | None
    ) -> Iterator[Article | Rejected]:
        feed = _LineFeed(lines)
        csv.field_size_limit(self.max_item)
        try:
            first = next(feed)
        except _LineTooLong as exc:
            yield Rejected(Errors.E203, f"header {exc}", location=base)
            return
        except StopIteration:
            return
        first = first.lstrip("\ufeff")
        delimiter = delimiter or _delimiter(first)
        try:
            header = [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
        except csv.Error as exc:
            yield Rejected(Errors.E301, f"malformed header line: {exc}", location=base)
            return
        columns, missing = _columns_for(header, self.mapping)
        if missing or ("text" not in columns and "html" not in columns):
            wanted = ", ".join(repr(c) for c in missing) if missing else "no text column"
            yield Rejected(Errors.E302, f"{wanted} in header {header}; map columns with --map "
                           "text=COLUMN,title=COLUMN,...", location=base)
            return
        # strict: text after a closing quote is an error, which is how a quote left open shows when
        # it swallowed the next rows up to the next row's opening quote (or the end of the file).
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        width = len(header)
        fields = list(columns.items())
        row_number = 0
        while True:
            feed.start_record()
            try:
                row = next(reader)
            except StopIteration:
                if row_number == 0:
                    yield Rejected(Errors.W101, "a header but no rows", location=base)
                return
            except _LineTooLong as exc:
                row_number += 1
                yield Rejected(Errors.E203, str(exc), location=f"{base}#row={row_number}")
                continue
            except csv.Error as exc:
                row_number += 1
                yield self._broken_row(feed, width, delimiter, f"{exc}", f"{base}#row={row_number}")
                continue
            if not row:
                continue
            row_number += 1
            location = f"{base}#row={row_number}"
            bad_line = next((line for line in feed.record if line[2] is not None), None)
            if bad_line is not None:
                yield Rejected(bad_line[2], bad_line[3], location=location)  # type: ignore[arg-type]
            elif len(row) != width:
                yield self._broken_row(feed, width, delimiter, f"{len(row)} fields, header has {width}", location)
            else:
                values = {name: row[index] for name, index in fields}
                legacy = next((line[3] for line in feed.record if line[3]), "")
                yield self._article(values, location, "csv", legacy or encoding)

    def _broken_row(self, feed: _LineFeed, width: int, delimiter: str, problem: str, location: str) -> Rejected:
        """E301 for a malformed row; when it swallowed well-formed rows, they are parsed again."""
        if not feed.record:
            return Rejected(Errors.E301, problem, location=location)
        first, rest = feed.record[0], feed.record[1:]
        replayed = ""
        if rest and _has_row_of_width((line[1] for line in rest), width, delimiter):
            feed.replay(rest)
            replayed = f"; {len(rest)} following line(s) read again"
        return Rejected(Errors.E301, f"row starting on line {first[0]}: {problem}{replayed}", location=location)

    # -- building records --------------------------------------------------------------------

    def _article(
        self, values: Mapping[str, str | None], location: str, fmt: str, encoding: str | None
    ) -> Article | Rejected:
        text, html = values.get("text"), values.get("html")
        has_text = bool(text and text.strip())
        if not has_text and not (html and html.strip()):
            return Rejected(Errors.W101, "empty text", location=location)
        url = (values.get("url") or "").strip()
        url = url if "://" in url else ""
        meta: dict[str, Any] = {"location": location, "format": fmt}
        if not has_text:
            meta["html"] = html
        for name in ("published", "updated"):
            raw = (values.get(name) or "").strip()
            if raw:
                meta[f"{name}_raw"] = raw
        if encoding and encoding not in ("utf-8", "utf-8-sig", "ascii"):
            meta["encoding"] = encoding
        return Article(
            source=url or location,
            url=url or None,
            title=(values.get("title") or "").strip(),
            raw_text=text if has_text else None,
            author=(values.get("author") or "").strip() or None,
            outlet=(values.get("outlet") or "").strip() or None,
            meta=meta,
        )

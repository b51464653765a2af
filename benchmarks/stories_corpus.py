"""Read the indonews-2025-06 CSVs and dev story labels straight into Articles (for benchmarks).

The real path is ``warta ingest``; this reader lets the story benchmarks run on the corpus without a
store, with a small date parser for the six outlets' formats (WIB, +07:00). Rows are deduplicated by
URL (first row wins), as ingest would.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from warta.article import Article

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpora" / "indonews-2025-06"
GOLD = CORPUS / "stories.dev.json"
WIB = timezone(timedelta(hours=7))
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"])}
_NAMED = re.compile(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\D+?(\d{1,2})[:.](\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}),?\s*(\d{1,2})[:.](\d{2})")


def parse_date(value: str) -> datetime | None:
    """Publication time from one of the corpus's date strings (all WIB).

    >>> parse_date("Diperbarui 18 Jun 2025, 14:05 WIB").isoformat()
    '2025-06-18T14:05:00+07:00'
    >>> parse_date("Kompas.com- 19/06/2025, 10:08 WIB").isoformat()
    '2025-06-19T10:08:00+07:00'
    >>> parse_date("") is None
    True
    """
    m = _NAMED.search(value)
    if m and m.group(2).lower() in _MONTHS:
        day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
    else:
        m = _NUMERIC.search(value)
        if not m:
            return None
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return datetime(year, month, day, int(m.group(4)), int(m.group(5)), tzinfo=WIB)


def read_corpus() -> list[Article]:
    """Every unique-URL article of the corpus, with ids 1..n in file order."""
    seen: set[str] = set()
    out: list[Article] = []
    for path in sorted(CORPUS.glob("scrapping_news_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                url = row["url"].strip()
                if not url or url in seen:
                    continue
                seen.add(url)
                out.append(Article(source=url, url=url, outlet=row["sumber"], title=row["judul"].strip(),
                                   text=row["isi_berita"].strip(), author=row["author"], language="id",
                                   published=parse_date(row["tanggal_publikasi"]), id=len(out) + 1))
    return out


def read_gold(path: Path = GOLD) -> dict[str, str]:
    """Gold story label by URL."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {url: s["story"] for s in data["stories"] for url in s["urls"]}


def publication_order(articles: list[Article]) -> Iterator[Article]:
    """Articles sorted as the store streams them: by publication time (missing last), then id."""
    far = datetime.max.replace(tzinfo=UTC)
    return iter(sorted(articles, key=lambda a: (a.published or far, a.id)))

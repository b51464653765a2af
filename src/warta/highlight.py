"""Safe highlighted markup from untrusted text and character-offset marks.

Article text is untrusted: it may contain ``<script>`` or HTML of any kind. Highlighting never
inserts markup into the text; it cuts the text at mark boundaries, escapes every piece, and wraps
each piece in one element carrying the classes of every mark that covers it. Overlapping and
nested marks (an entity inside a quote inside an evidence sentence) therefore need no tree.

>>> text = "Putin <b>tiba</b>.\\nKim menyambut."
>>> str(highlight(text, [Mark(0, 5, "ent ent-PER", title="Vladimir Putin")]))
'<p><mark class="ent ent-PER" title="Vladimir Putin">Putin</mark> &lt;b&gt;tiba&lt;/b&gt;.</p>\\n<p>Kim menyambut.</p>'
>>> safe_href("javascript:alert(1)") is None, safe_href("https://x.test/a?b=1")
(True, 'https://x.test/a?b=1')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted range ``[start, end)``: CSS classes, a tooltip, an optional local link, data attributes."""

    start: int
    end: int
    css: str
    title: str = ""
    href: str | None = None
    data: tuple[tuple[str, str], ...] = ()


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None`` (never render ``javascript:`` and friends)."""
    if not url:
        return None
    cleaned = url.strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(ch) < 32 for ch in cleaned):
        return None
    return cleaned


def _open_tag(active: Sequence[Mark]) -> tuple[str, str]:
    css = " ".join(dict.fromkeys(c for m in active for c in m.css.split()))
    titles = " · ".join(dict.fromkeys(m.title for m in active if m.title))
    href = next((m.href for m in active if m.href), None)
    data: dict[str, list[str]] = {}
    for m in active:
        for key, value in m.data:
            data.setdefault(key, []).append(value)
    attrs = f' class="{escape(css)}"'
    if titles:
        attrs += f' title="{escape(titles)}"'
    for key, values in data.items():
        attrs += f' data-{escape(key)}="{escape(" ".join(dict.fromkeys(values)))}"'
    if href:
        return f'<a href="{escape(href)}"{attrs}>', "</a>"
    return f"<mark{attrs}>", "</mark>"


def _segments(text: str, start: int, end: int, marks: Sequence[Mark]) -> Iterable[str]:
    cuts = {start, end}
    for m in marks:
        cuts.add(max(start, min(end, m.start)))
        cuts.add(max(start, min(end, m.end)))
    points = sorted(cuts)
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        piece = escape(text[a:b])
        active = [m for m in marks if m.start <= a and m.end >= b]
        if active:
            opening, closing = _open_tag(active)
            yield f"{opening}{piece}{closing}"
        else:
            yield str(piece)


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    """``text`` as escaped ``<p>`` paragraphs with ``marks`` wrapped in ``<mark>`` (or ``<a>``) elements."""
    ordered = sorted((m for m in marks if m.end > m.start), key=lambda m: (m.start, m.end))
    out: list[str] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            inside = [m for m in ordered if m.start < end and m.end > pos]
            out.append("<p>" + "".join(_segments(text, pos, end, inside)) + "</p>")
        pos = end + 1
    return Markup("\n".join(out))

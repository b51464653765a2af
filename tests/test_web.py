"""The REST API and the web pages: every route, its JSON twin, the error shape, auth and escaping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import hypothesis
import pytest
from fastapi.testclient import TestClient

from warta.article import Article, Span
from warta.highlight import Mark, highlight, safe_href
from warta.settings import load_settings
from warta.store import DuplicateLink, open_store
from warta.web import create_app

WIB = timezone(timedelta(hours=7))
EVIL = '<script>alert("x")</script>'
TEXT = (
    "Presiden Rusia Vladimir Putin akan mengunjungi Korea Utara dalam beberapa hari mendatang.\n"
    "\u201cKami memantau perkembangan,\u201d kata Kim Hong-kyun pada hari Jumat."
)
EVIL_TEXT = (
    f"Klik {EVIL} di sini.\n"
    '<a href="javascript:alert(1)">tautan</a> dan <img src=x onerror="alert(2)"> gambar.\n'
    "Putin datang </p></div><iframe src=//evil.test></iframe>."
)


def _article(n: int, **kw: object) -> Article:
    base: dict = dict(source=f"https://a.test/{n}", url=f"https://a.test/{n}", title=f"Artikel {n}", text=TEXT,
                      outlet="a.test", language="id", content_hash=f"h{n}",
                      published=datetime(2024, 6, 14, 8, n, tzinfo=WIB))
    base.update(kw)
    return Article(**base)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('web')}/w.db")
    first = _article(1)
    other = _article(2, outlet="b.test", title="Putin ke Pyongyang", content_hash="h2")
    store.write_batch([first, other], [], [])
    copy = _article(3, outlet="c.test", duplicate_of=first.id, duplicate_kind="near", similarity=0.93)
    evil = _article(4, title=f"{EVIL} judul", author='<img src=x onerror="alert(3)">', outlet="<b>evil</b>.test",
                    url="javascript:alert(4)", text=EVIL_TEXT, content_hash="h4")
    store.write_batch([copy, evil], [DuplicateLink(first.id, "https://d.test/x", "https://d.test/x", "url", 1.0)], [])
    putin = store.upsert_entity("Vladimir Putin", "PER", ["Putin"])
    kim = store.upsert_entity("Kim Hong-kyun", "PER")
    for a in (first, other):
        start = TEXT.index("Vladimir Putin")
        store.set_spans(a.id, "entity", [
            Span(start, start + 14, "PER", "entity", {"canonical": "Vladimir Putin", "entity_id": putin}),
            Span(TEXT.index("Kim Hong"), TEXT.index("Kim Hong") + 13, "PER", "entity",
                 {"canonical": "Kim Hong-kyun", "entity_id": kim}),
        ])
        store.set_spans(a.id, "quote", [Span(TEXT.index("\u201c"), TEXT.index("\u201d") + 1, "direct", "quote",
                                             {"speaker": "Kim Hong-kyun", "speaker_entity_id": kim})])
        store.set_spans(a.id, "timex", [Span(TEXT.index("pada hari"), TEXT.index("Jumat") + 5, "DATE", "timex",
                                             {"value": "2024-06-14", "anchored": True})])
    evil_at = EVIL_TEXT.index("Putin")
    store.set_spans(evil.id, "entity", [Span(evil_at, evil_at + 5, "PER", "entity",
                                             {"canonical": '<script>x</script>', "entity_id": putin})])
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(store, load_settings(), token="s3cret"), raise_server_exceptions=False)


# -- a tiny HTML checker ---------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    @classmethod
    def text_of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return "".join(parser.data).replace("\n", "")


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    """No script but ours, no event handler, no javascript: URL, no frame, no foreign image."""
    for tag, attrs in tags_of(html):
        assert tag not in ("iframe", "img", "object", "embed"), tag
        if tag == "script":
            assert attrs == {"src": "/static/warta.js", "defer": None}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "//")), (tag, value)


# -- highlighting ------------------------------------------------------------------------------------


def test_highlight_nests_overlapping_marks_flat_and_escapes() -> None:
    text = "ab<c>de"
    html = str(highlight(text, [Mark(0, 4, "x", data=(("fact", "1"),)), Mark(2, 7, "y", data=(("fact", "2"),))]))
    assert html == ('<p><mark class="x" data-fact="1">ab</mark><mark class="x y" data-fact="1 2">&lt;c</mark>'
                    '<mark class="y" data-fact="2">&gt;de</mark></p>')


def test_highlight_keeps_every_character_across_paragraphs() -> None:
    text = "satu dua\n\ntiga <empat>"
    html = str(highlight(text, [Mark(5, 14, "q", title='a "b"')]))
    assert html.count("<p>") == 2
    assert 'title="a &#34;b&#34;"' in html
    assert Tags.text_of(html) == "satu duatiga <empat>"


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:x", "data:text/html,x", "//evil.test/",
                                 "vbscript:x", "/relative", "http://\x01x", ""])
def test_safe_href_refuses_non_http(url: str) -> None:
    assert safe_href(url) is None


# -- pages and their JSON twins ----------------------------------------------------------------------


def test_articles_feed_filters_and_pages(client: TestClient) -> None:
    data = client.get("/api/articles", params={"page_size": 2}).json()
    assert data["total"] == 4 and len(data["items"]) == 2 and data["items"][0]["title"].startswith("<script>")
    assert client.get("/api/articles", params={"outlet": "b.test"}).json()["total"] == 1
    assert client.get("/api/articles", params={"since": "2024-06-15"}).json()["total"] == 0
    assert client.get("/api/articles", params={"until": "2024-06-14"}).json()["total"] == 4
    html = client.get("/articles", params={"page_size": 2}).text
    assert 'rel="next"' in html and "Putin ke Pyongyang" not in html


def test_article_page_highlights_spans_and_lists_copies(client: TestClient, store) -> None:
    data = client.get("/api/articles/1").json()
    assert {s["layer"] for s in data["spans"]} == {"entity", "quote", "timex"}
    assert {s["text"] for s in data["spans"] if s["layer"] == "entity"} == {"Vladimir Putin", "Kim Hong-kyun"}
    kinds = {(c["article_id"], c["kind"]) for c in data["copies"]}
    assert kinds == {(3, "near"), (None, "url")}
    html = client.get("/articles/1").text
    assert '<a href="/entities/1" class="ent ent-PER" title="Vladimir Putin">Vladimir Putin</a>' in html
    assert 'class="quote quote-direct"' in html and 'class="timex timex-DATE" title="DATE 2024-06-14"' in html
    assert '<a href="/articles/3">#3</a>' in html
    assert '<a class="source" href="https://a.test/1"' in html


def test_search_with_filters(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "Pyongyang"}).json()
    assert [h["id"] for h in data["hits"]] == [2] and not data["has_more"]
    assert client.get("/api/search", params={"q": "Korea", "outlet": "b.test"}).json()["hits"][0]["id"] == 2
    paged = client.get("/api/search", params={"q": "Korea", "page_size": 1, "page": 2}).json()
    assert len(paged["hits"]) == 1 and paged["has_more"]
    html = client.get("/search", params={"q": "memantau"}).text
    assert "<mark>memantau</mark>" in html
    assert "Type words" in client.get("/search").text


def test_outlets_statistics(client: TestClient) -> None:
    data = client.get("/api/outlets").json()
    by = {o["outlet"]: o for o in data["outlets"]}
    assert by["a.test"]["articles"] == 1 and by["c.test"]["copies"] == 1
    assert data["days"][-1] == "2024-06-14" and by["a.test"]["per_day"][-1] == 1
    assert data["totals"]["duplicates"] == 2
    assert "b.test" in client.get("/outlets").text


def test_entity_page_lists_articles_and_quotes(client: TestClient) -> None:
    data = client.get("/api/entities/2").json()
    assert data["entity"]["canonical"] == "Kim Hong-kyun"
    assert [m["article"]["id"] for m in data["mentions"]] == [1, 2]
    assert len(data["quotes"]) == 2 and data["quotes"][0]["text"].startswith("\u201cKami")
    assert "Kami memantau" in client.get("/entities/2").text


def test_static_files_and_security_headers(client: TestClient) -> None:
    response = client.get("/static/warta.js")
    assert response.status_code == 200 and "evidence" in response.text
    csp = client.get("/articles").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert client.get("/api/articles/99").headers["content-security-policy"] == csp


def test_openapi_lists_every_json_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/search", "/api/outlets",
                 "/api/entities/{entity_id}"):
        assert "get" in paths[path], path


# -- one error shape on every route ------------------------------------------------------------------

ERRORS = [
    ("/api/articles/999", 404), ("/articles/999", 404), ("/api/entities/999", 404), ("/entities/999", 404),
    ("/api/articles/x", 422), ("/articles/x", 422), ("/api/entities/x", 422), ("/entities/x", 422),
    ("/api/articles?page=0", 422), ("/articles?since=yesterday", 422), ("/api/search", 422),
    ("/api/search?q=%22", 422), ("/search?q=x&page_size=0", 422), ("/api/outlets?page=x", 200),
    ("/outlets/none", 404), ("/no/such/page", 404), ("/static/none.css", 404),
]


@pytest.mark.parametrize(("url", "status"), ERRORS)
def test_every_route_answers_errors_in_one_shape(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    if status != 200:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "status"} and error["status"] == status and error["message"]


def test_browsers_get_an_html_error_page(client: TestClient) -> None:
    response = client.get("/articles/999", headers={"accept": "text/html"})
    assert response.status_code == 404 and 'data-code="not_found"' in response.text
    assert client.get("/api/articles/999", headers={"accept": "text/html"}).json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_405_in_the_same_shape(client: TestClient) -> None:
    response = client.delete("/api/articles/1")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


# -- untrusted text renders inert ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/articles/4", "/articles", "/search?q=Klik", "/search?q=%3Cscript%3E", "/outlets",
                                 "/entities/1", "/articles?outlet=%3Cb%3Eevil%3C%2Fb%3E.test"])
def test_malicious_article_renders_inert(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.text
    assert_inert(html)
    assert "<script>alert" not in html and "<b>evil</b>" not in html and 'onerror="alert' not in html


def test_malicious_article_text_is_kept_as_text(client: TestClient) -> None:
    html = client.get("/articles/4").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html
    assert 'href="javascript:' not in html and "javascript:alert(4)" in html  # shown as text, never a link
    assert 'title="&lt;script&gt;x&lt;/script&gt;"' in html
    assert client.get("/api/articles/4").json()["author"] == '<img src=x onerror="alert(3)">'


# -- the OpenAPI spec, fuzzed in-process ---------------------------------------------------------------

schemathesis = pytest.importorskip("schemathesis")


def test_openapi_fuzz_has_no_server_errors(client: TestClient) -> None:
    """Every operation of the spec, a bounded number of generated requests each, checked by schemathesis."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=30, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def run(case) -> None:
            # A schema-valid string need not be a valid full-text query ('"' alone): 422 is right there.
            case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])

        run()

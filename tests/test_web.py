"""The REST API and the web pages: every route, its JSON twin, the error shape, auth and escaping."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import hypothesis
import pytest
from fastapi.testclient import TestClient

from warta import compare, stories
from warta.article import Article, Span
from warta.highlight import Mark, highlight, safe_href
from warta.settings import load_settings
from warta.store import DuplicateLink, open_store
from warta.web import Cache, create_app

WIB = timezone(timedelta(hours=7))
EVIL = '<script>alert("x")</script>'
TEXT = (
    "Presiden Rusia Vladimir Putin akan mengunjungi Korea Utara dalam beberapa hari mendatang.\n"
    "\u201cKami memantau perkembangan,\u201d kata Kim Hong-kyun pada hari Jumat."
)
#: The same happening in other words (another outlet's report).
OTHER_TEXT = (
    "Kremlin belum mengumumkan tanggalnya, tetapi Vladimir Putin dijadwalkan mengunjungi Korea Utara dalam beberapa"
    " hari mendatang, menurut pejabat Seoul.\n"
    "\u201cKami terus memantau perkembangan,\u201d ujar Kim Hong-kyun pada hari Jumat kepada wartawan di Seoul."
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


def fill(store) -> None:
    """Two outlets' reports of one happening, a copy, a repeat link, and a malicious article, with spans."""
    first = _article(1)
    other = _article(2, outlet="b.test", title="Putin ke Pyongyang", content_hash="h2", text=OTHER_TEXT)
    store.write_batch([first, other], [], [])
    copy = _article(3, outlet="c.test", duplicate_of=first.id, duplicate_kind="near", similarity=0.93)
    evil = _article(4, title=f"{EVIL} judul", author='<img src=x onerror="alert(3)">', outlet="<b>evil</b>.test",
                    url="javascript:alert(4)", text=EVIL_TEXT, content_hash="h4")
    store.write_batch([copy, evil], [DuplicateLink(first.id, "https://d.test/x", "https://d.test/x", "url", 1.0)], [])
    putin = store.upsert_entity("Vladimir Putin", "PER", ["Putin"])
    kim = store.upsert_entity("Kim Hong-kyun", "PER")
    for a in (first, other):
        text = a.text
        start = text.index("Vladimir Putin")
        store.set_spans(a.id, "entity", [
            Span(start, start + 14, "PER", "entity", {"canonical": "Vladimir Putin", "entity_id": putin}),
            Span(text.index("Kim Hong"), text.index("Kim Hong") + 13, "PER", "entity",
                 {"canonical": "Kim Hong-kyun", "entity_id": kim}),
        ])
        store.set_spans(a.id, "quote", [Span(text.index("\u201c"), text.index("\u201d") + 1, "direct", "quote",
                                             {"speaker": "Kim Hong-kyun", "speaker_entity_id": kim})])
        store.set_spans(a.id, "timex", [Span(text.index("pada hari"), text.index("Jumat") + 5, "DATE", "timex",
                                             {"value": "2024-06-14", "anchored": True})])
    evil_at = EVIL_TEXT.index("Putin")
    store.set_spans(evil.id, "entity", [Span(evil_at, evil_at + 5, "PER", "entity",
                                             {"canonical": '<script>x</script>', "entity_id": putin})])
    stories.assign_new(store, load_settings())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('web')}/w.db")
    fill(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(store, load_settings(), token="s3cret"), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def story_id(store) -> int:
    found = stories.story_of(store, 1)
    assert found is not None and stories.story_of(store, 2) == found, "articles 1 and 2 tell one story"
    return found


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
        if tag == "link" and attrs.get("rel") == "icon":
            assert attrs["href"] == "data:,"  # our empty favicon
            continue
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
    assert by["a.test"]["stories"] == by["a.test"]["shared_stories"] == 1
    assert by["<b>evil</b>.test"]["stories"] == 1 and by["<b>evil</b>.test"]["shared_stories"] == 0
    assert "b.test" in client.get("/outlets").text


def test_entity_page_lists_articles_and_quotes(client: TestClient) -> None:
    data = client.get("/api/entities/2").json()
    assert data["entity"]["canonical"] == "Kim Hong-kyun"
    assert [m["article"]["id"] for m in data["mentions"]] == [1, 2]
    assert len(data["quotes"]) == 2 and data["quotes"][0]["text"].startswith("\u201cKami")
    html = client.get("/entities/2").text
    assert "Kami memantau" in html and html.count("<circle") == 2


def test_static_files_and_security_headers(client: TestClient) -> None:
    response = client.get("/static/warta.js")
    assert response.status_code == 200 and "evidence" in response.text
    csp = client.get("/articles").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert client.get("/api/articles/99").headers["content-security-policy"] == csp


def test_openapi_lists_every_json_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/search", "/api/outlets",
                 "/api/entities/{entity_id}", "/api/stories", "/api/stories/{story_id}"):
        assert "get" in paths[path], path
    for path in ("/api/articles", "/api/ingest", "/api/stories/{story_id}/merge", "/api/stories/{story_id}/split",
                 "/api/articles/{article_id}/move"):
        assert "post" in paths[path], path


def test_story_feed_orders_filters_and_pages(client: TestClient, story_id: int) -> None:
    feed = client.get("/api/stories", params={"order": "coverage"}).json()
    assert feed["items"][0]["id"] == story_id and feed["items"][0]["outlets"] == ["a.test", "b.test", "c.test"]
    assert [s["id"] for s in client.get("/api/stories", params={"outlet": "b.test"}).json()["items"]] == [story_id]
    assert client.get("/api/stories", params={"since": "2024-06-15"}).json()["items"] == []
    assert client.get("/api/stories", params={"entity": "Kim Hong-kyun"}).json()["items"][0]["id"] == story_id
    assert client.get("/api/stories", params={"entity": "Nobody"}).json()["items"] == []
    one = client.get("/api/stories", params={"page_size": 1}).json()
    assert len(one["items"]) == 1 and one["has_more"]
    html = client.get("/", params={"order": "coverage"}).text
    assert f'href="/stories/{story_id}"' in html and 'aria-current="page">Most covered' in html


def test_story_json_twin_has_the_comparison(client: TestClient, story_id: int) -> None:
    data = client.get(f"/api/stories/{story_id}").json()
    assert data["story"]["articles"] == 3 and {a["id"] for a in data["articles"]} == {1, 2, 3}
    assert set(data["report"]) >= {"facts", "quotes", "timeline", "summary"}
    statuses = {f["status"] for f in data["report"]["facts"]}
    assert "corroborated" in statuses
    assert {w["article_id"] for w in data["why"]} == {1, 2, 3}
    assert {w["via"] for w in data["why"] if w["article_id"] == 3} == {"duplicate"}


def test_story_page_puts_outlets_side_by_side_with_evidence(client: TestClient, story_id: int) -> None:
    html = client.get(f"/stories/{story_id}").text
    tags = tags_of(html)
    columns = [a["data-outlet"] for t, a in tags if t == "section" and "data-outlet" in a]
    assert columns == ["a.test", "b.test", "c.test"]
    badges = [a["class"] for t, a in tags if t == "span" and (a.get("class") or "").startswith("badge")]
    assert "badge corroborated" in badges
    facts = {a["data-fact"] for t, a in tags if t == "li" and "data-fact" in a}
    evidence = {f for _, a in tags if "evidence" in (a.get("class") or "") and "data-fact" in a
                for f in a["data-fact"].split()}
    assert facts and evidence and evidence <= facts
    assert '<svg class="coverage"' in html and html.count("<circle") == 3
    assert "Why these articles were grouped" in html and "a copy of an article of this story" in html
    assert_inert(html)


def test_article_page_links_its_story(client: TestClient, story_id: int) -> None:
    assert client.get("/api/articles/2").json()["story"]["id"] == story_id
    assert f'<a href="/stories/{story_id}">' in client.get("/articles/2").text
    assert client.get("/api/entities/1").json()["stories"][0]["id"] == story_id


def test_story_reports_are_cached_per_membership(client: TestClient, story_id: int, monkeypatch) -> None:
    calls = []
    client.app.state.web.reports.clear()
    client.app.state.web.pages.clear()
    original = compare.story_report
    monkeypatch.setattr(compare, "story_report", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
    client.get(f"/stories/{story_id}")
    client.get(f"/api/stories/{story_id}")
    client.get(f"/stories/{story_id}")
    assert calls == [story_id] and client.app.state.web.reports.story_ids() == {story_id}
    assert client.app.state.web.pages.story_ids() == {story_id}


def test_cache_computes_a_key_once_under_concurrency() -> None:
    cache = Cache(size=2, ttl=60.0)
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda _: cache.get((1, "x"), slow), range(8))) == [42] * 8
    assert len(calls) == 1
    cache.get((2, "x"), lambda: 2)
    cache.get((3, "x"), lambda: 3)
    assert cache.story_ids() == {2, 3}, "the least recently used entry ages out"


def test_reports_of_the_newest_stories_are_computed_at_startup(store) -> None:
    app = create_app(store, load_settings())
    wanted = {s.id for s in stories.list_stories(store)}

    def warmed() -> set[int]:
        return app.state.web.reports.story_ids()

    with TestClient(app):
        deadline = time.monotonic() + 30
        while warmed() != wanted and time.monotonic() < deadline:
            time.sleep(0.05)
    assert warmed() == wanted


def test_outlet_summaries_follow_new_articles(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/o.db")
    client = TestClient(create_app(store, load_settings()))
    store.write_batch([_article(1)], [], [])
    assert [o["outlet"] for o in client.get("/api/outlets").json()["outlets"]] == ["a.test"]
    store.write_batch([_article(2, outlet="b.test", content_hash="h2")], [], [])
    assert len(client.get("/api/outlets").json()["outlets"]) == 2
    assert 'value="b.test"' in client.get("/articles").text
    store.close()


# -- writes: bearer token, ingest, corrections ------------------------------------------------------------

AUTH = {"authorization": "Bearer s3cret"}
WRITES = [
    ("post", "/api/articles", {"json": [{"title": "x", "text": "y"}]}),
    ("post", "/api/ingest", {"files": {"files": ("a.txt", b"x")}}),
    ("post", "/api/stories/1/merge", {"json": {"other": 2}}),
    ("post", "/api/stories/1/split", {"json": {"articles": [1]}}),
    ("post", "/api/articles/1/move", {"json": {"story": 1}}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), WRITES)
def test_writes_need_the_token(client: TestClient, store, method: str, url: str, kwargs: dict) -> None:
    missing = client.request(method, url, **kwargs)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.request(method, url, headers={"authorization": "Bearer nope"}, **kwargs)
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    read_only = TestClient(create_app(store, load_settings(), token=""))
    refused = read_only.request(method, url, headers=AUTH, **kwargs)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only"


def test_the_token_is_checked_before_the_body(client: TestClient) -> None:
    response = client.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 401
    assert client.post("/api/articles", content=b"{not json", headers={**AUTH, "content-type": "application/json"}
                       ).status_code == 422
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_corrections_refuse_what_does_not_exist(client: TestClient, story_id: int) -> None:
    cases = [("/api/stories/999/merge", {"other": story_id}, 404),
             (f"/api/stories/{story_id}/merge", {"other": 999}, 404),
             (f"/api/stories/{story_id}/merge", {"other": story_id}, 422),
             (f"/api/stories/{story_id}/split", {"articles": [4]}, 422),
             (f"/api/stories/{story_id}/split", {"articles": []}, 422),
             ("/api/articles/999/move", {"story": story_id}, 404), ("/api/articles/1/move", {"story": 999}, 404),
             ("/api/articles/1/move", {"story": "x"}, 422)]
    for url, body, status in cases:
        response = client.post(url, json=body, headers=AUTH)
        assert response.status_code == status, (url, body, response.text)
        assert set(response.json()["error"]) == {"code", "message", "status"}


def test_split_move_and_merge_change_the_story(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/c.db")
    store.write_batch([_article(1), _article(2, outlet="b.test", content_hash="h2")], [], [])
    stories.assign_new(store, load_settings())
    client = TestClient(create_app(store, load_settings(), token="s3cret"))
    first = stories.story_of(store, 1)
    split = client.post(f"/api/stories/{first}/split", json={"articles": [2]}, headers=AUTH)
    assert split.status_code == 200
    second = split.json()["story"]["id"]
    assert second != first and stories.story_of(store, 2) == second
    moved = client.post("/api/articles/2/move", json={"story": first}, headers=AUTH).json()
    assert moved["story"]["id"] == first and moved["story"]["articles"] == 2
    client.post(f"/api/stories/{first}/split", json={"articles": [1]}, headers=AUTH)
    other = stories.story_of(store, 1)
    merged = client.post(f"/api/stories/{first}/merge", json={"other": other}, headers=AUTH).json()
    assert merged["story"]["articles"] == 2 and stories.story_of(store, 1) == stories.story_of(store, 2)
    store.close()


def test_ingest_json_articles_and_uploaded_files(tmp_path, seeds_dir) -> None:
    store = open_store(f"sqlite:///{tmp_path}/i.db")
    client = TestClient(create_app(store, load_settings(), token="s3cret"))
    posted = client.post("/api/articles", headers=AUTH, json=[{
        "title": "Putin tiba di Pyongyang", "url": "https://x.test/a", "outlet": "x.test",
        "published": "2024-06-19 08:00",
        "text": "Presiden Rusia Vladimir Putin tiba di Pyongyang pada Rabu (19/6/2024) untuk kunjungan kenegaraan "
                "dua hari. Ia disambut langsung oleh pemimpin Korea Utara Kim Jong Un di bandara."}])
    assert posted.status_code == 201, posted.text
    assert posted.json()["ingested"] == 1 and posted.json()["stories_assigned"] == 1
    seed = (seeds_dir / "000_a00ea6c7e7f3e76c.txt").read_bytes()
    uploaded = client.post("/api/ingest", headers=AUTH, files=[("files", ("../../000 seed.txt", seed))]).json()
    assert uploaded["ingested"] == 1 and uploaded["spans"].get("entity", 0) > 0
    again = client.post("/api/ingest", headers=AUTH, files=[("files", ("000.txt", seed))]).json()
    assert again["duplicates"] == again["copies"] == 1, "a second upload of a file is stored as a copy"
    assert client.get("/api/stories").json()["items"]
    store.close()


def test_uploads_over_the_limit_are_refused(store) -> None:
    settings = load_settings().with_overrides({"server": {"max_upload_bytes": 100}})
    client = TestClient(create_app(store, settings, token="s3cret"))
    response = client.post("/api/ingest", headers=AUTH, files=[("files", ("a.txt", b"x" * 500))])
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


# -- one error shape on every route ------------------------------------------------------------------

ERRORS = [
    ("/api/articles/999", 404), ("/articles/999", 404), ("/api/entities/999", 404), ("/entities/999", 404),
    ("/api/articles/x", 422), ("/articles/x", 422), ("/api/entities/x", 422), ("/entities/x", 422),
    ("/api/articles?page=0", 422), ("/articles?since=yesterday", 422), ("/api/search", 422),
    ("/api/search?q=%22", 422), ("/search?q=x&page_size=0", 422), ("/api/outlets?page=x", 200),
    ("/outlets/none", 404), ("/no/such/page", 404), ("/static/none.css", 404),
    ("/api/stories/999", 404), ("/stories/999", 404), ("/api/stories/x", 422), ("/stories/0", 422),
    ("/api/stories?order=oldest", 422), ("/?order=oldest", 422), ("/?until=2024-13-01", 422),
    ("/api/stories?page_size=-1", 422),
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


def test_head_is_answered_like_get(client: TestClient, story_id: int) -> None:
    for url in ("/", f"/stories/{story_id}", "/api/outlets", "/static/warta.css"):
        response = client.head(url)
        assert response.status_code == 200 and not response.content, url
        assert response.headers["content-security-policy"]
    assert client.head("/articles/999").status_code == 404


def test_wrong_method_is_a_405_in_the_same_shape(client: TestClient) -> None:
    response = client.delete("/api/articles/1")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


# -- untrusted text renders inert ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/articles/4", "/articles", "/search?q=Klik", "/search?q=%3Cscript%3E", "/outlets",
                                 "/entities/1", "/articles?outlet=%3Cb%3Eevil%3C%2Fb%3E.test", "/",
                                 "/?entity=%3Cscript%3E", "/stories/2", "/stories/1"])
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


def fuzz(app, *, methods: tuple[str, ...], examples: int, headers: dict[str, str] | None = None) -> int:
    """Run schemathesis over the spec's operations with ``methods``; returns how many were fuzzed.

    With ``headers`` (the token) its check that requests without credentials are refused is left out:
    it would resend these headers; the auth tests above cover that.
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.method.upper() in methods]
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def run(case) -> None:
            # A schema-valid string need not be a valid full-text query ('"' alone): 422 is right there.
            excluded = [schemathesis.checks.positive_data_acceptance]
            if headers:
                excluded.append(schemathesis.checks.ignored_auth)
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        run()
    return len(operations)


def test_openapi_fuzz_has_no_server_errors(client: TestClient) -> None:
    """Every operation of the spec, a bounded number of generated requests each (writes answer 401)."""
    assert fuzz(client.app, methods=("GET", "POST"), examples=30) >= 17


def test_openapi_fuzz_of_the_writes_with_the_token(tmp_path) -> None:
    """Ingest and corrections with the token: generated files, articles and ids never make a server error."""
    store = open_store(f"sqlite:///{tmp_path}/f.db")
    fill(store)
    app = create_app(store, load_settings(), token="s3cret")
    assert fuzz(app, methods=("POST",), examples=12, headers=AUTH) == 5
    store.close()

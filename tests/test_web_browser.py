"""End to end in real headless Chromium: a uvicorn server over a store filled with the seeds and more.

Needs Debian's ``chromium`` (``apt-get install chromium chromium-driver``) and Playwright for Python
(never ``playwright install``: the browser is the system one). Screenshots go to
``artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from warta import stories
from warta.ingest import Enricher, ingest
from warta.settings import load_settings
from warta.store import ArticleFilter, open_store
from warta.web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "artifacts" / "screenshots"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonews-2025-06"
TOKEN = "browser-test-token"
EVIL = {
    "title": '<img src=x onerror="alert(1)">Judul <script>alert(2)</script>',
    "text": ('Paragraf pertama <script>alert(3)</script> dengan <a href="javascript:alert(4)">tautan</a> '
             'dan <iframe src="https://evil.test"></iframe> serta <svg onload="alert(5)"> yang tidak boleh jalan. '
             "Kalimat kedua cukup panjang agar artikel ini diterima oleh tahap pembersihan warta tanpa masalah."),
    "url": "javascript:alert(6)",
    "outlet": "<b onmouseover=alert(7)>evil</b>",
    "author": '"><script>alert(8)</script>',
    "published": "2025-06-20 10:00",
}


def _more_articles(folder: Path, stories_wanted: int = 4, others: int = 30) -> Path | None:
    """A small CSV from the shared corpus: every article of a few multi-outlet dev stories, and some others."""
    gold = CORPUS / "stories.dev.json"
    if not gold.is_file():
        return None
    multi = [s for s in json.loads(gold.read_text(encoding="utf-8"))["stories"] if len(s["outlets"]) >= 2]
    wanted = {u for s in sorted(multi, key=lambda s: -len(s["urls"]))[:stories_wanted] for u in s["urls"]}
    rows: dict[str, dict[str, str]] = {}
    for path in sorted(CORPUS.glob("scrapping_news_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["url"] in wanted or len(rows) < others:
                    rows.setdefault(row["url"], row)
    out = folder / "more.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(next(iter(rows.values()))))
        writer.writeheader()
        writer.writerows(rows.values())
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Iterator[dict]:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)")
    folder = tmp_path_factory.mktemp("site")
    settings = load_settings()
    store = open_store(f"sqlite:///{folder / 'site.db'}", settings=settings)
    # The seeds first (2024), then the corpus sample (2025): undated seed 004 joins its story while it is active.
    more = _more_articles(folder)
    for inputs in ([str(seeds_dir)], [str(more)] if more else []):
        ingest(inputs, store, settings)
        Enricher(store, settings).run()
        stories.assign_new(store, settings)
    seeds = {a.meta.get("location", "").rsplit("/", 1)[-1][:3]: a.id
             for a in store.iter_articles(ArticleFilter()) if "seeds" in (a.meta.get("location") or "")}
    app = create_app(store, settings, token=TOKEN)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{sock.getsockname()[1]}", "store": store, "seeds": seeds}
    server.should_exit = True
    thread.join(10)
    store.close()


@pytest.fixture(scope="module")
def browser(site: dict):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not dialogs, f"a script ran: {dialogs}"
    assert not errors, f"console errors (a CSP violation, a failed load, a script error): {errors}"


def seed_story(site: dict) -> int:
    story = stories.story_of(site["store"], site["seeds"]["000"])
    assert story is not None and stories.story_of(site["store"], site["seeds"]["004"]) == story, "seeds in one story"
    return story


def test_seed_story_side_by_side_with_badges_and_timeline(site: dict, page) -> None:
    story = seed_story(site)
    page.goto(f"{site['url']}/stories/{story}")
    columns = page.locator(".columns > section.column")
    assert columns.count() == 2
    boxes = [columns.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] >= boxes[0]["x"] + boxes[0]["width"] - 1, \
        "the two outlets sit side by side"
    assert "liputan6.com" in [columns.nth(i).get_attribute("data-outlet") for i in range(2)]
    for i in range(2):
        assert columns.nth(i).locator("mark.evidence").count() > 0, "evidence highlighted in every column"
    assert page.locator(".facts .badge.corroborated").count() >= 5
    assert page.locator(".facts .badge.single-source").count() >= 4
    timeline = page.locator("ol.timeline > li").all_inner_texts()
    assert any(t.startswith("2000") for t in timeline) and any("2023-09-13" in t for t in timeline)
    assert page.locator("ol.timeline .badge.inferred").count() >= 1
    ledger = page.locator("table.ledger").inner_text()
    assert "atas" in ledger and "terhadap" in ledger
    assert page.locator("svg.coverage circle").count() == 2


def test_pointing_at_a_fact_lights_up_its_evidence(site: dict, page) -> None:
    page.goto(f"{site['url']}/stories/{seed_story(site)}")
    fact = page.locator(".facts li.corroborated").first
    fact_id = fact.get_attribute("data-fact")
    fact.hover()
    lit = page.locator(f'.column .evidence.active[data-fact~="{fact_id}"]')
    assert lit.count() >= 2, "the fact's sentences in both articles are lit"
    page.mouse.move(0, 0)
    assert page.locator(".column .evidence.active").count() == 0


def test_feed_search_and_article_pages(site: dict, page) -> None:
    page.goto(site["url"] + "/")
    assert page.locator("ol.stories > li").count() >= 3
    page.get_by_role("link", name="Most covered").click()
    first = page.locator("ol.stories > li a").first
    first.click()
    assert page.locator(".columns > section.column").count() >= 1
    page.fill("header input[type=search]", "Putin")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Putin")
    hit = page.locator("ol.hits > li a").first
    assert hit.count() == 1
    hit.click()
    assert page.locator("article.article h1").inner_text()
    assert page.locator(".body p").count() >= 1


def test_posted_malicious_article_renders_inert(site: dict, page) -> None:
    response = page.request.post(f"{site['url']}/api/articles", data=json.dumps([EVIL]),
                                 headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"})
    assert response.status == 201, response.text()
    page.goto(f"{site['url']}/search?q=Paragraf")
    assert page.locator("ol.hits > li").count() == 1
    page.get_by_role("link", name="Judul").first.click()
    assert "<script>alert(2)</script>" in page.locator("h1").inner_text()
    assert page.locator(".body script, .body iframe, .body img, .body svg, h1 img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("() => document.scripts.length") == 1
    page.hover("h1")
    page.hover(".meta")
    page.goto(f"{site['url']}/?outlet=%3Cb%20onmouseover%3Dalert(7)%3Eevil%3C%2Fb%3E")
    assert page.locator("ol.stories > li").count() == 1
    page.locator("ol.stories > li a").first.click()
    page.hover(".columns .outlet")
    assert page.locator(".columns script, .columns b").count() == 0


def test_content_security_policy_blocks_injected_script_and_foreign_images(site: dict, page) -> None:
    page.goto(f"{site['url']}/stories/{seed_story(site)}")
    page.evaluate("""() => {
        const box = document.createElement("div");
        box.innerHTML = '<img src="https://evil.test/x.png">';
        document.body.appendChild(box);
        const script = document.createElement("script");
        script.textContent = "window.injected = 1";
        document.body.appendChild(script);
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None
    blocked = " ".join(page.console_errors)
    assert "Content Security Policy" in blocked and "evil.test" in blocked
    page.console_errors.clear()

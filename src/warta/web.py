"""REST API and web UI over the store: server-rendered pages, each with a JSON twin under ``/api``.

Every page is built from one view function that returns a pydantic model; the HTML route renders
it with a Jinja2 template (autoescaped: article text is untrusted), the ``/api`` route returns it as
JSON and documents it in the OpenAPI spec. Writes (ingest, story corrections) need the bearer token
from ``[server] token`` or ``WARTA_TOKEN``; without one configured the server is read-only.
Every error, on every route, has one shape: ``{"error": {"code", "message", "status"}}``.

>>> from fastapi.testclient import TestClient
>>> from warta.store import open_store
>>> client = TestClient(create_app(open_store("sqlite:///:memory:")))
>>> client.get("/api/articles/1").json()
{'error': {'code': 'not_found', 'message': 'no article 1', 'status': 404}}
"""

from __future__ import annotations

import hmac
import json
import os
import pathlib
import re
import tempfile
import threading
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic as time_now
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Body, Depends, FastAPI, File, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import compare, stories
from .article import Article, Span
from .charts import coverage_svg
from .errors import ConfigError, WartaError
from .highlight import Mark, highlight, safe_href
from .settings import Settings, load_settings
from .store import ArticleFilter, SearchHit, Store

HERE = pathlib.Path(__file__).resolve().parent

#: Error codes by HTTP status, for errors raised without a more specific code.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
}

#: Content-Security-Policy: only local scripts, styles and images; no plugins, no framing.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class WebError(Exception):
    """An error the API reports as ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or STATUS_CODES.get(status, "error")


# -- response models (the JSON twins, and what the templates receive) -------------------------------


class ErrorBody(BaseModel):
    code: str
    message: str
    status: int


class ErrorOut(BaseModel):
    error: ErrorBody


class ArticleRef(BaseModel):
    id: int
    title: str
    outlet: str | None
    published: datetime | None
    language: str | None
    url: str | None
    duplicate_of: int | None


class StoryRef(BaseModel):
    id: int
    headline: str
    articles: int
    outlets: list[str]
    languages: list[str]
    first_published: datetime | None
    last_published: datetime | None


class SpanOut(BaseModel):
    layer: str
    start: int
    end: int
    label: str
    text: str
    attrs: dict[str, Any]


class CopyOut(BaseModel):
    """A repeat or copy of an article: another stored article, or a link from a later input."""

    article_id: int | None = None
    source: str
    outlet: str | None = None
    kind: str | None
    similarity: float | None
    published: str | None = None
    seen_at: str | None = None


class ArticleOut(ArticleRef):
    author: str | None
    updated: datetime | None
    dateline: str | None
    duplicate_kind: str | None
    captions: list[str]
    text: str
    spans: list[SpanOut]
    copies: list[CopyOut]
    story: StoryRef | None


class ArticlePage(BaseModel):
    items: list[ArticleRef]
    page: int
    page_size: int
    total: int


class SearchOut(BaseModel):
    query: str
    hits: list[SearchHit]
    page: int
    page_size: int
    has_more: bool


class OutletOut(BaseModel):
    outlet: str
    articles: int
    originals: int
    copies: int
    first_published: datetime | None
    last_published: datetime | None
    per_day: list[int]
    stories: int
    shared_stories: int


class OutletsOut(BaseModel):
    days: list[date]
    outlets: list[OutletOut]
    totals: dict[str, int]


class EntityOut(BaseModel):
    id: int
    canonical: str
    label: str
    aliases: list[str]


class MentionOut(BaseModel):
    article: ArticleRef
    mentions: int


class QuoteOut(BaseModel):
    article_id: int
    outlet: str | None
    published: datetime | None
    label: str
    speaker: str | None
    text: str


class EntityPageOut(BaseModel):
    entity: EntityOut
    stories: list[StoryRef]
    mentions: list[MentionOut]
    quotes: list[QuoteOut]


class StoryFeed(BaseModel):
    items: list[StoryRef]
    order: str
    page: int
    page_size: int
    has_more: bool


class WhyOut(BaseModel):
    """Why one article is in its story: the assignment score and evidence kept by the clusterer."""

    article_id: int
    title: str
    outlet: str | None
    score: float | None
    via: str | None
    evidence: dict[str, Any]


class StoryOut(BaseModel):
    """A story: its articles, the comparison of its sources (facts, quotes, timeline, summary), and why."""

    story: StoryRef
    articles: list[ArticleRef]
    report: dict[str, Any]
    why: list[WhyOut]


class ArticleIn(BaseModel):
    """An article posted as JSON: the fields ``warta ingest`` reads from a JSON line."""

    title: str = Field("", max_length=5_000)
    text: str = Field("", max_length=5_000_000, description="Body text (or give html).")
    html: str | None = Field(None, max_length=20_000_000, description="Raw page HTML, cleaned like a crawled page.")
    url: str | None = Field(None, max_length=5_000)
    outlet: str | None = Field(None, max_length=500)
    author: str | None = Field(None, max_length=1_000)
    published: str | None = Field(None, max_length=100, description="Publication time, in any usual format.")
    updated: str | None = Field(None, max_length=100)


class IngestOut(BaseModel):
    """What one ingest request did (the summary ``warta ingest`` prints), and the spans it added."""

    read: int
    ingested: int
    duplicates: int
    copies: int
    repeats: int
    unchanged: int
    rejected: int
    rejected_by_reason: dict[str, int]
    elapsed_s: float
    articles_per_s: float
    spans: dict[str, int]
    stories_assigned: int
    new_stories: int


# -- the application ------------------------------------------------------------------------------


class Web:
    """What every route gets: the store, the settings, the write token and the templates."""

    def __init__(self, store: Store, settings: Settings, token: str) -> None:
        self.store = store
        self.settings = settings
        self.token = token
        self.writing = threading.Lock()  # one ingest or correction at a time
        self.reports = Cache(settings.server.report_cache)
        # Rendered story pages, by membership; span-only changes (re-enrichment) show after page_ttl.
        self.pages = Cache(settings.server.page_cache, ttl=settings.server.page_ttl)
        self._summaries: dict[str, tuple[int, float, Any]] = {}
        self._summaries_lock = threading.Lock()
        self._summary_locks: dict[str, threading.Lock] = {}
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["safe_href"] = safe_href
        self.templates.filters["when"] = _when
        self.templates.filters["snippet"] = _snippet
        self.templates.globals["url_with"] = _url_with

    def summary(self, name: str, compute: Callable[[], Any]) -> Any:
        """A whole-store summary (outlet list, outlet statistics), recomputed when an article is added
        or after ``[server] summary_ttl`` seconds (rejects and repeat links do not add articles)."""
        version = self.store.max_article_id()
        with self._summaries_lock:
            lock = self._summary_locks.setdefault(name, threading.Lock())
        with lock:  # one thread computes; the others wait for its value
            hit = self._summaries.get(name)
            if hit and hit[0] == version and time_now() - hit[1] < self.settings.server.summary_ttl:
                return hit[2]
            value = compute()
            self._summaries[name] = (version, time_now(), value)
            return value

    def outlet_names(self) -> list[str]:
        return self.summary("outlets", lambda: [o for o in self.store.stats()["outlets"] if o != "unknown"])

    def warm_reports(self, stop: threading.Event) -> int:
        """Compute the reports of the newest stories ahead of their first view; returns how many."""
        done = 0
        for story in stories.list_stories(self.store, limit=self.settings.server.warm_reports, order="newest"):
            if stop.is_set():
                break
            story_view(self, story.id)
            done += 1
        return done

    def page_size(self, requested: int | None) -> int:
        return min(requested or self.settings.server.page_size, self.settings.server.max_page_size)

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(request=request, **context)
        return HTMLResponse(html, status_code=status)


class Cache:
    """A small thread-safe LRU cache; with ``ttl`` (seconds) an entry is also recomputed once that old.

    Keys carry what the value depends on (a story's members, their span layers), so a changed story
    misses and gets a fresh value; the least recently used entries age out past ``size``.
    """

    def __init__(self, size: int, ttl: float | None = None) -> None:
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: tuple[Any, ...]) -> tuple[float, Any] | None:
        hit = self._items.get(key)
        if hit is not None and (self.ttl is None or time_now() - hit[0] < self.ttl):
            self._items.move_to_end(key)
            return hit
        return None

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._fresh(key)
            if hit is not None:
                return hit[1]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # concurrent first requests for one key compute it once
            with self._lock:
                hit = self._fresh(key)
            if hit is not None:
                return hit[1]
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._computing.pop(key, None)
                raise
            with self._lock:
                self._items[key] = (time_now(), value)
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._computing.pop(key, None)
        return value

    def story_ids(self) -> set[int]:
        """Stories with a cached value (keys start with the story id)."""
        with self._lock:
            return {key[0] for key in self._items}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def web(request: Request) -> Web:
    return request.app.state.web


WebDep = Annotated[Web, Depends(web)]


def check_write(request: Request, ctx: Web) -> None:
    """Allow a write only with ``Authorization: Bearer <token>`` matching the configured token, and a
    declared body size within ``[server] max_upload_bytes``."""
    if not ctx.token:
        raise WebError(403, "this server is read-only: no write token is configured", "read_only")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise WebError(401, "write endpoints need an 'Authorization: Bearer <token>' header")
    if not hmac.compare_digest(given.strip().encode(), ctx.token.encode()):
        raise WebError(403, "wrong token")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > ctx.settings.server.max_upload_bytes:
        raise WebError(413, f"request body over {ctx.settings.server.max_upload_bytes} bytes")


bearer = HTTPBearer(auto_error=False, description="The write token ([server] token or WARTA_TOKEN).")


def require_token(request: Request, ctx: WebDep, _: Annotated[Any, Depends(bearer)]) -> None:
    """The write check as a dependency (it also documents the bearer scheme in the OpenAPI spec)."""
    check_write(request, ctx)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": code,
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for status, code in STATUS_CODES.items() if status in (404, 422)
}
api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
pages = APIRouter(responses=ERROR_RESPONSES, default_response_class=HTMLResponse)


def create_app(store: Store, settings: Settings | None = None, *, token: str | None = None) -> FastAPI:
    """The ASGI app over ``store``; ``token`` (else ``WARTA_TOKEN``, else ``[server] token``) enables writes."""
    settings = settings or load_settings()
    token = token or os.environ.get("WARTA_TOKEN") or settings.server.token
    state = Web(store, settings, token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        if settings.server.warm_reports:
            threading.Thread(target=state.warm_reports, args=(stop,), name="warm-reports", daemon=True).start()
        yield
        stop.set()

    app = FastAPI(
        lifespan=lifespan,
        title="warta",
        summary="News story intelligence: stories, the outlets that cover them, and how they compare.",
        version="0.1.0",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the spec is at /openapi.json
        redoc_url=None,
    )
    app.state.web = state
    app.include_router(api)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(WartaError, _warta_error)
    app.add_exception_handler(Exception, _internal_error)
    app.middleware("http")(_security_headers)
    return app


async def _security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
    if request.method == "HEAD":
        # Answer HEAD like GET (monitors and link checkers); the server sends the headers only.
        request.scope["method"] = "GET"
    if request.method == "POST" and request.url.path.startswith("/api/"):
        # Refuse unauthorised or oversized writes before their body is read.
        try:
            check_write(request, web(request))
        except WebError as exc:
            return await _web_error(request, exc)
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


# -- errors: one shape everywhere (an HTML page for browsers asking for one) ----------------------


def _error_response(request: Request, status: int, code: str, message: str,
                    headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "status": status}}
    wants_html = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")
    if wants_html:
        response: Response = web(request).render(request, "error.html", status=status, error=body["error"])
    else:
        response = JSONResponse(body, status_code=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.headers["Content-Security-Policy"] = CSP
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else STATUS_CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.url.path}"
    return _error_response(request, exc.status_code, STATUS_CODES.get(exc.status_code, "error"), message,
                           dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
                for e in exc.errors()]
    return _error_response(request, 422, "invalid_request", "; ".join(problems) or "invalid request")


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _error_response(request, exc.status, exc.code, exc.message, headers)


async def _warta_error(request: Request, exc: Exception) -> Response:
    return _error_response(request, 422, "rejected", str(exc))


async def _internal_error(request: Request, exc: Exception) -> Response:
    return _error_response(request, 500, "internal_error", f"internal error ({type(exc).__name__})")


# -- small helpers -----------------------------------------------------------------------------------


def _when(value: datetime | date | str | None, fmt: str = "%d %b %Y %H:%M") -> str:
    if value is None:
        return "undated"
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime(fmt)
        except ValueError:
            return value
    return value.strftime(fmt if isinstance(value, datetime) else "%d %b %Y")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SNIPPET_MARK = re.compile(r"\[([^\[\]]*)\]")


def _snippet(text: str) -> Markup:
    """An FTS snippet (matches between ``[`` and ``]``) as escaped markup with ``<mark>``."""
    return Markup(_SNIPPET_MARK.sub(r"<mark>\1</mark>", str(escape(text))))


def _url_with(request: Request, **changes: Any) -> str:
    """The current URL with query parameters changed (``None`` removes one): paging and filter links."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _day_end(day: date | None) -> datetime | None:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else None


def _ref(a: Article) -> ArticleRef:
    assert a.id is not None
    return ArticleRef(id=a.id, title=a.title, outlet=a.outlet, published=a.published, language=a.language,
                      url=a.url, duplicate_of=a.duplicate_of)


def _article(ctx: Web, article_id: int) -> Article:
    article = ctx.store.get_article(article_id)
    if article is None:
        raise WebError(404, f"no article {article_id}")
    return article


def span_marks(article: Article, spans: list[Span] | None = None) -> list[Mark]:
    """Highlight marks for an article's entity, quote and timex spans (entities link to their page)."""
    marks = []
    for s in article.spans if spans is None else spans:
        if s.layer == "entity":
            entity_id = s.attrs.get("entity_id")
            marks.append(Mark(s.start, s.end, f"ent ent-{s.label}", title=str(s.attrs.get("canonical") or s.label),
                              href=f"/entities/{int(entity_id)}" if isinstance(entity_id, int) else None))
        elif s.layer == "quote":
            speaker = s.attrs.get("speaker")
            marks.append(Mark(s.start, s.end, f"quote quote-{s.label}",
                              title=f"{s.label} quote" + (f" — {speaker}" if speaker else "")))
        elif s.layer == "timex":
            value = s.attrs.get("value")
            marks.append(Mark(s.start, s.end, f"timex timex-{s.label}",
                              title=f"{s.label} {value}" if value else s.label))
    return marks


# -- views: one per page, shared by the HTML route and its JSON twin ---------------------------------

#: Row ids are positive SQLite integers (64-bit).
IdP = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id.")]
PageQ = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
SizeQ = Annotated[int | None, Query(ge=1, description="Items per page (capped by [server] max_page_size).")]
SinceQ = Annotated[date | None, Query(description="Published on or after this day (UTC).")]
UntilQ = Annotated[date | None, Query(description="Published on or before this day (UTC).")]
OutletQ = Annotated[str | None, Query(max_length=200, description="Only this outlet.")]
LanguageQ = Annotated[str | None, Query(max_length=20, description="Only this language (ISO 639-1).")]


def article_view(ctx: Web, a: Article) -> ArticleOut:
    assert a.id is not None
    spans = [SpanOut(layer=s.layer, start=s.start, end=s.end, label=s.label, text=a.span_text(s), attrs=s.attrs)
             for s in a.spans]
    copies = [CopyOut.model_validate({k: d.get(k) for k in CopyOut.model_fields})
              for d in ctx.store.duplicates_of(a.id)]
    story_id = stories.story_of(ctx.store, a.id)
    story = stories.get_story(ctx.store, story_id) if story_id is not None else None
    return ArticleOut(**_ref(a).model_dump(), author=a.author, updated=a.updated, dateline=a.dateline,
                      duplicate_kind=a.duplicate_kind, captions=a.captions, text=a.text, spans=spans, copies=copies,
                      story=_story_ref(story) if story else None)


def articles_view(ctx: Web, page: int, page_size: int | None, since: date | None, until: date | None,
                  outlet: str | None, language: str | None) -> ArticlePage:
    size = ctx.page_size(page_size)
    flt = ArticleFilter(outlet=outlet, language=language, since=_day_start(since), until=_day_end(until))
    items = [_ref(a) for a in ctx.store.iter_articles(flt, order="newest", limit=size, offset=(page - 1) * size)]
    return ArticlePage(items=items, page=page, page_size=size, total=ctx.store.count_articles(flt))


def search_view(ctx: Web, q: str, page: int, page_size: int | None, since: date | None, until: date | None,
                outlet: str | None, language: str | None) -> SearchOut:
    size = ctx.page_size(page_size)
    flt = ArticleFilter(outlet=outlet, language=language, since=_day_start(since), until=_day_end(until))
    try:
        found = ctx.store.search(_CONTROL.sub(" ", q), limit=page * size + 1, flt=flt)
    except ConfigError as exc:
        raise WebError(422, str(exc), "bad_query") from None
    hits = found[(page - 1) * size : page * size]
    return SearchOut(query=q, hits=hits, page=page, page_size=size, has_more=len(found) > page * size)


def outlets_view(ctx: Web, days: int = 14) -> OutletsOut:
    stats = ctx.store.stats()
    newest = next(ctx.store.iter_articles(ArticleFilter(), order="newest", limit=1), None)
    last_day = (newest.published.astimezone(UTC).date() if newest and newest.published else datetime.now(UTC).date())
    day_list = [last_day - timedelta(days=days - 1 - i) for i in range(days)]
    covered: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for story in stories.list_stories(ctx.store, limit=2**62):
        covered.update(story.outlets)
        if len(story.outlets) > 1:
            shared.update(story.outlets)
    outlets = []
    for name in stats["outlets"]:
        outlet = None if name == "unknown" else name
        if outlet is None:
            continue
        flt = ArticleFilter(outlet=outlet)
        first = next(ctx.store.iter_articles(flt, order="published", limit=1), None)
        last = next(ctx.store.iter_articles(flt, order="newest", limit=1), None)
        originals = ctx.store.count_articles(ArticleFilter(outlet=outlet, originals_only=True))
        per_day = [ctx.store.count_articles(ArticleFilter(outlet=outlet, since=_day_start(d), until=_day_end(d)))
                   for d in day_list]
        outlets.append(OutletOut(
            outlet=outlet, articles=stats["outlets"][name], originals=originals,
            copies=stats["outlets"][name] - originals, first_published=first.published if first else None,
            last_published=last.published if last else None, per_day=per_day, stories=covered[outlet],
            shared_stories=shared[outlet],
        ))
    totals = {k: stats[k] for k in ("articles", "originals", "duplicates", "rejected")}
    return OutletsOut(days=day_list, outlets=outlets, totals=totals)


def _names_query(names: list[str]) -> str:
    cleaned = [re.sub(r"[\"'\\]", " ", n).strip() for n in names]
    return " OR ".join(f'"{n}"' for n in dict.fromkeys(cleaned) if n)


def entity_view(ctx: Web, entity_id: int, limit: int = 200) -> EntityPageOut:
    found = ctx.store.get_entities([entity_id])
    if not found:
        raise WebError(404, f"no entity {entity_id}")
    entity = EntityOut(**found[0])
    query = _names_query([entity.canonical, *entity.aliases])
    mentions: list[MentionOut] = []
    quotes: list[QuoteOut] = []
    hits = ctx.store.search(query, limit=limit) if query else []
    for hit in hits:
        article = ctx.store.get_article(hit.id)
        if article is None:
            continue
        own = [s for s in article.layer("entity")
               if s.attrs.get("entity_id") == entity.id or s.attrs.get("canonical") == entity.canonical]
        if not own:
            continue
        mentions.append(MentionOut(article=_ref(article), mentions=len(own)))
        quotes += [
            QuoteOut(article_id=hit.id, outlet=article.outlet, published=article.published, label=q.label,
                     speaker=q.attrs.get("speaker"), text=article.span_text(q))
            for q in article.layer("quote")
            if q.attrs.get("speaker_entity_id") == entity.id or q.attrs.get("speaker") == entity.canonical
        ]
    oldest = datetime.min.replace(tzinfo=UTC)
    mentions.sort(key=lambda m: (m.article.published or oldest, m.article.id))
    quotes.sort(key=lambda q: (q.published or oldest, q.article_id))
    named = stories.list_stories(ctx.store, entity=entity.canonical, limit=limit, order="newest")
    return EntityPageOut(entity=entity, stories=[_story_ref(s) for s in named], mentions=mentions, quotes=quotes)


# -- routes ------------------------------------------------------------------------------------------


@api.get("/articles", response_model=ArticlePage, summary="Newest articles, filtered and paged")
def api_articles(ctx: WebDep, page: PageQ = 1, page_size: SizeQ = None, since: SinceQ = None, until: UntilQ = None,
                 outlet: OutletQ = None, language: LanguageQ = None) -> ArticlePage:
    return articles_view(ctx, page, page_size, since, until, outlet, language)


@pages.get("/articles", summary="Newest articles (HTML)")
def page_articles(request: Request, ctx: WebDep, page: PageQ = 1, page_size: SizeQ = None, since: SinceQ = None,
                  until: UntilQ = None, outlet: OutletQ = None, language: LanguageQ = None) -> HTMLResponse:
    view = articles_view(ctx, page, page_size, since, until, outlet, language)
    return ctx.render(request, "articles.html", view=view, outlets=ctx.outlet_names())


@api.get("/articles/{article_id}", response_model=ArticleOut, summary="One article with its spans and copies")
def api_article(ctx: WebDep, article_id: IdP) -> ArticleOut:
    return article_view(ctx, _article(ctx, article_id))


@pages.get("/articles/{article_id}", summary="One article, highlighted (HTML)")
def page_article(request: Request, ctx: WebDep, article_id: IdP) -> HTMLResponse:
    article = _article(ctx, article_id)
    view = article_view(ctx, article)
    body = highlight(article.text, span_marks(article))
    return ctx.render(request, "article.html", view=view, body=body)


@api.get("/search", response_model=SearchOut, summary="Full-text search with filters")
def api_search(ctx: WebDep, q: Annotated[str, Query(min_length=1, max_length=500)], page: PageQ = 1,
               page_size: SizeQ = None, since: SinceQ = None, until: UntilQ = None, outlet: OutletQ = None,
               language: LanguageQ = None) -> SearchOut:
    return search_view(ctx, q, page, page_size, since, until, outlet, language)


@pages.get("/search", summary="Full-text search (HTML)")
def page_search(request: Request, ctx: WebDep, q: Annotated[str, Query(max_length=500)] = "", page: PageQ = 1,
                page_size: SizeQ = None, since: SinceQ = None, until: UntilQ = None, outlet: OutletQ = None,
                language: LanguageQ = None) -> HTMLResponse:
    view = search_view(ctx, q, page, page_size, since, until, outlet, language) if q.strip() else None
    return ctx.render(request, "search.html", view=view, q=q, outlets=ctx.outlet_names())


@api.get("/outlets", response_model=OutletsOut, summary="Coverage statistics per outlet")
def api_outlets(ctx: WebDep) -> OutletsOut:
    return ctx.summary("outlet_stats", lambda: outlets_view(ctx))


@pages.get("/outlets", summary="Coverage statistics per outlet (HTML)")
def page_outlets(request: Request, ctx: WebDep) -> HTMLResponse:
    view = ctx.summary("outlet_stats", lambda: outlets_view(ctx))
    peak = max((n for o in view.outlets for n in o.per_day), default=0)
    return ctx.render(request, "outlets.html", view=view, peak=peak)


@api.get("/entities/{entity_id}", response_model=EntityPageOut, summary="Articles and quotes of an entity over time")
def api_entity(ctx: WebDep, entity_id: IdP) -> EntityPageOut:
    return entity_view(ctx, entity_id)


@pages.get("/entities/{entity_id}", summary="An entity over time (HTML)")
def page_entity(request: Request, ctx: WebDep, entity_id: IdP) -> HTMLResponse:
    view = entity_view(ctx, entity_id)
    chart = coverage_svg([(m.article.outlet or "unknown", m.article.published, m.article.title) for m in view.mentions])
    return ctx.render(request, "entity.html", view=view, chart=chart)


# -- stories ---------------------------------------------------------------------------------------------

OrderQ = Annotated[str, Query(pattern="^(newest|coverage)$", description="newest, or coverage (most outlets).")]
EntityQ = Annotated[str | None, Query(max_length=200, description="Only stories mentioning this entity.")]


def _story_ref(story: stories.StorySummary) -> StoryRef:
    return StoryRef(id=story.id, headline=story.headline, articles=story.article_count, outlets=list(story.outlets),
                    languages=list(story.languages), first_published=story.first_published,
                    last_published=story.last_published)


def feed_view(ctx: Web, order: str, page: int, page_size: int | None, since: date | None, until: date | None,
              outlet: str | None, language: str | None, entity: str | None) -> StoryFeed:
    size = ctx.page_size(page_size)
    found = stories.list_stories(ctx.store, since=_day_start(since), until=_day_end(until), outlet=outlet,
                                 language=language, entity=entity, limit=size + 1, offset=(page - 1) * size,
                                 order=order)
    return StoryFeed(items=[_story_ref(s) for s in found[:size]], order=order, page=page, page_size=size,
                     has_more=len(found) > size)


def _story(ctx: Web, story_id: int) -> tuple[StoryRef, list[Article]]:
    story = stories.get_story(ctx.store, story_id)
    if story is None:
        raise WebError(404, f"no story {story_id}")
    return _story_ref(story), stories.story_articles(ctx.store, story_id)


def _members(ctx: Web, story_id: int) -> list[int]:
    story = stories.get_story(ctx.store, story_id)
    if story is None:
        raise WebError(404, f"no story {story_id}")
    return story.article_ids


def story_view(ctx: Web, story_id: int) -> tuple[StoryOut, list[Article]]:
    ref, articles = _story(ctx, story_id)
    # Membership and span layers decide the report: a correction or a re-enrichment gets a fresh one.
    key = (story_id, tuple(x for a in articles for x in (a.id or 0, len(a.spans))))
    report = ctx.reports.get(key, lambda: compare.story_report(ctx.store, story_id, ctx.settings))
    why = [WhyOut(**row) for row in stories.story_evidence(ctx.store, story_id)]
    return StoryOut(story=ref, articles=[_ref(a) for a in articles], report=report, why=why), articles


def story_columns(view: StoryOut, articles: list[Article]) -> list[dict[str, Any]]:
    """The story's articles side by side: one column per outlet, evidence of each fact highlighted."""
    marks: dict[int, list[Mark]] = {}
    for fact in view.report["facts"]:
        for ev in fact["evidence"]:
            marks.setdefault(ev["article_id"], []).append(Mark(
                ev["start"], ev["end"], f"evidence {fact['status']}", title=fact["status"],
                data=(("fact", str(fact["id"])),)))
    columns: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        entities = span_marks(a, a.layer("entity"))
        body = highlight(a.text, marks.get(a.id or -1, []) + entities)
        columns.setdefault(a.outlet or "unknown outlet", []).append({"ref": _ref(a), "body": body})
    return [{"outlet": outlet, "articles": items} for outlet, items in columns.items()]


@api.get("/stories", response_model=StoryFeed, summary="Story feed: newest or most covered, filtered and paged")
def api_stories(ctx: WebDep, order: OrderQ = "newest", page: PageQ = 1, page_size: SizeQ = None,
                since: SinceQ = None, until: UntilQ = None, outlet: OutletQ = None, language: LanguageQ = None,
                entity: EntityQ = None) -> StoryFeed:
    return feed_view(ctx, order, page, page_size, since, until, outlet, language, entity)


@pages.get("/", summary="Story feed (HTML)")
def page_stories(request: Request, ctx: WebDep, order: OrderQ = "newest", page: PageQ = 1, page_size: SizeQ = None,
                 since: SinceQ = None, until: UntilQ = None, outlet: OutletQ = None, language: LanguageQ = None,
                 entity: EntityQ = None) -> HTMLResponse:
    view = feed_view(ctx, order, page, page_size, since, until, outlet, language, entity)
    return ctx.render(request, "stories.html", view=view, outlets=ctx.outlet_names())


@api.get("/stories/{story_id}", response_model=StoryOut, summary="A story: facts, quotes, timeline, summary, why")
def api_story(ctx: WebDep, story_id: IdP) -> StoryOut:
    return ctx.pages.get((story_id, "json", *_members(ctx, story_id)), lambda: story_view(ctx, story_id)[0])


@pages.get("/stories/{story_id}", summary="A story, its outlets side by side (HTML)")
def page_story(request: Request, ctx: WebDep, story_id: IdP) -> HTMLResponse:
    def render() -> str:
        view, articles = story_view(ctx, story_id)
        counts = Counter(f["status"] for f in view.report["facts"])
        chart = coverage_svg([(a.outlet or "unknown", a.published, a.title) for a in view.articles])
        return ctx.templates.get_template("story.html").render(
            request=request, view=view, columns=story_columns(view, articles), counts=counts, chart=chart,
            titles={a.id: a.title for a in view.articles})

    return HTMLResponse(ctx.pages.get((story_id, "html", *_members(ctx, story_id)), render))


# -- writes (bearer token) -------------------------------------------------------------------------------

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": STATUS_CODES[status]} for status in (401, 403, 409, 413)
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _upload_name(name: str | None, index: int) -> str:
    """A harmless file name that keeps the extension (the format is detected from it)."""
    base = _UNSAFE_NAME.sub("_", pathlib.PurePath(name or "").name).lstrip(".")[-120:]
    return f"{index:04d}-{base or 'upload'}"


def ingest_files(ctx: Web, files: list[tuple[str, bytes]]) -> IngestOut:
    """Ingest uploaded files like ``warta ingest`` does, add the span layers and place new articles in stories."""
    from .ingest import Enricher, ingest

    with tempfile.TemporaryDirectory(prefix="warta-upload-") as folder, ctx.writing:
        paths = []
        for i, (name, data) in enumerate(files):
            path = pathlib.Path(folder) / _upload_name(name, i)
            path.write_bytes(data)
            paths.append(str(path))
        summary = ingest(paths, ctx.store, ctx.settings)
        spans = Enricher(ctx.store, ctx.settings).run()
        assigned = stories.assign_new(ctx.store, ctx.settings)
    return IngestOut(**summary.to_dict(), spans=dict(spans), stories_assigned=assigned.assigned + assigned.duplicates,
                     new_stories=assigned.new_stories)


@api.post("/ingest", response_model=IngestOut, status_code=201, responses=WRITE_RESPONSES,
          dependencies=[Depends(require_token)], summary="Ingest uploaded files (any format warta ingest reads)")
def api_ingest(ctx: WebDep, files: Annotated[list[UploadFile], File(description="Files.")]) -> IngestOut:
    limit = ctx.settings.server.max_upload_bytes
    read: list[tuple[str, bytes]] = []
    for upload in files:
        data = upload.file.read(limit + 1)
        limit -= len(data)
        if limit < 0:
            raise WebError(413, f"uploads over {ctx.settings.server.max_upload_bytes} bytes")
        read.append((upload.filename or "upload", data))
    return ingest_files(ctx, read)


@api.post("/articles", response_model=IngestOut, status_code=201, responses=WRITE_RESPONSES,
          dependencies=[Depends(require_token)], summary="Ingest articles posted as JSON")
def api_post_articles(ctx: WebDep,
                      articles: Annotated[list[ArticleIn], Body(min_length=1, max_length=10_000)]) -> IngestOut:
    lines = "".join(json.dumps(a.model_dump(exclude_none=True), ensure_ascii=False) + "\n" for a in articles)
    return ingest_files(ctx, [("articles.jsonl", lines.encode("utf-8"))])


class MergeIn(BaseModel):
    other: int = Field(ge=1, le=2**63 - 1, description="The story merged into this one.")


class SplitIn(BaseModel):
    articles: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=10_000)


class MoveIn(BaseModel):
    story: int = Field(ge=1, le=2**63 - 1, description="The story the article moves to.")


class CorrectionOut(BaseModel):
    """The story a correction produced (recorded: it survives ``warta stories rebuild``)."""

    story: StoryRef


def _correct(ctx: Web, apply: Callable[[], int]) -> CorrectionOut:
    with ctx.writing:
        try:
            story_id = apply()
        except stories.StoryError as exc:
            raise WebError(422, str(exc), "invalid_correction") from None
    story = stories.get_story(ctx.store, story_id)
    if story is None:
        raise WebError(409, f"story {story_id} no longer exists", "conflict")
    return CorrectionOut(story=_story_ref(story))


def _existing_story(ctx: Web, story_id: int) -> int:
    if stories.get_story(ctx.store, story_id) is None:
        raise WebError(404, f"no story {story_id}")
    return story_id


@api.post("/stories/{story_id}/merge", response_model=CorrectionOut, responses=WRITE_RESPONSES,
          dependencies=[Depends(require_token)], summary="Merge another story into this one")
def api_merge(ctx: WebDep, story_id: IdP, body: MergeIn) -> CorrectionOut:
    into, other = _existing_story(ctx, story_id), _existing_story(ctx, body.other)
    return _correct(ctx, lambda: stories.merge_stories(ctx.store, ctx.settings, into, other))


@api.post("/stories/{story_id}/split", response_model=CorrectionOut, responses=WRITE_RESPONSES,
          dependencies=[Depends(require_token)], summary="Split articles out of this story into a new one")
def api_split(ctx: WebDep, story_id: IdP, body: SplitIn) -> CorrectionOut:
    _existing_story(ctx, story_id)
    return _correct(ctx, lambda: stories.split_story(ctx.store, ctx.settings, story_id, body.articles))


@api.post("/articles/{article_id}/move", response_model=CorrectionOut, responses=WRITE_RESPONSES,
          dependencies=[Depends(require_token)], summary="Move an article (and its copies) to another story")
def api_move(ctx: WebDep, article_id: IdP, body: MoveIn) -> CorrectionOut:
    _article(ctx, article_id)
    to = _existing_story(ctx, body.story)
    return _correct(ctx, lambda: stories.move_article(ctx.store, ctx.settings, article_id, to))

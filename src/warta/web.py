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
import os
import pathlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from .article import Article, Span
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


class ArticleOut(ArticleRef):
    author: str | None
    updated: datetime | None
    dateline: str | None
    duplicate_kind: str | None
    captions: list[str]
    text: str
    spans: list[SpanOut]
    copies: list[CopyOut]


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
    mentions: list[MentionOut]
    quotes: list[QuoteOut]


# -- the application ------------------------------------------------------------------------------


class Web:
    """What every route gets: the store, the settings, the write token and the templates."""

    def __init__(self, store: Store, settings: Settings, token: str) -> None:
        self.store = store
        self.settings = settings
        self.token = token
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

    def page_size(self, requested: int | None) -> int:
        return min(requested or self.settings.server.page_size, self.settings.server.max_page_size)

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(request=request, **context)
        return HTMLResponse(html, status_code=status)


def web(request: Request) -> Web:
    return request.app.state.web


WebDep = Annotated[Web, Depends(web)]


def require_token(request: Request, ctx: WebDep) -> None:
    """Allow writes only with ``Authorization: Bearer <token>`` matching the configured token."""
    if not ctx.token:
        raise WebError(403, "this server is read-only: no write token is configured", "read_only")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise WebError(401, "write endpoints need an 'Authorization: Bearer <token>' header")
    if not hmac.compare_digest(given.strip().encode(), ctx.token.encode()):
        raise WebError(403, "wrong token")


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
    app = FastAPI(
        title="warta",
        summary="News story intelligence: stories, the outlets that cover them, and how they compare.",
        version="0.1.0",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the spec is at /openapi.json
        redoc_url=None,
    )
    app.state.web = Web(store, settings, token)
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
            value = datetime.fromisoformat(value)
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
    copies = [CopyOut(**{k: d.get(k) for k in CopyOut.model_fields}) for d in ctx.store.duplicates_of(a.id)]
    return ArticleOut(**_ref(a).model_dump(), author=a.author, updated=a.updated, dateline=a.dateline,
                      duplicate_kind=a.duplicate_kind, captions=a.captions, text=a.text, spans=spans, copies=copies)


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
            last_published=last.published if last else None, per_day=per_day,
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
    return EntityPageOut(entity=entity, mentions=mentions, quotes=quotes)


# -- routes ------------------------------------------------------------------------------------------


@api.get("/articles", response_model=ArticlePage, summary="Newest articles, filtered and paged")
def api_articles(ctx: WebDep, page: PageQ = 1, page_size: SizeQ = None, since: SinceQ = None, until: UntilQ = None,
                 outlet: OutletQ = None, language: LanguageQ = None) -> ArticlePage:
    return articles_view(ctx, page, page_size, since, until, outlet, language)


@pages.get("/articles", summary="Newest articles (HTML)")
def page_articles(request: Request, ctx: WebDep, page: PageQ = 1, page_size: SizeQ = None, since: SinceQ = None,
                  until: UntilQ = None, outlet: OutletQ = None, language: LanguageQ = None) -> HTMLResponse:
    view = articles_view(ctx, page, page_size, since, until, outlet, language)
    return ctx.render(request, "articles.html", view=view, outlets=list(ctx.store.stats()["outlets"]))


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
    return ctx.render(request, "search.html", view=view, q=q, outlets=list(ctx.store.stats()["outlets"]))


@api.get("/outlets", response_model=OutletsOut, summary="Coverage statistics per outlet")
def api_outlets(ctx: WebDep) -> OutletsOut:
    return outlets_view(ctx)


@pages.get("/outlets", summary="Coverage statistics per outlet (HTML)")
def page_outlets(request: Request, ctx: WebDep) -> HTMLResponse:
    view = outlets_view(ctx)
    peak = max((n for o in view.outlets for n in o.per_day), default=0)
    return ctx.render(request, "outlets.html", view=view, peak=peak)


@api.get("/entities/{entity_id}", response_model=EntityPageOut, summary="Articles and quotes of an entity over time")
def api_entity(ctx: WebDep, entity_id: IdP) -> EntityPageOut:
    return entity_view(ctx, entity_id)


@pages.get("/entities/{entity_id}", summary="An entity over time (HTML)")
def page_entity(request: Request, ctx: WebDep, entity_id: IdP) -> HTMLResponse:
    return ctx.render(request, "entity.html", view=entity_view(ctx, entity_id))


@pages.get("/", summary="Home", response_class=RedirectResponse, status_code=307)
def page_home() -> RedirectResponse:
    return RedirectResponse("/articles", status_code=307)

"""The web app: REST API under /api, HTML pages, static files, one error shape, safe defaults.

``create_app(store_url)`` builds a FastAPI app over a flashpoint database. Defaults are the safe
ones: read-only (writes need a bearer token the operator configures), no CORS, a strict Content
Security Policy (scripts and styles only from this server), a cap on request bodies. Every error,
from a bad filter to an unknown route to a crash, answers ``{"error": {"code", "message"}}``;
browsers asking for an HTML page get the same code and message as a page.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from flashpoint.corpus.store import Store, open_store
from flashpoint.errors import FlashpointError
from flashpoint.web.errors import ApiError, error_body
from flashpoint.web.reading import readers_for

log = logging.getLogger(__name__)

__all__ = ["create_app", "app_from_env", "ApiError", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 1_000_000
"""Largest request body accepted (a long news article is well under 100 kB of text)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(error_body("body_too_large", f"request body over {self.limit} bytes: "
                                           "send one document at a time, under the limit"), status_code=413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class MicroCache:
    """Keeps each GET /api answer a few seconds, per worker: many clients asking the same page
    (a map reloaded, a dashboard polled) cost one query. A write through this worker clears it;
    other workers' copies expire within ``ttl``. Downloads (streamed, with a file name) and
    answers over ``max_bytes`` are never kept."""

    def __init__(self, app: ASGIApp, generation: Callable[[], int], ttl: float = 5.0, entries: int = 512,
                 max_bytes: int = 2_000_000) -> None:
        self.app, self.generation, self.ttl, self.entries, self.max_bytes = app, generation, ttl, entries, max_bytes
        self._kept: dict[tuple[Any, ...], tuple[float, int, Message, bytes]] = {}

    def _key(self, scope: Scope) -> tuple[Any, ...] | None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"].startswith("/api/jobs"):
            return None
        if scope["method"] != "GET":
            return None
        headers = dict(scope["headers"])
        return (scope["path"], scope["query_string"], headers.get(b"accept", b""),
                headers.get(b"accept-encoding", b""), headers.get(b"origin", b""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        now, generation = time.monotonic(), self.generation()
        hit = self._kept.get(key)
        if hit is not None and now - hit[0] < self.ttl and hit[1] == generation:
            await send(hit[2])
            await send({"type": "http.response.body", "body": hit[3], "more_body": False})
            return
        start: Message = {}
        chunks: list[bytes] = []
        keep = True

        async def capture(message: Message) -> None:
            nonlocal keep
            if message["type"] == "http.response.start":
                start.update(message)
                names = {k.lower() for k, _ in message.get("headers", [])}
                keep = message["status"] == 200 and b"content-disposition" not in names
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > self.max_bytes:
                    keep = False
            await send(message)

        await self.app(scope, receive, capture)
        if keep and start:
            if len(self._kept) >= self.entries:
                self._kept.clear()
            self._kept[key] = (now, generation, start, b"".join(chunks))


class HeadAsGet:
    """Answers HEAD like GET without the body (every page and resource, as HTTP expects)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _csp(tile_url: str | None) -> str:
    img = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{", "").replace("}", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            img += f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
            "; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


# Swagger UI runs an inline bootstrap script; only /docs gets a policy that allows it.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) + " (see /docs for each parameter's format)"


def _install_error_handlers(app: FastAPI) -> None:
    def answer(request: Request, status: int, code: str, message: str) -> Response:
        if _wants_html(request):
            from flashpoint.web.pages import render_error

            return render_error(request, status, code, message)
        return JSONResponse(error_body(code, message), status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return answer(request, exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _slug(exc.status_code)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page or resource: {request.url.path} (the API is listed at /docs)"
        response = answer(request, exc.status_code, _slug(exc.status_code), message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, 422, "invalid_parameter", _validation_message(exc))

    @app.exception_handler(FlashpointError)
    async def _flashpoint(request: Request, exc: FlashpointError) -> Response:
        return answer(request, 400, exc.code, str(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # Runs outside every middleware (Starlette's outermost error layer): the headers are set here.
        log.exception("unhandled error on %s", request.url.path)
        response = answer(request, 500, "internal_error", "the server failed on this request; its log says why")
        return _secure(response, request.url.path, request.app.state.csp)


def _secure(response: Response, path: str, csp: str) -> Response:
    response.headers.setdefault("Content-Security-Policy", _DOCS_CSP if path == "/docs" else csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class SecurityHeaders:
    """The security headers on every answer, added as it starts (plain ASGI: no extra task per request)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                  (b"x-frame-options", b"DENY")]
        self.pages = [(b"content-security-policy", csp.encode()), *common]
        self.docs = [(b"content-security-policy", _DOCS_CSP.encode()), *common]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope["path"] == "/docs" else self.pages

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _install_headers(app: FastAPI, csp: str) -> None:
    app.state.csp = csp
    app.add_middleware(SecurityHeaders, csp=csp)


def _install_openapi(app: FastAPI) -> None:
    """The description /docs shows: the one error shape for 422 (FastAPI's default is a shape this
    API never sends) and every error response pointing at it."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for path in spec.get("paths", {}).values():
            for operation in path.values():
                answer = operation.get("responses", {}).get("422")
                if answer is not None:
                    answer["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                    answer["description"] = "a parameter is invalid"
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _install_docs(app: FastAPI) -> None:
    """Swagger UI from the swagger-ui-bundle package (offline), else FastAPI's CDN default."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ModuleNotFoundError:
        swagger_ui_path = None
    if swagger_ui_path is None:
        app.add_api_route("/docs", _cdn_docs(app), include_in_schema=False)
        return
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/_swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="flashpoint API",
                                   swagger_js_url="/_swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/_swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.add_api_route("/docs", docs, include_in_schema=False)


def _cdn_docs(app: FastAPI) -> Callable[[], Awaitable[HTMLResponse]]:
    from fastapi.openapi.docs import get_swagger_ui_html

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="flashpoint API")

    return docs


def _warm_outlines() -> None:
    """Build the map outlines in the background so the first map load does not wait for them."""
    def build() -> None:
        try:
            from flashpoint.web.outlines import world_geojson

            world_geojson()
        except Exception:  # the /outlines.json route reports the error to whoever asks
            log.info("country outlines not available", exc_info=True)

    threading.Thread(target=build, name="flashpoint-outlines", daemon=True).start()


def create_app(
    store_url: str | Path | Store,
    *,
    token: str | None = None,
    cors_origins: list[str] | None = None,
    tile_url: str | None = None,
    max_body: int = MAX_BODY_BYTES,
    warm: bool = True,
    jobs_dir: str | Path | None = None,
    job_timeout: float | None = None,
    cache_ttl: float = 5.0,
) -> FastAPI:
    """A FastAPI app over the database at ``store_url`` (path, URL, or an open ``Store``).

    ``token``: the bearer token that allows ``POST /api/documents`` (None: writes refused, 403).
    ``cors_origins``: origins allowed to call the API from other sites (None: no CORS headers).
    ``tile_url``: a ``{z}/{x}/{y}`` tile template drawn under the outlines (None: outlines only).
    ``jobs_dir``: where posted documents' coding jobs keep their state (shared by the workers of one
    server; None: a fresh temporary directory). ``job_timeout``: seconds a document may take to code.
    ``cache_ttl``: seconds an API answer is reused for the same request (0: never).
    """
    from flashpoint import __version__
    from flashpoint.web import api, pages
    from flashpoint.web.jobs import DEFAULT_TIMEOUT_S, Jobs

    store = store_url if isinstance(store_url, Store) else open_store(store_url)
    jobs = Jobs(store, timeout_s=job_timeout or DEFAULT_TIMEOUT_S,
                **({"directory": Path(jobs_dir)} if jobs_dir else {}))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What start-up built (modules, routes, schemas, the store's metadata) lives as long as the
        # server: frozen, Python's full collections no longer walk it. They took 60-75 ms each in a
        # worker under load, and every request queued behind the pause waited for it (issue 18).
        gc.collect()
        gc.freeze()
        yield
        jobs.close()  # a running job's coder is killed: stopping never waits for a long report

    app = FastAPI(title="flashpoint", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Conflict events coded from reports, with who claims what. "
                              "Errors always answer {\"error\": {\"code\", \"message\"}}. Lists are newest "
                              "first; `count=exact` asks for an exact total; CSV and GeoJSON without `limit` "
                              "download every match.")
    app.state.store = store
    app.state.readers = readers_for(store.engine.dialect.name)
    app.state.jobs = jobs
    app.state.token = token or None
    app.state.tile_url = tile_url or None
    _install_error_handlers(app)
    _install_headers(app, _csp(tile_url))
    _install_docs(app)
    _install_openapi(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("flashpoint.web", "static")]), name="static")
    # Level 1: a page of 100 events (103 kB) in 0.20 ms and 10.1 kB, against 0.38 ms and 8.8 kB at
    # level 4 (issue 18): the server's CPU is what 50 clients wait for, the bytes are few either way.
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(BodyLimit, limit=max_body)
    if cache_ttl:
        app.add_middleware(MicroCache, ttl=cache_ttl, generation=lambda: jobs.generation)
    app.add_middleware(HeadAsGet)
    if warm:
        _warm_outlines()
    return app


def app_from_env() -> FastAPI:
    """The app as ``flashpoint serve`` configures it, from the environment: the factory uvicorn's
    worker processes import (``flashpoint.web.app:app_from_env``), since a built app cannot be
    handed to other processes. FLASHPOINT_DB, FLASHPOINT_TOKEN, FLASHPOINT_TILE_URL,
    FLASHPOINT_CORS_ORIGINS (comma-separated), FLASHPOINT_JOBS_DIR, FLASHPOINT_JOB_TIMEOUT."""
    env = os.environ
    origins = [o.strip() for o in env.get("FLASHPOINT_CORS_ORIGINS", "").split(",") if o.strip()]
    timeout = env.get("FLASHPOINT_JOB_TIMEOUT")
    return create_app(env.get("FLASHPOINT_DB", "flashpoint.db"), token=env.get("FLASHPOINT_TOKEN") or None,
                      cors_origins=origins or None, tile_url=env.get("FLASHPOINT_TILE_URL") or None,
                      jobs_dir=env.get("FLASHPOINT_JOBS_DIR") or None,
                      job_timeout=float(timeout) if timeout else None)

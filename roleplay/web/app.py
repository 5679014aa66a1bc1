"""The ASGI app of `roleplay serve`: the HTTP API (DESIGN.md section 4) and the pages.

Every error a station can cause is one clear JSON message with a 4xx status; RoleplayError
and its kinds are mapped here, as cli.py maps them to exit codes.
"""

from __future__ import annotations

import secrets
import sys

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_, translator
from roleplay.records.store import open_store
from roleplay.web import (
    account_lang,
    api,
    assignments_api,
    curriculum_pages,
    pages,
    qa_api,
    qa_pages,
    trainer,
)
from roleplay.web.accounts import Accounts
from roleplay.web.context import (
    CSRF_COOKIE,
    OPEN_PATHS,
    SESSION_COOKIE,
    STATIC,
    Server,
    ServerConfig,
    server,
)
from roleplay.web.desk_call import Conflict
from roleplay.web.library import Library
from roleplay.web.recovery import end_interrupted_calls
from roleplay.web.said import Said
from roleplay.web.ui_lang import page_language


class Guard(BaseHTTPMiddleware):
    """Sign-in (when required) and CSRF: every POST (and PUT, DELETE) carries the CSRF cookie's
    value, as the X-CSRF-Token header (the pages' fetch calls) or a `csrf` form field (the login
    form)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        srv = server(request)
        who = srv.accounts.session(request.cookies.get(SESSION_COOKIE))
        request.scope["account"] = who
        path = request.url.path
        if srv.config.require_login and who is None and not path.startswith(OPEN_PATHS):
            if path.startswith("/api/"):
                return JSONResponse({"error": _said(request, N_("sign in first"))}, 401)
            return Response(status_code=303, headers={"location": "/login"})
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get("x-csrf-token", "")
            if not sent and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                from urllib.parse import parse_qs
                sent = (parse_qs((await request.body()).decode(errors="replace")).get("csrf") or [""])[0]
            if not csrf or not secrets.compare_digest(sent, csrf):
                return JSONResponse({"error": _said(request, N_("missing or wrong CSRF token: reload the page"))}, 403)
        response = await call_next(request)
        if not csrf:
            response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), samesite="strict")
        return response


def _said(request: Request, message: str, exc: Exception | None = None) -> str:
    """An error in the station's language: a Said (ApiError, DeskError) with its values
    formatted in; else the message itself when the catalogue has it (fixed messages marked N_)."""
    lang = page_language(request)
    said = getattr(exc, "said", None)
    if isinstance(said, Said):
        return said.in_language(lang)
    return translator(lang).gettext(message)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": _said(request, exc.detail, exc)}, exc.status_code)


async def on_roleplay_error(request: Request, exc: Exception) -> Response:
    status = 409 if isinstance(exc, Conflict) else 400
    message = str(exc).splitlines()[0] if str(exc) else N_("bad request")
    return JSONResponse({"error": _said(request, message, exc)}, status)


def create_app(config: ServerConfig) -> Starlette:
    store = open_store(config.db_url)
    ended = end_interrupted_calls(config.calls_dir, config.db_url)
    if ended:
        print(f"{len(ended)} call(s) interrupted by the last stop ended as hung up, scored and "
              f"recorded: {', '.join(ended)}", file=sys.stderr)
    srv = Server(config, store, Accounts(store), Library(config.scenarios_dir))
    app = Starlette(
        routes=[*api.routes(), *qa_api.routes(), *account_lang.routes(), *pages.routes(), *qa_pages.routes(),
                *assignments_api.routes(), *curriculum_pages.routes(), *trainer.routes(),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[Middleware(Guard)],
        exception_handlers={HTTPException: on_http_error, RoleplayError: on_roleplay_error},
    )
    app.state.server = srv
    return app


__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "ServerConfig", "create_app"]

"""The ASGI app of `roleplay serve`: the HTTP API (DESIGN.md section 4) and the pages.

Every error a station can cause is one clear JSON message with a 4xx status; RoleplayError
and its kinds are mapped here, as cli.py maps them to exit codes.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from roleplay.model.errors import RoleplayError
from roleplay.records.store import Store, open_store
from roleplay.web.accounts import Account, Accounts
from roleplay.web.desk_call import Conflict, DeskCall
from roleplay.web.library import Library

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "roleplay_session"
CSRF_COOKIE = "roleplay_csrf"
OPEN_PATHS = ("/login", "/api/health", "/static/")


@dataclass
class ServerConfig:
    calls_dir: Path
    scenarios_dir: Path | None = None
    db_url: str | None = None
    require_login: bool = False        # any bind beyond the loopback
    abandon_s: float = 60.0            # a station unseen this long has left: its call hangs up


@dataclass
class Server:
    config: ServerConfig
    store: Store
    accounts: Accounts
    library: Library
    calls: dict[str, DeskCall] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, call_id: str) -> DeskCall:
        found = self.calls.get(call_id)
        if found is None:
            raise HTTPException(404, f"no live call '{call_id[:80]}'")
        return found


def server(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


def account(request: Request) -> Account | None:
    return request.scope.get("account")


async def body_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "the request body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the request body must be a JSON object")
    return data


def field_of(data: dict[str, Any], name: str, kind: type, default: Any = None, limit: int = 4000) -> Any:
    value = data.get(name, default)
    if value is None:
        raise HTTPException(400, f"'{name}' is required")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise HTTPException(400, f"'{name}' must be a whole number")
    if kind is str and not isinstance(value, str):
        raise HTTPException(400, f"'{name}' must be text")
    if kind is str and len(value) > limit:
        raise HTTPException(400, f"'{name}' is longer than {limit} characters")
    return value


class Guard(BaseHTTPMiddleware):
    """Sign-in (when required) and CSRF: every POST carries the CSRF cookie's value, as the
    X-CSRF-Token header (the pages' fetch calls) or a `csrf` form field (the login form)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        srv = server(request)
        who = srv.accounts.session(request.cookies.get(SESSION_COOKIE))
        request.scope["account"] = who
        path = request.url.path
        if srv.config.require_login and who is None and not path.startswith(OPEN_PATHS):
            if path.startswith("/api/"):
                return JSONResponse({"error": "sign in first"}, 401)
            return Response(status_code=303, headers={"location": "/login"})
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if request.method == "POST":
            sent = request.headers.get("x-csrf-token", "")
            if not sent and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                from urllib.parse import parse_qs
                sent = (parse_qs((await request.body()).decode(errors="replace")).get("csrf") or [""])[0]
            if not csrf or not secrets.compare_digest(sent, csrf):
                return JSONResponse({"error": "missing or wrong CSRF token: reload the page"}, 403)
        response = await call_next(request)
        if not csrf:
            response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), samesite="strict")
        return response


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, exc.status_code)


async def on_roleplay_error(request: Request, exc: Exception) -> Response:
    status = 409 if isinstance(exc, Conflict) else 400
    return JSONResponse({"error": str(exc).splitlines()[0] if str(exc) else "bad request"}, status)


def create_app(config: ServerConfig) -> Starlette:
    from roleplay.web import api, pages

    store = open_store(config.db_url)
    srv = Server(config, store, Accounts(store), Library(config.scenarios_dir))
    app = Starlette(
        routes=[*api.routes(), *pages.routes(), Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[Middleware(Guard)],
        exception_handlers={HTTPException: on_http_error, RoleplayError: on_roleplay_error},
    )
    app.state.server = srv
    return app


__all__ = ["Route", "ServerConfig", "create_app"]

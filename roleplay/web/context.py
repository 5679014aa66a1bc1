"""What every request handler shares: the server's state and reading a request's body."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request

from roleplay.model.i18n import N_
from roleplay.records.store import Store
from roleplay.web.accounts import Account, Accounts
from roleplay.web.desk_call import DeskCall
from roleplay.web.desk_headset import HeadsetConfig
from roleplay.web.library import Library
from roleplay.web.said import ApiError

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "roleplay_session"
CSRF_COOKIE = "roleplay_csrf"
OPEN_PATHS = ("/login", "/api/health", "/static/", "/lang/")


@dataclass
class ServerConfig:
    calls_dir: Path
    scenarios_dir: Path | None = None
    db_url: str | None = None
    require_login: bool = False        # any bind beyond the loopback
    abandon_s: float = 60.0            # a station unseen this long has left: its call hangs up
    headset: HeadsetConfig | None = None   # the server runs at the station: its own headset


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
            raise ApiError(404, N_("no live call '{call_id}'"), call_id=call_id[:80])
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
        raise ApiError(400, N_("the request body is not JSON")) from None
    if not isinstance(data, dict):
        raise ApiError(400, N_("the request body must be a JSON object"))
    return data


def field_of(data: dict[str, Any], name: str, kind: type, default: Any = None, limit: int = 4000) -> Any:
    value = data.get(name, default)
    if value is None:
        raise ApiError(400, N_("'{name}' is required"), name=name)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(400, N_("'{name}' must be a whole number"), name=name)
    if kind is str and not isinstance(value, str):
        raise ApiError(400, N_("'{name}' must be text"), name=name)
    if kind is str and len(value) > limit:
        raise ApiError(400, N_("'{name}' is longer than {limit} characters"), name=name, limit=limit)
    return value



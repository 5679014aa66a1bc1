"""POST /api/account/lang {"lang": "zh" | "en" | null}: the signed-in account's own interface
language (null: the browser's again). The station's switch still wins (roleplay/web/ui_lang.py)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from roleplay.model.i18n import LANGUAGES, N_
from roleplay.web.context import account, body_json, server
from roleplay.web.said import ApiError, Listed


async def set_account_lang(request: Request) -> JSONResponse:
    who = account(request)
    if who is None:
        raise HTTPException(401, N_("sign in first"))
    lang = (await body_json(request)).get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise ApiError(400, N_("'lang' must be one of {values}, or null"), values=Listed(LANGUAGES))
    await run_in_threadpool(server(request).accounts.set_lang, who.username, lang)
    return JSONResponse({"username": who.username, "lang": lang})


def routes() -> list[Route]:
    return [Route("/api/account/lang", set_account_lang, methods=["POST"])]

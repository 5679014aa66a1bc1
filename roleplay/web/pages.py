"""Server-rendered pages (Jinja2): the scenario list, the desktop, the archive, sign-in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from roleplay.model.i18n import LANGUAGES, N_, translator
from roleplay.web.accounts import ROLE_LABELS
from roleplay.web.assignments_api import open_assignments
from roleplay.web.context import CSRF_COOKIE, SESSION_COOKIE, account, server
from roleplay.web.crm_labels import desk_labels
from roleplay.web.said import ApiError
from roleplay.web.ui_lang import LANG_COOKIE, page_language
from scoring.view import ITEM_TITLES

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                        autoescape=select_autoescape(["html"]))

# A label's colon in the page's type: full-width after Chinese, "label: value" in English.
COLONS = {"en": ": ", "zh": "："}


def render(request: Request, name: str, status: int = 200, **values: object) -> HTMLResponse:
    lang = page_language(request)
    html = TEMPLATES.get_template(name).render(
        account=account(request), login=server(request).config.require_login,
        csrf=request.cookies.get(CSRF_COOKIE, ""), lang=lang, _=translator(lang).gettext, role_labels=ROLE_LABELS,
        here=request.url.path, colon=COLONS[lang], **values)
    return HTMLResponse(html, status)


async def index(request: Request) -> HTMLResponse:
    lib = server(request).library
    return render(request, "index.html", scenarios=list(lib.scenarios.values()), broken=lib.broken,
                  headset=server(request).config.headset is not None,
                  **await open_assignments(request))


async def desk(request: Request) -> HTMLResponse:
    call = server(request).call(request.path_params["call_id"])
    return render(request, "desk.html", call=call, scenario=call.scenario, item_titles=ITEM_TITLES,
                  labels=desk_labels(call.scenario, page_language(request)))


async def report(request: Request) -> HTMLResponse:
    from roleplay.archive.calls import read_call
    from roleplay.qa.report import build_report

    call_id = request.path_params["call_id"]
    folder = server(request).config.calls_dir / call_id
    if "/" in call_id or ".." in call_id or not (folder / "call.json").is_file():
        raise ApiError(404, N_("no archived call '{call_id}'"), call_id=call_id[:80])
    lang = page_language(request)   # the labels in the station's language; the call's text in its own
    return HTMLResponse(await run_in_threadpool(lambda: build_report(read_call(folder), lang=lang)))


async def archive(request: Request) -> HTMLResponse:
    return render(request, "archive.html")


async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html")


async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    user, password = (form.get("username") or [""])[0], (form.get("password") or [""])[0]
    token = await run_in_threadpool(server(request).accounts.login, user, password)
    if token is None:
        return render(request, "login.html", 401, error=N_("wrong username or password"))
    response = RedirectResponse("/", 303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    server(request).accounts.logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def choose_language(request: Request) -> Response:
    """The switch on every page: remember the station's language, back to the page it was on."""
    lang = request.path_params["lang"]
    if lang not in LANGUAGES:
        raise ApiError(404, N_("no interface language '{lang}'"), lang=lang[:20])
    back = request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"             # only a page of this server, never an open redirect
    response = RedirectResponse(back, 303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def routes() -> list[Route]:
    return [
        Route("/", index), Route("/desk/{call_id}", desk), Route("/calls/{call_id}/report", report),
        Route("/archive", archive), Route("/login", login_page), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]), Route("/lang/{lang}", choose_language),
    ]

"""The language a page speaks: the station's own choice (the switch on every page sets a
cookie), else the browser's Accept-Language, else English."""

from __future__ import annotations

from starlette.requests import Request

from roleplay.model.i18n import LANGUAGES, normalise

LANG_COOKIE = "roleplay_lang"


def accepted_language(header: str) -> str | None:
    """The best of our languages in an Accept-Language header ('zh-CN,zh;q=0.9,en;q=0.8')."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = normalise(tag, "")
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def page_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return accepted_language(request.headers.get("accept-language", "")) or "en"

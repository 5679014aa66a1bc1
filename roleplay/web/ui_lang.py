"""The language a page speaks, first found of: the station's explicit choice (the switch on
every page sets a cookie), the signed-in account's own language (`roleplay accounts add
--lang`, POST /api/account/lang), the browser's Accept-Language, English.

The switch wins over the account because it is what the person at the station just did; an
account's setting is the default wherever that person signs in."""

from __future__ import annotations

from starlette.requests import Request

from roleplay.model.i18n import LANGUAGES, normalise
from roleplay.web.context import account

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
    who = account(request)
    if who is not None and who.lang in LANGUAGES:
        return who.lang
    return accepted_language(request.headers.get("accept-language", "")) or "en"

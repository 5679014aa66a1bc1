"""The interface's languages: `translator(lang)` gives a gettext object for English or Chinese.

English is the source text (msgids are the English sentences), so English needs no catalogue
and an English card stays byte-identical to the text in the code. The Chinese catalogue is a
committed .po file compiled with Babel in memory at first use: nothing to build, and the same
in an editable checkout and an installed wheel. Pure code takes the language as an argument;
nothing here is global state beyond a cache of the parsed catalogue.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg

DOMAIN = "roleplay"
LANGUAGES = ("en", "zh")


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is translated later (a table of labels)."""
    return message


def catalogue_path(lang: str) -> str:
    return f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po"


def normalise(lang: str | None, default: str = "en") -> str:
    """'zh-CN', 'zh_Hans', 'ZH' -> 'zh'; anything unknown (or empty) -> the default."""
    if not lang:
        return default
    base = lang.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else default


UI_LANG_ENV = "ROLEPLAY_UI_LANG"


def chosen_ui_lang(flag: str | None, environ: dict[str, str]) -> str | None:
    """`--ui-lang`, else $ROLEPLAY_UI_LANG, else None (each call speaks its own language)."""
    if flag:
        return flag
    value = environ.get(UI_LANG_ENV, "").strip()
    if not value:
        return None
    lang = normalise(value, "")
    if not lang:
        raise RoleplayError(f"{UI_LANG_ENV}={value!r}: use one of {', '.join(LANGUAGES)} (or unset it)")
    return lang


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The messages of `lang` ('en' or 'zh'); a RoleplayError names an unknown language."""
    if lang not in LANGUAGES:
        raise RoleplayError(f"interface language {lang!r}: use one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return gettext.NullTranslations()
    # Babel (a dependency) parses and compiles the .po; imported here so that English needs nothing.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files("roleplay.model").joinpath(catalogue_path(lang))
    with source.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def localise(text: Msg | str | BaseException, lang: str | None) -> str:
    """A sentence, or an error built from one, in `lang` (None or 'en': the English text)."""
    if isinstance(text, BaseException):
        text = text.args[0] if len(text.args) == 1 and isinstance(text.args[0], Msg) else str(text)
    if isinstance(text, str):
        return text
    return text.render(translator(normalise(lang)).gettext)

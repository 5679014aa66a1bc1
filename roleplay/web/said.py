"""Errors a station sees, translated in the request's language with their values formatted in.

An error keeps its English template (the catalogue's msgid, marked N_ where it is raised) and
its values apart, so the response can be written in any language; the exception's own text
(logs, tests, the CLI) stays the English sentence."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.exceptions import HTTPException

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import translator


class Listed(tuple[str, ...]):
    """A list inside a sentence: '、' between items in Chinese, ', ' in English."""

    def joined(self, lang: str) -> str:
        return ("、" if lang == "zh" else ", ").join(self)

    def __format__(self, spec: str) -> str:
        return format(self.joined("en"), spec)


@dataclass(frozen=True)
class Said:
    template: str                                   # an English msgid with {placeholders}
    values: dict[str, object] = field(default_factory=dict)

    def english(self) -> str:
        return self.template.format(**self.values)

    def in_language(self, lang: str) -> str:
        values = {k: v.joined(lang) if isinstance(v, Listed) else v for k, v in self.values.items()}
        return translator(lang).gettext(self.template).format(**values)


class ApiError(HTTPException):
    """An HTTP error whose message is a Said."""

    def __init__(self, status: int, template: str, **values: object) -> None:
        self.said = Said(template, values)
        super().__init__(status, self.said.english())


class DeskError(RoleplayError):
    """A desk action that does not fit the call (a disposition not offered ...): HTTP 400."""

    def __init__(self, template: str, **values: object) -> None:
        self.said = Said(template, values)
        super().__init__(self.said.english())


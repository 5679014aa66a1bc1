"""A user-facing sentence kept as its English text (the catalogue's msgid) and its arguments,
so that library code that knows no language can still say something a Chinese reader reads
in Chinese: the edge that prints it (the CLI, a web page) renders it in the interface's
language with `roleplay.model.i18n.localise`.

`str(Msg(...))` is the English sentence, byte-identical to the f-string it replaces, so an
exception built from a Msg reads as before wherever nobody asks for another language.
Arguments may be Msgs themselves (a "did you mean" hint, a "got a list"): they are rendered
in the same language. Babel extracts `Msg("...")` calls (the keyword is listed in the
catalogue test), so every sentence is checked for a translation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Translate = Callable[[str], str]
_VERBATIM = "{text}"   # a sentence that has no msgid of its own (a path, an OS error)


def _same(text: str) -> str:
    return text


def _rendered(args: dict[str, object], translate: Translate) -> dict[str, object]:
    """Arguments in the sentence's language: a Msg, or an error built from one, is rendered."""
    values = {}
    for key, value in args.items():
        if isinstance(value, BaseException) and len(value.args) == 1 and isinstance(value.args[0], Msg):
            value = value.args[0]
        values[key] = value.render(translate) if isinstance(value, Msg) else value
    return values


class Msg:
    """One sentence: an English msgid with `{name}` fields and their values."""

    def __init__(self, msgid: str, /, **args: object) -> None:
        self.msgid = msgid
        self.args = args

    @classmethod
    def verbatim(cls, text: str) -> Msg:
        """Text that is the same in every language (it was never a translated sentence)."""
        return cls(_VERBATIM, text=text)

    def render(self, translate: Translate = _same) -> str:
        values = _rendered(self.args, translate)
        return translate(self.msgid).format(**values) if values else translate(self.msgid)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, {self.args!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.args) == (other.msgid, other.args)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __add__(self, other: Msg | str) -> Msg:
        return _Template("{a}{b}", a=self, b=other)


def as_msg(text: Msg | str) -> Msg:
    return text if isinstance(text, Msg) else Msg.verbatim(text)


def joined(parts: Sequence[Msg | str], separator: Msg | str = ", ") -> Msg:
    """Parts joined with a separator that is itself translated (", " is "、" in Chinese)."""
    if not parts:
        return Msg.verbatim("")
    fields = {f"p{i}": part for i, part in enumerate(parts)}
    template = "{sep}".join(f"{{p{i}}}" for i in range(len(parts)))
    return _Template(template, sep=separator, **fields)


class _Template(Msg):
    """A template built in code (a join), not a sentence: its text is never looked up."""

    def render(self, translate: Translate = _same) -> str:
        return self.msgid.format(**_rendered(self.args, translate))


class _Unprefixed(Msg):
    """A sentence with a leading location cut off (it is said again in front of it)."""

    def __init__(self, text: Msg, prefix: str) -> None:
        super().__init__(_VERBATIM, text=text)
        self.prefix = prefix

    def render(self, translate: Translate = _same) -> str:
        text = super().render(translate)
        where = self.prefix.rstrip(": ")
        if not where or not text.startswith(where):
            return text
        rest = text[len(where):]
        for separator in (": ", "："):   # the colon as each language writes it
            if rest.startswith(separator):
                return rest[len(separator):]
        return text


def unprefixed(text: Msg, prefix: str) -> Msg:
    """`text` without a leading `prefix` (a path that a located message already names)."""
    return _Unprefixed(text, prefix)

"""YAML that remembers where every value came from, for located authoring errors.

yaml.compose keeps each node's start mark, so an error points at the loader's own line and
column instead of a guess made after parsing. Duplicate keys, which yaml.safe_load silently
resolves by keeping the last one, are reported here. `YamlDoc` collects every problem (it
never stops at the first) and offers typed readers whose messages speak to authors, not
programmers: no Python reprs, no type names like NoneType.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from roleplay.model.errors import ScenarioError
from roleplay.model.message import Msg, joined
from roleplay.model.yamlbounds import check_bounds, quoted

Where = Msg | str   # what a message names first: a key path ("persona.voice"), or words ("entry 2")
_TAG = "tag:yaml.org,2002:"
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d*)?[eE][-+]?\d+")
_CONSTRUCT = yaml.constructor.SafeConstructor()
# Any number an author writes, unless its field says otherwise: a level of 10**20 must fail
# here, not later in the JSON writer or the database.
MAX_NUMBER = 1_000_000
_MAX_SOURCE_CHARS = 200   # a longer source line is not quoted under its error
# libyaml's parser keeps the same marks (in characters, also for CJK) and is ~10x faster.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Y:
    """One YAML value with its 1-based start (and end) line and column."""

    kind: str                     # "map" | "list" | "scalar"
    line: int
    col: int
    end_line: int
    end_col: int
    tag: str = "str"              # scalars: "str" | "int" | "float" | "bool" | "null"
    text: str = ""                # scalars: the text as written (keeps "0088" and "39.50")
    value: Any = None             # scalars: the Python value; lists: list[Y]; maps: dict[str, Y]
    keys: dict[str, Y] = field(default_factory=dict)   # maps: each key's own node

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.tag == "null"


def did_you_mean(word: str, options: Iterable[str]) -> Msg | str:
    """' (did you mean 'x'?)' for the closest option, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return Msg(" (did you mean '{option}'?)", option=close[0]) if close else ""


def describe(y: Y) -> Msg:
    """How an author would name what they wrote: 'two', a list, nothing."""
    if y.kind == "map":
        return Msg("a mapping")
    if y.kind == "list":
        return Msg("a list")
    if y.is_null:
        return Msg("nothing")
    return Msg.verbatim(f"'{quoted(y.text)}'")


def one_of(options: Sequence[str]) -> Msg:
    """'a', 'b' or 'c' (in Chinese 'a'、'b' 或 'c')."""
    quoted = [f"'{o}'" for o in options]
    if len(quoted) == 1:
        return Msg.verbatim(quoted[0])
    return Msg("{some} or {last}", some=joined(quoted[:-1], Msg(", ")), last=quoted[-1])


def _scalar(node: yaml.ScalarNode) -> tuple[str, Any]:
    tag = node.tag[len(_TAG):] if node.tag.startswith(_TAG) else "str"
    if tag in ("null", "bool", "int", "float"):
        try:
            return tag, _CONSTRUCT.yaml_constructors[node.tag](_CONSTRUCT, node)
        except (ValueError, yaml.YAMLError):   # an explicit tag like `!!int abc`
            return "str", node.value
    return "str", node.value


class YamlDoc:
    """One YAML file being read: its text, its errors, and typed readers that record them."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.errors: list[ScenarioError] = []
        try:
            self.source = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            self.source = data.decode("utf-8", errors="replace")
            before = data[: e.start]
            line = before.count(b"\n") + 1
            col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")) + 1
            self.lines = self.source.splitlines()
            self.error_at(line, col, Msg("not valid UTF-8 text; save the file as UTF-8"))
        self.lines = self.source.splitlines()

    # --- errors --------------------------------------------------------------------------
    def error_at(self, line: int, col: int, message: Msg | str) -> None:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if len(source) > _MAX_SOURCE_CHARS:
            source = ""
        self.errors.append(ScenarioError(self.path, line, col, message, source))

    def error(self, at: Y, message: Msg | str) -> None:
        self.error_at(at.line, at.col, message)

    def locate(self, y: Y, needle: str) -> tuple[int, int]:
        """Line and column of `needle` inside the scalar `y` as written, else y's start."""
        for line in range(y.line, min(y.end_line, len(self.lines)) + 1):
            at = self.lines[line - 1].find(needle, y.col - 1 if line == y.line else 0)
            if at >= 0:
                return line, at + 1
        return y.line, y.col

    def sorted_errors(self) -> list[ScenarioError]:
        unique = {(e.line, e.col, e.message): e for e in self.errors}
        return [unique[k] for k in sorted(unique)]

    # --- parsing -------------------------------------------------------------------------
    def parse(self) -> Y | None:
        """The document's root value, or None after a syntax error (already recorded)."""
        if self.errors:
            return None
        limit = check_bounds(self.source)
        if limit is not None:
            self.error_at(limit.line, limit.col, limit.message)
            return None
        try:
            root = yaml.compose(self.source, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            root = None   # parse again below with the Python parser, whose messages we know
        try:
            root = root or yaml.compose(self.source, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            self.error_at(*_syntax_error(e))
            return None
        except yaml.reader.ReaderError as e:  # a control character that YAML forbids
            before = self.source[: e.position]
            line, col = before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1
            code = format(_code(e.character), "04X")
            self.error_at(line, col, Msg("YAML syntax error: control character U+{code} is not allowed;"
                                         " remove it", code=code))
            return None
        if root is None:
            self.error_at(1, 1, Msg("the file is empty"))
            return None
        return self._convert(root)

    def _convert(self, node: yaml.Node) -> Y:
        s, e = node.start_mark, node.end_mark
        at = (s.line + 1, s.column + 1, e.line + 1, e.column + 1)
        if isinstance(node, yaml.ScalarNode):
            tag, value = _scalar(node)
            return Y("scalar", *at, tag=tag, text=node.value, value=value)
        if isinstance(node, yaml.SequenceNode):
            return Y("list", *at, value=[self._convert(n) for n in node.value])
        keys: dict[str, Y] = {}
        values: dict[str, Y] = {}
        for key_node, value_node in node.value:
            key = self._convert(key_node)
            if key.kind != "scalar":
                self.error(key, Msg("a key must be plain text"))
                continue
            if key.text in keys:
                self.error(key, Msg("duplicate key '{key}' (first on line {line}); YAML would silently"
                                    " keep only the last one", key=key.text, line=keys[key.text].line))
                continue
            keys[key.text] = key
            values[key.text] = self._convert(value_node)
        return Y("map", *at, value=values, keys=keys)

    # --- typed readers: each records a located error and returns None when it fails ---------
    def mapping(self, y: Y, where: Where, required: Sequence[str] = (),
                optional: Sequence[str] | None = None) -> dict[str, Y] | None:
        """A mapping with these keys; `optional=None` means any further key is allowed."""
        if y.kind != "map":
            self.error(y, _label(where, Msg("expected a mapping of keys, got {got}", got=describe(y))))
            return None
        items: dict[str, Y] = y.value
        if optional is not None:
            allowed = (*required, *optional)
            for key, key_y in y.keys.items():
                if key not in allowed:
                    self.error(key_y, _label(where, Msg("unknown key '{key}'{hint}", key=key,
                                                        hint=did_you_mean(key, allowed))))
        for key in required:
            if key not in items:
                self.error(y, _label(where, Msg("missing required key '{key}'", key=key)))
        return items

    def items(self, y: Y, where: Where) -> list[Y] | None:
        if y.kind != "list":
            self.error(y, _label(where, Msg("expected a list, got {got}", got=describe(y))))
            return None
        return list(y.value)

    def text(self, y: Y, where: Where) -> str | None:
        if y.kind != "scalar" or y.is_null or y.text == "":
            got = Msg("nothing") if y.kind == "scalar" and not y.text else describe(y)
            self.error(y, _label(where, Msg("expected text, got {got}", got=got)))
            return None
        return y.text

    def texts(self, y: Y, where: Where) -> list[Y]:
        """One text or a list of texts, returned as the scalars that hold them."""
        if y.kind == "list":
            return [t for t in y.value if self.text(t, where) is not None]
        return [y] if self.text(y, where) is not None else []

    def boolean(self, y: Y, where: Where) -> bool | None:
        if y.tag != "bool" or y.kind != "scalar":
            self.error(y, _label(where, Msg("expected true or false, got {got}", got=describe(y))))
            return None
        return bool(y.value)

    def integer(self, y: Y, where: Where, lo: int | None = None, hi: int | None = None) -> int | None:
        if y.kind != "scalar" or y.tag != "int":
            self.error(y, _label(where, Msg("expected a whole number, got {got}", got=describe(y))))
            return None
        return int(y.value) if self._ok_range(y, where, y.value, lo, hi) else None

    def number(self, y: Y, where: Where, lo: float | None = None, hi: float | None = None) -> float | None:
        value: float | None = None
        if y.kind == "scalar" and y.tag in ("int", "float"):
            value = float(y.value) if abs(y.value) < 1e300 else math.inf   # 10**400 overflows
        elif y.kind == "scalar" and y.tag == "str" and _PLAIN_NUMBER.fullmatch(y.text):
            value = float(y.text)   # YAML 1.1 reads 1e3 as text; authors mean a number
        if value is None or not math.isfinite(value):
            self.error(y, _label(where, Msg("expected a number, got {got}", got=describe(y))))
            return None
        return value if self._ok_range(y, where, value, lo, hi) else None

    def choice(self, y: Y, where: Where, options: Sequence[str], what: Msg | None = None) -> str | None:
        """Text that must be one of `options`, with a did-you-mean when it is not."""
        value = self.text(y, where)
        if value is None:
            return None
        if value not in options:
            hint = did_you_mean(value, options) or Msg("; expected {options}", options=one_of(options))
            self.error(y, _label(where, Msg("unknown {what} '{value}'{hint}", what=what or Msg("value"), value=value,
                                            hint=hint)))
            return None
        return value

    def _ok_range(self, y: Y, where: Where, value: float, lo: float | None, hi: float | None) -> bool:
        lo = -MAX_NUMBER if lo is None and value < -MAX_NUMBER else lo
        hi = MAX_NUMBER if hi is None and value > MAX_NUMBER else hi
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                bounds = Msg("between {lo} and {hi}", lo=_num(lo), hi=_num(hi))
            else:
                bounds = Msg("at least {lo}", lo=_num(lo)) if lo is not None else Msg("at most {hi}", hi=_num(hi))
            self.error(y, _label(where, Msg("must be {bounds}, got {got}", bounds=bounds, got=quoted(y.text))))
            return False
        return True


# PyYAML's wording for the mistakes authors make most, said the way an author would fix them.
_SYNTAX_HINTS = (
    ("'\\t' that cannot start", Msg("a tab character: indent with spaces")),
    ("mapping values are not allowed", Msg("': ' inside a value; put the value in quotes")),
    ("found another document", Msg("a second YAML document ('---'); a file holds only one")),
    ("found '<scalar>'", Msg("more text after a value; put the whole value in quotes")),
    ("found '<block mapping start>'", Msg("this line's indentation does not match the keys above it")),
    ("found '?'", Msg("this line's indentation does not match the lines above it")),
    ("found '<block sequence start>'", Msg("a list item ('- ') where a key was expected; check its"
                                       " indentation")),
    ("sequence entries are not allowed", Msg("a list item ('- ') where it is not allowed; check its"
                                         " indentation")),
    ("undefined alias", Msg("'*' starts an alias, but no anchor ('&') of that name comes before it;"
                        " quote text that starts with '*'")),
    ("expected ',' or ']'", Msg("a '[' list is not closed with ']'")),
    ("expected ',' or '}'", Msg("a '{open}' mapping is not closed with '{close}'", open="{", close="}")),
)


def _syntax_error(e: yaml.MarkedYAMLError) -> tuple[int, int, Msg]:
    """Where a YAML syntax error is and what to do about it."""
    mark = e.problem_mark or e.context_mark
    found = e.problem or e.context or ""
    problem: Msg = Msg.verbatim(found) if found else Msg("unreadable YAML")
    if e.context == "while scanning a quoted scalar" and e.context_mark is not None:
        mark, problem = e.context_mark, Msg("this quoted text has no closing quote")
    else:
        for needle, hint in _SYNTAX_HINTS:
            if needle in found:
                problem = hint
                break
        else:   # PyYAML's own words, which have no translation
            if e.context and e.context_mark and e.problem:
                problem = Msg("{problem} ({context} on line {line})", problem=problem, context=e.context,
                              line=e.context_mark.line + 1)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return line, col, Msg("YAML syntax error: {problem}", problem=problem)


def _code(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character[:1] or "?")


def _label(where: Where, message: Msg) -> Msg:
    """`where: message`, or the message alone when there is no where."""
    return Msg("{where}: {message}", where=where, message=message) if where else message


def _num(x: float | None) -> str:
    return str(int(x)) if x is not None and x == int(x) else f"{x:g}"

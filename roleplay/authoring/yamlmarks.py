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
from roleplay.model.yamlbounds import check_bounds, quoted

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


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest option, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(y: Y) -> str:
    """How an author would name what they wrote: 'two', a list, nothing."""
    if y.kind == "map":
        return "a mapping"
    if y.kind == "list":
        return "a list"
    if y.is_null:
        return "nothing"
    return f"'{quoted(y.text)}'"


def one_of(options: Sequence[str]) -> str:
    quoted = [f"'{o}'" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


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
            self.error_at(line, col, "not valid UTF-8 text; save the file as UTF-8")
        self.lines = self.source.splitlines()

    # --- errors --------------------------------------------------------------------------
    def error_at(self, line: int, col: int, message: str) -> None:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if len(source) > _MAX_SOURCE_CHARS:
            source = ""
        self.errors.append(ScenarioError(self.path, line, col, message, source))

    def error(self, at: Y, message: str) -> None:
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
            self.error_at(line, col, f"YAML syntax error: control character U+{_code(e.character):04X}"
                                     " is not allowed; remove it")
            return None
        if root is None:
            self.error_at(1, 1, "the file is empty")
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
                self.error(key, "a key must be plain text")
                continue
            if key.text in keys:
                self.error(key, f"duplicate key '{key.text}' (first on line {keys[key.text].line});"
                                " YAML would silently keep only the last one")
                continue
            keys[key.text] = key
            values[key.text] = self._convert(value_node)
        return Y("map", *at, value=values, keys=keys)

    # --- typed readers: each records a located error and returns None when it fails ---------
    def mapping(self, y: Y, where: str, required: Sequence[str] = (),
                optional: Sequence[str] | None = None) -> dict[str, Y] | None:
        """A mapping with these keys; `optional=None` means any further key is allowed."""
        if y.kind != "map":
            self.error(y, f"{_label(where)}expected a mapping of keys, got {describe(y)}")
            return None
        items: dict[str, Y] = y.value
        if optional is not None:
            allowed = (*required, *optional)
            for key, key_y in y.keys.items():
                if key not in allowed:
                    self.error(key_y, f"{_label(where)}unknown key '{key}'{did_you_mean(key, allowed)}")
        for key in required:
            if key not in items:
                self.error(y, f"{_label(where)}missing required key '{key}'")
        return items

    def items(self, y: Y, where: str) -> list[Y] | None:
        if y.kind != "list":
            self.error(y, f"{_label(where)}expected a list, got {describe(y)}")
            return None
        return list(y.value)

    def text(self, y: Y, where: str) -> str | None:
        if y.kind != "scalar" or y.is_null or y.text == "":
            got = "nothing" if y.kind == "scalar" and not y.text else describe(y)
            self.error(y, f"{_label(where)}expected text, got {got}")
            return None
        return y.text

    def texts(self, y: Y, where: str) -> list[Y]:
        """One text or a list of texts, returned as the scalars that hold them."""
        if y.kind == "list":
            return [t for t in y.value if self.text(t, where) is not None]
        return [y] if self.text(y, where) is not None else []

    def boolean(self, y: Y, where: str) -> bool | None:
        if y.tag != "bool" or y.kind != "scalar":
            self.error(y, f"{_label(where)}expected true or false, got {describe(y)}")
            return None
        return bool(y.value)

    def integer(self, y: Y, where: str, lo: int | None = None, hi: int | None = None) -> int | None:
        if y.kind != "scalar" or y.tag != "int":
            self.error(y, f"{_label(where)}expected a whole number, got {describe(y)}")
            return None
        return int(y.value) if self._ok_range(y, where, y.value, lo, hi) else None

    def number(self, y: Y, where: str, lo: float | None = None, hi: float | None = None) -> float | None:
        value: float | None = None
        if y.kind == "scalar" and y.tag in ("int", "float"):
            value = float(y.value) if abs(y.value) < 1e300 else math.inf   # 10**400 overflows
        elif y.kind == "scalar" and y.tag == "str" and _PLAIN_NUMBER.fullmatch(y.text):
            value = float(y.text)   # YAML 1.1 reads 1e3 as text; authors mean a number
        if value is None or not math.isfinite(value):
            self.error(y, f"{_label(where)}expected a number, got {describe(y)}")
            return None
        return value if self._ok_range(y, where, value, lo, hi) else None

    def choice(self, y: Y, where: str, options: Sequence[str], what: str = "value") -> str | None:
        """Text that must be one of `options`, with a did-you-mean when it is not."""
        value = self.text(y, where)
        if value is None:
            return None
        if value not in options:
            hint = did_you_mean(value, options) or f"; expected {one_of(options)}"
            self.error(y, f"{_label(where)}unknown {what} '{value}'{hint}")
            return None
        return value

    def _ok_range(self, y: Y, where: str, value: float, lo: float | None, hi: float | None) -> bool:
        lo = -MAX_NUMBER if lo is None and value < -MAX_NUMBER else lo
        hi = MAX_NUMBER if hi is None and value > MAX_NUMBER else hi
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                bounds = f"between {_num(lo)} and {_num(hi)}"
            else:
                bounds = f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}"
            self.error(y, f"{_label(where)}must be {bounds}, got {quoted(y.text)}")
            return False
        return True


# PyYAML's wording for the mistakes authors make most, said the way an author would fix them.
_SYNTAX_HINTS = (
    ("'\\t' that cannot start", "a tab character: indent with spaces"),
    ("mapping values are not allowed", "': ' inside a value; put the value in quotes"),
    ("found another document", "a second YAML document ('---'); a file holds only one"),
    ("found '<scalar>'", "more text after a value; put the whole value in quotes"),
    ("found '<block mapping start>'", "this line's indentation does not match the keys above it"),
    ("found '?'", "this line's indentation does not match the lines above it"),
    ("found '<block sequence start>'", ("a list item ('- ') where a key was expected; check its"
                                       " indentation")),
    ("sequence entries are not allowed", ("a list item ('- ') where it is not allowed; check its"
                                         " indentation")),
    ("undefined alias", ("'*' starts an alias, but no anchor ('&') of that name comes before it;"
                        " quote text that starts with '*'")),
    ("expected ',' or ']'", "a '[' list is not closed with ']'"),
    ("expected ',' or '}'", "a '{' mapping is not closed with '}'"),
)


def _syntax_error(e: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Where a YAML syntax error is and what to do about it."""
    mark = e.problem_mark or e.context_mark
    problem = e.problem or e.context or "unreadable YAML"
    if e.context == "while scanning a quoted scalar" and e.context_mark is not None:
        mark, problem = e.context_mark, "this quoted text has no closing quote"
    else:
        for needle, hint in _SYNTAX_HINTS:
            if needle in problem:
                problem = hint
                break
        else:
            if e.context and e.context_mark and e.problem:
                problem = f"{problem} ({e.context} on line {e.context_mark.line + 1})"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return line, col, f"YAML syntax error: {problem}"


def _code(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character[:1] or "?")


def _label(where: str) -> str:
    return f"{where}: " if where else ""


def _num(x: float | None) -> str:
    return str(int(x)) if x is not None and x == int(x) else f"{x:g}"

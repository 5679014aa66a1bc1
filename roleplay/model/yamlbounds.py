"""Bounds for authored YAML: an alias budget and a depth cap, checked before any tree is built.

Scenario, curriculum, answers, rubric and phrasebank files come from trainers and centres.
PyYAML shares an aliased node, so composing is cheap, but every reader that walks the tree
expands each alias again: ten nested aliases of ten make 10**10 values (an "alias bomb").
Deep nesting and an alias inside its own anchor (`&a [*a]`) make recursive readers overflow.
One linear pass over the parser's events (its state machine does not recurse) measures all
three, so a hostile file costs no more than its length and is reported at file:line:col.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg

MAX_DEPTH = 64            # nested mappings and lists; real files stay under 10
MAX_VALUES = 200_000      # values after expanding every alias; the largest shipped file has ~2,000
MAX_QUOTED_CHARS = 60     # of an author's value quoted back in a message

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST_PARSER = getattr(yaml, "CParser", None)


@dataclass(frozen=True)
class YamlLimit:
    """Where a file goes past a bound (1-based) and what the author can do about it."""

    line: int
    col: int
    message: Msg


def check_bounds(source: str) -> YamlLimit | None:
    """The first bound `source` exceeds, or None (also for a syntax error: the parser that
    reads the file afterwards reports that with its own position)."""
    sizes: dict[str, int] = {}           # anchor -> values it stands for, aliases expanded
    open_: list[tuple[str | None, int]] = []   # open collections: (anchor, total at start)
    total = 0
    try:
        for event in yaml.parse(source, Loader=_FAST_LOADER):
            mark = event.start_mark
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if len(open_) >= MAX_DEPTH:
                    return _limit(mark, Msg("nested more than {depth} levels deep; flatten this part", depth=MAX_DEPTH))
                open_.append((event.anchor, total))
                total += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                anchor, before = open_.pop()
                if anchor is not None:
                    sizes[anchor] = total - before
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _ in open_):
                    return _limit(mark, Msg("alias '*{anchor}' is inside its own anchor '&{anchor}' (a loop);"
                                            " write the value out instead", anchor=event.anchor))
                total += sizes.get(event.anchor or "", 1)
            if total > MAX_VALUES:
                return _limit(mark, Msg("aliases ('*') expand this file to more than {values:,} values; write the"
                                        " values out or use fewer aliases", values=MAX_VALUES))
    except yaml.YAMLError:
        return None
    return None


def load_bounded(source: str, where: str) -> Any:
    """`yaml.safe_load` within the bounds above; a file past one raises a RoleplayError
    located as `where:line:col`. Syntax errors are left to the caller (yaml.YAMLError)."""
    limit = check_bounds(source)
    if limit is not None:
        raise RoleplayError(Msg.verbatim(f"{where}:{limit.line}:{limit.col}: ") + limit.message)
    return yaml.load(source, Loader=_FAST_LOADER)   # a safe loader: no Python objects


def read_authored(path: Path, what: Msg) -> Any:
    """A small authored file (a rubric, a phrasebank) as plain Python values: unreadable,
    non-UTF-8, malformed or unbounded files raise one located RoleplayError line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RoleplayError(Msg("{path}: cannot read the {what} ({reason}); check the path", path=str(path), what=what,
                                reason=error.strerror)) from None
    try:
        return load_bounded(decode_authored(data, str(path)), str(path))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "unreadable YAML"
        raise RoleplayError(Msg("{path}{at}: invalid YAML in the {what} ({problem}); fix the syntax", path=path,
                                at=at, what=what, problem=problem)) from None
    except yaml.YAMLError as error:
        raise RoleplayError(Msg("{path}: invalid YAML in the {what} ({problem})", path=str(path), what=what,
                                problem=str(error).splitlines()[0])) from None


def finite(value: Any, lo: float = -1e6, hi: float = 1e6) -> bool:
    """A real number (not a bool, NaN or infinity) within [lo, hi]."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and lo <= value <= hi)


def decode_authored(data: bytes, where: str) -> str:
    """UTF-8 text of an authored file, or one line saying where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")) + 1
        raise RoleplayError(Msg.verbatim(f"{where}:{line}:{col}: ")
                            + Msg("not valid UTF-8 text; save the file as UTF-8")) from None


def quoted(text: str) -> str:
    """An author's value as a message quotes it: cut short, so a 2 MB value stays one line."""
    flat = text.replace("\n", " ")
    return flat if len(flat) <= MAX_QUOTED_CHARS else flat[: MAX_QUOTED_CHARS - 3] + "..."


def _limit(mark: Any, message: Msg) -> YamlLimit:
    return YamlLimit(mark.line + 1, mark.column + 1, message)

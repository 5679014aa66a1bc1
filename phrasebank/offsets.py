"""Normalised text that remembers, per character, where it came from in the original."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    starts: tuple[int, ...]   # per character of `text`: where its source starts in `original`
    ends: tuple[int, ...]     # ... and where it ends (exclusive)

    @classmethod
    def of(cls, text: str) -> Normalized:
        return cls(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original character offsets of normalised text[start:end]."""
        if end <= start or not self.text:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]



def substitute(norm: Normalized, pattern: re.Pattern[str],
               replace: Callable[[re.Match[str]], str | None]) -> Normalized:
    """re.sub with offsets: replacement characters all map to the span of what they replace.
    `replace` returning None keeps the match as it is."""
    matches = list(pattern.finditer(norm.text))
    if not matches:
        return norm  # most steps change nothing in most answers
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in matches:
        new = replace(match)
        if new is None:
            continue
        text.append(norm.text[done:match.start()])
        starts.extend(norm.starts[done:match.start()])
        ends.extend(norm.ends[done:match.start()])
        if new:
            span = norm.span(match.start(), match.end())
            text.append(new)
            starts.extend([span[0]] * len(new))
            ends.extend([span[1]] * len(new))
        done = match.end()
    text.append(norm.text[done:])
    starts.extend(norm.starts[done:])
    ends.extend(norm.ends[done:])
    return Normalized(norm.original, "".join(text), tuple(starts), tuple(ends))



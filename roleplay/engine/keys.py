"""One typed line read key by key from a terminal, timed from its first keystroke.

A typed answer's onset is the first key pressed and its offset is Enter (DESIGN.md section 3),
so the time spent typing is not counted as a delay before answering. The terminal is put in
cbreak mode for the line (Ctrl-C still interrupts); what is typed is echoed, Backspace
deletes a character, arrow and other escape sequences are ignored. Input that is not a
terminal is read a line at a time by the callers, as before.
"""

from __future__ import annotations

import codecs
import os
import termios
import tty
import unicodedata
from dataclasses import dataclass
from typing import TextIO

from roleplay.model.clock import Clock

_ENTER = ("\r", "\n")
_BACKSPACE = ("\x7f", "\b")
_EOF = "\x04"     # Ctrl-D
_ESC = "\x1b"


@dataclass(frozen=True)
class TypedLine:
    text: str
    onset_ms: int | None    # the first keystroke; None when nothing was typed
    offset_ms: int          # Enter (or the end of input)
    ended: bool = False     # the input ended (Ctrl-D on an empty line, or the terminal closed)


def read_typed_line(fd: int, out: TextIO, clock: Clock, prompt: str = "") -> TypedLine:
    """Show `prompt` and read one line from terminal `fd`, echoing it to `out`."""
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)   # keep keys typed before the prompt came up
        out.write(prompt)   # after cbreak: a key pressed at the prompt is never echoed twice
        out.flush()
        return _read(fd, out, clock)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _read(fd: int, out: TextIO, clock: Clock) -> TypedLine:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    chars: list[str] = []
    onset: int | None = None
    escape = False
    while True:
        try:
            raw = os.read(fd, 1)
        except OSError:   # the terminal went away (EIO): the same as the end of input
            raw = b""
        if not raw:
            return TypedLine("".join(chars), onset, clock.now_ms(), ended=not chars)
        for char in decoder.decode(raw):
            if escape:   # an escape sequence ends with a letter or "~"
                escape = not (char.isalpha() or char == "~")
                continue
            if onset is None and char not in (*_ENTER, _EOF, _ESC, *_BACKSPACE):
                onset = clock.now_ms()
            if char in _ENTER:
                out.write("\n")
                out.flush()
                return TypedLine("".join(chars), onset, clock.now_ms())
            if char == _EOF and not chars:
                return TypedLine("", onset, clock.now_ms(), ended=True)
            if char == _ESC:
                escape = True
            elif char in _BACKSPACE:
                if chars:
                    width = 2 if unicodedata.east_asian_width(chars.pop()) in ("W", "F") else 1
                    out.write("\b" * width + " " * width + "\b" * width)
            elif char.isprintable():
                chars.append(char)
                out.write(char)
            out.flush()

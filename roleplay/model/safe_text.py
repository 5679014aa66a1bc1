"""Text from a call or a reviewer, made safe for where it is shown.

A transcript, a trainee id or a review comment is user input: a recogniser or a person can
put anything in it. On a terminal an escape sequence can retitle the window, hide lines or
fake output; in a spreadsheet a cell starting with `=` runs as a formula (CSV injection).
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), any other ESC pair, then the remaining
# C0/C1 control characters except newline and tab, which the printers lay out themselves.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def for_terminal(text: str) -> str:
    """`text` with terminal control sequences removed."""
    return _ESCAPES.sub("", text)


def for_spreadsheet(cell: str) -> str:
    """A text cell a spreadsheet shows as text: a leading `'` on anything it would run as a
    formula (OWASP's advice for CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell

"""Identifiers people type (trainee, reviewer) and the archive names (call, scenario).

One bound for both database backends: SQLite accepts any length where PostgreSQL's
VARCHAR(200) refuses the row, which used to surface only after a call was archived. A
control character (a newline) in an id could inject lines into files that copy it.
"""

from __future__ import annotations

import re

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg

MAX_ID_CHARS = 200   # the VARCHAR length of every id column in roleplay/records/store.py
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_id(value: str, what: str) -> str:
    """`value` when it is a usable id; else one line saying what to change."""
    if not value.strip():
        raise RoleplayError(Msg("{what}: give a non-empty id", what=what))
    if len(value) > MAX_ID_CHARS:
        raise RoleplayError(Msg("{what}: {value} characters is too long; use at most {MAX_ID_CHARS}", what=what, value=len(value), MAX_ID_CHARS=MAX_ID_CHARS))
    if _CONTROL.search(value):
        raise RoleplayError(Msg("{what}: contains a control character (a newline or tab); remove it", what=what))
    return value

"""Station accounts for `roleplay serve` beyond the loopback: trainee, trainer, qa.

Passwords are hashed with the stdlib's scrypt (memory-hard, salted), stored next to the
records in the same database (its own table, so the records schema is untouched). Sessions
are random tokens kept in the server's memory: a restart signs every station out.
An account may have its own interface language (`lang`), the pages' choice after a station's
explicit switch (roleplay/web/ui_lang.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Column, MetaData, String, Table, select

from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import LANGUAGES, N_
from roleplay.records.store import Store


class Role(StrEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    QA = "qa"


ROLE_LABELS = {Role.TRAINEE: N_("trainee"), Role.TRAINER: N_("trainer"), Role.QA: N_("qa")}

metadata = MetaData()
accounts = Table(
    "web_accounts", metadata,
    Column("username", String(80), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("lang", String(8), nullable=True),      # None: the browser's Accept-Language decides
)
# Added since web_accounts was first made: an older database gets it on opening.
ADDED_COLUMNS = {"web_accounts": {"lang": "VARCHAR(8)"}}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    lang: str | None = None


class Accounts:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_tables(metadata, ADDED_COLUMNS)
        self._sessions: dict[str, Account] = {}

    def add(self, username: str, role: str, password: str, lang: str | None = None) -> Account:
        if not username or len(username) > 80:
            raise RoleplayError("a username is 1 to 80 characters")
        if role not in Role.__members__.values():
            raise RoleplayError(f"role '{role}' is not one of {', '.join(Role)}")
        if len(password) < 8:
            raise RoleplayError("a password needs at least 8 characters")
        _check_lang(lang)
        row = {"username": username, "role": role, "password_hash": hash_password(password), "lang": lang}
        with self.store.write() as conn:
            conn.execute(accounts.delete().where(accounts.c.username == username))
            conn.execute(accounts.insert(), [row])
        return Account(username, Role(role), lang)

    def set_lang(self, username: str, lang: str | None) -> None:
        """The account's interface language (None: the browser's); its signed-in sessions follow."""
        _check_lang(lang)
        with self.store.write() as conn:
            done = conn.execute(accounts.update().where(accounts.c.username == username).values(lang=lang))
        if not done.rowcount:
            raise RoleplayError(f"no account '{username[:80]}'")
        for token, session in list(self._sessions.items()):
            if session.username == username:
                self._sessions[token] = Account(session.username, session.role, lang)

    def count(self) -> int:
        with self.store.read() as conn:
            return len(conn.execute(select(accounts.c.username)).all())

    def login(self, username: str, password: str) -> str | None:
        with self.store.read() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
        if row is None or not check_password(password, row.password_hash):
            return None
        token = secrets.token_urlsafe(32)
        self._sessions[token] = Account(row.username, Role(row.role), row.lang if row.lang in LANGUAGES else None)
        return token

    def session(self, token: str | None) -> Account | None:
        return self._sessions.get(token or "")

    def logout(self, token: str | None) -> None:
        self._sessions.pop(token or "", None)


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in LANGUAGES:
        raise RoleplayError(f"language '{lang[:20]}' is not one of {', '.join(LANGUAGES)}")

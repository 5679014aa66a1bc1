"""The records database: trainees, attempts, item scores and QA reviews.

SQLAlchemy Core keeps one code path for the embedded SQLite file (the default; several
stations may share it) and PostgreSQL (a URL, when a centre outgrows one machine).
Automatic item scores are never changed by a review: reviews sit beside them.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from roleplay.model.errors import RoleplayError
from roleplay.model.ids import MAX_ID_CHARS, check_id
from roleplay.model.message import Msg

DEFAULT_URL = "sqlite:///~/.local/share/roleplay/records.db"
_SCHEMA_LOCK = 7301   # PostgreSQL advisory lock held while any table is created

metadata = MetaData()

trainees = Table(
    "trainees", metadata,
    Column("id", String(MAX_ID_CHARS), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(MAX_ID_CHARS), nullable=False, unique=True),
    Column("trainee_id", String(MAX_ID_CHARS), ForeignKey("trainees.id"), nullable=False, index=True),
    Column("scenario_id", String(200), nullable=False, index=True),
    Column("scenario_version", String(100), nullable=False, default=""),
    Column("scenario_title", Text, nullable=False, default=""),
    Column("language", String(10), nullable=False, default=""),
    Column("stage", String(20), nullable=False, default=""),
    Column("level", Integer),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("duration_s", Float, nullable=False, default=0.0),
    Column("status", String(20), nullable=False),          # scored | not_scored
    Column("score", Float, index=True),                     # 0-100; null when not scored
    Column("passed", Boolean),
    Column("pass_mark", Float),
    Column("auto_failed", Text, nullable=False, default=""),  # item ids, comma-separated
)

item_scores = Table(
    "item_scores", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("kind", String(50), nullable=False, default=""),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    UniqueConstraint("attempt_id", "item_id"),
)

reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("item_id", String(200), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("points", Float),                                # the override; null = comment only
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("turn", Integer),                                # the turn the comment is about
)

# A reviewer's verdict on the whole call, beside the item overrides: "fail" for what no item
# measures (a promise policy forbids); "clear" withdraws it. The newest verdict stands.
verdicts = Table(
    "verdicts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("reviewer", String(200), nullable=False),
    Column("verdict", String(10), nullable=False),          # fail | clear
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Indexes added after a table first shipped, named as SQLAlchemy names them (ix_TABLE_COLUMN).
ADDED_INDEXES = (("attempts", "started_at"), ("attempts", "score"))
# Columns added after a table first shipped: an older records file gets them on open.
ADDED_COLUMNS = {"attempts": {"auto_failed": "TEXT NOT NULL DEFAULT ''"}, "reviews": {"turn": "INTEGER"}}


@dataclass(frozen=True)
class Attempt:
    id: int
    call_id: str
    trainee: str
    scenario_id: str
    scenario_version: str
    scenario_title: str
    language: str
    stage: str
    level: int | None
    started_at: datetime
    duration_s: float
    status: str
    score: float | None
    passed: bool | None
    pass_mark: float | None
    auto_failed: tuple[str, ...] = ()   # the items whose finding failed the call outright


@dataclass(frozen=True)
class ItemScore:
    call_id: str
    item_id: str
    kind: str
    points: float
    max_points: float
    passed: bool


@dataclass(frozen=True)
class Review:
    id: int
    call_id: str
    item_id: str
    reviewer: str
    points: float | None
    comment: str
    created_at: datetime
    turn: int | None = None       # the transcript turn (its #) the comment is about


@dataclass(frozen=True)
class Verdict:
    id: int
    call_id: str
    reviewer: str
    verdict: str          # fail | clear
    comment: str
    created_at: datetime


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_time(value: Any) -> datetime:
    if isinstance(value, str) and value:
        try:
            return _utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    return datetime(1970, 1, 1, tzinfo=UTC)


def _duration_s(call: dict[str, Any]) -> float:
    if isinstance(call.get("duration_s"), int | float):
        return float(call["duration_s"])
    times = [e.get("t_ms", 0) for e in call.get("timeline") or [] if isinstance(e, dict)]
    return max(times, default=0) / 1000


def _obj(call: dict[str, Any], key: str) -> dict[str, Any]:
    value = call.get(key)
    return value if isinstance(value, dict) else {}


def _attempt_row(call: dict[str, Any]) -> dict[str, Any]:
    scenario = _obj(call, "scenario")
    card = _obj(call, "scorecard") if call.get("scorecard") is not None else None
    scored = card is not None and isinstance(card.get("score"), int | float)
    return {
        "call_id": str(call["call_id"]), "trainee_id": str(call.get("trainee") or "unknown"),
        "scenario_id": str(scenario.get("id", "")),
        "scenario_version": str(scenario.get("version", "")),
        "scenario_title": str(scenario.get("title", "")),
        "language": str(scenario.get("language", "")), "stage": str(scenario.get("stage", "")),
        "level": _bounded_int(scenario.get("level")), "started_at": _parse_time(call.get("started_at")),
        "duration_s": _duration_s(call), "status": "scored" if scored else "not_scored",
        "score": float(card["score"]) if scored and card else None,
        "passed": bool(card.get("passed")) if scored and card else None,
        "pass_mark": (card or {}).get("pass_mark", scenario.get("pass_mark")),
        "auto_failed": ",".join(_auto_failed_items(card)) if scored and card else "",
    }


def _auto_failed_items(card: dict[str, Any]) -> list[str]:
    from scoring.rubric import AUTO_FAIL_ITEMS

    rules = card.get("auto_failed")
    return [AUTO_FAIL_ITEMS[r] for r in rules if r in AUTO_FAIL_ITEMS] if isinstance(rules, list) else []


def _bounded_int(value: Any) -> int | None:
    # call.json is untrusted: 2**63 overflows SQLite's INTEGER and PostgreSQL's too.
    ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31
    return value if ok else None


@dataclass(frozen=True)
class AttemptRecord:
    """One archived call as the database keeps it, built from call.json alone: a re-scoring
    worker makes it, the parent writes a batch of them at once."""
    attempt: dict[str, Any]                 # the attempts row
    items: tuple[dict[str, Any], ...]       # item_scores rows, without their attempt id


def attempt_record(call_json: dict[str, Any]) -> AttemptRecord:
    if not call_json.get("call_id"):
        raise RoleplayError(Msg("call record has no call_id; is it a call.json from the archive?"))
    row = _attempt_row(call_json)
    for key, what in (("call_id", "call id"), ("trainee_id", "trainee"), ("scenario_id", "scenario id")):
        check_id(row[key], f"{what} '{row[key][:40]}'")
    return AttemptRecord(row, tuple(_item_rows(call_json)))


def _item_rows(call: dict[str, Any]) -> list[dict[str, Any]]:
    card = _obj(call, "scorecard")
    return [
        {"item_id": str(item["id"]), "kind": str(item.get("kind", "")),
         "points": float(item.get("points", 0)), "max_points": float(item.get("max_points", 0)),
         "passed": bool(item.get("passed"))}
        for item in card.get("items") or [] if isinstance(item, dict) and "id" in item
    ]


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self._ensured: set[int] = set()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock up front (BEGIN IMMEDIATE)
        so concurrent stations queue on busy_timeout instead of failing with 'locked'."""
        try:
            with (self.engine.connect().execution_options(roleplay_write=True) as conn,
                  conn.begin()):
                yield conn
        except SQLAlchemyError as error:   # every driver error: one line, never a traceback
            raise RoleplayError(Msg("{url}: database error: {first_line}", url=self.url, first_line=_first_line(error))) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as error:
            raise RoleplayError(Msg("{url}: database error: {first_line}", url=self.url, first_line=_first_line(error))) from None

    def create_schema(self) -> None:
        self.ensure_tables(metadata)

    def ensure_tables(self, tables: MetaData, added: dict[str, dict[str, str]] | None = None) -> None:
        """Create these tables if missing (once per Store). On PostgreSQL under one advisory
        lock, for every module's tables alike: stations opening a fresh database at once
        would otherwise race on CREATE TABLE (IntegrityError on pg_type, rows lost).
        `added`: another module's columns added since its tables were first made."""
        if id(tables) in self._ensured:
            return
        with self.write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            tables.create_all(conn, checkfirst=True)
            _add_missing_columns(conn, tables, {**ADDED_COLUMNS, **(added or {})})
            for table, column in ADDED_INDEXES:   # indexes added since a file was made
                if table in tables.tables:
                    conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column} ON {table} ({column})"))
        self._ensured.add(id(tables))

    def record_attempt(self, call_json: dict[str, Any]) -> int:
        """Record (or refresh, after a re-score) one archived call; returns the attempt id.
        Recording the same call again leaves one attempt with the newest scores."""
        return self.record_attempts([attempt_record(call_json)])[0]

    def record_attempts(self, records: list[AttemptRecord]) -> list[int]:
        """Write many calls in one transaction (a re-scored batch), a handful of statements
        for the lot; returns their attempt ids. A call recorded again is refreshed."""
        if not records:
            return []
        rows = list({r.attempt["call_id"]: r.attempt for r in records}.values())
        now = datetime.now(UTC)
        with self.write() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            conn.execute(dialect.insert(trainees).on_conflict_do_nothing(),
                         [{"id": t, "created_at": now} for t in sorted({r["trainee_id"] for r in rows})])
            upsert = dialect.insert(attempts)
            conn.execute(upsert.on_conflict_do_update(
                index_elements=[attempts.c.call_id],
                set_={c: upsert.excluded[c] for c in rows[0] if c != "call_id"}), rows)
            ids = dict(conn.execute(select(attempts.c.call_id, attempts.c.id)
                                    .where(attempts.c.call_id.in_([r["call_id"] for r in rows]))).all())
            conn.execute(item_scores.delete().where(item_scores.c.attempt_id.in_(list(ids.values()))))
            items = [{**i, "attempt_id": ids[r.attempt["call_id"]]}
                     for r in {r.attempt["call_id"]: r for r in records}.values() for i in r.items]
            if items:
                conn.execute(item_scores.insert(), items)
        return [int(ids[r.attempt["call_id"]]) for r in records]

    def attempts(self, trainee: str | None = None, scenario_id: str | None = None) -> list[Attempt]:
        query = select(attempts).order_by(attempts.c.started_at, attempts.c.id)
        if trainee is not None:
            query = query.where(attempts.c.trainee_id == trainee)
        if scenario_id is not None:
            query = query.where(attempts.c.scenario_id == scenario_id)
        with self.read() as conn:
            return [row_attempt(r) for r in conn.execute(query).mappings()]

    def attempt(self, call_id: str) -> Attempt:
        with self.read() as conn:
            row = conn.execute(select(attempts).where(attempts.c.call_id == call_id)).mappings().first()
        if row is None:
            raise RoleplayError(Msg("{call_id}: no such call in {url}; record it first", call_id=call_id, url=self.url))
        return row_attempt(row)

    def trainees(self) -> list[str]:
        with self.read() as conn:
            return list(conn.execute(select(trainees.c.id).order_by(trainees.c.id)).scalars())

    def item_scores(self, call_id: str | None = None, trainee: str | None = None) -> list[ItemScore]:
        query = (select(attempts.c.call_id, item_scores)
                 .join(attempts, attempts.c.id == item_scores.c.attempt_id)
                 .order_by(attempts.c.started_at, attempts.c.id, item_scores.c.id))
        if call_id is not None:
            query = query.where(attempts.c.call_id == call_id)
        if trainee is not None:
            query = query.where(attempts.c.trainee_id == trainee)
        with self.read() as conn:
            return [ItemScore(r["call_id"], r["item_id"], r["kind"], r["points"], r["max_points"],
                              bool(r["passed"])) for r in conn.execute(query).mappings()]

    def add_review(self, call_id: str, item_id: str, reviewer: str, points: float | None,
                   comment: str = "", at: datetime | None = None, turn: int | None = None) -> Review:
        attempt_id = self.attempt(call_id).id
        created = _utc(at or datetime.now(UTC))
        with self.write() as conn:
            review_id = conn.execute(reviews.insert().values(
                attempt_id=attempt_id, item_id=item_id, reviewer=reviewer, points=points,
                comment=comment, created_at=created, turn=turn)).inserted_primary_key
        return Review(int(review_id[0]) if review_id else 0, call_id, item_id, reviewer, points, comment,
                      created, turn)

    def add_verdict(self, call_id: str, reviewer: str, verdict: str, comment: str,
                    at: datetime | None = None) -> Verdict:
        attempt_id = self.attempt(call_id).id
        created = _utc(at or datetime.now(UTC))
        with self.write() as conn:
            key = conn.execute(verdicts.insert().values(
                attempt_id=attempt_id, reviewer=reviewer, verdict=verdict, comment=comment,
                created_at=created)).inserted_primary_key
        return Verdict(int(key[0]) if key else 0, call_id, reviewer, verdict, comment, created)

    def verdicts(self, call_id: str | None = None) -> list[Verdict]:
        query = (select(attempts.c.call_id, verdicts)
                 .join(attempts, attempts.c.id == verdicts.c.attempt_id)
                 .order_by(verdicts.c.created_at, verdicts.c.id))
        if call_id is not None:
            query = query.where(attempts.c.call_id == call_id)
        with self.read() as conn:
            return [Verdict(r["id"], r["call_id"], r["reviewer"], r["verdict"], r["comment"],
                            _utc(r["created_at"])) for r in conn.execute(query).mappings()]

    def reviews(self, call_id: str | None = None, reviewer: str | None = None) -> list[Review]:
        query = (select(attempts.c.call_id, reviews)
                 .join(attempts, attempts.c.id == reviews.c.attempt_id)
                 .order_by(reviews.c.created_at, reviews.c.id))
        if call_id is not None:
            query = query.where(attempts.c.call_id == call_id)
        if reviewer is not None:
            query = query.where(reviews.c.reviewer == reviewer)
        with self.read() as conn:
            return [Review(r["id"], r["call_id"], r["item_id"], r["reviewer"], r["points"],
                           r["comment"], _utc(r["created_at"]), r["turn"]) for r in conn.execute(query).mappings()]


def row_attempt(r: Any) -> Attempt:
    return Attempt(
        id=r["id"], call_id=r["call_id"], trainee=r["trainee_id"], scenario_id=r["scenario_id"],
        scenario_version=r["scenario_version"], scenario_title=r["scenario_title"],
        language=r["language"], stage=r["stage"], level=r["level"],
        started_at=_utc(r["started_at"]), duration_s=r["duration_s"], status=r["status"],
        score=r["score"], passed=None if r["passed"] is None else bool(r["passed"]),
        pass_mark=r["pass_mark"], auto_failed=tuple(i for i in (r["auto_failed"] or "").split(",") if i))


def _add_missing_columns(conn: Connection, tables: MetaData, columns: dict[str, dict[str, str]]) -> None:
    """ALTER TABLE for columns added since an older records file was made (same lock)."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    for name, added in columns.items():
        if name not in tables.tables:
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        for column, ddl in added.items():
            if column not in have:
                conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {column} {ddl}"))


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0]


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    engine = create_engine(parsed)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")  # wait for another station's write
        _switch_to_wal(cursor)                         # readers never block the writer
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL, much faster
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # A deferred transaction that later writes can hit SQLITE_BUSY without waiting.
        immediate = conn.get_execution_options().get("roleplay_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_store(url: str | None = None) -> Store:
    """The records database at `url`, else $ROLEPLAY_DB, else the per-user SQLite file."""
    url = url or os.environ.get("ROLEPLAY_DB") or DEFAULT_URL
    try:
        if make_url(url).get_backend_name() == "sqlite":
            engine = _sqlite_engine(url)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except ArgumentError:
        raise RoleplayError(Msg("{url}: not a database URL (sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)", url=url)) from None
    except ModuleNotFoundError as error:
        raise RoleplayError(Msg("{url}: database driver {name} is missing; pip install 'roleplay[postgres]'", url=url, name=error.name)) from None
    except OSError as error:
        raise RoleplayError(Msg("{url}: cannot create the database folder ({strerror})", url=url, strerror=error.strerror)) from None
    store = Store(engine)
    store.create_schema()
    return store


def _switch_to_wal(cursor: Any) -> None:
    """Switching a new file to WAL needs a moment alone with it; SQLite answers 'locked' at
    once rather than waiting on busy_timeout, so stations opening together retry."""
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 99:
                raise
            time.sleep(0.05)

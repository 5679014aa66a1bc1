"""Shared by the web tests: an in-process app and client with the CSRF token set."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from roleplay.web.app import CSRF_COOKIE, ServerConfig, create_app


def client(tmp_path: Path, require_login: bool = False, abandon_s: float = 30.0,
           scenarios: Path | None = None, db_url: str | None = None) -> TestClient:
    config = ServerConfig(calls_dir=tmp_path / "calls", scenarios_dir=scenarios,
                          db_url=db_url or f"sqlite:///{tmp_path / 'records.db'}", require_login=require_login,
                          abandon_s=abandon_s)
    c = TestClient(create_app(config))
    c.get("/api/health")
    c.headers["X-CSRF-Token"] = c.cookies[CSRF_COOKIE]
    return c

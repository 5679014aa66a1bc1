"""A throwaway PostgreSQL server for tests, started from Debian's `postgresql` package.

initdb refuses to run as root, so as root the cluster belongs to `nobody` (runuser).
The server listens on a free port on 127.0.0.1 and on a unix socket inside its own temp
folder, trusts local connections, and is removed on stop(). In CI a server that cannot
start is a test failure with the reason, never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

APT_HINT = "apt-get install postgresql (Debian ships the server in /usr/lib/postgresql/N/bin)"


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    """$ROLEPLAY_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else initdb on PATH."""
    candidates = [os.environ.get("ROLEPLAY_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                         reverse=True)
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresUnavailable(f"PostgreSQL server binaries not found; {APT_HINT}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    user_prefix: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.user_prefix, *args], check=False, capture_output=True, text=True,
                                timeout=60, cwd=self.root)
        if result.returncode != 0:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: "
                                      f"{(result.stderr or result.stdout).strip()[-800:]} {tail}")

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.root / "data"),
                      "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start() -> PostgresServer:
    bindir = find_bindir()
    # Not pytest's tmp_path: that folder is private to root, and the server may run as nobody.
    root = Path(tempfile.mkdtemp(prefix="roleplay-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        prefix = ["runuser", "-u", "nobody", "--"]
    server = PostgresServer(bindir, root, _free_port(), prefix)
    try:
        server._run(str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
                    "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
        options = (f"-p {server.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        server._run(str(bindir / "pg_ctl"), "start", "-D", str(root / "data"), "-w",
                    "-t", "30", "-l", str(root / "server.log"), "-o", options)
    except (PostgresUnavailable, OSError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"throwaway PostgreSQL did not start: {error}") from None
    return server

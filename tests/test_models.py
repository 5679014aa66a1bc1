"""Model folders and the resumable, verified download, against a local HTTP server."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audio import models
from cli import main
from roleplay.model.errors import ModelError

NAME = models.CATALOG["en"].name


def model_zip(top: str = NAME, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{top}/am/final.mdl", b"m" * 50_000)
        archive.writestr(f"{top}/conf/model.conf", b"--min-active=200\n")
        archive.writestr(f"{top}/README", b"small test model")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


class Server:
    """Serves `body` at /NAME.zip, honours Range, and can cut the first response short."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.cut_after: int | None = None
        self.ranges: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.ranges.append(self.headers.get("Range"))
                if self.path != f"/{NAME}.zip":
                    self.send_error(404)
                    return
                start = (
                    int(self.headers["Range"].split("=")[1].rstrip("-"))
                    if self.headers.get("Range")
                    else 0
                )
                data = server.body[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if server.cut_after is not None:
                    data, server.cut_after = data[: server.cut_after], None
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROLEPLAY_MODELS", str(tmp_path / "models"))
    monkeypatch.delenv("ROLEPLAY_MODEL_URL", raising=False)
    return tmp_path / "models"


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server(model_zip())
    yield s
    s.close()


def test_download_unzips_and_records_the_checksum(home: Path, server: Server) -> None:
    path = models.download("en", progress=False, base_url=server.url)
    assert path == home / NAME and (path / "am" / "final.mdl").read_bytes() == b"m" * 50_000
    assert models.model_path("en") == path
    sidecar = (home / f"{NAME}.zip.sha256").read_text().split()[0]
    assert len(sidecar) == 64 and not (home / f"{NAME}.zip").exists()
    assert [(m.name, m.language, m.kind) for m in models.list_models()] == [(NAME, "en", "vosk")]


def test_resume_after_a_cut_uses_http_range(
    home: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLEPLAY_MODEL_URL", server.url)
    server.cut_after = 20_000
    with pytest.raises(ModelError, match="again to resume"):
        models.download("en", progress=False)
    assert (home / f"{NAME}.zip.part").stat().st_size == 20_000
    path = models.download("en", progress=False)
    assert server.ranges == [None, "bytes=20000-"]
    assert (path / "README").read_bytes() == b"small test model"


def test_checksum_mismatch_deletes_the_download(
    home: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(models.CATALOG, "en", replace(models.CATALOG["en"], sha256="0" * 64))
    with pytest.raises(ModelError, match="sha256"):
        models.download("en", progress=False, base_url=server.url)
    assert not (home / f"{NAME}.zip.part").exists() and not (home / NAME).exists()


def test_a_changed_file_fails_against_the_first_recorded_checksum(
    home: Path, server: Server
) -> None:
    models.download("en", progress=False, base_url=server.url)
    (home / NAME).rename(home / "old")
    server.body = model_zip(extra={f"{NAME}/extra": b"x"})
    with pytest.raises(ModelError, match="damaged"):
        models.download("en", progress=False, base_url=server.url)


def test_a_zip_member_escaping_the_folder_is_refused(home: Path, server: Server) -> None:
    server.body = model_zip(extra={"../evil.txt": b"x"})
    with pytest.raises(ModelError, match="outside"):
        models.download("en", progress=False, base_url=server.url)
    assert not (home.parent / "evil.txt").exists() and not (home / NAME).exists()


def test_offline_says_what_to_do(home: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ModelError, match="offline.*copy the unzipped") as error:
        models.download("zh", progress=False, base_url=f"http://127.0.0.1:{port}")
    assert "vosk-model-small-cn-0.22" in str(error.value)


def test_missing_model_and_unknown_language(home: Path) -> None:
    with pytest.raises(ModelError, match="roleplay models download en"):
        models.model_path("en")
    with pytest.raises(ModelError, match="en, zh"):
        models.model_path("fr")


def test_another_model_folder_for_the_language_is_accepted(home: Path) -> None:
    (home / "vosk-model-en-us-0.22" / "am").mkdir(parents=True)
    (home / "notes").mkdir()
    assert models.model_path("en") == home / "vosk-model-en-us-0.22"
    kinds = {m.name: (m.language, m.kind) for m in models.list_models()}
    assert kinds == {"notes": (None, "unknown"), "vosk-model-en-us-0.22": ("en", "vosk")}


def test_cli_models(
    home: Path, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "path", "en"]) == 2
    assert "roleplay models download en" in capsys.readouterr().err
    monkeypatch.setenv("ROLEPLAY_MODEL_URL", server.url)
    assert main(["models", "download", "en"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(home / NAME) and "100%" in err
    assert main(["models", "list"]) == 0 and NAME in capsys.readouterr().out
    assert main(["models", "path"]) == 2

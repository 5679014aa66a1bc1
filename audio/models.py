"""Where speech models live, and fetching the official small Vosk models.

Folders are looked up in $ROLEPLAY_MODELS, else ~/.cache/roleplay/models. `download()` is
resumable (HTTP Range on a .part file), verifies what it got, unzips without letting a
member escape the target folder, and fails with a message that says what to do offline.

Checksums: the catalogue holds a sha256 where we know it. These official zips have none
published next to them and this code was written offline, so for them the first download
checks the size announced by the server and the zip's own CRCs, then records the sha256 in
a sidecar `NAME.zip.sha256`; later downloads must match it (trust on first use).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO

from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

DEFAULT_URL = "https://alphacephei.com/vosk/models"
CHUNK_BYTES = 1 << 16
TIMEOUT_S = 30


@dataclass(frozen=True)
class CatalogEntry:
    language: str
    name: str  # folder name, and the zip's stem
    sha256: str | None = None  # None: recorded on first download (see module docstring)
    size_bytes: int | None = None


CATALOG: dict[str, CatalogEntry] = {
    "en": CatalogEntry("en", "vosk-model-small-en-us-0.15"),
    "zh": CatalogEntry("zh", "vosk-model-small-cn-0.22"),
}
# Other folders accepted for a language (a bigger model the centre installed by hand).
PREFIXES = {
    "en": ("vosk-model-en-", "vosk-model-small-en-"),
    "zh": ("vosk-model-cn-", "vosk-model-small-cn-"),
}


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    language: str | None  # None when the folder name says nothing we know
    kind: str  # "vosk" | "whisper" | "unknown"


def models_dir() -> Path:
    env = os.environ.get("ROLEPLAY_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "roleplay" / "models"


def _entry(language: str) -> CatalogEntry:
    if language not in CATALOG:
        raise ModelError(Msg("no model for language {language!r}; use one of: {CATALOG}", language=language, CATALOG=', '.join(CATALOG)))
    return CATALOG[language]


def _kind(path: Path) -> str:
    if (path / "am").is_dir() or (path / "final.mdl").exists():
        return "vosk"
    if (path / "model.bin").is_file():
        return "whisper"
    return "unknown"


def _language(name: str) -> str | None:
    for language, prefixes in PREFIXES.items():
        if name == CATALOG[language].name or name.startswith(prefixes):
            return language
    return None


def list_models() -> list[InstalledModel]:
    root = models_dir()
    if not root.is_dir():
        return []
    return [
        InstalledModel(p.name, p, _language(p.name), _kind(p))
        for p in sorted(root.iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]


def model_path(language: str) -> Path:
    """The Vosk model folder for `language` (the catalogue's, else another for that language)."""
    entry = _entry(language)
    root = models_dir()
    exact = root / entry.name
    if _kind(exact) == "vosk":
        return exact
    others = [m.path for m in list_models() if m.language == language and m.kind == "vosk"]
    if others:
        return others[0]
    raise ModelError(
        Msg("no {language} speech model in {root}; run `roleplay models download {language}` or copy the unzipped {name} folder there", language=language, root=root, name=entry.name)
    )


def download(language: str, progress: bool = True, base_url: str | None = None) -> Path:
    """Fetch, verify and unzip the catalogue model for `language`; returns its folder."""
    entry = _entry(language)
    root = models_dir()
    target = root / entry.name
    if _kind(target) == "vosk":
        return target
    root.mkdir(parents=True, exist_ok=True)
    base = (base_url or os.environ.get("ROLEPLAY_MODEL_URL") or DEFAULT_URL).rstrip("/")
    url = f"{base}/{entry.name}.zip"
    zip_path = root / f"{entry.name}.zip"
    part = root / f"{entry.name}.zip.part"
    _fetch(url, part, entry, sys.stderr if progress else None)
    _verify(part, entry, root / f"{entry.name}.zip.sha256")
    part.replace(zip_path)
    _unzip(zip_path, target)
    zip_path.unlink()
    return target


def _fetch(url: str, part: Path, entry: CatalogEntry, log: IO[str] | None) -> None:
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # the .part is already whole
            return
        raise ModelError(Msg("cannot download {url}: HTTP {code}; try again later", url=url, code=error.code)) from None
    except (urllib.error.URLError, OSError) as error:
        raise ModelError(
            Msg("cannot reach {url} ({reason}): you are offline? copy the unzipped {name} folder into {models_dir}", url=url, reason=getattr(error, 'reason', error), name=entry.name, models_dir=models_dir())
        ) from None
    with response:
        if response.status != 206:  # the server ignored Range: start over
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length else entry.size_bytes
        try:
            with part.open("ab" if have else "wb") as out:
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    have += len(chunk)
                    _show(log, entry.name, have, total)
        except (OSError, HTTPException) as error:
            raise ModelError(
                Msg("download of {url} was cut at {have} bytes ({error}); run the same command again to resume", url=url, have=have, error=error)
            ) from None
    if log:
        log.write("\n")
    if total is not None and have < total:
        raise ModelError(
            Msg("download of {url} was cut at {have} of {total} bytes; run the same command again to resume", url=url, have=have, total=total)
        )


def _show(log: IO[str] | None, name: str, have: int, total: int | None) -> None:
    if log is None:
        return
    if total:
        filled = have * 30 // total
        log.write(
            f"\r{name} [{'#' * filled}{'.' * (30 - filled)}] {have * 100 // total:3d}% "
            f"{have / 1e6:.1f}/{total / 1e6:.1f} MB"
        )
    else:
        log.write(f"\r{name} {have / 1e6:.1f} MB")
    log.flush()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _verify(part: Path, entry: CatalogEntry, sidecar: Path) -> None:
    """Size, checksum (catalogue, else the sidecar from the first download), zip CRCs.
    A bad file is deleted: resuming onto it could never succeed."""
    problem = None
    digest = sha256_of(part)
    expected = entry.sha256 or (sidecar.read_text().split()[0] if sidecar.exists() else None)
    if entry.size_bytes is not None and part.stat().st_size != entry.size_bytes:
        problem = f"size {part.stat().st_size} bytes, expected {entry.size_bytes}"
    elif expected and digest != expected:
        problem = f"sha256 {digest}, expected {expected}"
    else:
        try:
            with zipfile.ZipFile(part) as archive:
                bad = archive.testzip()
            problem = f"corrupt member {bad}" if bad else None
        except (zipfile.BadZipFile, OSError) as error:
            problem = f"not a valid zip ({error})"
    if problem:
        part.unlink()
        raise ModelError(
            Msg("downloaded {name}.zip is damaged: {problem}; it was deleted, run the same command again", name=entry.name, problem=problem)
        )
    if not expected:
        sidecar.write_text(f"{digest}  {entry.name}.zip\n")


def _unzip(zip_path: Path, target: Path) -> None:
    """Extract into a temporary folder, refusing members that would land outside it, then
    move the model folder into place in one rename (no half-unzipped model is ever seen)."""
    staging = target.parent / f".{target.name}.unzipping"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                destination = (staging / member.filename).resolve()
                if not destination.is_relative_to(staging.resolve()) or member.filename.startswith(
                    "/"
                ):
                    raise ModelError(
                        Msg("{zip_path}: member {filename!r} points outside the folder; refusing to unzip it", zip_path=zip_path, filename=member.filename)
                    )
                archive.extract(member, staging)
        entries = [p for p in staging.iterdir()]
        source = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        shutil.rmtree(target, ignore_errors=True)
        source.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

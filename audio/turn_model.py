"""The Smart Turn v3.2 model file: where it lives and how it is fetched.

The file (8.7 MB, BSD-2) is published only inside the `pipecat-ai` wheel on PyPI, whose own
dependencies are heavy; so the wheel alone is fetched with `pip download --no-deps` (the
package index the machine already uses, proxies and mirrors included) and the one .onnx
member is extracted into the models folder. The wheel version and the file's sha256 are
pinned: another release could ship a different model under the same name.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from audio.models import models_dir, sha256_of
from roleplay.model.errors import ModelError
from roleplay.model.message import Msg

FILE_NAME = "smart-turn-v3.2-cpu.onnx"
WHEEL = "pipecat-ai==1.14.0"
MEMBER = f"pipecat/audio/turn/smart_turn/data/{FILE_NAME}"
SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
PIP_TIMEOUT_S = 300


def turn_model_path() -> Path:
    return models_dir() / FILE_NAME


def download_turn_model() -> Path:
    """The model file, fetched from the pipecat-ai wheel unless it is already there."""
    target = turn_model_path()
    if target.is_file() and sha256_of(target) == SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".turn-") as tmp:
        wheel = _pip_download(Path(tmp))
        part = Path(tmp) / FILE_NAME
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as src:
                part.write_bytes(src.read())
        except (KeyError, zipfile.BadZipFile) as error:
            raise ModelError(Msg("{name}: no {MEMBER} inside ({error})", name=wheel.name, MEMBER=MEMBER, error=error)) from None
        if sha256_of(part) != SHA256:
            raise ModelError(Msg("{name}: {FILE_NAME} has an unexpected sha256; not installed", name=wheel.name, FILE_NAME=FILE_NAME))
        part.replace(target)
    return target


def _pip_download(into: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into), WHEEL]
    offline = (f"cannot fetch {WHEEL} with pip (offline?); copy {FILE_NAME} from its wheel "
               f"({MEMBER}) into {models_dir()}")
    try:
        done = subprocess.run(command, check=False, capture_output=True, text=True,
                              timeout=PIP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        raise ModelError(offline) from None
    wheels = sorted(into.glob("pipecat_ai-*.whl"))
    if done.returncode != 0 or not wheels:
        raise ModelError(offline)
    return wheels[0]

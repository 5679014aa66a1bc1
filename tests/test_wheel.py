"""The wheel carries its data: installed outside the repository, the library and the drill
prompts are found (not only in an editable install)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(work / "dist"), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = (work / "dist").glob("roleplay-*.whl")
    target = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    return target


def _roleplay(target: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # PYTHONPATH puts the installed wheel before the editable install; cwd is outside the repo.
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("ROLEPLAY_SCENARIOS", None)
    return subprocess.run([sys.executable, "-m", "roleplay", *args], input=stdin, capture_output=True,
                          text=True, cwd=target.parent, env=env, timeout=120, check=False)


def test_the_wheel_is_what_runs(installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    code = "import roleplay.authoring.library as lib; print(lib.__file__); print(lib.shipped_library())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=installed.parent, check=True).stdout.split()
    assert all(Path(p).is_relative_to(installed) for p in out), out


def test_list_shows_the_whole_library_from_the_wheel(installed: Path) -> None:
    shipped = sorted(p for p in (ROOT / "scenarios").glob("*/*.yaml") if p.parent.name in ("en", "zh"))
    result = _roleplay(installed, "list")
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if "-en" in line or "-zh" in line]
    assert len(listed) == len(shipped) >= 24


def test_drill_finds_its_prompts_from_the_wheel(installed: Path) -> None:
    result = _roleplay(installed, "drill", "--typed", "--category", "closing", "--rounds", "1",
                       "--json", stdin="Thank you for calling, goodbye.\n")
    assert result.returncode in (0, 1), result.stderr
    assert '"category": "closing"' in result.stdout

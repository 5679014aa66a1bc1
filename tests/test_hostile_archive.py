"""Hostile call archives (issue 12, defects 4-6 and 9): one bad call never stops a batch,
nothing is read or written through a symlink, a killed writer's temp file is recovered."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import cli
from roleplay.archive.calls import read_call, write_json_atomic
from roleplay.qa.report import build_report
from roleplay.qa.rescore import rescore_all

ROOT = Path(__file__).resolve().parent.parent
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"


@pytest.fixture(scope="module")
def good_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calls")
    assert cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)]) == 0
    (call,) = [p for p in out.iterdir() if p.is_dir()]
    return call


def copy(call: Path, root: Path, name: str) -> Path:
    shutil.copytree(call, root / name)
    return root / name


def edit_call_json(call: Path, change) -> None:  # type: ignore[no-untyped-def]
    raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
    change(raw)
    (call / "call.json").write_text(json.dumps(raw), encoding="utf-8")


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def roleplay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roleplay", *args], check=False,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_one_hostile_call_never_stops_the_batch(good_call: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    copy(good_call, archive, "a-good")
    deep = copy(good_call, archive, "b-deep-json")
    (deep / "call.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    loop = copy(good_call, archive, "c-alias-loop")
    (loop / "scenario.yaml").write_text("id: &a [*a]\n", encoding="utf-8")
    oops = copy(good_call, archive, "d-words-oops")
    edit_call_json(oops, lambda raw: next(e for e in raw["timeline"] if "words" in e).update(words="oops"))
    copy(good_call, archive, "e-good")
    results = list(rescore_all([archive], jobs=2))
    assert [r.path.rsplit("/", 1)[-1] for r in results] == ["a-good", "b-deep-json", "c-alias-loop",
                                                          "d-words-oops", "e-good"]
    assert [r.ok for r in results] == [True, False, False, False, True]
    for result in results[1:4]:
        assert "\n" not in result.line() and result.path in result.error
    assert "nested too deeply" in results[1].error and "inside its own anchor" in results[2].error
    history = json.loads((archive / "e-good" / "call.json").read_text())["scorecards"]
    assert [h["source"] for h in history] == ["live", "rescore"]   # the call after them was done


@pytest.mark.parametrize("change", [
    lambda raw: raw["scorecard"].update(items=["greeting", "closing"]),
    lambda raw: raw["scorecard"]["items"][0].update(points="ten"),
])
def test_score_replay_report_give_one_line_on_a_malformed_card(good_call: Path, tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    call = copy(good_call, tmp_path, "call")
    edit_call_json(call, change)
    for args in (("score", str(call)), ("replay", str(call), "--no-audio"),
                 ("report", str(call), "--html", str(tmp_path / "r.html"))):
        done = roleplay(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert "scorecard is malformed" in done.stderr


def test_report_of_a_huge_timestamp_and_a_linked_recording(good_call: Path, tmp_path: Path) -> None:
    call = copy(good_call, tmp_path, "call")
    edit_call_json(call, lambda raw: raw["timeline"][-1].update(t_ms=10**15))
    secret = tmp_path / "secret.txt"
    secret.write_text("the payroll password", encoding="utf-8")
    for target in (Path("/dev/zero"), secret):
        (call / "call.wav").unlink(missing_ok=True)
        (call / "call.wav").symlink_to(target)
        started = time.monotonic()
        page = build_report(read_call(call))
        assert time.monotonic() - started < 5
        assert "data:audio/wav" not in page and "No recording" in page
        assert page.count('y="126"') <= 21   # the time axis keeps a handful of ticks


def test_rescore_writes_nothing_outside_the_folder_it_was_given(good_call: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    copy(good_call, outside, "linked-call")
    before = tree_digest(outside)
    archive = tmp_path / "archive"
    archive.mkdir()
    own = copy(good_call, archive, "own")
    (archive / "link").symlink_to(outside / "linked-call", target_is_directory=True)
    (archive / "loop").symlink_to(archive, target_is_directory=True)
    (own / ".lock").symlink_to(outside / "planted-lock")
    results = list(rescore_all([archive], jobs=1))
    assert [Path(r.path).name for r in results] == ["own"]          # no link, no loop
    assert ".lock: is a symbolic link" in results[0].error
    assert tree_digest(outside) == before and not (outside / "planted-lock").exists()
    (own / ".lock").unlink()
    assert [r.ok for r in rescore_all([archive], jobs=1)] == [True]


def test_a_planted_temp_symlink_does_not_redirect_the_write(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    path = tmp_path / "call.json"
    # The old predictable temp name: pid and thread id.
    (tmp_path / f".call.json.{os.getpid()}.{threading.get_ident()}.tmp").symlink_to(target)
    write_json_atomic(path, {"call_id": "x"})
    assert target.read_text(encoding="utf-8") == "keep me"
    assert json.loads(path.read_text())["call_id"] == "x" and not path.is_symlink()


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_killed_writers_complete_temp_file_is_recovered(good_call: Path, tmp_path: Path) -> None:
    call = copy(good_call, tmp_path, "call")
    raw = json.loads((call / "call.json").read_text())
    saved = {**raw, "scorecard": {**raw["scorecard"], "score": 12.5}}
    pid = _dead_pid()
    complete = call / f".call.json.{pid}.1234.tmp"
    complete.write_text(json.dumps(saved), encoding="utf-8")   # killed between fsync and rename
    partial = call / f".call.json.{pid}.5678.tmp"
    partial.write_text(json.dumps(saved)[:300], encoding="utf-8")
    os.utime(partial, (time.time() - 5, time.time() - 5))
    assert read_call(call).scorecard["score"] == 12.5
    assert not complete.exists() and not partial.exists()


def test_pool_workers_die_with_their_parent(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import os, sys, time
        from concurrent.futures import ProcessPoolExecutor
        from roleplay.qa.rescore import die_with_parent
        with ProcessPoolExecutor(2, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(time.sleep, 60) for _ in range(2)]
            time.sleep(1.0)
            print(" ".join(str(p) for p in pool._processes), flush=True)
            time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and _alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{p}").exists() and _alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:   # a zombie waiting for init to reap it has finished
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("trainee", ["x" * 201, "anna\nrubric: {}"])
def test_a_bad_trainee_id_is_refused_before_the_call_starts(tmp_path: Path, trainee: str) -> None:
    out = tmp_path / "calls"
    done = subprocess.run([sys.executable, "-m", "roleplay", "run", "broadband-slow-en", "--typed",
                           "--no-tts", "--trainee", trainee, "--out", str(out)], check=False,
                          input="hello\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--trainee" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())   # nothing archived


def test_a_worker_that_dies_fails_one_call_and_the_batch_goes_on(good_call: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from roleplay.qa import rescore

    archive = tmp_path / "archive"
    archive.mkdir()
    for name in ("a", "b-dies", "c", "d"):
        copy(good_call, archive, name)
    real = rescore.rescore_call

    def dies_on_b(call_dir: Path, options: rescore.Options | None = None) -> rescore.Result:
        if call_dir.name == "b-dies":
            os._exit(9)   # as the kernel's OOM killer would end it
        return real(call_dir, options or rescore.Options())

    monkeypatch.setattr(rescore, "rescore_call", dies_on_b)   # forked workers inherit it
    results = list(rescore.rescore_all([archive], jobs=2, chunksize=1))
    assert [Path(r.path).name for r in results] == ["a", "b-dies", "c", "d"]
    assert "worker re-scoring it died" in results[1].error
    assert results[3].ok
